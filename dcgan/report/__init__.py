"""Compare the settings of a sweep over seeds: `python -m dcgan.report outputs/multirun/<d>/<t>`.

Writes `report.md`, `report.html` and `report_<metric>.png` into the sweep folder and logs the
settings table and plot to a W&B run of the sweep's group. Runs that differ only in `seed` form
one setting; each setting gets n, mean, sd and a 95% interval of its final, best and late metric,
each seed's value, its cost next to the baseline's, and its difference to the baseline (paired by
seed where they share seeds, else Welch) with a Holm-corrected verdict. Every run is listed too,
failed ones included. `analyse` is the comparison alone, for tools that decide between rounds.
"""

from dcgan.report.cli import main
from dcgan.report.runs import ReportError, Run, collect_runs, sort_runs
from dcgan.report.settings import Analysis, analyse
from dcgan.report.write import build_report, write_report

__all__ = [
    "Analysis",
    "ReportError",
    "Run",
    "analyse",
    "build_report",
    "collect_runs",
    "main",
    "sort_runs",
    "write_report",
]
