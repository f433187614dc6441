"""RunClock on a scripted timeline: warm-up and side work are left out of img/s, totals carry."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from dcgan.callbacks import clock as clock_module
from dcgan.callbacks.clock import WARMUP_ITERATIONS, RunClock
from dcgan.run import RunTime


class Timeline:
    """A perf_counter that moves only when told to."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _train(clock: RunClock, trainer, module, timeline: Timeline, seconds: list[float]) -> None:  # noqa: ANN001
    """One iteration (d_steps=1, g_steps=1: two optimizer steps) of each duration in `seconds`."""
    for duration in seconds:
        timeline.now += duration
        module.global_step += 2
        module.iteration = module.global_step // 2
        clock.on_train_batch_end(trainer, module, None, bytes(8), 0)  # a batch of 8


def test_warmup_and_evaluations_are_left_out_and_totals_carry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    timeline = Timeline()
    monkeypatch.setattr(clock_module.time, "perf_counter", timeline)
    evaluator = SimpleNamespace(busy_s=0.0)  # a callback that evaluates beside training
    trainer = SimpleNamespace(callbacks=[evaluator], world_size=2, is_global_zero=True)
    module = SimpleNamespace(global_step=0, steps_per_iteration=2, iteration=0)

    first = RunClock(tmp_path, RunTime(attempt_started=timeline.now))
    timeline.now += 10.0  # start-up: imports, decoding, building
    first.on_train_start(trainer, module)
    _train(first, trainer, module, timeline, [1.0] * WARMUP_ITERATIONS)  # slow first iterations
    _train(first, trainer, module, timeline, [0.1] * 10)
    evaluator.busy_s += 5.0  # an evaluation at this iteration's end ...
    _train(first, trainer, module, timeline, [5.0 + 0.1] + [0.1] * 9)  # ... lands in the next
    first.on_train_end(trainer, module)

    info = json.loads((tmp_path / "metrics.json").read_text())
    iterations = WARMUP_ITERATIONS + 20
    assert info["iterations"] == iterations
    assert info["images_seen"] == iterations * 8 * 2  # 8 a batch on each of 2 ranks
    assert info["img_per_s"] == pytest.approx(16 / 0.1)  # steady: no warm-up, no evaluation
    assert info["train_time_s"] == pytest.approx(WARMUP_ITERATIONS * 1.0 + 20 * 0.1)
    assert info["run_time_s"] == pytest.approx(10 + WARMUP_ITERATIONS + 2 + 5)
    assert info["attempts"] == 1

    # the next attempt resumes from the state above: its totals continue them
    saved = first.state_dict()
    second_time = RunTime(attempt_started=timeline.now)
    second = RunClock(tmp_path, second_time)
    second.load_state_dict(saved)
    timeline.now += 3.0
    second.on_train_start(trainer, module)
    _train(second, trainer, module, timeline, [2.0] * WARMUP_ITERATIONS + [0.05] * 10)
    second.on_train_end(trainer, module)

    info = json.loads((tmp_path / "metrics.json").read_text())
    assert info["iterations"] == iterations + WARMUP_ITERATIONS + 10
    assert info["images_seen"] == info["iterations"] * 16
    assert info["img_per_s"] == pytest.approx(30 * 16 / (20 * 0.1 + 10 * 0.05))
    assert info["train_time_s"] == pytest.approx(WARMUP_ITERATIONS * 3.0 + 2.5)
    assert info["run_time_s"] == pytest.approx(37 + 3 + 2 * WARMUP_ITERATIONS + 0.5)
    assert info["attempts"] == 2 and info["started"] == second_time.started == saved["started"]


def test_a_run_shorter_than_the_warmup_reports_all_its_iterations(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    timeline = Timeline()
    monkeypatch.setattr(clock_module.time, "perf_counter", timeline)
    trainer = SimpleNamespace(callbacks=[], world_size=1, is_global_zero=True)
    module = SimpleNamespace(global_step=0, steps_per_iteration=2, iteration=0)
    clock = RunClock(tmp_path, RunTime(attempt_started=timeline.now))
    clock.on_train_start(trainer, module)
    _train(clock, trainer, module, timeline, [0.5, 0.25, 0.25])
    clock.on_train_end(trainer, module)
    assert json.loads((tmp_path / "metrics.json").read_text())["img_per_s"] == 24 / 1.0
