"""`<race folder>/race.json`: what the race is, how long it has run, and its log of rounds.

`definition` is what makes two commands the same race (the settings, the overrides every run
gets, the seeds, the step, the baseline, the metric, alpha): another command is refused in the
folder. Budgets, `race.max_seeds` and launcher overrides are not in it, so a race can go on with
more budget or on another machine. `invocations` holds each command's start and wall time
(kept up to date while runs train), which `budget.hours` counts. `rounds` holds each round's
runs as planned, then its settings' seeds, means, verdicts and decisions. Every write replaces
the whole file atomically.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from dcgan.atomic import write_text_atomic
from dcgan.race.sweep import RaceError
from dcgan.report.race_log import RACE_LOG

FILENAME = RACE_LOG
LOCK = ".race.lock"


def load(folder: Path) -> dict[str, Any] | None:
    """The race log of `folder`; None when it holds none yet."""
    path = folder / FILENAME
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise RaceError(f"cannot read {path}: {err}; move it away to start the race anew") from err
    if not isinstance(data, dict) or not isinstance(data.get("definition"), dict):
        raise RaceError(f"{path} is not a race log; give another hydra.sweep.dir")
    data.setdefault("invocations", [])
    data.setdefault("rounds", [])
    return data


def save(folder: Path, data: dict[str, Any]) -> None:
    """Replace race.json with `data`, whole or not at all."""
    write_text_atomic(folder / FILENAME, json.dumps(data, indent=2, default=str) + "\n")


KEYS = {
    "seeds": "race.seeds",
    "step": "race.step",
    "baseline": "race.baseline",
    "alpha": "race.alpha",
}


def _listed(items: list[str]) -> str:
    return ", ".join(items) if items else "none"


def _added_and_left(saved: list[str], current: list[str]) -> str:
    added = [i for i in current if i not in saved]
    left = [i for i in saved if i not in current]
    parts = [f"adds {_listed(added)}"] if added else []
    parts += [f"leaves out {_listed(left)}"] if left else []
    return " and ".join(parts) or "orders them otherwise"


def differences(saved: dict[str, Any], current: dict[str, Any]) -> list[str]:
    """Each part of the race's definition that this command changes, in words."""
    said = []
    for key in sorted(set(saved) | set(current)):
        before, now_ = saved.get(key), current.get(key)
        if before == now_:
            continue
        if key == "settings":
            old = [" ".join(s) for s in before or []]
            new = [" ".join(s) for s in now_ or []]
            said.append(
                f"its settings are {_listed(old)}; this command {_added_and_left(old, new)}"
            )
        elif key == "overrides":
            old, new = list(before or []), list(now_ or [])
            said.append(
                f"its runs get the overrides {_listed(old)}; this command "
                f"{_added_and_left(old, new)}"
            )
        else:
            said.append(f"it has {KEYS.get(key, key)}={before}, this command {now_}")
    return said


def check_same_race(folder: Path, saved: dict[str, Any], current: dict[str, Any]) -> None:
    """Refuse a folder that holds a race of another sweep or other overrides."""
    diff = differences(saved, current)
    if diff:
        raise RaceError(
            f"{folder} holds another race ({'; '.join(diff)}): give the command that started "
            "it, or another hydra.sweep.dir"
        )


def hours_spent(data: dict[str, Any]) -> float:
    """Wall-clock hours of every command of the race so far."""
    return sum(float(i.get("seconds") or 0) for i in data.get("invocations", [])) / 3600


def runs_started(folder: Path, names: list[str]) -> int:
    """How many of these run folders exist: every run counts once, finished or not."""
    return sum((folder / name).is_dir() for name in names)


@contextmanager
def locked(folder: Path) -> Iterator[None]:
    """Hold the race folder: a second command on the same folder stops instead of racing it."""
    folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(folder / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RaceError(
                f"another race command is running in {folder}: let it finish or stop it first"
            ) from None
        yield
    finally:
        os.close(fd)
