"""Build a sweep's report and write its files atomically (temp file, fsync, rename)."""

from __future__ import annotations

import os
from pathlib import Path

from dcgan.callbacks.config import MetricsConfig
from dcgan.report.best import BEST_SH, best_command, best_script, is_how_started
from dcgan.report.plot import plot_settings
from dcgan.report.race_log import race_choices
from dcgan.report.render import Report, render_html, render_markdown
from dcgan.report.runs import ReportError, Run, check_metric, collect_runs, sort_runs
from dcgan.report.scores import WINDOW, check_choice
from dcgan.report.settings import analyse, shared_overrides
from dcgan.report.stats import ALPHA
from dcgan.report.until import as_of, check_reached, check_until
from dcgan.report.wandb_log import MODES, log_report

REPORT_MD, REPORT_HTML = "report.md", "report.html"  # in the sweep folder, beside its runs
PLOTS = "report_*.png"  # report_<metric>.png


def atomic_write(path: Path, data: bytes) -> None:
    """Replace `path` with `data` whole or not at all; one line naming the file on failure."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as err:
        tmp.unlink(missing_ok=True)
        raise ReportError(f"cannot write {path}: {err.strerror or err}") from err


def choose_metric(runs: list[Run], metric: str | None) -> str:
    """The metric asked for, refused when no run has it; else the runs' monitor (or the default)."""
    if metric is None:
        monitors = [r.info["monitor"] for r in runs if isinstance(r.info.get("monitor"), str)]
        return monitors[0] if monitors else MetricsConfig.monitor
    check_metric(runs, metric)
    return metric


def read_report(
    sweep_dir: str | Path,
    metric: str | None = None,
    baseline: str | None = None,
    score: str = "auto",
    window: float = WINDOW,
    until: int | None = None,
    alpha: float | None = None,
) -> Report:
    """Everything the report says (its plot aside): the runs, the settings and their verdicts.

    In a race folder the race's metric, score, baseline and alpha are the defaults (race.json),
    so the report and the race give the same verdicts; a key given here wins.
    """
    check_choice(score, window)  # before reading a folder
    check_until(until)
    sweep = Path(sweep_dir)
    runs = collect_runs(sweep)
    race = race_choices(sweep)
    from_race = []
    if race is not None:
        if metric is None and race.metric is not None:
            metric, from_race = race.metric, [*from_race, "metric"]
        if baseline is None and race.baseline is not None:
            baseline, from_race = race.baseline, [*from_race, "baseline"]
        if score == "auto" and race.score is not None:
            score, from_race = race.score, [*from_race, "score"]
        if alpha is None and race.alpha is not None:
            alpha, from_race = race.alpha, [*from_race, "alpha"]
    if until is not None:
        check_reached(runs, until)
        runs = [as_of(run, until) for run in runs]
    metric = choose_metric(runs, metric)
    source = "the race's score, kept since its first round" if "score" in from_race else ""
    analysis = analyse(runs, metric, baseline, score, window, alpha or ALPHA, source)
    return Report(
        sweep=sweep,
        analysis=analysis,
        runs=sort_runs(runs, metric),
        shared=[o for o in shared_overrides(runs) if not is_how_started(o)],
        plot=None,
        until=until,
        from_race=from_race,
    )


def write_report(
    sweep_dir: str | Path,
    metric: str | None = None,
    baseline: str | None = None,
    score: str = "auto",
    window: float = WINDOW,
    wandb: str = "offline",
    until: int | None = None,
    alpha: float | None = None,
) -> tuple[Report, list[Path]]:
    """Write report.md, report.html, the plot and train_best.sh into the sweep folder, then log
    to W&B.

    Returns the report and the paths written, the W&B run's folder last (none with
    `wandb="false"`). A plot of an earlier call that this one does not draw is removed, so the
    folder never shows a plot of other runs or another iteration than the report.
    """
    if wandb not in MODES:
        raise ReportError(f"wandb={wandb} is invalid; choices: {', '.join(MODES)}")
    report = read_report(sweep_dir, metric, baseline, score, window, until, alpha)  # checks first
    png = plot_settings(report.analysis, until)
    report.plot = f"report_{report.metric}.png" if png else None
    written = []
    for old in report.sweep.glob(PLOTS):
        if old.name != report.plot:
            old.unlink(missing_ok=True)
    if png is not None and report.plot:
        written.append(report.sweep / report.plot)
        atomic_write(written[-1], png)
    best = report.sweep / BEST_SH
    command = best_command(report)
    if command is not None:
        atomic_write(best, best_script(report, command).encode("utf-8"))
        written.append(best)
    else:
        best.unlink(missing_ok=True)
    md, page = report.sweep / REPORT_MD, report.sweep / REPORT_HTML
    atomic_write(md, render_markdown(report).encode("utf-8"))
    atomic_write(page, render_html(report).encode("utf-8"))
    logged = log_report(report, png, wandb)
    return report, [md, page, *written, *([logged] if logged else [])]
