"""A resumable data order: each epoch a seeded permutation, its position saved in checkpoints.

A run interrupted mid-epoch and resumed from its checkpoint sees exactly the batches that the
uninterrupted run would have seen next. Lightning saves and restores the loader's `state_dict`
because the loader has one; the position counts batches *consumed* by training (the data module
reports each one), not batches fetched ahead.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from typing import Any

import torch
from torch.utils.data import DataLoader, Dataset, Sampler


def ignore_ctrl_c(worker_id: int) -> None:
    """Workers ignore Ctrl-C: the main process finishes the iteration with their batches."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


class EpochPermutation(Sampler[int]):
    """Shuffles with a permutation seeded by (seed, epoch), starting `start` samples in if resumed.

    The epoch advances by one at each `iter()`: Lightning starts one iterator per epoch, and a
    resumed run's first iterator continues the epoch recorded in the checkpoint.
    """

    def __init__(self, size: int, seed: int) -> None:
        self.size = size
        self.seed = seed
        self.epoch = -1  # the epoch of the current iterator
        self._next_epoch = 0
        self._start = 0

    def __len__(self) -> int:
        return self.size

    def permutation(self, epoch: int) -> torch.Tensor:
        """The order of one epoch: a pure function of (seed, epoch)."""
        gen = torch.Generator().manual_seed((self.seed * 1_000_003 + epoch) % (2**63))
        return torch.randperm(self.size, generator=gen)

    def __iter__(self) -> Iterator[int]:
        self.epoch, start = self._next_epoch, self._start
        self._next_epoch, self._start = self.epoch + 1, 0
        return iter(self.permutation(self.epoch)[start:].tolist())

    def resume_at(self, epoch: int, start: int) -> None:
        """Make the next iterator continue `epoch` from sample `start`."""
        self._next_epoch, self._start = epoch, start


class ResumableLoader(DataLoader):
    """A DataLoader over an EpochPermutation whose position is saved in checkpoints."""

    def __init__(self, dataset: Dataset, batch_size: int, seed: int, **kwargs: Any) -> None:
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
        self.consumed = 0  # batches of the current epoch handed to training

    def __iter__(self) -> Any:
        iterator = super().__iter__()
        self.consumed = self._resume_batches
        self._resume_batches = 0
        return iterator

    _resume_batches = 0

    def mark_consumed(self) -> None:
        """Count one batch as used by training (called once per batch, in the main process)."""
        self.consumed += 1

    def state_dict(self) -> dict[str, int]:
        """The position to resume from: seed, epoch and batches already used in that epoch."""
        return {"seed": self.order.seed, "epoch": self.order.epoch, "batches": self.consumed}

    def load_state_dict(self, state: dict[str, int]) -> None:
        """Continue from a saved position.

        A finished epoch resumes as an empty one: Lightning then closes that epoch and starts
        the next with a fresh iterator, exactly as the uninterrupted run did.
        """
        epoch, batches = max(int(state["epoch"]), 0), int(state["batches"])
        self.order.seed = int(state["seed"])
        self.order.resume_at(epoch, batches * self.batch_size)
        self._resume_batches = batches
