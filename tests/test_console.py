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


def test_bar_counts_toward_max_epochs_when_they_end_the_run(tmp_path: Path) -> None:
    """max_epochs=2 on 1,797 images in batches of 64 (the last cut off): 2 x 28 iterations, not
    the default max_steps of 10,000; with d_steps=2 an iteration takes two batches: 28.

    The second run is class-conditional: its batch is (images, labels), and the bar counts the
    images, not the pair, so it shows the img/s that metrics.json measures."""
    for d_steps, planned, conditional in ((1, 56, False), (2, 28, True)):
        run = tmp_path / f"run{d_steps}"
        res = run_module(
            "dcgan.train",
            *WITH_BAR,
            "data.batch_size=64",
            "trainer.max_epochs=2",
            f"d_steps={d_steps}",
            f"model.conditional={str(conditional).lower()}",
            f"hydra.run.dir={run}",
            cwd=tmp_path,
        )
        assert res.returncode == 0, res.stderr[-3000:]
        updates = bar_updates(res.stderr)
        assert updates and all(f"/{planned} " in u for u in updates), updates[:3]
        assert f"{planned}/{planned}" in updates[-1] and "epoch=2/2" in updates[-1]
        info = json.loads((run / "metrics.json").read_text())
        assert info["iterations"] == planned
        if conditional:
            # counting the (images, labels) pair instead of its images would be 2x off; the
            # bar's last live rate and the whole run's can differ by one iteration's timing of
            # a 28-iteration run (7% on a loaded machine), so the bound sits between the two
            last = updates[-1]
            assert shown_rate(last) == pytest.approx(info["img_per_s"], rel=0.25), last
