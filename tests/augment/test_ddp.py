"""ADA under two-process DDP on CPU: the ranks sum their totals, so p moves by both ranks.

The run is class-conditional too, so that one two-process start also shows a conditional model
training on both ranks with its class names saved."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
import torch

from tests.tiny import TINY_DDP, run_module

pytestmark = pytest.mark.slow

BATCH = 64
# One update moves p by (2 ranks x 64 images) / (0.256 x 1000) = 0.5 when the signs are summed
# over both ranks; a rank on its own would move it by 0.25.
SPEED_KIMG = 0.256


def test_conditional_ada_under_ddp_moves_p_by_the_images_of_both_ranks(tmp_path: Path) -> None:
    res = run_module(
        "dcgan.train",
        *TINY_DDP,
        f"data.batch_size={BATCH}",
        "augment=ada",
        f"augment.speed_kimg={SPEED_KIMG}",
        "augment.interval=1",
        "augment.p=0.5",  # r_v never equals its target exactly: p moves at every update
        "trainer.max_steps=6",
        "trainer.log_every_n_steps=1",
        "model.conditional=true",
        "callbacks.samples.nrow=2",
        cwd=tmp_path,
        timeout=400,
    )
    assert res.returncode == 0, res.stderr[-3000:]
    (run,) = [p for p in (tmp_path / "outputs").glob("*/*") if p.is_dir()]
    with (run / "csv" / "metrics.csv").open() as f:
        ps = [float(r["augment/p"]) for r in csv.DictReader(f) if r.get("augment/p")]
    assert len(ps) == 6
    assert all(p in (0.0, 0.5, 1.0) for p in ps), ps  # steps of 0.5: both ranks counted
    assert any(p != 0.5 for p in ps)  # it moved (a single rank's step would give 0.25, 0.75)
    ckpt = torch.load(run / "checkpoints" / "last.ckpt", map_location="cpu", weights_only=True)
    assert ckpt["global_step"] == 12 and len(ckpt["hyper_parameters"]["class_names"]) == 10
    assert "finished at iteration 6" in (run / "train_ddp_process_1.log").read_text()
