"""Interrupted then resumed equals uninterrupted: same weights, same grids, same numbering."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from dcgan.config import ConfigError
from dcgan.train import train

# 1797 digits / 512 = 3 batches an epoch: 5 iterations cross an epoch boundary.
SMALL_EPOCH = ["data.batch_size=512", "trainer.deterministic=true"]


def _ckpt(run: Path) -> dict:
    return torch.load(run / "checkpoints" / "last.ckpt", map_location="cpu", weights_only=True)


# rewritten as the run goes on: the animation of all grids, and the run status with metrics
LIVE_SUMMARIES = ("progress.gif", "metrics.json")


def test_resume_gives_the_same_weights_and_grids(make_cfg, tmp_path: Path, tally) -> None:
    straight = tmp_path / "straight"
    train(make_cfg(*SMALL_EPOCH, "trainer.max_steps=5"), run_dir=straight)
    expected = _ckpt(straight)
    for split in (2, 3):  # mid-epoch, and exactly at the end of the first epoch
        run = tmp_path / f"split{split}"
        train(make_cfg(*SMALL_EPOCH, f"trainer.max_steps={split}"), run_dir=run)
        # the run's live summaries are rewritten on purpose; everything else must stay
        first = {
            p: p.read_bytes()
            for p in run.rglob("*")
            if p.is_file() and p.suffix != ".ckpt" and p.name not in LIVE_SUMMARIES
        }
        train(make_cfg(*SMALL_EPOCH, "trainer.max_steps=5", "resume=auto"), run_dir=run)
        got = _ckpt(run)
        assert got["global_step"] == expected["global_step"] == 5 * 2
        for key, value in expected["state_dict"].items():
            assert torch.equal(value, got["state_dict"][key]), f"split {split}: {key} differs"
        for it in range(1, 6):  # grids continue the numbering and match the straight run
            name = f"samples/iter_{it:06d}.png"
            assert (run / name).read_bytes() == (straight / name).read_bytes(), name
        for path, data in first.items():  # grids and config written before stay as they were
            assert path.read_bytes() == data, path
        tally["resume splits matching an uninterrupted run"] += 1
    assert tally["resume splits matching an uninterrupted run"] >= 2


def test_resume_auto_picks_the_newest_good_checkpoint(make_cfg, tmp_path: Path) -> None:
    train(make_cfg("trainer.max_steps=3", "callbacks.checkpoint.keep=null"), run_dir=tmp_path)
    folder = tmp_path / "checkpoints"
    (folder / "last.ckpt").write_bytes(b"half a checkpoint")  # what an unsafe writer leaves
    train(make_cfg("trainer.max_steps=4", "resume=auto"), run_dir=tmp_path)
    assert _ckpt(tmp_path)["global_step"] == 4 * 2  # continued from iter_000003, not from 0
    assert sorted(p.name for p in (tmp_path / "samples").glob("*.png"))[-1] == "iter_000004.png"


def test_grids_of_an_earlier_attempt_are_kept(make_cfg, tmp_path: Path) -> None:
    train(make_cfg("trainer.max_steps=2", "callbacks.checkpoint.keep=null"), run_dir=tmp_path)
    folder, grid = tmp_path / "checkpoints", tmp_path / "samples" / "iter_000002.png"
    # as if killed before saving iteration 2
    for name in ("last.ckpt", "iter_000002.ckpt", "best.ckpt"):
        (folder / name).unlink()
    earlier = grid.read_bytes() + b"different"  # the killed attempt drew another grid
    grid.write_bytes(earlier)
    train(make_cfg("trainer.max_steps=2", "resume=auto"), run_dir=tmp_path)
    assert grid.read_bytes() == earlier
    assert (tmp_path / "samples" / "iter_000002-2.png").is_file()
    assert _ckpt(tmp_path)["global_step"] == 4


def test_resume_auto_in_an_empty_folder_starts_fresh(make_cfg, tmp_path: Path) -> None:
    train(make_cfg("trainer.max_steps=1", "resume=auto"), run_dir=tmp_path)
    assert _ckpt(tmp_path)["global_step"] == 2


def test_resume_and_ckpt_path_together_are_refused(make_cfg, tmp_path: Path) -> None:
    train(make_cfg("trainer.max_steps=1"), run_dir=tmp_path / "a")
    last = tmp_path / "a" / "checkpoints" / "last.ckpt"
    with pytest.raises(ConfigError, match="choose one"):
        train(make_cfg("resume=auto", f"ckpt_path={last}"), run_dir=tmp_path / "b")


def _same_weights(a: dict, b: dict) -> bool:
    return all(torch.equal(v, b["state_dict"][k]) for k, v in a["state_dict"].items())


@pytest.mark.parametrize("cache", [False, True])
def test_resume_at_an_epoch_end_trains_the_next_epochs(make_cfg, tmp_path: Path, cache) -> None:
    """`train it for longer`: max_epochs 1, then 3 from that checkpoint, equals 3 straight."""
    epochs = [*SMALL_EPOCH, "trainer.max_steps=-1", f"data.cache={cache}"]
    epochs.append(f"data.cache_dir={tmp_path / 'cache'}")
    train(make_cfg(*epochs, "trainer.max_epochs=3"), run_dir=tmp_path / "straight")
    expected = _ckpt(tmp_path / "straight")
    train(make_cfg(*epochs, "trainer.max_epochs=1"), run_dir=tmp_path / "a")
    assert _ckpt(tmp_path / "a")["global_step"] == 3 * 2  # 1797 // 512 = 3 iterations an epoch
    last = tmp_path / "a" / "checkpoints" / "last.ckpt"
    train(make_cfg(*epochs, "trainer.max_epochs=3", f"ckpt_path={last}"), run_dir=tmp_path / "b")
    got = _ckpt(tmp_path / "b")
    assert got["global_step"] == expected["global_step"] == 9 * 2
    assert got["epoch"] == expected["epoch"] == 3
    assert _same_weights(expected, got)


def test_resume_at_an_epoch_end_with_max_steps(make_cfg, tmp_path: Path) -> None:
    """An epoch-end checkpoint resumed with a larger max_steps skips no epoch and no batch."""
    train(make_cfg(*SMALL_EPOCH, "trainer.max_steps=8"), run_dir=tmp_path / "straight")
    expected = _ckpt(tmp_path / "straight")
    run = tmp_path / "run"
    train(make_cfg(*SMALL_EPOCH, "trainer.max_steps=-1", "trainer.max_epochs=1"), run_dir=run)
    train(make_cfg(*SMALL_EPOCH, "trainer.max_steps=8", "resume=auto"), run_dir=run)
    got = _ckpt(run)
    assert got["global_step"] == expected["global_step"] == 8 * 2
    assert got["epoch"] == expected["epoch"]
    assert got["loops"]["fit_loop"]["state_dict"] == expected["loops"]["fit_loop"]["state_dict"]
    assert _same_weights(expected, got)


def test_two_resumes_in_a_row_match_a_straight_run(make_cfg, tmp_path: Path) -> None:
    """Mid-epoch, then at an epoch's end, then to the end: the same weights as one run."""
    train(make_cfg(*SMALL_EPOCH, "trainer.max_steps=7"), run_dir=tmp_path / "straight")
    expected = _ckpt(tmp_path / "straight")
    run = tmp_path / "run"
    for steps in (2, 6, 7):  # 2: inside epoch 0; 6: the end of epoch 1; 7: inside epoch 2
        train(make_cfg(*SMALL_EPOCH, f"trainer.max_steps={steps}", "resume=auto"), run_dir=run)
        assert _ckpt(run)["global_step"] == steps * 2
    got = _ckpt(run)
    assert got["epoch"] == expected["epoch"]
    assert _same_weights(expected, got)


def test_resume_mid_epoch_with_max_epochs(make_cfg, tmp_path: Path) -> None:
    """A checkpoint from inside an epoch, resumed toward max_epochs, finishes that epoch first."""
    epochs = [*SMALL_EPOCH, "trainer.max_steps=-1", "trainer.max_epochs=2"]
    train(make_cfg(*epochs), run_dir=tmp_path / "straight")
    expected = _ckpt(tmp_path / "straight")
    run = tmp_path / "run"
    train(make_cfg(*SMALL_EPOCH, "trainer.max_steps=4"), run_dir=run)  # epoch 1, one batch in
    train(make_cfg(*epochs, "resume=auto"), run_dir=run)
    got = _ckpt(run)
    assert got["global_step"] == expected["global_step"] == 6 * 2
    assert got["epoch"] == expected["epoch"] == 2
    assert _same_weights(expected, got)
