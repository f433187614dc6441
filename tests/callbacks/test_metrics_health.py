"""Metrics and health callbacks in real tiny trainings: metrics.json, best.ckpt, NaN stop."""

from __future__ import annotations

import json
import logging
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from dcgan.callbacks import TrainingDiverged
from dcgan.train import train
from tests.tiny import TINY_DIGITS

TINY = [
    *TINY_DIGITS,
    "callbacks.metrics.num_samples=16",
    "logger=none",
]


def test_metrics_logged_best_kept_and_json_written(make_cfg, tmp_path: Path, caplog) -> None:
    cfg = make_cfg("trainer.max_steps=3", "callbacks.metrics.every_n_steps=2", "logger=csv")
    with caplog.at_level(logging.WARNING):
        result = train(cfg, run_dir=tmp_path)
    off = [r for r in caplog.records if "FID, KID and IS are off" in r.getMessage()]
    assert len(off) == 1 and "inception_weights is not set" in off[0].getMessage()
    info = json.loads((tmp_path / "metrics.json").read_text())
    assert info["status"] == "finished" and info["error"] is None
    assert [h["iteration"] for h in info["history"]] == [2, 3]  # every 2, and at the end
    assert {h["num_samples"] for h in info["history"]} == {cfg.callbacks.metrics.num_samples}
    assert info["iterations"] == 3 and info["images_seen"] == 3 * 8
    assert info["img_per_s"] > 0 and info["run_time_s"] >= info["train_time_s"] > 0
    # the end of the run is scored apart, on final_num_samples images
    assert result == info["metrics"]["swd"] != info["history"][-1]["swd"]
    assert info["metrics"]["num_samples"] == 32 and info["metrics"]["iteration"] == 3
    assert math.isfinite(result) and result > 0
    assert info["best"]["value"] == min(h["swd"] for h in info["history"])
    best = torch.load(tmp_path / "checkpoints" / "best.ckpt", weights_only=True)
    steps_per_iteration = 2
    assert best["global_step"] == info["best"]["iteration"] * steps_per_iteration
    lines = (tmp_path / "csv" / "metrics.csv").read_text().splitlines()
    header = lines[0].split(",")
    rows = [line.split(",") for line in lines[1:]]
    logged = [int(r[header.index("step")]) for r in rows if r[header.index("metrics/swd")]]
    assert logged == [2, 3]
    assert "metrics/swd_16" in header
    final = [int(r[header.index("step")]) for r in rows if r[header.index("final/swd")]]
    assert final == [3]


def test_health_warns_once_per_episode(make_cfg, tmp_path: Path, caplog) -> None:
    cfg = make_cfg(
        "trainer.max_steps=6",
        "callbacks.health.d_wins_below=0.999",  # any D(G(z)) counts as "D wins"
        "callbacks.health.d_wins_patience=2",
        "callbacks.health.collapse_below=1e9",  # any diversity counts as collapse
        "callbacks.health.every_n_steps=2",
    )
    with caplog.at_level(logging.WARNING):
        train(cfg, run_dir=tmp_path)
    messages = [r.getMessage() for r in caplog.records]
    d_wins = [m for m in messages if m.startswith("D wins outright")]
    collapse = [m for m in messages if m.startswith("samples collapse")]
    assert len(d_wins) == 1 and "for 2 iterations" in d_wins[0]
    assert len(collapse) == 1 and "at iteration 2" in collapse[0]


def test_nan_loss_stops_with_message_and_checkpoint(make_cfg, tmp_path: Path) -> None:
    cfg = make_cfg("trainer.max_steps=20", "optimizer.discriminator.lr=1e30")
    with pytest.raises(TrainingDiverged, match=r"diverged at iteration \d+: g_loss=nan") as err:
        train(cfg, run_dir=tmp_path)
    saved = sorted((tmp_path / "checkpoints").glob("nan_iter_*.ckpt"))
    assert len(saved) == 1 and str(saved[0]) in str(err.value)
    ckpt = torch.load(saved[0], weights_only=True)
    assert not all(torch.isfinite(v).all() for v in ckpt["state_dict"].values())
    info = json.loads((tmp_path / "metrics.json").read_text())
    assert info["status"] == "failed" and "TrainingDiverged" in info["error"]
    assert not (tmp_path / "checkpoints" / "best.ckpt").exists()  # NaN never becomes "best"


def test_bad_metrics_values_are_named(make_cfg) -> None:
    from dcgan.config import ConfigError, validate

    with pytest.raises(ConfigError, match="callbacks.metrics.num_samples=1 is invalid"):
        validate(make_cfg("callbacks.metrics.num_samples=1"))
    with pytest.raises(ConfigError, match="callbacks.metrics.monitor=fid is invalid"):
        validate(make_cfg("callbacks.metrics.monitor=fid"))
    with pytest.raises(ConfigError, match="callbacks.metrics.monitor=psnr is not a valid"):
        validate(make_cfg("callbacks.metrics.monitor=psnr"))
    with pytest.raises(ConfigError, match="callbacks.health.d_wins_below=1.5 is invalid"):
        validate(make_cfg("callbacks.health.d_wins_below=1.5"))


@pytest.mark.slow
def test_cli_exits_non_zero_naming_the_divergence(tmp_path: Path) -> None:
    run = tmp_path / "run"
    args = [
        *TINY,
        "trainer.max_steps=20",
        "optimizer.discriminator.lr=1e30",
        f"hydra.run.dir={run}",
    ]
    env = {**os.environ, "WANDB_MODE": "offline", "HYDRA_FULL_ERROR": ""}
    res = subprocess.run(
        [sys.executable, "-m", "dcgan.train", *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert res.returncode == 3
    assert "error: training diverged at iteration 1: g_loss=nan" in res.stderr
    assert (res.stdout + res.stderr).count("training diverged") == 1  # said once
    assert "Traceback" not in res.stderr
    assert list((run / "checkpoints").glob("nan_iter_000001.ckpt"))
