"""A run resumed twice (and once more after it finished) keeps the history of a straight run."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from dcgan.train import train

LOGGED = [
    "trainer.log_every_n_steps=1",
    "callbacks.metrics.every_n_steps=2",
    "callbacks.samples.every_n_steps=1000",
]


def _rows(run: Path) -> list[dict[str, str]]:
    with open(run / "csv" / "metrics.csv", newline="") as fh:
        return list(csv.DictReader(fh))


def _history(run: Path) -> list[dict]:
    return json.loads((run / "metrics.json").read_text())["history"]


def _loss_steps(run: Path) -> list[int]:
    return [int(r["step"]) for r in _rows(run) if r.get("d_loss")]


def _tb_steps(run: Path, tag: str) -> list[int]:
    accumulator = pytest.importorskip("tensorboard.backend.event_processing.event_accumulator")
    steps: list[int] = []
    for events in sorted((run / "tensorboard").glob("events.out.tfevents.*")):
        acc = accumulator.EventAccumulator(str(events))
        acc.Reload()
        if tag in acc.Tags()["scalars"]:
            steps += [e.step for e in acc.Scalars(tag)]
    return sorted(steps)


def test_csv_and_metrics_json_continue_across_two_resumes(make_cfg, tmp_path: Path) -> None:
    straight, resumed = tmp_path / "straight", tmp_path / "resumed"
    train(make_cfg(*LOGGED, "logger=csv", "trainer.max_steps=6"), run_dir=straight)
    for steps in (2, 4, 6, 6):  # the last one resumes a finished run: nothing to add
        cfg = make_cfg(*LOGGED, "logger=csv", f"trainer.max_steps={steps}", "resume=auto")
        train(cfg, run_dir=resumed)
    assert _loss_steps(resumed) == _loss_steps(straight) == [1, 2, 3, 4, 5, 6]
    # each part of the resumed run ends with its own end-of-run evaluation (final/*): the rows
    # of training and of the periodic evaluations are those of the straight run
    ours, theirs = _rows(resumed), _rows(straight)
    finals = [int(r["step"]) for r in ours if r.get("final/swd")]
    assert finals == [2, 4, 6] and [int(r["step"]) for r in theirs if r.get("final/swd")] == [6]
    ours, theirs = ([r for r in rows if not r.get("final/swd")] for rows in (ours, theirs))
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs, strict=True):
        assert a["step"] == b["step"]
        for key in ("d_loss", "g_loss", "metrics/swd", "epoch"):
            assert bool(a.get(key)) == bool(b.get(key)), (key, a, b)
            if a.get(key):
                assert float(a[key]) == pytest.approx(float(b[key]), rel=1e-3), (key, a, b)
    assert [h["iteration"] for h in _history(resumed)] == [2, 4, 6]
    assert [h["iteration"] for h in _history(straight)] == [2, 4, 6]
    info = json.loads((resumed / "metrics.json").read_text())
    assert info["status"] == "finished" and info["best"]["iteration"] in (2, 4, 6)


def test_tensorboard_history_continues(make_cfg, tmp_path: Path) -> None:
    run = tmp_path / "run"
    for steps in (2, 4):
        cfg = make_cfg(*LOGGED, "logger=tensorboard", f"trainer.max_steps={steps}", "resume=auto")
        train(cfg, run_dir=run)
    assert _tb_steps(run, "d_loss") == [1, 2, 3, 4]
    assert _tb_steps(run, "metrics/swd") == [2, 4]
