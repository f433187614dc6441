"""A real race of two settings on the digits, killed in its first round and continued.

The first command is killed (SIGKILL, with its training) once one run has finished and the next
has written a checkpoint; the same command then continues that run from its checkpoint, finishes
the round (one multirun per setting: their seeds now differ) and the
race. Runs finished before the kill are not trained again, and every run sits in the race folder
under its setting and seed.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dcgan.race.naming import run_name
from tests.tiny import TINY_DIGITS, run_module

pytestmark = pytest.mark.slow

RACE = [
    "pooling=avg,strided",
    *TINY_DIGITS,
    "trainer.max_steps=6",
    "callbacks.metrics.every_n_steps=2",
    "callbacks.metrics.num_samples=16",
    "callbacks.samples.every_n_steps=6",
    "callbacks.samples.num_samples=4",
    "callbacks.checkpoint.every_n_steps=1",
    "logger=csv",
    "race.seeds=2",
    "race.max_seeds=2",  # one round: later rounds are tested on written run folders
]
ENV = {"OMP_NUM_THREADS": "1", "WANDB_MODE": "offline", "WANDB_SILENT": "true"}


def finished(folder: Path) -> dict[str, str]:
    """Run folder name -> its metrics.json's start stamp, for the runs that finished."""
    out = {}
    for info in folder.glob("*/metrics.json"):
        data = json.loads(info.read_text())
        if data.get("status") == "finished":
            out[info.parent.name] = data["started"]
    return out


def half_done(folder: Path) -> list[str]:
    """Runs with a checkpoint that have not finished."""
    ckpts = folder.glob("*/checkpoints/last.ckpt")
    return [c.parents[1].name for c in ckpts if c.parents[1].name not in finished(folder)]


@pytest.fixture(scope="module")
def race(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str], str]:
    """The race folder, the runs finished at the kill, and the second command's output."""
    work = tmp_path_factory.mktemp("race")
    folder = work / "race"
    args = [*RACE, f"hydra.sweep.dir={folder}"]
    log = work / "first.log"
    first = subprocess.Popen(
        [sys.executable, "-m", "dcgan.race", *args],
        cwd=work,
        env={**os.environ, **ENV},
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own group: the kill takes its training with it
    )
    deadline = time.monotonic() + 240
    while not (finished(folder) and half_done(folder)):
        if first.poll() is not None or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    os.killpg(first.pid, signal.SIGKILL)
    first.wait()
    done = finished(folder)
    assert done and half_done(folder), "not killed mid-round: " + log.read_text()[-3000:]
    res = run_module("dcgan.race", *args, cwd=work, timeout=400, env=ENV)
    said = f"{log.read_text()[-2000:]}\n--- continued:\n{(res.stdout + res.stderr)[-4000:]}"
    assert res.returncode == 0, said
    return folder, done, res.stdout + res.stderr


def test_the_race_ends_and_logs_its_rounds(race: tuple[Path, dict, str]) -> None:
    folder, _, output = race
    assert "race ended: " in output and f"hydra.sweep.dir={folder}" in output
    data = json.loads((folder / "race.json").read_text())
    assert len(data["invocations"]) == 2 and data["end"]["reason"]
    first = data["rounds"][0]
    assert first["runs"] == {"pooling=avg": [0, 1], "pooling=strided": [0, 1]}
    assert first["metric"] == "swd" and set(first["settings"]) == set(first["runs"])
    for entry in first["settings"].values():
        assert entry["decision"] in (
            "continue",
            "decided better",
            "decided worse",
            "dropped",
            "done",
        )
        assert entry["seeds"] == [0, 1] and entry["mean"] > 0
    assert "pooling=strided" in (folder / "report.md").read_text()


def test_every_run_has_its_named_folder_and_finished(race: tuple[Path, dict, str]) -> None:
    folder, _, _ = race
    data = json.loads((folder / "race.json").read_text())
    planned = {
        run_name((setting,), seed)
        for rnd in data["rounds"]
        for setting, seeds in rnd["runs"].items()
        for seed in seeds
    }
    runs = {p.name for p in folder.iterdir() if (p / ".hydra").is_dir()}
    assert runs == planned and "pooling=avg,seed=0" in runs
    assert set(finished(folder)) == planned


def test_runs_finished_before_the_kill_were_not_trained_again(race: tuple[Path, dict, str]) -> None:
    folder, done, _ = race
    assert {name: finished(folder)[name] for name in done} == done


def test_the_run_killed_half_way_continued_from_its_checkpoint(
    race: tuple[Path, dict, str],
) -> None:
    folder, _, output = race
    assert "resume=auto: resuming from" in output and "checkpoints/last.ckpt" in output
