"""Two-process DDP on CPU through the real command line: one run folder, files written once.

Each two-process start costs two Python starts, so one run carries several checks: it is
class-conditional with ADA, which shows a conditional model training on both ranks with its class
names saved, and p moving by the images of both ranks (the ranks sum their totals); R1/R2, bCR,
LeCam and top-k are on too. A second start continues it from its epoch-end checkpoint.
"""

from __future__ import annotations

import csv
import math
import subprocess
from pathlib import Path

import pytest

from dcgan.run import RunFolder, read_checkpoint
from tests.tiny import TINY_DDP, run_module

pytestmark = pytest.mark.slow

DIGITS = 1797  # scikit-learn's digits
HELD_OUT = 179  # a tenth, kept out of training for ADA's r_v
BATCH = 64
PER_RANK = -(-(DIGITS - HELD_OUT) // 2) // BATCH  # 12 iterations: each rank sees half the epoch
EVERY = PER_RANK // 2
# One update moves p by (2 ranks x 64 images) / (0.256 x 1000) = 0.5 when the signs are summed
# over both ranks; a rank on its own would move it by 0.25.
SPEED_KIMG = 0.256
# The penalties of D (R1/R2 lazy: its double backward under DDP's gradient hooks; LeCam: its
# anchors averaged over the ranks by a collective each D step; bCR) and top-k in G's loss.
SINCE_GANHACKS = [
    "r1.gamma=0.1",
    "r1.r2_gamma=0.1",
    "r1.every=2",
    "bcr.real_weight=1",
    "bcr.fake_weight=1",
    "lecam.weight=0.3",
    "topk.min_frac=0.5",
    "topk.gamma=0.5",
    "topk.every=1",
]


def _train(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return run_module(
        "dcgan.train",
        *TINY_DDP,
        f"data.batch_size={BATCH}",
        "trainer.max_steps=-1",
        "trainer.log_every_n_steps=1",
        f"callbacks.samples.every_n_steps={EVERY}",
        f"callbacks.checkpoint.every_n_steps={EVERY}",
        "callbacks.samples.nrow=2",
        "model.conditional=true",
        "augment=ada",
        f"augment.holdout={HELD_OUT}",
        f"augment.speed_kimg={SPEED_KIMG}",
        "augment.interval=1",
        "augment.p=0.5",  # r_v never equals its target exactly: p moves at every update
        *SINCE_GANHACKS,
        *args,
        cwd=cwd,
        timeout=400,
    )


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One epoch of the conditional ADA model on two ranks."""
    work = tmp_path_factory.mktemp("ddp")
    res = _train("trainer.max_epochs=1", cwd=work)
    assert res.returncode == 0, res.stderr[-3000:]
    runs = [p for p in (work / "outputs").glob("*/*") if p.is_dir()]
    assert len(runs) == 1, runs  # the second rank joined the first rank's folder
    assert not list(work.glob("**/*.tmp"))
    return runs[0]


def _last(run: Path) -> dict:
    """The run's last checkpoint, read as the product reads it."""
    return read_checkpoint(RunFolder(run).last_ckpt, training=True)


def _csv_rows(run: Path) -> list[dict[str, str]]:
    with (run / "csv" / "metrics.csv").open() as f:
        return list(csv.DictReader(f))


def test_files_are_written_once_by_rank_zero(run: Path) -> None:
    ckpt = _last(run)
    assert ckpt["global_step"] == PER_RANK * 2
    assert sorted(p.name for p in (run / "checkpoints").iterdir()) == [
        "best.ckpt",
        f"iter_{EVERY:06d}.ckpt",
        f"iter_{2 * EVERY:06d}.ckpt",
        "last.ckpt",
    ]
    assert sorted(p.name for p in (run / "samples").iterdir()) == [
        f"iter_{EVERY:06d}.png",
        f"iter_{2 * EVERY:06d}.png",
    ]
    assert sorted(p.name for p in (run / ".hydra").iterdir()) == [
        "config.yaml",
        "hydra.yaml",
        "overrides.yaml",
    ]
    rows = _csv_rows(run)
    # training stats at every iteration and the final SWD, each written once (rank zero)
    assert [r["step"] for r in rows if r.get("d_loss")] == [str(i) for i in range(1, PER_RANK + 1)]
    assert [r["step"] for r in rows if r.get("metrics/swd")] == [str(PER_RANK)]
    rank1 = (run / "train_ddp_process_1.log").read_text()
    assert f"finished at iteration {PER_RANK}" in rank1  # the second rank trained too


def test_conditional_model_keeps_its_class_names(run: Path) -> None:
    ckpt = _last(run)
    assert len(ckpt["hyper_parameters"]["class_names"]) == 10


def test_ada_moves_p_by_the_images_of_both_ranks(run: Path) -> None:
    ps = [float(r["augment/p"]) for r in _csv_rows(run) if r.get("augment/p")]
    assert len(ps) == PER_RANK
    assert all(p in (0.0, 0.5, 1.0) for p in ps), ps  # steps of 0.5: both ranks counted
    assert any(p != 0.5 for p in ps)  # it moved (a single rank's step would give 0.25, 0.75)


def test_the_regularizers_since_ganhacks_train_on_both_ranks(run: Path) -> None:
    rows = [r for r in _csv_rows(run) if r.get("d_loss")]
    keys = ["r1/grad_sq_real", "r1/grad_sq_fake", "bcr/penalty", "lecam/anchor_real"]
    assert all(math.isfinite(float(r[k])) for r in rows for k in keys)
    fractions = [float(r["topk/fraction"]) for r in rows]
    assert fractions[0] == 1.0 and fractions[-1] == 0.5  # halved after one iteration: the floor
    tricks = _last(run)["tricks"]
    assert tricks["lecam"]["anchors"].shape == (2,) and tricks["bcr"]["augmenter"]


def test_the_epoch_end_checkpoint_continues_into_a_second_epoch(run: Path) -> None:
    res = _train("trainer.max_epochs=2", "resume=auto", f"hydra.run.dir={run}", cwd=run.parent)
    assert res.returncode == 0, res.stderr[-3000:]
    ckpt = _last(run)
    assert ckpt["global_step"] == 2 * PER_RANK * 2
    assert ckpt["epoch"] == 2
    assert f"finished at iteration {2 * PER_RANK}" in (run / "train_ddp_process_1.log").read_text()
