"""The report as Markdown and as one HTML page: its sentences, its two tables, its plot."""

from __future__ import annotations

import html
import os
from pathlib import Path

from dcgan.report.content import Report, runs_table, settings_table
from dcgan.report.plot import BAND
from dcgan.report.words import intro

__all__ = ["Report", "render_html", "render_markdown"]


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
