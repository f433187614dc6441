"""Put the last sample grids of a sweep's runs side by side: one row per value of one key, one
column per value of another, for one seed.

    python scripts/grid_table.py outputs/multirun/augment_study/<time> rows=data.limit \
        cols=augment seed=0 out=grids.png

Each cell is the run's last `samples/iter_*.png`, labelled with its row and column values; a
missing run leaves its cell empty.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw

from dcgan.cli import CliError, help_text, key, parse
from dcgan.run import RunFolder

USAGE = "python scripts/grid_table.py <sweep folder> rows=KEY cols=KEY [seed=0] [out=grids.png]"


@dataclass
class GridTable:
    """The arguments, in the key=value style of the other commands."""

    sweep: str = key(help="a multirun folder")
    rows: str = key(help="the override key whose values are the rows, e.g. data.limit")
    cols: str = key(help="the override key whose values are the columns, e.g. augment")
    seed: int = key(0, "the seed of the runs shown")
    out: str = key("grids.png", "the image written")


LABEL = 16  # pixels of text above the columns
GAP = 4  # pixels between rows


def _overrides(run: RunFolder) -> dict[str, str]:
    pairs = [o.split("=", 1) for o in run.read_overrides() if "=" in o]
    return {k: v for k, v in pairs}


def main(argv: list[str]) -> int:
    """Write the table of grids; a bad argument ends with one line and exit code 2."""
    if {"-h", "--help", "help"} & set(argv):
        print(help_text(GridTable, USAGE))
        return 0
    try:
        cfg = parse(GridTable, argv, positional="sweep")
    except CliError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    cells: dict[tuple[str, str], Path] = {}
    for run in [RunFolder(p) for p in sorted(Path(cfg.sweep).iterdir()) if p.is_dir()]:
        o = _overrides(run)
        grid = run.last_grid()
        if grid and o.get("seed", "0") == str(cfg.seed) and cfg.rows in o and cfg.cols in o:
            cells[o[cfg.rows], o[cfg.cols]] = grid
    if not cells:
        print(f"error: no run of {cfg.sweep} sets {cfg.rows} and {cfg.cols}", file=sys.stderr)
        return 2
    rows = list(dict.fromkeys(r for r, _ in cells))
    cols = list(dict.fromkeys(c for _, c in cells))
    w, h = Image.open(next(iter(cells.values()))).size
    left = 8 * max(len(f"{cfg.rows}={r}") for r in rows) + 8
    table = Image.new("RGB", (left + len(cols) * w, LABEL + len(rows) * (h + GAP)), "white")
    draw = ImageDraw.Draw(table)
    for j, c in enumerate(cols):
        draw.text((left + j * w + 4, 2), f"{cfg.cols}={c}", fill="black")
    for i, r in enumerate(rows):
        top = LABEL + i * (h + GAP)
        draw.text((4, top + h // 2), f"{cfg.rows}={r}", fill="black")
        for j, c in enumerate(cols):
            if (r, c) in cells:
                table.paste(Image.open(cells[r, c]).convert("RGB"), (left + j * w, top))
    table.save(cfg.out)
    print(cfg.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
