"""Checkpoints named by iteration, written atomically, with `last.ckpt` always whole."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import lightning as L
from lightning.pytorch.utilities.exceptions import SIGTERMException

log = logging.getLogger(__name__)


class OutputError(OSError):
    """The run folder cannot take a file (read-only, full disk); the message says which."""


class IterationCheckpoint(L.Callback):
    """Save `iter_NNNNNN.ckpt` every `every_n_steps` iterations and `last.ckpt` with each.

    Files are written to a temporary name and renamed, so a crash mid-write never replaces a good
    checkpoint with half of one. Only the newest `keep` periodic files are kept (None: all).
    """

    def __init__(
        self, dirpath: str | Path, every_n_steps: int = 1000, keep: int | None = 3
    ) -> None:
        self.dirpath = Path(dirpath)
        self.every_n_steps = every_n_steps
        self.keep = keep
        self._last_saved = -1

    @property
    def last_path(self) -> Path:
        return self.dirpath / "last.ckpt"

    def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx) -> None:  # noqa: ANN001
        it = pl_module.iteration
        at_boundary = pl_module.global_step % pl_module.steps_per_iteration == 0
        if at_boundary and it > 0 and it % self.every_n_steps == 0 and it != self._last_saved:
            self._save(trainer, self.dirpath / f"iter_{it:06d}.ckpt")
            self._save(trainer, self.last_path)
            self._last_saved = it
            self._prune(trainer)

    def on_train_end(self, trainer, pl_module) -> None:  # noqa: ANN001
        self._save(trainer, self.last_path)

    def on_exception(self, trainer, pl_module, exception: BaseException) -> None:  # noqa: ANN001
        # Lightning raises SIGTERMException only between batches: at an iteration boundary the
        # state is whole and worth saving. Other exceptions may strike mid-update: keep what is.
        whole = pl_module.global_step % pl_module.steps_per_iteration == 0
        if isinstance(exception, SIGTERMException) and whole and pl_module.iteration > 0:
            self._save(trainer, self.last_path)
        elif trainer.is_global_zero and self.last_path.exists():
            log.warning("training stopped (%s); kept %s", type(exception).__name__, self.last_path)

    def _save(self, trainer: L.Trainer, path: Path) -> None:
        tmp = path.with_name(path.name + ".tmp")
        try:
            trainer.save_checkpoint(tmp, weights_only=False)  # collective; rank zero writes
            if trainer.is_global_zero:
                _durable_replace(tmp, path)
                log.info("checkpoint written: %s", path)
        except OSError as err:
            if trainer.is_global_zero:
                tmp.unlink(missing_ok=True)
            raise OutputError(
                f"cannot write checkpoint {path}: {err.strerror or err}; the files already "
                f"in {self.dirpath} are untouched. Free space or choose a writable folder "
                "(hydra.run.dir=...), then resume"
            ) from err
        trainer.strategy.barrier("dcgan_checkpoint")

    def _prune(self, trainer: L.Trainer) -> None:
        if self.keep is None or not trainer.is_global_zero:
            return
        periodic = sorted(self.dirpath.glob("iter_*.ckpt"))
        for old in periodic[: max(len(periodic) - self.keep, 0)]:
            old.unlink(missing_ok=True)


def _durable_replace(tmp: Path, path: Path) -> None:
    """Rename tmp over path once its bytes are on disk, so a power cut leaves one or the other."""
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    try:
        fd = os.open(path.parent, os.O_RDONLY)
    except OSError:  # some systems cannot open a folder; the rename is still atomic
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
