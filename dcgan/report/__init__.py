"""Compare the settings of a sweep over seeds: `python -m dcgan.report outputs/multirun/<d>/<t>`.

Writes `report.md`, `report.html` and `report_<metric>.png` into the sweep folder and logs the
settings table and plot to a W&B run of the sweep's group. Runs that differ only in `seed` form
one setting; each setting gets n, mean, sd and a 95% interval of its final, best and late metric,
each seed's value, its cost next to the baseline's, and its difference to the baseline (paired by
seed where they share seeds, else Welch) with a Holm-corrected verdict. Every run is listed too,
failed ones included. `analyse` is the comparison alone, for tools that decide between rounds.

The names below are imported when first used, so that a light module of the package (the score
choices, the error) can be imported without the report's plotting, W&B and statistics.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dcgan.report.cli import main
    from dcgan.report.errors import ReportError
    from dcgan.report.runs import Run, collect_runs, sort_runs
    from dcgan.report.settings import Analysis, analyse
    from dcgan.report.write import read_report, write_report

_WHERE = {
    "Analysis": "settings",
    "ReportError": "errors",
    "Run": "runs",
    "analyse": "settings",
    "read_report": "write",
    "collect_runs": "runs",
    "main": "cli",
    "sort_runs": "runs",
    "write_report": "write",
}

__all__ = [
    "Analysis",
    "ReportError",
    "Run",
    "analyse",
    "read_report",
    "collect_runs",
    "main",
    "sort_runs",
    "write_report",
]


def __getattr__(name: str) -> Any:
    """Import the module of a public name when it is first asked for."""
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{_WHERE[name]}"), name)
    globals()[name] = value
    return value
