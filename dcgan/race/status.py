"""Where a race's run stands, from its metrics.json: trained, or still to (re)start."""

from __future__ import annotations

from pathlib import Path

from dcgan.run import RunFolder

FINISHED = "finished"
FAILED = "failed"  # its error is in metrics.json; run again it would fail again: never relaunched


def status(folder: Path, name: str) -> str:
    """A run's status: finished, failed, running, interrupted, or not started (no file yet)."""
    return str(RunFolder(folder / name).read_info().get("status", "not started"))


def needs_training(folder: Path, name: str) -> bool:
    """Whether a launch must (re)start this run: it neither finished nor failed."""
    return status(folder, name) not in (FINISHED, FAILED)
