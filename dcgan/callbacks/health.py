"""Training health: warn when D wins outright or samples collapse; stop at a NaN/inf loss."""

from __future__ import annotations

import logging
import math
import time
from pathlib import Path
from typing import TYPE_CHECKING

import lightning as L
import torch

from dcgan.atomic import OutputError
from dcgan.callbacks.checkpoint import save_checkpoint
from dcgan.callbacks.every import at_iteration_end, due
from dcgan.run import RunFolder

if TYPE_CHECKING:
    from collections.abc import Sequence

    from dcgan.callbacks.config import HealthConfig

log = logging.getLogger(__name__)

WATCHED_LOSSES = ("d_loss", "g_loss")


class TrainingDiverged(RuntimeError):
    """A loss became NaN or infinite; the message names it and the iteration."""


def sample_diversity(images: torch.Tensor) -> float:
    """Mean pairwise L2 distance between images, per pixel: near 0 when all look alike."""
    flat = images.flatten(1).float()
    if len(flat) < 2:
        return float("nan")
    dist = torch.cdist(flat, flat)
    n = len(flat)
    return float(dist.sum() / (n * (n - 1))) / math.sqrt(flat.shape[1])


class TrainingHealth(L.Callback):
    """Watch the losses and D(G(z)) every iteration and the fixed-noise samples now and then.

    Each warning fires once per episode: again only after the condition has cleared. A NaN or
    infinite loss writes `checkpoints/nan_iter_NNNNNN.ckpt` (last.ckpt keeps the last good
    state) and raises TrainingDiverged, which stops the run with a non-zero exit code.
    """

    def __init__(
        self, run_dir: str | Path, config: HealthConfig, remedies: Sequence[str] = ()
    ) -> None:
        """`config` is `callbacks.health`; `remedies`: what the tricks suggest first when D wins
        (`Trick.health_remedy`), each leading into the general ones."""
        self.run = RunFolder(run_dir)
        self.every_n_steps = config.every_n_steps
        self.d_wins_below = config.d_wins_below
        self.d_wins_patience = config.d_wins_patience
        self.collapse_below = config.collapse_below
        self.stop_on_nan = config.stop_on_nan
        self.remedy = " ".join(remedies) or "try"
        self._d_wins_since: int | None = None
        self._d_wins_warned = False
        self._collapse_warned = False
        self._last_check = -1
        self.busy_s = 0.0  # seconds spent checking samples: not training time (callbacks.clock)

    def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx) -> None:  # noqa: ANN001
        metrics = trainer.callback_metrics
        it = pl_module.iteration
        if self.stop_on_nan:
            bad = [
                f"{k}={float(metrics[k])}"
                for k in WATCHED_LOSSES
                if k in metrics and not math.isfinite(float(metrics[k]))
            ]
            if bad:
                self._diverged(trainer, pl_module, bad)
        if not at_iteration_end(pl_module):
            return  # the rest looks at whole iterations only
        if "d_g_z" in metrics:
            self._watch_d_wins(float(metrics["d_g_z"]), it)
        if due(pl_module, self.every_n_steps, self._last_check):
            self._last_check = it
            started = time.perf_counter()
            self._watch_collapse(pl_module, it)
            self.busy_s += time.perf_counter() - started

    def _watch_d_wins(self, d_g_z: float, it: int) -> None:
        if d_g_z >= self.d_wins_below:
            self._d_wins_since, self._d_wins_warned = None, False
            return
        if self._d_wins_since is None:
            self._d_wins_since = it
        stretch = it - self._d_wins_since + 1
        if stretch >= self.d_wins_patience and not self._d_wins_warned:
            self._d_wins_warned = True
            log.warning(
                f"D wins outright: mean D(G(z)) < {self.d_wins_below} for {stretch} iterations "
                f"(since iteration {self._d_wins_since}); G gets little gradient. {self.remedy} "
                "label smoothing, a lower D learning rate, or fewer d_steps"
            )

    def _watch_collapse(self, pl_module: L.LightningModule, it: int) -> None:
        # the G being trained collapses, not its average (which would also cost a refresh)
        diversity = sample_diversity(pl_module.sample(trained=True))
        if diversity >= self.collapse_below:
            self._collapse_warned = False
            return
        if not self._collapse_warned:
            self._collapse_warned = True
            log.warning(
                f"samples collapse at iteration {it}: the fixed-noise samples differ by "
                f"{diversity:.4f} per pixel (< {self.collapse_below}); G may be mode-collapsing"
            )

    def _diverged(self, trainer: L.Trainer, pl_module: L.LightningModule, bad: list[str]) -> None:
        it = pl_module.iteration
        path = self.run.nan_ckpt(it)
        try:
            save_checkpoint(trainer, path)
            kept = f"the diverged state is in {path}"
        except OutputError as err:  # the divergence is the news; the lost file a footnote
            kept = f"the diverged state was not saved ({err})"
        message = (
            f"training diverged at iteration {it}: {', '.join(bad)}; {kept}, the last good "
            f"one in {self.run.last_ckpt} (if one was written). "
            "Lower the learning rates or try norm=spectral"
        )
        raise TrainingDiverged(message)  # said once: by the command line, or in a sweep's log
