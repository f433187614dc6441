"""Checkpoints named by iteration, written atomically, with `last.ckpt` always whole."""

from __future__ import annotations

import logging
from pathlib import Path

import lightning as L
from lightning.pytorch.utilities.exceptions import SIGTERMException

from dcgan.atomic import OutputError, write_atomic
from dcgan.callbacks.every import at_iteration_end, due

log = logging.getLogger(__name__)

__all__ = ["IterationCheckpoint", "OutputError", "save_checkpoint"]


def save_checkpoint(trainer: L.Trainer, path: Path) -> None:
    """Every rank joins Lightning's collective save; rank zero writes `path` atomically."""
    hint = (
        f"the files already in {path.parent} are untouched. Free space or choose a "
        "writable folder (hydra.run.dir=...), then resume"
    )
    if trainer.is_global_zero:
        write_atomic(path, lambda tmp: trainer.save_checkpoint(tmp, weights_only=False), hint)
    else:  # the other ranks write nothing, but must take part in the gather
        trainer.save_checkpoint(path.with_name(f".{path.name}.rank.tmp"), weights_only=False)
    trainer.strategy.barrier("dcgan_checkpoint")


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
        if due(pl_module, self.every_n_steps, self._last_saved):
            self._save(trainer, self.dirpath / f"iter_{it:06d}.ckpt")
            self._save(trainer, self.last_path)
            self._last_saved = it
            self._prune(trainer)

    def on_train_end(self, trainer, pl_module) -> None:  # noqa: ANN001
        self._save(trainer, self.last_path)

    def on_exception(self, trainer, pl_module, exception: BaseException) -> None:  # noqa: ANN001
        # Lightning raises SIGTERMException only between batches: at an iteration boundary the
        # state is whole and worth saving. Other exceptions may strike mid-update: keep what is.
        whole = at_iteration_end(pl_module)
        if isinstance(exception, SIGTERMException) and whole and pl_module.iteration > 0:
            self._save(trainer, self.last_path)
        elif trainer.is_global_zero and self.last_path.exists():
            log.warning("training stopped (%s); kept %s", type(exception).__name__, self.last_path)

    def _save(self, trainer: L.Trainer, path: Path) -> None:
        save_checkpoint(trainer, path)
        if trainer.is_global_zero:
            log.info("checkpoint written: %s", path)

    def _prune(self, trainer: L.Trainer) -> None:
        if self.keep is None or not trainer.is_global_zero:
            return
        periodic = sorted(self.dirpath.glob("iter_*.ckpt"))
        for old in periodic[: max(len(periodic) - self.keep, 0)]:
            old.unlink(missing_ok=True)
