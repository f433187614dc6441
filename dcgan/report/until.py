"""A sweep as it stood at one iteration: `python -m dcgan.report <dir> until=1500`.

Each run is read as if it had stopped at that iteration: its periodic values up to there, and the
one at that iteration as its final value (measured on `callbacks.metrics.num_samples` images, not
the end-of-run's larger set). So one sweep at the longest budget also answers the shorter ones,
and its runs' own `trainer.max_steps` is no part of their setting. A run whose evaluations do
not reach that iteration is not counted.
"""

from __future__ import annotations

import copy
import math

from dcgan.report.runs import ReportError, Run


def check_until(until: int | None) -> None:
    """Refuse an iteration below 1 where it enters."""
    if until is not None and until < 1:
        raise ReportError(f"until={until} is no iteration: give an iteration >= 1, or null")


def check_reached(runs: list[Run], until: int) -> None:
    """Refuse an iteration at which no run was evaluated: there would be nothing to compare."""
    evaluated = sorted({it for run in runs for h in run.history if (it := _iteration(h))})
    if until in evaluated:
        return
    if not evaluated:
        raise ReportError(f"until={until}: no run of this sweep has a periodic evaluation yet")
    shown = ", ".join(map(str, evaluated[:12])) + (", ..." if len(evaluated) > 12 else "")
    where = "before every run's first" if until < evaluated[0] else "at no run's"
    raise ReportError(
        f"until={until} is {where} evaluation, so no run could be read as of it: the runs were "
        f"evaluated at iterations {shown}; give one of them"
    )


def as_of(run: Run, until: int) -> Run:
    """The run as it stood at iteration `until` (status "not reached" when it had not)."""
    history = [h for h in run.history if _iteration(h) is not None and _iteration(h) <= until]
    view = copy.copy(run)
    view.until = until
    # its own budget is no part of its setting then: a run continued to a larger max_steps
    # (or one stopped short of it) is read at the same iteration as the others of its setting
    view.overrides = [o for o in run.overrides if o.split("=", 1)[0] != "trainer.max_steps"]
    view.info = dict(run.info)
    view.info["history"] = history
    at = next((h for h in history if _iteration(h) == until), None)
    if at is None:
        if run.status == "finished" or run.status == "running":
            view.info["status"] = "not reached"
        view.info["metrics"] = {}
        return view
    view.info["status"] = "finished"
    view.info["metrics"] = dict(at)
    view.info["iterations"] = until
    return view


def _iteration(entry: dict) -> int | None:
    value = entry.get("iteration")
    if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
        return int(value)
    return None
