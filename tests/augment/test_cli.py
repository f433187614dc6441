"""The command line a user types on a small folder: augmentation on, its logs, and the hint."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.tiny import TINY_MODEL, run_module

pytestmark = pytest.mark.slow

TINY = [*TINY_MODEL, "data.batch_size=4", "trainer.max_steps=2", "trainer.log_every_n_steps=1"]


@pytest.fixture(scope="module")
def pics(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder of 12 small RGB PNGs: a small set."""
    root = tmp_path_factory.mktemp("work") / "pics"
    root.mkdir()
    rng = np.random.default_rng(0)
    for i in range(12):
        array = rng.integers(0, 256, size=(20, 20, 3), dtype=np.uint8)
        Image.fromarray(array).save(root / f"img{i}.png")
    return root


def test_diffaugment_from_the_cli_logs_p_to_wandb_without_a_hint(pics: Path) -> None:
    run = pics.parent / "outputs" / "diffaugment"
    res = run_module(
        "dcgan.train",
        f"data.root={pics}",
        "augment=diffaugment",
        "augment.policy=[color,cutout]",
        *TINY,
        f"hydra.run.dir={run}",
        cwd=pics.parent,
    )
    assert res.returncode == 0, res.stderr[-3000:]
    assert "small set" not in res.stdout + res.stderr
    (history,) = run.glob("wandb/offline-run-*/run-*.wandb")
    assert b"augment/p" in history.read_bytes()


def test_no_augmentation_on_a_small_folder_gets_the_hint(pics: Path) -> None:
    run = pics.parent / "outputs" / "none"
    res = run_module(
        "dcgan.train", f"data.root={pics}", *TINY, f"hydra.run.dir={run}", cwd=pics.parent
    )
    assert res.returncode == 0, res.stderr[-3000:]
    assert "12 images is a small set" in res.stdout + res.stderr
    assert "augment=ada" in (run / "train.log").read_text()
