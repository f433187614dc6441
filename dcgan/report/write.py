"""Build a sweep's report and write its files atomically (temp file, fsync, rename)."""

from __future__ import annotations

import os
from pathlib import Path

from dcgan.config import MetricsConfig
from dcgan.report.plot import plot_settings
from dcgan.report.render import Report, render_html, render_markdown
from dcgan.report.runs import ReportError, Run, check_metric, collect_runs, sort_runs
from dcgan.report.scores import WINDOW, check_choice
from dcgan.report.settings import analyse, shared_overrides
from dcgan.report.until import as_of, check_until
from dcgan.report.wandb_log import MODES, log_report

REPORT_MD, REPORT_HTML = "report.md", "report.html"  # in the sweep folder, beside its runs


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


def build_report(
    sweep_dir: str | Path,
    metric: str | None = None,
    baseline: str | None = None,
    score: str = "auto",
    window: float = WINDOW,
    until: int | None = None,
) -> tuple[Report, bytes | None]:
    """Everything the report shows, and its plot as PNG bytes; writes nothing."""
    check_choice(score, window)  # before reading a folder
    check_until(until)
    sweep = Path(sweep_dir)
    runs = collect_runs(sweep)
    if until is not None:
        runs = [as_of(run, until) for run in runs]
    metric = choose_metric(runs, metric)
    analysis = analyse(runs, metric, baseline, score, window)
    png = plot_settings(analysis.settings, metric)
    report = Report(
        sweep=sweep,
        analysis=analysis,
        runs=sort_runs(runs, metric),
        shared=shared_overrides(runs),
        plot=f"report_{metric}.png" if png else None,
    )
    return report, png


def write_report(
    sweep_dir: str | Path,
    metric: str | None = None,
    baseline: str | None = None,
    score: str = "auto",
    window: float = WINDOW,
    wandb: str = "offline",
    until: int | None = None,
) -> list[Path]:
    """Write report.md, report.html (and the plot) into the sweep folder, then log to W&B.

    Returns the paths written, the W&B run's folder last (none with `wandb="false"`).
    """
    if wandb not in MODES:
        raise ReportError(f"wandb={wandb} is invalid: choose one of {', '.join(MODES)}")
    report, png = build_report(sweep_dir, metric, baseline, score, window, until)  # checks first
    written = []
    if png is not None and report.plot:
        written.append(report.sweep / report.plot)
        atomic_write(written[-1], png)
    md, page = report.sweep / REPORT_MD, report.sweep / REPORT_HTML
    atomic_write(md, render_markdown(report).encode("utf-8"))
    atomic_write(page, render_html(report).encode("utf-8"))
    logged = log_report(report, png, wandb)
    return [md, page, *written, *([logged] if logged else [])]
