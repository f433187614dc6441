"""Build a sweep's report and write its files atomically (temp file, fsync, rename)."""

from __future__ import annotations

import os
from pathlib import Path

from dcgan.report.plot import plot_settings
from dcgan.report.render import Report, render_html, render_markdown
from dcgan.report.runs import ReportError, Run, collect_runs, sort_runs
from dcgan.report.settings import (
    compare_to_baseline,
    group_settings,
    rank_settings,
    shared_overrides,
)


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
    """The metric asked for, refused when no run has it; else the runs' monitor (or swd)."""
    available = sorted(set().union(*(r.metric_names() for r in runs)))
    if metric is None:
        monitors = [r.info["monitor"] for r in runs if isinstance(r.info.get("monitor"), str)]
        return monitors[0] if monitors else "swd"
    if metric not in available:
        have = ", ".join(available) if available else "no metric yet"
        raise ReportError(f"metric={metric!r} is in no run of this sweep (they have: {have})")
    return metric


def build_report(
    sweep_dir: str | Path, metric: str | None = None, baseline: str | None = None
) -> tuple[Report, bytes | None]:
    """Everything the report shows, and its plot as PNG bytes; writes nothing."""
    sweep = Path(sweep_dir)
    runs = collect_runs(sweep)
    metric = choose_metric(runs, metric)
    settings = group_settings(runs, metric)
    against = compare_to_baseline(settings, metric, baseline)
    ranked = rank_settings(settings, metric)
    png = plot_settings(ranked, metric)
    report = Report(
        sweep=sweep,
        metric=metric,
        runs=sort_runs(runs, metric),
        settings=ranked,
        baseline=against,
        shared=shared_overrides(runs),
        plot=f"report_{metric}.png" if png else None,
    )
    return report, png


def write_report(
    sweep_dir: str | Path, metric: str | None = None, baseline: str | None = None
) -> list[Path]:
    """Write report.md, report.html (and the plot) into the sweep folder; returns their paths."""
    report, png = build_report(sweep_dir, metric, baseline)  # every check before the first write
    written = []
    if png is not None and report.plot:
        written.append(report.sweep / report.plot)
        atomic_write(written[-1], png)
    md, page = report.sweep / "report.md", report.sweep / "report.html"
    atomic_write(md, render_markdown(report).encode("utf-8"))
    atomic_write(page, render_html(report).encode("utf-8"))
    return [md, page, *written]
