"""scripts/grid_table.py puts runs' last sample grids side by side, rows and columns by override."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import yaml
from PIL import Image

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "grid_table.py"


def _script():
    spec = importlib.util.spec_from_file_location("grid_table", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules["grid_table"] = module  # its dataclass looks itself up there
    spec.loader.exec_module(module)
    return module


def _run(sweep: Path, num: int, overrides: list[str], level: int) -> None:
    run = sweep / str(num)
    (run / ".hydra").mkdir(parents=True)
    (run / ".hydra" / "overrides.yaml").write_text(yaml.safe_dump(overrides))
    (run / "samples").mkdir()
    Image.fromarray(np.zeros((10, 20, 3), np.uint8)).save(run / "samples" / "iter_000001.png")
    last = np.full((10, 20, 3), level, np.uint8)
    Image.fromarray(last).save(run / "samples" / "iter_000002.png")


def test_each_cell_is_the_last_grid_of_its_run(tmp_path: Path) -> None:
    sweep = tmp_path / "sweep"
    _run(sweep, 0, ["data.limit=100", "augment=none", "seed=0"], 50)
    _run(sweep, 1, ["data.limit=100", "augment=ada", "seed=0"], 100)
    _run(sweep, 2, ["data.limit=1000", "augment=none", "seed=0"], 150)
    _run(sweep, 3, ["data.limit=1000", "augment=none", "seed=1"], 250)  # another seed: not shown
    out = tmp_path / "table.png"
    argv = [str(sweep), "rows=data.limit", "cols=augment", "seed=0", f"out={out}"]
    assert _script().main(argv) == 0
    table = np.asarray(Image.open(out).convert("L"))
    left = table.shape[1] - 2 * 20
    assert table.shape[0] == 16 + 2 * (10 + 4)
    cell = lambda i, j: table[16 + i * 14 : 16 + i * 14 + 10, left + j * 20 : left + (j + 1) * 20]  # noqa: E731
    assert cell(0, 0).mean() == 50 and cell(0, 1).mean() == 100 and cell(1, 0).mean() == 150
    assert cell(1, 1).mean() == 255  # no run: left white


def test_no_matching_run_is_one_line(tmp_path: Path, capsys) -> None:
    _run(tmp_path / "sweep", 0, ["augment=none"], 50)
    assert _script().main([str(tmp_path / "sweep"), "rows=data.limit", "cols=augment"]) == 2
    assert "no run of" in capsys.readouterr().err
