"""What the run folders of a race say: each run's status and each setting's score per seed."""

from __future__ import annotations

from pathlib import Path

from dcgan.race.sweep import Setting
from dcgan.report.runs import HIGHER_IS_BETTER, Run, collect_runs
from dcgan.report.write import choose_metric
from dcgan.runinfo import read_run_info

FINISHED = "finished"
FAILED = "failed"  # its error is in metrics.json; run again it would fail again: never relaunched


def status(folder: Path, name: str) -> str:
    """A run's status from its metrics.json: finished, failed, running, interrupted, not started."""
    return str(read_run_info(folder / name).get("status", "not started"))


def needs_training(folder: Path, name: str) -> bool:
    """Whether a launch must (re)start this run: it neither finished nor failed."""
    return status(folder, name) not in (FINISHED, FAILED)


def race_metric(folder: Path, metric: str | None) -> str:
    """The metric the race compares: the one asked for, else the runs' monitor (as the report)."""
    return choose_metric(collect_runs(folder), metric)


def lower_is_better(metric: str) -> bool:
    """Lower SWD, FID and KID are better; higher IS."""
    return metric not in HIGHER_IS_BETTER


def seed_scores(
    folder: Path, setting: Setting, seeds: list[int], metric: str
) -> tuple[dict[int, float], list[int]]:
    """The final `metric` of each finished run of `setting` among `seeds`, and the failed seeds."""
    scores: dict[int, float] = {}
    failed: list[int] = []
    for seed in seeds:
        path = folder / setting.folder(seed)
        run = Run(path, [], read_run_info(path))
        value = run.metric(metric)
        if run.status == FINISHED and value is not None:
            scores[seed] = value
        elif run.status in (FINISHED, FAILED):
            failed.append(seed)  # finished without the metric counts as no score, like a failure
    return scores, failed
