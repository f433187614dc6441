"""A resumable data order: each epoch a seeded permutation, its position saved in checkpoints.

A run interrupted mid-epoch and resumed from its checkpoint sees exactly the batches that the
uninterrupted run would have seen next. Lightning saves and restores the loader's `state_dict`
because the loader has one; the position counts batches *consumed* by training (the data module
reports each one), not batches fetched ahead.
"""

from __future__ import annotations

import signal
from collections.abc import Callable, Iterator
from typing import Any

import torch
from torch.utils.data import DataLoader, Dataset, Sampler


def ignore_ctrl_c(worker_id: int) -> None:
    """Workers ignore Ctrl-C: the main process finishes the iteration with their batches."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


class EpochPermutation(Sampler[int]):
    """Shuffles by a permutation seeded by (seed, epoch); the loader sets the epoch and start."""

    def __init__(self, size: int, seed: int) -> None:
        self.size = size
        self.seed = seed
        self.epoch = 0
        self.start = 0  # samples of the epoch that a resumed run had used already

    def __len__(self) -> int:
        return self.size

    def permutation(self, epoch: int) -> torch.Tensor:
        """The order of one epoch: a pure function of (seed, epoch)."""
        gen = torch.Generator().manual_seed((self.seed * 1_000_003 + epoch) % (2**63))
        return torch.randperm(self.size, generator=gen)

    def begin(self, epoch: int, start: int = 0) -> None:
        """Make the next iterator walk `epoch`'s order from sample `start`."""
        self.epoch, self.start = epoch, start

    def __iter__(self) -> Iterator[int]:
        return iter(self.permutation(self.epoch)[self.start :].tolist())


class ResumableLoader(DataLoader):
    """A DataLoader over an EpochPermutation whose position is saved in checkpoints.

    Each new iterator walks the trainer's current epoch (`epoch_of`; without a trainer, the next
    epoch), so the order follows the epoch Lightning is in after any resume. A saved position
    applies to the epoch it was saved in only; a later epoch starts from its first batch.
    """

    def __init__(
        self,
        dataset: Dataset,
        batch_size: int,
        seed: int,
        epoch_of: Callable[[], int] | None = None,
        **kwargs: Any,
    ) -> None:
        self.order = EpochPermutation(len(dataset), seed)  # type: ignore[arg-type]
        # Worker seeds come from this generator, not the global one: building an iterator on
        # resume must not shift the random numbers that training draws.
        generator = torch.Generator().manual_seed(seed)
        kwargs.setdefault("drop_last", True)
        kwargs.setdefault("worker_init_fn", ignore_ctrl_c)
        # Lightning injects a DistributedSampler under DDP: then that order is used (and not
        # resumed mid-epoch); on one device the resumable one.
        sampler = kwargs.pop("sampler", None) or self.order
        super().__init__(
            dataset, batch_size=batch_size, sampler=sampler, generator=generator, **kwargs
        )
        self.epoch_of = epoch_of
        self.epoch = -1  # the epoch of the current iterator
        self.skipped = 0  # batches of that epoch used before a resume
        self.consumed = 0  # batches handed to training since the iterator started
        self._resume: tuple[int, int] | None = None  # (epoch, batches used) from a checkpoint

    def __iter__(self) -> Any:
        epoch = self.epoch_of() if self.epoch_of is not None else self.epoch + 1
        skipped = 0
        if self._resume is not None and self._resume[0] <= epoch:
            if self._resume[0] == epoch and self.sampler is self.order:
                skipped = self._resume[1]
            self._resume = None  # used once: later epochs start from their first batch
        self.epoch, self.skipped, self.consumed = epoch, skipped, 0
        if self.sampler is self.order:
            self.order.begin(epoch, skipped * self.batch_size)
        return super().__iter__()

    def mark_consumed(self) -> None:
        """Count one batch as used by training (called once per batch, in the main process)."""
        self.consumed += 1

    def state_dict(self) -> dict[str, int]:
        """The position to resume from: seed, epoch, batches used in it, and whether it is over."""
        used = self.skipped + self.consumed
        return {
            "seed": self.order.seed,
            "epoch": self.epoch,
            "batches": used,
            "finished": int(used >= len(self)),
        }

    def load_state_dict(self, state: dict[str, int]) -> None:
        """Continue from a saved position (`settle_epoch` below makes Lightning agree with it)."""
        epoch, batches = max(int(state["epoch"]), 0), int(state["batches"])
        self.order.seed = int(state["seed"])
        self._resume = (epoch, batches)
        if self.epoch_of is None:
            self.epoch = epoch - 1  # counting iterators: the next one is `epoch`


_COUNTERS = ("ready", "started", "processed", "completed")


def settle_epoch(checkpoint: dict[str, Any]) -> None:
    """Make Lightning's loop counters agree with the data position saved in the checkpoint.

    Lightning resumes a checkpoint written at an epoch's last batch, or at the end of training,
    with counters that do not say where the data is: the finished epoch's batch count carries
    into the next epoch (which then yields one batch or none), and a stop by `max_steps`
    mid-epoch is counted as a finished epoch. The data position (epoch, batches used, finished)
    is the truth: a used-up epoch becomes the state between it and the next one, a partly used
    epoch the state inside it. Edits the checkpoint in place, before Lightning reads its loops.
    """
    try:
        fit = checkpoint["loops"]["fit_loop"]
        data = fit["state_dict"]["combined_loader"][0]
        epochs, batches = fit["epoch_progress"], fit["epoch_loop.batch_progress"]
        epoch = max(int(data["epoch"]), 0)
    except (KeyError, IndexError, TypeError, ValueError):
        return  # not a training checkpoint of ours: Lightning's own handling applies
    finished = bool(data.get("finished", batches.get("is_last_batch", False)))
    if finished:  # between epochs: all of `epoch` counted done, no batch of the next one yet
        epoch += 1
        for progress in (epochs["current"], epochs["total"]):
            progress.update(dict.fromkeys(_COUNTERS, epoch))
        batches["current"].update(dict.fromkeys(_COUNTERS, 0))
        batches["total"]["completed"] = batches["total"]["processed"]
        batches["is_last_batch"] = False
        data["batches"] = 0
    else:  # inside `epoch`: started, not yet processed
        for progress in (epochs["current"], epochs["total"]):
            progress.update(ready=epoch + 1, started=epoch + 1, processed=epoch, completed=epoch)
    data["epoch"], data["finished"] = epoch, 0
