"""The progress bar of the real CLI: the limit it counts toward and the img/s it shows."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.tiny import TINY_MODEL, run_module

pytestmark = pytest.mark.slow

WITH_BAR = [a for a in TINY_MODEL if not a.startswith("trainer.enable_progress_bar")]
WITH_BAR += ["data=digits", "trainer.enable_progress_bar=true", "logger=csv"]


def bar_updates(stderr: str) -> list[str]:
    """Every state of the training bar that tqdm drew (it redraws with carriage returns)."""
    return [s for s in re.split(r"[\r\n]", stderr) if s.startswith("training:")]


def shown_rate(update: str) -> float:
    return float(re.search(r"img/s=([\d,]+)", update).group(1).replace(",", ""))


def test_conditional_bar_shows_the_speed_metrics_json_measures(tmp_path: Path) -> None:
    """A conditional batch is (images, labels): the bar counts the images, not the pair."""
    run = tmp_path / "run"
    res = run_module(
        "dcgan.train",
        *WITH_BAR,
        "model.conditional=true",
        "data.batch_size=16",
        "trainer.max_steps=30",
        f"hydra.run.dir={run}",
        cwd=tmp_path,
    )
    assert res.returncode == 0, res.stderr[-3000:]
    info = json.loads((run / "metrics.json").read_text())
    assert info["images_seen"] == 30 * 16
    last = bar_updates(res.stderr)[-1]
    assert "30/30" in last, last
    assert shown_rate(last) == pytest.approx(info["img_per_s"], rel=0.05), last


def test_bar_counts_toward_max_epochs_when_they_end_the_run(tmp_path: Path) -> None:
    """max_epochs=2 on 1,797 images in batches of 64 (the last cut off): 2 x 28 iterations, not
    the default max_steps of 10,000; with d_steps=2 an iteration takes two batches: 28."""
    for d_steps, planned in ((1, 56), (2, 28)):
        run = tmp_path / f"run{d_steps}"
        res = run_module(
            "dcgan.train",
            *WITH_BAR,
            "data.batch_size=64",
            "trainer.max_epochs=2",
            f"d_steps={d_steps}",
            f"hydra.run.dir={run}",
            cwd=tmp_path,
        )
        assert res.returncode == 0, res.stderr[-3000:]
        updates = bar_updates(res.stderr)
        assert updates and all(f"/{planned} " in u for u in updates), updates[:3]
        assert f"{planned}/{planned}" in updates[-1] and "epoch=2/2" in updates[-1]
        assert json.loads((run / "metrics.json").read_text())["iterations"] == planned
