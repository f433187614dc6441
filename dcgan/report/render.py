"""The report as Markdown and as one HTML page: its sentences, its two tables, its plot."""

from __future__ import annotations

import html
import os
from pathlib import Path

from dcgan.report.content import Report, main_table, runs_table, settings_table
from dcgan.report.plot import BAND
from dcgan.report.words import best_line, intro, title

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
    m_header, m_rows = main_table(report)
    s_header, s_rows = settings_table(report)
    r_header, r_rows, grids = runs_table(report)
    r_rows = [
        [*row, f"![samples]({_rel(g, report.sweep)})" if g else ""]
        for row, g in zip(r_rows, grids, strict=True)
    ]
    lines = [f"# {_md_cell(title(report))}", "", "## Settings", "", *_md_table(m_header, m_rows)]
    lines += ["", _md_text(best_line(report, quote="`")), ""]
    if report.plot is not None:
        lines += [f"![{report.metric} over iterations, {BAND}]({report.plot})", ""]
    lines += ["## How they were compared", ""]
    for sentence in intro(report):
        lines += [_md_text(sentence), ""]
    lines += [f"Shared overrides: {_md_cell(' '.join(report.shared)) or '(none)'}", ""]
    lines += ["## Details per setting", "", *_md_table(s_header, s_rows), ""]
    lines += ["## Runs", "", *_md_table([*r_header, last_samples(report)], r_rows)]
    return "\n".join(lines) + "\n"


def _md_text(sentence: str) -> str:
    """A sentence escaped as a cell is, its `code` spans kept."""
    return _md_cell(sentence).replace("\\`", "`")


def last_samples(report: Report) -> str:
    """The runs table's last column: the newest grid, or the one at `until`."""
    if report.until is None:
        return "last samples"
    return f"last samples (at iteration {report.until})"


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
    m_header, m_rows = main_table(report)
    s_header, s_rows = settings_table(report)
    r_header, r_rows, grids = runs_table(report)
    short = _html_table(
        m_header, [[esc(c) for c in row] for row in m_rows], ["summary"] * len(m_rows)
    )
    settings = _html_table(
        s_header, [[esc(c) for c in row] for row in s_rows], ["setting"] * len(s_rows)
    )
    runs = _html_table(
        [*r_header, last_samples(report)],
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
        f"<title>{esc(title(report))}</title>"
        "<style>body{font-family:sans-serif}table{border-collapse:collapse}"
        "td,th{border:1px solid #ccc;padding:4px;vertical-align:top}"
        "tr.failed,tr.unreadable{background:#fdd}tr.running{background:#ffd}</style></head><body>\n"
        f"<h1>{esc(title(report))}</h1>\n<h2>Settings</h2>\n{short}"
        f"<p>{esc(best_line(report))}</p>\n{plot}<h2>How they were compared</h2>\n{text}"
        f"<p>Shared overrides: <code>{esc(' '.join(report.shared)) or '(none)'}</code></p>\n"
        f"<h2>Details per setting</h2>\n{settings}<h2>Runs</h2>\n{runs}</body></html>\n"
    )
