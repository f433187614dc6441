"""What a training run says on the console: a few lines that matter and a progress bar.

Lightning's start-up notes (accelerator table, a logging tip, the model summary with
`Total FLOPs: 0`) and its progress bar (optimizer steps, `Epoch 0/-2`) are replaced by one
model-size line and a bar that counts iterations toward `trainer.max_steps` (or epochs toward
`trainer.max_epochs`) with images per second, an ETA and the D and G losses.
"""

from __future__ import annotations

import logging
import time
import warnings
from typing import Any

import lightning as L
from lightning.pytorch.callbacks.progress.progress_bar import ProgressBar
from tqdm import tqdm

from dcgan.callbacks.every import at_iteration_end

log = logging.getLogger(__name__)

# Lightning's INFO notes at start and end: the precision line of dcgan.build says what counts.
_CHATTY_LOGGERS = ("lightning.pytorch.utilities.rank_zero", "lightning.fabric.utilities.rank_zero")


def quiet_libraries() -> None:
    """Silence notes and deprecation noise of the libraries we call; warnings that matter stay."""
    for name in _CHATTY_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    for module in ("lightning.pytorch.utilities._pytree", "torch.utils._pytree"):
        warnings.filterwarnings("ignore", category=FutureWarning, module=module)
        warnings.filterwarnings("ignore", category=DeprecationWarning, module=module)
    warnings.filterwarnings("ignore", message=r".*LeafSpec.*is deprecated")
    # a resumed run checkpoints into its own folder again: expected, not news
    warnings.filterwarnings("ignore", message=r"Checkpoint directory .* exists and is not empty")
    warnings.filterwarnings("ignore", message=r"The dirpath has changed from")
    # saved at an iteration's end, after its optimizer steps: the state a resume needs
    warnings.filterwarnings("ignore", message=r"Using ModelCheckpoint with manual optimization")


def describe_model(module: L.LightningModule) -> str:
    """One line: the parameter counts of G and D and the size of the weights."""

    def count(net: Any) -> int:
        return sum(p.numel() for p in net.parameters())

    g, d = count(module.generator), count(module.discriminator)
    megabytes = sum(p.numel() * p.element_size() for p in module.parameters()) / 2**20
    return f"model: G {g / 1e3:,.0f} K + D {d / 1e3:,.0f} K parameters ({megabytes:.1f} MB)"


class IterationProgress(ProgressBar):
    """A tqdm bar over iterations (or epochs) with img/s, an ETA and the last d/g losses."""

    def __init__(self) -> None:
        super().__init__()
        self._enabled = True
        self._bar: tqdm | None = None
        self._by_epoch = False
        self._images = 0
        self._started = 0.0

    def disable(self) -> None:
        self._enabled = False

    def enable(self) -> None:
        self._enabled = True

    @property
    def is_enabled(self) -> bool:
        return self._enabled

    def on_train_start(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        per_iteration = pl_module.steps_per_iteration
        self._by_epoch = trainer.max_steps is None or trainer.max_steps < 0
        if self._by_epoch:
            total, done, unit = trainer.max_epochs, trainer.current_epoch, "epoch"
        else:
            total, done, unit = trainer.max_steps // per_iteration, pl_module.iteration, "it"
        self._images, self._started = 0, time.perf_counter()
        self._bar = tqdm(
            total=total if total is not None and total >= 0 else None,
            initial=done,
            unit=unit,
            desc="training",
            dynamic_ncols=True,
            disable=not (self._enabled and trainer.is_global_zero),
            leave=True,
        )

    def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx) -> None:  # noqa: ANN001
        self._images += len(batch)
        if self._bar is None or not at_iteration_end(pl_module):
            return
        if not self._by_epoch:
            self._bar.update(pl_module.iteration - self._bar.n)
        metrics = trainer.progress_bar_metrics
        rate = self._images / max(time.perf_counter() - self._started, 1e-9)
        shown = {"img/s": f"{rate:,.0f}"}
        if self._by_epoch:
            shown["it"] = str(pl_module.iteration)
        for key in ("d_loss", "g_loss"):
            if key in metrics:
                shown[key] = f"{float(metrics[key]):.3f}"
        self._bar.set_postfix(shown, refresh=False)

    def on_train_epoch_end(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        if self._bar is not None and self._by_epoch:
            self._bar.update(1)

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
