"""`callbacks.metrics.objective`: which of the run's scores train() returns to a sweeper."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dcgan.config import ConfigError, validate
from dcgan.train import train


def test_late_objective_is_the_mean_of_the_last_40_percent(make_cfg, tmp_path: Path) -> None:
    cfg = make_cfg(
        "trainer.max_steps=5",
        "callbacks.metrics.every_n_steps=1",
        "callbacks.metrics.objective=late",
    )
    result = train(cfg, run_dir=tmp_path)
    info = json.loads((tmp_path / "metrics.json").read_text())
    history = {h["iteration"]: h["swd"] for h in info["history"]}
    assert sorted(history) == [1, 2, 3, 4, 5]
    late = [history[it] for it in (3, 4, 5)]  # iterations >= 0.6 x 5
    assert result == pytest.approx(sum(late) / 3)
    assert result != info["metrics"]["swd"]  # not the end-of-run value


def test_objective_is_validated(make_cfg) -> None:
    with pytest.raises(ConfigError, match="callbacks.metrics.objective=mean is not"):
        validate(make_cfg("callbacks.metrics.objective=mean"))
    for score in ("final", "best", "late"):
        validate(make_cfg(f"callbacks.metrics.objective={score}"))
