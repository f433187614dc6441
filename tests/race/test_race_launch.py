"""Running one launch: its exit status, the heartbeat while it runs, one race per folder."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from dcgan.race import record
from dcgan.race.launch import run
from dcgan.race.race import run_race
from dcgan.race.sweep import RaceError
from tests.race.fake import FakeTrain, command, noisy


def test_a_launch_returns_its_status_and_beats_while_it_runs() -> None:
    beats = []
    sleeper = [sys.executable, "-c", "import time, sys; time.sleep(1.2); sys.exit(3)"]
    assert run(sleeper, lambda: beats.append(1), every=0.3) == 3
    assert len(beats) >= 2  # during the run, and once at its end


def test_a_second_command_on_a_running_race_is_refused(tmp_path: Path) -> None:
    cmd = command("trick=none,ema", f"hydra.sweep.dir={tmp_path}")
    with record.locked(tmp_path):
        with pytest.raises(RaceError, match="another race command is running"):
            run_race(cmd, launch=FakeTrain(noisy({"trick=none": 1.0, "trick=ema": 2.0})))
