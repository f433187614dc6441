"""Compare the runs of a sweep: `python -m dcgan.report outputs/multirun/<date>/<time>`.

Writes `report.md`, `report.html` and `report_<metric>.png` into the sweep folder: one row per
run (its overrides, final metrics, time, img/s, status, last sample grid), best first by the
chosen metric; failed, running and unstarted runs are listed last, never dropped.
"""

from __future__ import annotations

import argparse
import html
import logging
import math
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from dcgan.runinfo import read_run_info

log = logging.getLogger(__name__)

METRIC_COLUMNS = ("swd", "fid", "kid", "is")


class ReportError(ValueError):
    """The folder given is not a sweep that can be reported on; the message says why."""


@dataclass
class Run:
    """One run folder of a sweep, as read from its files."""

    path: Path
    overrides: list[str]
    info: dict[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def status(self) -> str:
        return str(self.info.get("status", "not started"))

    def metric(self, name: str) -> float | None:
        value = self.info.get("metrics", {}).get(name)
        return float(value) if isinstance(value, (int, float)) else None

    @property
    def last_grid(self) -> Path | None:
        grids = sorted((self.path / "samples").glob("iter_*.png"))
        return grids[-1] if grids else None


def _overrides(run_dir: Path) -> list[str]:
    path = run_dir / ".hydra" / "overrides.yaml"
    if not path.is_file():
        return []
    loaded = yaml.safe_load(path.read_text()) or []
    return [str(o) for o in loaded]


def _run_order(path: Path) -> tuple[int, str]:
    return (int(path.name), "") if path.name.isdigit() else (sys.maxsize, path.name)


def collect_runs(sweep_dir: str | Path) -> list[Run]:
    """Every run folder (one holding .hydra/) directly under the sweep folder, in job order."""
    sweep = Path(sweep_dir)
    if not sweep.is_dir():
        raise ReportError(f"{str(sweep)!r} is not a folder: give outputs/multirun/<date>/<time>")
    dirs = sorted((p for p in sweep.iterdir() if (p / ".hydra").is_dir()), key=_run_order)
    if not dirs:
        raise ReportError(
            f"{str(sweep)!r} holds no run folders (sub-folders with .hydra/): give the folder of a "
            "multirun, e.g. outputs/multirun/<date>/<time>"
        )
    return [Run(d, _overrides(d), read_run_info(d)) for d in dirs]


def sort_runs(runs: list[Run], metric: str) -> list[Run]:
    """Finished runs with the metric first, lowest first (IS: highest); the rest after, in order."""
    sign = -1.0 if metric == "is" else 1.0

    def key(run: Run) -> tuple[int, float]:
        value = run.metric(metric)
        if run.status != "finished" or value is None or not math.isfinite(value):
            return (1, 0.0)
        return (0, sign * value)

    return sorted(runs, key=key)  # stable: ties and unfinished runs keep job order


def _split_overrides(runs: list[Run]) -> tuple[list[str], dict[str, list[str]]]:
    """Overrides shared by all runs, and what each run sets on top."""
    common = set.intersection(*(set(r.overrides) for r in runs)) if runs else set()
    shared = [o for o in runs[0].overrides if o in common] if runs else []
    return shared, {r.name: [o for o in r.overrides if o not in common] for r in runs}


def _fmt(value: Any, digits: int = 4) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.{digits}g}"
    return str(value)


def _metric_columns(runs: list[Run]) -> list[str]:
    return [m for m in METRIC_COLUMNS if any(r.metric(m) is not None for r in runs)] or ["swd"]


def _rows(runs: list[Run], metric: str) -> tuple[list[str], list[list[str]], list[Path | None]]:
    """Plain-text cells of the table (escaped by each writer) and each run's grid."""
    columns = _metric_columns(runs)
    _, own = _split_overrides(runs)
    header = ["#", "run", "overrides", "status", *columns, f"best {metric} (iter)"]
    header += ["iterations", "time (s)", "img/s", "error"]
    rows, grids = [], []
    for rank, run in enumerate(runs, 1):
        best = run.info.get("best") or {}
        best_cell = f"{_fmt(best.get('value'))} ({best.get('iteration')})" if best else ""
        error = str(run.info.get("error") or "")
        rows.append(
            [
                str(rank),
                run.name,
                " ".join(own[run.name]) or "(none)",
                run.status,
                *(_fmt(run.metric(m)) for m in columns),
                best_cell,
                _fmt(run.info.get("iterations")),
                _fmt(run.info.get("run_time_s"), 3),
                _fmt(run.info.get("img_per_s"), 4),
                error[:160] + ("..." if len(error) > 160 else ""),
            ]
        )
        grids.append(run.last_grid)
    return header, rows, grids


def _md_cell(text: str) -> str:
    """Markdown renders inline HTML: escape it, and the table's pipes, and line breaks."""
    return html.escape(text, quote=False).replace("|", "\\|").replace("\n", " ")


def _rel(path: Path, base: Path) -> str:
    return Path(os.path.relpath(path, base)).as_posix()


def plot_history(runs: list[Run], metric: str, path: Path) -> bool:
    """The metric over iterations for every run with a history; False when there is none."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    _, own = _split_overrides(runs)
    fig, ax = plt.subplots(figsize=(11, 4.5))
    drawn = False
    for run in runs:
        points = [(h["iteration"], h[metric]) for h in run.info.get("history", []) if metric in h]
        if points:
            xs, ys = zip(*points, strict=True)
            label = f"{run.name}: {' '.join(own[run.name])}"[:60]
            ax.plot(xs, ys, marker="o", markersize=3, label=label)
            drawn = True
    if drawn:
        ax.set_xlabel("iteration")
        ax.set_ylabel(metric)
        ax.set_title(f"{metric} over training (lower is better)" if metric != "is" else metric)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))
        fig.tight_layout()
        tmp = path.with_name(path.stem + ".tmp.png")
        fig.savefig(tmp, dpi=110)
        os.replace(tmp, path)
    plt.close(fig)
    return drawn


def render_markdown(runs: list[Run], metric: str, sweep: Path, plot: Path | None) -> str:
    """The report as Markdown, every user text escaped."""
    header, rows, grids = _rows(runs, metric)
    shared, _ = _split_overrides(runs)
    lines = [
        f"# Sweep report: {_md_cell(sweep.name)}",
        "",
        f"{len(runs)} runs, sorted by final `{metric}` "
        f"({'higher' if metric == 'is' else 'lower'} is better); unfinished runs last.",
        "",
        f"Common overrides: {_md_cell(' '.join(shared)) or '(none)'}",
        "",
        "| " + " | ".join(header + ["last samples"]) + " |",
        "|" + "---|" * (len(header) + 1),
    ]
    for row, grid in zip(rows, grids, strict=True):
        image = f"![samples]({_rel(grid, sweep)})" if grid else ""
        lines.append("| " + " | ".join([*(_md_cell(c) for c in row), image]) + " |")
    if plot is not None:
        lines += ["", f"![{metric} over iterations]({plot.name})"]
    return "\n".join(lines) + "\n"


def render_html(runs: list[Run], metric: str, sweep: Path, plot: Path | None) -> str:
    """The report as one self-contained HTML page (images by relative path), escaped."""
    header, rows, grids = _rows(runs, metric)
    shared, _ = _split_overrides(runs)
    esc = html.escape
    head = "".join(f"<th>{esc(h)}</th>" for h in [*header, "last samples"])
    body = []
    for row, grid, run in zip(rows, grids, runs, strict=True):
        cells = "".join(f"<td>{esc(c)}</td>" for c in row)
        image = f'<img src="{esc(_rel(grid, sweep))}" alt="samples" width="160">' if grid else ""
        body.append(f'<tr class="{esc(run.status)}">{cells}<td>{image}</td></tr>')
    plot_tag = (
        f'<p><img src="{esc(plot.name)}" alt="{esc(metric)} over iterations"></p>' if plot else ""
    )
    return (
        '<!doctype html>\n<html><head><meta charset="utf-8">'
        f"<title>Sweep report: {esc(sweep.name)}</title>"
        "<style>body{font-family:sans-serif}table{border-collapse:collapse}"
        "td,th{border:1px solid #ccc;padding:4px;vertical-align:top}"
        "tr.failed{background:#fdd}tr.running{background:#ffd}</style></head><body>\n"
        f"<h1>Sweep report: {esc(sweep.name)}</h1>\n"
        f"<p>{len(runs)} runs, sorted by final <code>{esc(metric)}</code>; unfinished runs "
        f"last. Common overrides: <code>{esc(' '.join(shared)) or '(none)'}</code></p>\n"
        f"<table><tr>{head}</tr>\n" + "\n".join(body) + f"\n</table>\n{plot_tag}\n</body></html>\n"
    )


def _write(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def write_report(sweep_dir: str | Path, metric: str | None = None) -> list[Path]:
    """Write report.md, report.html (and the plot) into the sweep folder; returns their paths."""
    sweep = Path(sweep_dir)
    runs = collect_runs(sweep)
    if metric is None:
        monitors = [r.info["monitor"] for r in runs if r.info.get("monitor")]
        metric = monitors[0] if monitors else "swd"
    if metric not in METRIC_COLUMNS:
        raise ReportError(
            f"--metric {metric!r} is unknown: choose one of {', '.join(METRIC_COLUMNS)}"
        )
    runs = sort_runs(runs, metric)
    plot: Path | None = sweep / f"report_{metric}.png"
    if not plot_history(runs, metric, plot):
        plot = None
    md, page = sweep / "report.md", sweep / "report.html"
    _write(md, render_markdown(runs, metric, sweep, plot))
    _write(page, render_html(runs, metric, sweep, plot))
    return [md, page, *([plot] if plot else [])]


def main(argv: list[str] | None = None) -> int:
    """Command line: the sweep folder, and optionally the metric to sort by."""
    parser = argparse.ArgumentParser(prog="python -m dcgan.report", description=__doc__)
    parser.add_argument("sweep_dir", help="a multirun folder: outputs/multirun/<date>/<time>")
    parser.add_argument("--metric", choices=METRIC_COLUMNS, help="sort by (default: the monitor)")
    args = parser.parse_args(argv)
    try:
        written = write_report(args.sweep_dir, args.metric)
    except ReportError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    for path in written:
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
