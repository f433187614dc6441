"""A run's metrics.json: its status, final metrics, best and speed, always whole on disk.

Training writes it at start (`running`), after every evaluation, and at the end (`finished` or
`failed`); `dcgan.report`, the race and W&B's summary read it. Each write merges into what is
there and replaces the file atomically, so a crash never leaves half a file and no field written
earlier is lost. `RunFolder` says where the file is; this module says what is in it.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from dcgan.atomic import write_text_atomic

log = logging.getLogger(__name__)


def now() -> str:
    """A UTC timestamp that sorts as text."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _load(path: Path) -> tuple[dict[str, Any], str | None]:
    """The file's content, or why it cannot be read (no file: empty, and no reason)."""
    if not path.exists():
        return {}, None
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        return {}, str(err)
    return (info, None) if isinstance(info, dict) else ({}, "not a JSON object")


def info_or_why(path: Path) -> tuple[dict[str, Any], str | None]:
    """The file's content and, when it exists but cannot be read, why (no file: not started)."""
    info, cause = _load(path)
    return info, None if cause is None else f"{path.name} is unreadable: {cause}"


def read_info(path: Path) -> dict[str, Any]:
    """The file's content; empty (with a warning when it is damaged) when there is none."""
    info, cause = _load(path)
    if cause is not None:
        log.warning("cannot read %s: %s", path, cause)
    return info


def update_info(path: Path, **fields: Any) -> dict[str, Any]:
    """Merge `fields` into the file and rewrite it atomically; returns the new content."""
    info = {**read_info(path), **fields}
    write_text_atomic(path, json.dumps(info, indent=2, sort_keys=True, default=str) + "\n")
    return info


@dataclass
class RunTime:
    """Wall-clock facts of a run over its attempts (a resume continues those of its checkpoint).

    `started`: when the first attempt began; `attempts`: this one and those before it;
    `before_s`: the wall time of the earlier attempts up to the state this one resumed from.
    """

    attempt_started: float = field(default_factory=time.perf_counter)
    started: str = field(default_factory=now)
    attempts: int = 1
    before_s: float = 0.0

    def total_s(self) -> float:
        """Wall time of the whole run so far: the earlier attempts plus this one."""
        return self.before_s + time.perf_counter() - self.attempt_started
