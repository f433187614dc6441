"""Checkpoints named by iteration through Lightning's ModelCheckpoint, every file written whole.

Scheduling, keep-the-newest-N and `last.ckpt` are Lightning's `ModelCheckpoint`, told to count
iterations; `AtomicCheckpointIO` makes every checkpoint Lightning writes (these, best.ckpt, the
NaN state) go through `write_atomic`, so a crash mid-write never replaces a good file with half
of one, and a full disk is one line naming the file. Two moments Lightning does not save at are
added here: the last iteration (before the end-of-run evaluation, which may take long) and a
stop on a signal (StopOnSignal asks for it at once), and a SIGTERM that Lightning raises. A stop's
checkpoint is written at once (`GAN.saving_at_once`): EMA's statistics are left to whatever uses
it next, as its trick state says; every other checkpoint holds them measured.
"""

from __future__ import annotations

import io
import logging
import time
from contextlib import nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Any

import lightning as L
import torch
from lightning.pytorch.callbacks import ModelCheckpoint
from lightning.pytorch.plugins.io import TorchCheckpointIO
from lightning.pytorch.utilities.exceptions import SIGTERMException

from dcgan.atomic import OutputError, write_atomic
from dcgan.callbacks.every import at_iteration_end, last_iteration
from dcgan.run import RunFolder
from dcgan.run.folder import PERIODIC

if TYPE_CHECKING:
    from dcgan.callbacks.config import CheckpointConfig

log = logging.getLogger(__name__)

__all__ = ["AtomicCheckpointIO", "IterationCheckpoint", "OutputError", "save_checkpoint"]


def _hint(folder: Path) -> str:
    return (
        f"the files already in {folder} are untouched. Free space or choose a writable folder "
        "(hydra.run.dir=...), then resume"
    )


class AtomicCheckpointIO(TorchCheckpointIO):
    """Lightning's checkpoint writer, through the one atomic-write helper."""

    def save_checkpoint(
        self, checkpoint: dict[str, Any], path: Any, storage_options: Any = None
    ) -> None:
        """Serialise in memory, then temporary file, fsync, rename; OutputError names the file."""
        path = Path(path)
        buffer = io.BytesIO()  # torch.save's own file errors are C++ messages without a cause
        torch.save(checkpoint, buffer)
        write_atomic(path, lambda tmp: tmp.write_bytes(buffer.getbuffer()), _hint(path.parent))


def save_checkpoint(trainer: L.Trainer, path: Path) -> None:
    """Every rank joins Lightning's collective save; rank zero writes (atomically, see above)."""
    trainer.save_checkpoint(path, weights_only=False)


class IterationCheckpoint(ModelCheckpoint):
    """`iter_NNNNNN.ckpt` every `every_n_steps` iterations, the newest `keep`, and `last.ckpt`.

    Lightning counts optimizer steps; `setup` turns iterations into them. `last.ckpt` is also
    written at the last iteration, on a stop (`write_last`) and on a SIGTERM that Lightning
    raises between iterations.
    """

    def __init__(self, run_dir: str | Path, config: CheckpointConfig) -> None:
        """`config` is `callbacks.checkpoint`."""
        self.run = RunFolder(run_dir)
        every_n_steps, keep = config.every_n_steps, config.keep
        super().__init__(
            dirpath=str(self.run.checkpoints),
            filename=PERIODIC,
            auto_insert_metric_name=False,
            monitor="iteration",  # "best" = newest, so keep-N keeps the newest N
            mode="max",
            save_top_k=-1 if keep is None else keep,
            save_last=True,
            every_n_train_steps=every_n_steps,
            save_on_train_epoch_end=False,
            enable_version_counter=False,
        )
        # Lightning names last.ckpt from these two: the run folder's name for it
        self.CHECKPOINT_NAME_LAST = self.run.last_ckpt.stem
        self.FILE_EXTENSION = self.run.last_ckpt.suffix
        self.every_n_steps = every_n_steps
        self._saved_epoch = -1  # the epoch counter of the last write_last
        self._stopped = False  # a stop's last.ckpt was written: its rewrite is at once too
        self.busy_s = 0.0  # seconds spent writing checkpoints: not training time (callbacks.clock)

    @property
    def state_key(self) -> str:
        """One per run, whatever its settings: a resume with another every_n_steps keeps it."""
        return type(self).__name__

    @property
    def last_path(self) -> Path:
        return self.run.last_ckpt

    def setup(self, trainer: L.Trainer, pl_module: L.LightningModule, stage: str) -> None:
        """Count iterations: one is `steps_per_iteration` of Lightning's optimizer steps."""
        super().setup(trainer, pl_module, stage)
        self._every_n_train_steps = self.every_n_steps * pl_module.steps_per_iteration

    def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx) -> None:  # noqa: ANN001
        started = time.perf_counter()
        super().on_train_batch_end(trainer, pl_module, outputs, batch, batch_idx)
        if last_iteration(trainer, pl_module) and not self.saved_now(trainer):
            # the whole state (its history ends here), before the end-of-run evaluation: a
            # signal or a kill during that evaluation keeps every iteration
            self.write_last(trainer)
        self.busy_s += time.perf_counter() - started

    def on_train_end(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        """The final state, if not saved at this step already: what `resume=auto` continues."""
        # a resumed finished run whose history gained its end; or a run that ends with an epoch,
        # saved in its last batch: again with the epoch counted, as an epoch's end resumes
        if not self.saved_now(trainer) or self._saved_epoch != trainer.current_epoch:
            self.write_last(trainer, stop=self._stopped)

    def saved_now(self, trainer: L.Trainer) -> bool:
        """Whether the state at this step is on disk (a stop, the last iteration, periodic)."""
        return self._last_global_step_saved == trainer.global_step > 0

    def write_last(self, trainer: L.Trainer, stop: bool = False) -> None:
        """Write `last.ckpt` now (the state must be whole: at an iteration's end); `stop`: at
        once, for a stop on a signal."""
        started = time.perf_counter()
        self._stopped = self._stopped or stop
        self._save_last(trainer, stop)
        self._last_global_step_saved = trainer.global_step
        self._saved_epoch = trainer.current_epoch
        log.debug("%s written in %.2f s", self.run.last_ckpt, time.perf_counter() - started)

    def on_exception(self, trainer, pl_module, exception: BaseException) -> None:  # noqa: ANN001
        # Lightning raises SIGTERMException only between batches: at an iteration boundary the
        # state is whole and worth saving. Other exceptions may strike mid-update: keep what is.
        whole = at_iteration_end(pl_module)
        if isinstance(exception, SIGTERMException) and whole and pl_module.iteration > 0:
            self._save_last(trainer, stop=True)
        elif trainer.is_global_zero and self.last_path.exists():
            log.warning("training stopped (%s); kept %s", type(exception).__name__, self.last_path)

    def _save_last(self, trainer: L.Trainer, stop: bool = False) -> None:
        with trainer.lightning_module.saving_at_once() if stop else nullcontext():
            save_checkpoint(trainer, self.last_path)
        if trainer.is_global_zero:
            log.info("checkpoint written: %s", self.last_path)
