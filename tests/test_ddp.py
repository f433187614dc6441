"""Two-process DDP on CPU through the real command line: one run folder, files written once."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import torch

from tests.tiny import TINY_DDP, run_module

pytestmark = pytest.mark.slow

DIGITS = 1797  # scikit-learn's digits: each of 2 ranks gets ceil(1797 / 2) = 899 of them
BATCH = 64


def _train(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return run_module(
        "dcgan.train",
        *TINY_DDP,
        f"data.batch_size={BATCH}",
        "trainer.max_steps=-1",
        "trainer.log_every_n_steps=7",
        "callbacks.samples.every_n_steps=7",
        "callbacks.checkpoint.every_n_steps=7",
        *args,
        cwd=cwd,
        timeout=400,
    )


def test_two_process_ddp_on_cpu(tmp_path: Path) -> None:
    res = _train("trainer.max_epochs=1", cwd=tmp_path)
    assert res.returncode == 0, res.stderr[-3000:]
    runs = [p for p in (tmp_path / "outputs").glob("*/*") if p.is_dir()]
    assert len(runs) == 1, runs  # the second rank joined the first rank's folder
    run = runs[0]
    per_rank = -(-DIGITS // 2) // BATCH  # 14 iterations: each rank saw half of the epoch
    ckpt = torch.load(run / "checkpoints" / "last.ckpt", map_location="cpu", weights_only=True)
    assert ckpt["global_step"] == per_rank * 2
    assert sorted(p.name for p in (run / "checkpoints").iterdir()) == [
        "best.ckpt",
        "iter_000007.ckpt",
        "iter_000014.ckpt",
        "last.ckpt",
    ]
    assert sorted(p.name for p in (run / "samples").iterdir()) == [
        "iter_000007.png",
        "iter_000014.png",
    ]
    assert sorted(p.name for p in (run / ".hydra").iterdir()) == [
        "config.yaml",
        "hydra.yaml",
        "overrides.yaml",
    ]
    header, *rows = [r.split(",") for r in (run / "csv" / "metrics.csv").read_text().splitlines()]
    losses = [r for r in rows if r[header.index("d_loss")]]
    scores = [r for r in rows if r[header.index("metrics/swd")]]
    # training stats at iterations 7 and 14 and the final SWD, each written once (rank zero)
    assert [r[header.index("step")] for r in losses] == ["7", "14"]
    assert [r[header.index("step")] for r in scores] == ["14"]
    rank1 = (run / "train_ddp_process_1.log").read_text()
    assert f"finished at iteration {per_rank}" in rank1  # the second rank trained too
    assert not list(tmp_path.glob("**/*.tmp"))

    # train it for longer: the epoch-end checkpoint continues into a full second epoch
    res = _train("trainer.max_epochs=2", "resume=auto", f"hydra.run.dir={run}", cwd=tmp_path)
    assert res.returncode == 0, res.stderr[-3000:]
    ckpt = torch.load(run / "checkpoints" / "last.ckpt", map_location="cpu", weights_only=True)
    assert ckpt["global_step"] == 2 * per_rank * 2
    assert ckpt["epoch"] == 2
    assert f"finished at iteration {2 * per_rank}" in (run / "train_ddp_process_1.log").read_text()
