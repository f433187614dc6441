"""The resumable data order: seeded per epoch, continued mid-epoch from a saved position."""

from __future__ import annotations

import torch
from lightning.fabric.utilities.data import _replace_dunder_methods
from lightning.pytorch.utilities.data import _update_dataloader
from torch.utils.data import DataLoader, DistributedSampler, TensorDataset

from dcgan.data.order import ResumableLoader

DATA = TensorDataset(torch.arange(20))


def epoch(loader: ResumableLoader, take: int | None = None) -> list[list[int]]:
    out = []
    for (batch,) in loader:
        out.append(batch.tolist())
        loader.mark_consumed()
        if take is not None and len(out) == take:
            break
    return out


def test_each_epoch_is_a_seeded_permutation() -> None:
    a, b = ResumableLoader(DATA, batch_size=4, seed=7), ResumableLoader(DATA, batch_size=4, seed=7)
    first, second = epoch(a), epoch(a)
    assert first == epoch(b) and second == epoch(b)  # same seed, same order
    assert first != second  # a new permutation each epoch
    assert sorted(sum(first, [])) == list(range(20))
    assert epoch(ResumableLoader(DATA, batch_size=4, seed=8)) != first


def test_a_saved_position_continues_mid_epoch() -> None:
    straight = ResumableLoader(DATA, batch_size=4, seed=3)
    expected = epoch(straight) + epoch(straight)
    cut = ResumableLoader(DATA, batch_size=4, seed=3)
    head = epoch(cut) + epoch(cut, take=2)
    state = cut.state_dict()
    assert state == {"seed": 3, "epoch": 1, "batches": 2, "finished": 0}
    resumed = ResumableLoader(DATA, batch_size=4, seed=999)  # the seed comes from the state
    resumed.load_state_dict(state)
    assert head + epoch(resumed) == expected
    assert resumed.state_dict() == {"seed": 3, "epoch": 1, "batches": 5, "finished": 1}


def test_a_finished_epoch_resumes_empty_then_the_next() -> None:
    straight = ResumableLoader(DATA, batch_size=4, seed=1)
    epoch(straight)
    expected = epoch(straight)
    resumed = ResumableLoader(DATA, batch_size=4, seed=1)
    resumed.load_state_dict({"seed": 1, "epoch": 0, "batches": 5})
    assert epoch(resumed) == [] and epoch(resumed) == expected


def test_the_order_follows_the_trainers_epoch() -> None:
    """With the trainer's epoch given, a saved position applies to its own epoch only."""
    straight = ResumableLoader(DATA, batch_size=4, seed=5)
    first, second = epoch(straight), epoch(straight)
    current = {"epoch": 0}
    resumed = ResumableLoader(DATA, batch_size=4, seed=5, epoch_of=lambda: current["epoch"])
    resumed.load_state_dict({"seed": 5, "epoch": 0, "batches": 3})
    assert epoch(resumed) == first[3:]  # inside the saved epoch: its remaining batches
    assert resumed.state_dict() == {"seed": 5, "epoch": 0, "batches": 5, "finished": 1}
    later = ResumableLoader(DATA, batch_size=4, seed=5, epoch_of=lambda: current["epoch"])
    later.load_state_dict({"seed": 5, "epoch": 0, "batches": 5})
    current["epoch"] = 1  # the trainer has moved past the saved epoch: it starts in full
    assert epoch(later) == second


def test_lightning_can_inject_a_distributed_sampler() -> None:
    with _replace_dunder_methods(DataLoader, "dataset"):
        loader = ResumableLoader(DATA, batch_size=4, seed=0)
    sampler = DistributedSampler(DATA, num_replicas=2, rank=0)
    new = _update_dataloader(loader, sampler)
    assert isinstance(new, ResumableLoader) and new.sampler is sampler
    assert len(list(new)) == 2
