"""The report's text: a table of settings (over seeds) and a table of runs, as Markdown and HTML."""

from __future__ import annotations

import html
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dcgan.report.plot import BAND
from dcgan.report.runs import HIGHER_IS_BETTER, Run
from dcgan.report.settings import Setting, setting_key
from dcgan.report.stats import LEVEL, Summary

METRIC_COLUMNS = ("swd", "fid", "kid", "is")


@dataclass
class Report:
    """Everything one report shows, computed once and rendered twice."""

    sweep: Path
    metric: str
    runs: list[Run]  # best first, unfinished last
    settings: list[Setting]  # ranked by mean
    baseline: str  # what the settings are compared with, in words
    shared: list[str]
    plot: str | None  # file name of the plot beside the report


def _fmt(value: Any, digits: int = 4) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.{digits}g}"
    return str(value)


def _interval(low: float | None, high: float | None) -> str:
    return "" if low is None or high is None else f"[{_fmt(low)}, {_fmt(high)}]"


def _seconds(value: float | None) -> str:
    return "" if value is None else f"{value:.3g}" if value < 100 else f"{value:.0f}"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def _signed(value: float) -> str:
    return f"{value:+.4g}"


def _per_seed(setting: Setting, metric: str) -> str:
    cells = []
    for run in setting.runs:
        value = run.metric(metric) if run.status == "finished" else None
        seed = "?" if run.seed is None else run.seed
        cells.append(f"s{seed}: {_fmt(value) if value is not None else run.status}")
    return ", ".join(cells)


def _versus(setting: Setting) -> tuple[str, str]:
    if setting.is_baseline:
        return "baseline", ""
    diff = setting.difference
    if diff is None:
        return "", "no baseline or no values to compare"
    interval = (
        "" if diff.low is None else f" [{_signed(diff.low)}, {_signed(diff.high)}]"  # type: ignore[arg-type]
    )
    return _signed(diff.delta) + interval, diff.verdict


def _summary_cells(summary: Summary) -> list[str]:
    return [_fmt(summary.mean), _fmt(summary.sd), _interval(summary.low, summary.high)]


def settings_table(report: Report) -> tuple[list[str], list[list[str]]]:
    """Header and plain-text cells of the settings table, best mean first."""
    m = report.metric
    header = [
        "#",
        "setting",
        "n",
        "not counted",
        f"final {m}",
        "sd",
        f"{LEVEL:.0%} CI",
        f"best {m}",
        "sd (best)",
        f"{LEVEL:.0%} CI (best)",
        f"final {m} per seed",
        f"vs baseline [{LEVEL:.0%} CI]",
        "verdict",
        "img/s",
        "time/run (s)",
    ]
    rows = []
    for rank, s in enumerate(report.settings, 1):
        versus, verdict = _versus(s)
        rows.append(
            [
                str(rank),
                s.label,
                str(s.final.n),
                s.not_counted,
                *_summary_cells(s.final),
                *_summary_cells(s.best),
                _per_seed(s, m),
                versus,
                verdict,
                _fmt(s.mean_of("img_per_s")),
                _seconds(s.mean_of("run_time_s")),
            ]
        )
    return header, rows


def runs_table(report: Report) -> tuple[list[str], list[list[str]], list[Path | None]]:
    """Header, plain-text cells and last sample grid of every run, failed ones included."""
    runs, m = report.runs, report.metric
    columns = [c for c in METRIC_COLUMNS if any(r.metric(c) is not None for r in runs)] or [m]
    labels = {s.key: s.label for s in report.settings}
    header = ["#", "run", "seed", "setting", "status", *columns, f"best {m} (iter)"]
    header += ["iterations", "time (s)", "img/s", "error"]
    rows, grids = [], []
    for rank, run in enumerate(runs, 1):
        best_value = run.best(m)
        best_iter = next((h["iteration"] for h in run.history if h.get(m) == best_value), None)
        best_cell = f"{_fmt(best_value)} ({best_iter})" if best_value is not None else ""
        error = run.error
        rows.append(
            [
                str(rank),
                run.name,
                _fmt(run.seed),
                labels.get(setting_key(run), ""),
                run.status,
                *(_fmt(run.metric(c)) for c in columns),
                best_cell,
                _fmt(run.info.get("iterations")),
                _seconds(run.number("run_time_s")),
                _fmt(run.number("img_per_s")),
                error[:160] + ("..." if len(error) > 160 else ""),
            ]
        )
        grids.append(run.last_grid)
    return header, rows, grids


def _sizes(report: Report) -> str:
    """How many images the final and the periodic evaluations used, as recorded."""
    finals = sorted(
        {
            int(n)
            for r in report.runs
            if isinstance(n := (r.info.get("metrics") or {}).get("num_samples"), int)
        }
    )
    return f" on {', '.join(map(str, finals))} images" if finals else ""


def intro(report: Report) -> list[str]:
    """The sentences above the tables: what is ranked, how the interval is made, what counts."""
    m = report.metric
    better = "higher" if m in HIGHER_IS_BETTER else "lower"
    seeds = sorted({s.final.n for s in report.settings})
    base = report.baseline
    return [
        f"{_plural(len(report.runs), 'run')} in {_plural(len(report.settings), 'setting')} "
        "(finished seeds per setting: "
        f"{', '.join(map(str, seeds))}); settings ranked by the mean over seeds of the final "
        f"`{m}`{_sizes(report)} ({better} is better). A setting is a set of overrides; runs that "
        "differ only in `seed` are its seeds.",
        f"Statistics over seeds: mean, sd (n - 1) and the {LEVEL:.0%} t-interval of the mean, of "
        f"the final `{m}` and of each run's best periodic `{m}`. Against the baseline {base}: "
        f'the difference of means with its {LEVEL:.0%} Welch t-interval (scipy); "better" or '
        '"worse" only when the interval excludes 0, otherwise "not distinguishable with n '
        'seeds".',
        "Cost: img/s is real images per second of training (evaluations excluded) and time/run "
        "the wall time of one run, both averaged over the counted seeds. Runs that did not finish "
        'stay listed below and are counted apart ("not counted"), never in the statistics.',
    ]


def _md_cell(text: str) -> str:
    """Markdown renders inline HTML: escape it, and the table's pipes, and line breaks."""
    return html.escape(text, quote=False).replace("|", "\\|").replace("\n", " ")


def _rel(path: Path, base: Path) -> str:
    return Path(os.path.relpath(path, base)).as_posix()


def _md_table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(_md_cell(h) for h in header) + " |", "|" + "---|" * len(header)]
    return lines + ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in rows]


def render_markdown(report: Report) -> str:
    """The report as Markdown, every user text escaped."""
    s_header, s_rows = settings_table(report)
    r_header, r_rows, grids = runs_table(report)
    r_rows = [
        [*row, f"![samples]({_rel(g, report.sweep)})" if g else ""]
        for row, g in zip(r_rows, grids, strict=True)
    ]
    lines = [f"# Sweep report: {_md_cell(report.sweep.name)}", ""]
    for sentence in intro(report):
        lines += [_md_cell(sentence).replace("\\`", "`"), ""]
    lines += [f"Shared overrides: {_md_cell(' '.join(report.shared)) or '(none)'}", ""]
    lines += ["## Settings", "", *_md_table(s_header, s_rows), ""]
    if report.plot is not None:
        lines += [f"![{report.metric} over iterations, {BAND}]({report.plot})", ""]
    lines += ["## Runs", "", *_md_table([*r_header, "last samples"], r_rows)]
    return "\n".join(lines) + "\n"


def _html_table(header: list[str], rows: list[list[str]], classes: list[str]) -> str:
    esc = html.escape
    head = "".join(f"<th>{esc(h)}</th>" for h in header)
    body = [
        f'<tr class="{esc(c)}">' + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>"
        for row, c in zip(rows, classes, strict=True)
    ]
    return f"<table><tr>{head}</tr>\n" + "\n".join(body) + "\n</table>\n"


def render_html(report: Report) -> str:
    """The report as one self-contained HTML page (images by relative path), escaped."""
    esc = html.escape
    s_header, s_rows = settings_table(report)
    r_header, r_rows, grids = runs_table(report)
    settings = _html_table(
        s_header, [[esc(c) for c in row] for row in s_rows], ["setting"] * len(s_rows)
    )
    runs = _html_table(
        [*r_header, "last samples"],
        [
            [
                *(esc(c) for c in row),
                f'<img src="{esc(_rel(g, report.sweep))}" alt="samples" width="160">' if g else "",
            ]
            for row, g in zip(r_rows, grids, strict=True)
        ],
        [r.status for r in report.runs],
    )
    plot = (
        f'<p><img src="{esc(report.plot)}" alt="{esc(report.metric)} over iterations"></p>\n'
        if report.plot
        else ""
    )
    text = "".join(f"<p>{esc(sentence)}</p>\n" for sentence in intro(report))
    return (
        '<!doctype html>\n<html><head><meta charset="utf-8">'
        f"<title>Sweep report: {esc(report.sweep.name)}</title>"
        "<style>body{font-family:sans-serif}table{border-collapse:collapse}"
        "td,th{border:1px solid #ccc;padding:4px;vertical-align:top}"
        "tr.failed,tr.unreadable{background:#fdd}tr.running{background:#ffd}</style></head><body>\n"
        f"<h1>Sweep report: {esc(report.sweep.name)}</h1>\n{text}"
        f"<p>Shared overrides: <code>{esc(' '.join(report.shared)) or '(none)'}</code></p>\n"
        f"<h2>Settings</h2>\n{settings}{plot}<h2>Runs</h2>\n{runs}</body></html>\n"
    )
