"""What a run writes: no secret from the environment, and a clear stop when it cannot write."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from dcgan.callbacks import OutputError
from dcgan.train import train
from tests.tiny import TINY_DIGITS

SECRETS = {
    "WANDB_API_KEY": "f" * 24 + "0123456789abcdef",  # 40 characters, like a real key
    "GITHUB_TOKEN": "ghp_fakeFAKEfake0123456789abcdefABCDEF",
    "HF_TOKEN": "hf_fakeTOKENfakeTOKEN0123456789",
    "AWS_SECRET_ACCESS_KEY": "fakeAWSsecretKEY/0123456789+abcdefghijk",
}
LIMIT = 150_000  # bytes: more than a grid or a config, less than a tiny checkpoint
TINY = [
    *TINY_DIGITS,
    "trainer.max_steps=1",
    "callbacks.samples.num_samples=4",
]


def run_cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, **SECRETS, "WANDB_MODE": "offline", "HYDRA_FULL_ERROR": ""}
    return subprocess.run(
        [sys.executable, "-m", "dcgan.train", *TINY, *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.slow
def test_no_secret_in_any_file_of_a_run(tmp_path: Path, tally) -> None:
    run = tmp_path / "run"
    res = run_cli(tmp_path, "logger=wandb", "logger.project=p", f"hydra.run.dir={run}")
    assert res.returncode == 0, res.stderr[-3000:]
    files = [p for p in run.rglob("*") if p.is_file() and not p.is_symlink()]
    assert any(".hydra" in p.parts for p in files) and any("wandb" in p.parts for p in files)
    assert any(p.suffix == ".wandb" for p in files) and any(p.suffix == ".ckpt" for p in files)
    for path in files:
        data = path.read_bytes()
        for name, secret in SECRETS.items():
            assert secret.encode() not in data, f"{name} leaked into {path}"
    for name, secret in SECRETS.items():
        assert secret not in res.stdout + res.stderr, f"{name} leaked into the console"
    tally["run files scanned for secrets"] += len(files)


@pytest.mark.slow
def test_cli_output_folder_under_a_file_stops_clearly(tmp_path: Path) -> None:
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder")
    res = run_cli(tmp_path, "logger=none", f"hydra.run.dir={blocker / 'run'}")
    assert res.returncode == 2
    assert f"cannot write into the output folder {blocker / 'run'}" in res.stderr
    assert "Not a directory" in res.stderr and "Traceback" not in res.stderr


def test_api_run_folder_under_a_file_stops_clearly(make_cfg, tmp_path: Path) -> None:
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder")
    with pytest.raises(OutputError, match="cannot write into the output folder .*Not a directory"):
        train(make_cfg(), run_dir=blocker / "run")
    assert blocker.read_text() == "not a folder"


def test_a_refused_write_keeps_the_last_good_checkpoint(make_cfg, tmp_path: Path) -> None:
    """The OS refuses a checkpoint write midway, as on a full disk (here: a file-size limit)."""
    train(make_cfg("trainer.max_steps=1"), run_dir=tmp_path)
    folder = tmp_path / "checkpoints"
    before = (folder / "last.ckpt").read_bytes()
    assert len(before) > LIMIT  # the next checkpoint cannot fit
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (LIMIT, hard))  # Python ignores SIGXFSZ
    try:
        with pytest.raises(OutputError) as err:
            train(make_cfg("trainer.max_steps=2", "resume=auto"), run_dir=tmp_path)
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
    said = str(err.value)
    assert said.startswith(f"cannot write {folder}/") and ": File too large" in said, said
    assert (folder / "last.ckpt").read_bytes() == before
    assert sorted(p.name for p in folder.iterdir()) == [
        "best.ckpt",
        "iter_000001.ckpt",
        "last.ckpt",
    ]
    assert torch.load(folder / "last.ckpt", weights_only=True)["global_step"] == 2


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only (mode 555) folders")
def test_read_only_folder_stops_clearly(make_cfg, tmp_path: Path) -> None:
    run = tmp_path / "run"
    run.mkdir()
    run.chmod(0o555)
    try:
        with pytest.raises(OutputError, match="cannot write into the run folder"):
            train(make_cfg(), run_dir=run)
    finally:
        run.chmod(0o755)


def test_written_files_follow_the_umask_like_any_other_program(make_cfg, tmp_path: Path) -> None:
    """Atomic writes go through a private temp file; the result still gets the usual mode."""
    old = os.umask(0o027)
    try:
        train(make_cfg(*TINY), run_dir=tmp_path)
    finally:
        os.umask(old)
    ours = [
        *(tmp_path / "checkpoints").glob("*.ckpt"),
        *(tmp_path / "samples").glob("*.png"),
        tmp_path / "metrics.json",
    ]
    assert len(ours) >= 3
    modes = {p.name: oct(p.stat().st_mode & 0o777) for p in ours}
    assert set(modes.values()) == {oct(0o640)}, modes
