"""`python -m dcgan.report <sweep folder> [--metric swd|fid|kid|is|...]`."""

from __future__ import annotations

import argparse
import sys

from dcgan.report.runs import ReportError
from dcgan.report.write import write_report


def parse_args(argv: list[str] | None) -> tuple[str, str | None]:
    """The sweep folder (first argument) and the metric to rank by (None: the runs' monitor)."""
    parser = argparse.ArgumentParser(
        prog="python -m dcgan.report",
        description="Compare the settings of a sweep over seeds; writes report.md/.html/.png.",
    )
    parser.add_argument("sweep_dir", help="a multirun folder: outputs/multirun/<date>/<time>")
    parser.add_argument("--metric", help="rank by this metric (default: the runs' monitor)")
    args = parser.parse_args(argv)
    return args.sweep_dir, args.metric


def main(argv: list[str] | None = None) -> int:
    """Write the report; a bad folder or metric ends with one line and exit code 2."""
    sweep_dir, metric = parse_args(argv)
    try:
        written = write_report(sweep_dir, metric)
    except ReportError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    for path in written:
        print(path)
    return 0
