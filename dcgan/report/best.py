"""The command that trains a sweep's best setting on the full budget, and the script that holds it.

The command is `python -m dcgan.train` with the overrides the best setting's runs were given,
less those that say how a run was started rather than what it trains (its seed, `resume`,
`ckpt_path`): a run of its own, with the sweep's whole budget whatever `until=` read.
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from typing import TYPE_CHECKING

from dcgan.tracking import is_seed_override

if TYPE_CHECKING:
    from dcgan.report.content import Report

BEST_SH = "train_best.sh"  # in the sweep (or race) folder
HOW_STARTED = ("resume", "ckpt_path")  # keys of how a run started, not of what it trains


def is_how_started(override: str) -> bool:
    """Whether an override says how a run was started (`resume=auto`), not what it trains."""
    return override.split("=", 1)[0].lstrip("+~") in HOW_STARTED


def as_typed(override: str) -> str:
    """An override as a user types it: a multirun records `x=false` as `x=False` (Hydra reads
    either as the same flag), so the race, which keeps the user's words, and the report, which
    reads the runs' records, write one command."""
    key, sep, value = override.partition("=")
    return f"{key}{sep}{value.lower()}" if value in ("True", "False") else override


def train_command(overrides: Sequence[str]) -> str:
    """`python -m dcgan.train` with these overrides, quoted for a POSIX shell."""
    kept = [as_typed(o) for o in overrides if not is_seed_override(o) and not is_how_started(o)]
    return " ".join(["python -m dcgan.train", *map(shlex.quote, kept)])


def best_command(report: Report) -> str | None:
    """The command of the report's best setting (ranked first); None when no setting has a value."""
    if not report.settings or report.settings[0].chosen.mean is None:
        return None
    best = report.settings[0]
    return train_command((best.counted or best.runs)[0].overrides)


def script(command: str, said: str) -> str:
    """A shell script that runs `command`, with `said` as its comment."""
    return f"#!/bin/sh\n# {said}\n{command}\n"


def best_script(report: Report, command: str) -> str:
    """train_best.sh of a report: its command, and what made that setting the best."""
    best = report.settings[0]
    at = f" at iteration {report.until}" if report.until is not None else ""
    said = (
        f"{best.label}: the best mean {report.analysis.score} {report.metric}{at} of "
        f"{report.sweep}; trained here on the full budget"
    )
    return script(command, said)
