"""`callbacks.metrics.final_num_samples`: its own size for the end-of-run evaluation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dcgan.config import ConfigError, validate
from dcgan.train import train


def test_final_size_is_validated(make_cfg) -> None:
    with pytest.raises(ConfigError, match="callbacks.metrics.final_num_samples=1 is invalid"):
        validate(make_cfg("callbacks.metrics.final_num_samples=1"))
    validate(make_cfg("callbacks.metrics.final_num_samples=null"))


def test_null_final_size_scores_the_end_like_the_periodic_ones(make_cfg, tmp_path: Path) -> None:
    cfg = make_cfg("trainer.max_steps=2", "callbacks.metrics.final_num_samples=null")
    result = train(cfg, run_dir=tmp_path)
    info = json.loads((tmp_path / "metrics.json").read_text())
    assert result == info["metrics"]["swd"] == info["history"][-1]["swd"]
    # no separate end-of-run evaluation: the last periodic row, on the periodic set
    assert info["metrics"] == info["history"][-1] and info["metrics"]["num_samples"] == 16
