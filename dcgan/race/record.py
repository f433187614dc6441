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

FILENAME = "race.json"
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


def differences(saved: dict[str, Any], current: dict[str, Any]) -> list[str]:
    """`key: saved != current` for each part of the race's definition that differs."""
    keys = sorted(set(saved) | set(current))
    return [
        f"{k}: {_short(saved.get(k))} != {_short(current.get(k))}"
        for k in keys
        if saved.get(k) != current.get(k)
    ]


def _short(value: Any, limit: int = 80) -> str:
    text = json.dumps(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


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
