"""`python -m dcgan.report <sweep folder> [metric=...] [baseline=...] ...`: key=value arguments."""

from __future__ import annotations

import sys
from dataclasses import dataclass

from dcgan.cli import CliError, error_lines, help_text, key, parse, show
from dcgan.report.errors import ReportError
from dcgan.report.runs import check_baseline, check_metric, collect_runs, setting_overrides
from dcgan.report.scores import CHOICES, WINDOW
from dcgan.report.wandb_log import MODES

USAGE = (
    "python -m dcgan.report <sweep folder> [metric=...] [baseline=...] [score=...] [window=...] "
    "[alpha=...] [wandb=...] [until=...]   (also dcgan-report)"
)
NO_FOLDER = "give the sweep folder: python -m dcgan.report outputs/multirun/<date>/<time>"


@dataclass
class ReportConfig:
    sweep_dir: str = key(help="the folder of a multirun or a race (also as sweep_dir=...)")
    metric: str | None = key(
        None,
        "rank by this metric (swd; fid, kid, is with the Inception weights; or a part such as "
        "swd_32); null: the runs' monitor",
    )
    baseline: str | None = key(
        None,
        "one override, e.g. augment=none: each setting is compared with the setting that has "
        "the same other overrides and this value; null: trick=none, else the first setting",
    )
    score: str = key(
        "auto",
        "what a run scores: final (its last value), best (its best periodic value), late (mean "
        "of its periodic values over the last `window` of the run); auto: the one whose "
        "seed-to-seed sd is smallest relative to its mean",
        choices=CHOICES,
    )
    window: float = key(
        WINDOW,
        "the late score's share of the run: periodic values at iterations >= (1 - window) x "
        "the last one (at least the last value)",
        check=lambda w: 0 < w <= 1,
        rule="give a fraction 0 < window <= 1",
    )
    alpha: float | None = key(
        None,
        "family-wise error level of the verdicts (Holm's correction over the settings); null: "
        "a race folder's race.alpha, else 0.05",
        check=lambda a: 0 < a < 1,
        rule="give 0 < alpha < 1",
    )
    wandb: str = key(
        "offline",
        "log the settings table and plot to a job_type=report run in the sweep's W&B group: "
        "offline (files under <sweep>/wandb), online (after wandb login) or false",
        choices=MODES,
    )
    until: int | None = key(
        None,
        "read every run as it stood at this iteration: its periodic value there is its final "
        "value, its periodic values up to there its best and late ones; null: the whole run",
        check=lambda n: n is None or n >= 1,
        rule="give an iteration >= 1",
    )


def parse_args(argv: list[str]) -> ReportConfig:
    """The sweep folder (first argument) and the metric; `--metric X` is read as `metric=X`."""
    argv = list(argv)
    if "--metric" in argv:  # the flag of earlier versions
        i = argv.index("--metric")
        if i + 1 >= len(argv):
            raise CliError("--metric needs a value: metric=swd")
        argv[i : i + 2] = [f"metric={argv[i + 1]}"]
    return parse(ReportConfig, argv, positional="sweep_dir")


def main(argv: list[str] | None = None) -> int:
    """Write the report; a bad argument, folder or metric ends with one line and exit code 2.

    The help and the arguments are checked before the report's plotting, statistics and W&B
    are imported: a typo answers at once.
    """
    argv = sys.argv[1:] if argv is None else argv
    if {"-h", "--help", "help"} & set(argv):
        show(help_text(ReportConfig, USAGE))
        return 0
    if not any("=" not in a or a.startswith("sweep_dir=") for a in argv):
        print(f"error: {NO_FOLDER}", file=sys.stderr)
        return 2
    try:
        cfg = parse_args(argv)
        # the folder, the metric and the baseline too: read from the runs' files alone
        runs = collect_runs(cfg.sweep_dir)
        if cfg.metric is not None:
            check_metric(runs, cfg.metric)
        if cfg.baseline is not None:
            check_baseline(map(setting_overrides, runs), cfg.baseline)
    except (CliError, ReportError) as err:
        print(error_lines(err), end="", file=sys.stderr)
        return 2
    from dcgan.report.words import console_lines
    from dcgan.report.write import write_report

    try:
        report, written = write_report(
            cfg.sweep_dir,
            cfg.metric,
            cfg.baseline,
            cfg.score,
            cfg.window,
            cfg.wandb,
            cfg.until,
            cfg.alpha,
        )
    except (CliError, ReportError) as err:
        print(error_lines(err), end="", file=sys.stderr)
        return 2
    for line in console_lines(report):
        print(line)
    for path in written:
        print(path)
    return 0
