"""The console's progress bar, in iterations: Lightning's counts optimizer steps (`Epoch 0/-2`).

It counts toward the limit that ends the run (`trainer.max_steps`, or `trainer.max_epochs`
passes over the data when that comes first) with images per second, an ETA, the epoch and the
D and G losses.
"""

from __future__ import annotations

import math

import lightning as L
from lightning.pytorch.callbacks.progress.progress_bar import ProgressBar
from tqdm import tqdm

from dcgan.callbacks.clock import RunClock
from dcgan.callbacks.every import at_iteration_end


def planned_iterations(trainer: L.Trainer, pl_module: L.LightningModule) -> int | None:
    """The iteration at which the run ends: `trainer.max_steps`, or `trainer.max_epochs` passes
    over the data when those end it sooner; None when neither limits it."""
    limits = []
    if trainer.max_steps is not None and trainer.max_steps >= 0:
        limits.append(trainer.max_steps // pl_module.steps_per_iteration)
    batches = trainer.num_training_batches  # per epoch and rank; known once the data is set up
    if trainer.max_epochs is not None and trainer.max_epochs >= 0 and math.isfinite(batches):
        # an iteration takes d_steps real batches; one cut by an epoch's end goes on in the next
        limits.append(trainer.max_epochs * int(batches) // pl_module.hparams.d_steps)
    return min(limits) if limits else None


class IterationProgress(ProgressBar):
    """A tqdm bar over iterations toward the limit that ends the run, with img/s (as metrics.json
    measures it: `RunClock`), an ETA and the last d/g losses."""

    def __init__(self) -> None:
        super().__init__()
        self._enabled = True
        self._bar: tqdm | None = None
        self._epochs: int | None = None

    def disable(self) -> None:
        self._enabled = False

    def enable(self) -> None:
        self._enabled = True

    @property
    def is_enabled(self) -> bool:
        return self._enabled

    def on_train_start(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        total = planned_iterations(trainer, pl_module)
        max_epochs = trainer.max_epochs
        self._epochs = max_epochs if max_epochs is not None and max_epochs >= 0 else None
        self._bar = tqdm(
            total=total,
            initial=min(pl_module.iteration, total) if total is not None else pl_module.iteration,
            unit="it",
            desc="training",
            dynamic_ncols=True,
            disable=not (self._enabled and trainer.is_global_zero),
            leave=True,
        )

    def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx) -> None:  # noqa: ANN001
        if self._bar is None or not at_iteration_end(pl_module):
            return
        self._bar.update(pl_module.iteration - self._bar.n)
        metrics = trainer.progress_bar_metrics
        shown = {}
        clock = next((c for c in trainer.callbacks if isinstance(c, RunClock)), None)
        rate = clock.live_img_per_s() if clock is not None else None
        if rate is not None:
            shown["img/s"] = f"{rate:,.0f}"
        if self._epochs is not None:
            shown["epoch"] = f"{trainer.current_epoch + 1}/{self._epochs}"
        for key in ("d_loss", "g_loss"):
            if key in metrics:
                shown[key] = f"{float(metrics[key]):.3f}"
        self._bar.set_postfix(shown, refresh=False)

    def on_train_end(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        self._close()

    def on_exception(self, trainer, pl_module, exception: BaseException) -> None:  # noqa: ANN001
        self._close()

    def _close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None


def with_progress(callbacks: list[L.Callback], enabled: bool) -> list[L.Callback]:
    """The callbacks plus the iteration bar when the progress bar is on."""
    return [IterationProgress(), *callbacks] if enabled else callbacks  # first: closed first
