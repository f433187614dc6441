"""`<run_dir>/metrics.json`: a run's status, final metrics, best and speed, always whole on disk.

Training writes it at start (`running`), after every evaluation, and at the end (`finished` or
`failed`); `dcgan.report` reads it. Each write merges into what is there and replaces the file
atomically, so a crash never leaves half a file and no field written earlier is lost.
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

FILENAME = "metrics.json"


def now() -> str:
    """A UTC timestamp that sorts as text."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def read_run_info(run_dir: str | Path) -> dict[str, Any]:
    """The run's metrics.json as a dict; empty when the run never started writing it."""
    path = Path(run_dir) / FILENAME
    if not path.is_file():
        return {}
    try:
        return json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as err:
        log.warning("cannot read %s: %s", path, err)
        return {}


def update_run_info(run_dir: str | Path, **fields: Any) -> dict[str, Any]:
    """Merge `fields` into metrics.json and rewrite it atomically; returns the new content."""
    path = Path(run_dir) / FILENAME
    info = {**read_run_info(run_dir), **fields}
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
