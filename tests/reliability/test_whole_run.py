"""metrics.json of a run taken in several attempts covers the whole run, not the last attempt."""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

import pytest

from tests.tiny import TINY_DIGITS, run_module, start_module

pytestmark = pytest.mark.slow

RUN = [*TINY_DIGITS, "logger=csv", "resume=auto", "callbacks.samples.num_samples=4"]  # batch: 8


def info(run: Path) -> dict:
    return json.loads((run / "metrics.json").read_text())


def test_interrupted_resumed_and_rerun_counts_every_attempt(tmp_path: Path) -> None:
    run = tmp_path / "run"
    # attempt 1: Ctrl-C once the first grid is written
    proc = start_module(
        "dcgan.train",
        *RUN,
        "trainer.max_steps=1000000",
        "callbacks.samples.every_n_steps=1",
        f"hydra.run.dir={run}",
        cwd=tmp_path,
    )
    deadline = time.monotonic() + 120
    while not (run / "samples" / "iter_000001.png").exists():
        assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()[1][-3000:]
        time.sleep(0.01)
    os.killpg(proc.pid, signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err[-3000:]
    said = out + err
    assert said.count("resume=auto: no checkpoint in") == 1, said[-3000:]  # once, not twice
    first = info(run)
    stopped = first["iterations"]
    assert first["status"] == "interrupted" and first["images_seen"] == stopped * 8

    # attempt 2: resumed to 40 iterations
    target = stopped + 40
    res = run_module(
        "dcgan.train", *RUN, f"trainer.max_steps={target}", f"hydra.run.dir={run}", cwd=tmp_path
    )
    assert res.returncode == 0, res.stderr[-3000:]
    said = res.stdout + res.stderr
    resumed = (
        f"resume=auto: resuming from {run / 'checkpoints' / 'last.ckpt'} at iteration {stopped}"
    )
    assert said.count(resumed) == 1, said[-3000:]
    second = info(run)
    assert second["status"] == "finished" and second["iterations"] == target
    assert second["images_seen"] == target * 8  # not only the 40 of this attempt
    assert second["started"] == first["started"] and second["attempts"] == 2
    assert second["run_time_s"] > first["run_time_s"]
    assert second["run_time_s"] >= second["train_time_s"] > first["train_time_s"]
    assert second["img_per_s"] > 0

    # attempt 3: nothing left to train; says so in one line, and the totals stay the run's
    res = run_module(
        "dcgan.train", *RUN, f"trainer.max_steps={target}", f"hydra.run.dir={run}", cwd=tmp_path
    )
    assert res.returncode == 0, res.stderr[-3000:]
    said = [line for line in (res.stdout + res.stderr).splitlines() if "nothing to train" in line]
    assert len(said) == 1, res.stdout[-2000:] + res.stderr[-2000:]
    assert f"the run is at iteration {target}, where trainer.max_steps={target} stops it" in said[0]
    third = info(run)
    assert third["images_seen"] == target * 8 and third["iterations"] == target
    assert third["train_time_s"] == second["train_time_s"]
    assert third["run_time_s"] > second["run_time_s"] >= third["train_time_s"]
    assert third["started"] == first["started"] and third["attempts"] == 3
