"""Compare the settings of a sweep over seeds: `python -m dcgan.report outputs/multirun/<d>/<t>`.

Writes `report.md`, `report.html` and `report_<metric>.png` into the sweep folder. Runs that
differ only in `seed` form one setting; each setting gets n, mean, sd and a 95% interval of its
final and best metric, each seed's value, its cost, and its difference to the baseline with a
95% Welch interval and a verdict. Every run is listed too, failed ones included.
"""

from dcgan.report.cli import main
from dcgan.report.runs import ReportError, Run, collect_runs, sort_runs
from dcgan.report.write import build_report, write_report

__all__ = [
    "ReportError",
    "Run",
    "build_report",
    "collect_runs",
    "main",
    "sort_runs",
    "write_report",
]
