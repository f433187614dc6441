"""A run folder's paths and reads, and finding a checkpoint from what a user gives."""

from __future__ import annotations

from pathlib import Path

import pytest

from dcgan.run import CheckpointError, RunFolder, find_checkpoint


def test_the_layout_of_a_run(tmp_path: Path) -> None:
    run = RunFolder(tmp_path)
    assert run.last_ckpt == tmp_path / "checkpoints" / "last.ckpt"
    assert run.best_ckpt == tmp_path / "checkpoints" / "best.ckpt"
    assert run.nan_ckpt(12) == tmp_path / "checkpoints" / "nan_iter_000012.ckpt"
    assert run.grid(3) == tmp_path / "samples" / "iter_000003.png"
    assert run.metrics_json == tmp_path / "metrics.json"
    assert run.config_yaml == tmp_path / ".hydra" / "config.yaml"
    assert RunFolder.holding(run.best_ckpt).path == tmp_path


def test_grids_in_iteration_order_without_copies(tmp_path: Path) -> None:
    run = RunFolder(tmp_path)
    run.samples.mkdir()
    for name in ("iter_1000000.png", "iter_000020.png", "iter_000020-2.png", "iter_000003.png"):
        (run.samples / name).write_bytes(b"")
    assert [p.name for p in run.grids()] == [
        "iter_000003.png",
        "iter_000020.png",
        "iter_1000000.png",
    ]
    assert run.last_grid() == run.samples / "iter_1000000.png"
    assert RunFolder(tmp_path / "none").last_grid() is None


def test_a_diverged_state_is_never_a_checkpoint_to_continue(tmp_path: Path) -> None:
    run = RunFolder(tmp_path)
    assert run.checkpoint_files() == []
    run.checkpoints.mkdir()
    for path in (run.last_ckpt, run.nan_ckpt(5), run.checkpoints / "iter_000004.ckpt"):
        path.write_bytes(b"")
    assert [p.name for p in run.checkpoint_files()] == ["iter_000004.ckpt", "last.ckpt"]


def test_metrics_json_is_merged_and_a_damaged_one_says_why(tmp_path: Path) -> None:
    run = RunFolder(tmp_path)
    assert run.read_info() == {} and run.info_or_why() == ({}, None)
    run.update_info(status="running")
    assert run.update_info(iterations=3) == {"status": "running", "iterations": 3}
    run.metrics_json.write_text("[1, 2]")
    assert run.info_or_why() == ({}, "metrics.json is unreadable: not a JSON object")
    assert run.read_info() == {}


def test_the_saved_config_and_overrides(tmp_path: Path) -> None:
    run = RunFolder(tmp_path)
    assert not run.is_run() and run.read_config() == {} and run.read_overrides() == []
    run.hydra.mkdir()
    run.config_yaml.write_text("seed: 3\nlogger:\n  name: csv\n")
    run.overrides_yaml.write_text("- seed=3\n")
    assert run.is_run()
    assert run.read_config() == {"seed": 3, "logger": {"name": "csv"}}
    assert run.read_overrides() == ["seed=3"]


def test_a_checkpoint_is_a_file_or_a_run_folder(tmp_path: Path) -> None:
    run = RunFolder(tmp_path / "run")
    with pytest.raises(CheckpointError, match="is a folder without checkpoints/last.ckpt"):
        find_checkpoint(tmp_path)
    run.checkpoints.mkdir(parents=True)
    run.last_ckpt.write_bytes(b"")
    assert find_checkpoint(run.path) == run.last_ckpt
    assert find_checkpoint(run.checkpoints) == run.last_ckpt
    with pytest.raises(CheckpointError, match=r"'nothing\.ckpt' does not exist"):
        find_checkpoint("nothing.ckpt")
