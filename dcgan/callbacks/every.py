"""The one rule for "every N iterations": at a whole iteration, a multiple of N, once each."""

from __future__ import annotations

import lightning as L


def at_iteration_end(pl_module: L.LightningModule) -> bool:
    """True after the last optimizer step of an iteration (Lightning counts every step)."""
    return pl_module.global_step % pl_module.steps_per_iteration == 0


def due(pl_module: L.LightningModule, every_n: int, last_done: int) -> bool:
    """Whether a task run every `every_n` iterations is due now and not yet done at this one."""
    it = pl_module.iteration
    return it > 0 and it != last_done and it % every_n == 0 and at_iteration_end(pl_module)


def last_iteration(trainer: L.Trainer, pl_module: L.LightningModule) -> bool:
    """True at the end of the run's last iteration: `max_steps` reached, or the last batch of
    the last epoch (a stop then has nothing left to stop)."""
    if not at_iteration_end(pl_module):
        return False
    if 0 < trainer.max_steps <= trainer.global_step:
        return True
    epochs = trainer.max_epochs
    batches = trainer.fit_loop.epoch_loop.batch_progress
    return epochs is not None and 0 <= epochs <= trainer.current_epoch + 1 and batches.is_last_batch
