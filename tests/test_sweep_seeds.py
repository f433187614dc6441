"""The ready sweeps take a seed list on the command line: every setting runs once per seed.

The jobs are real CLI multirun jobs stopped at config validation (an invalid image size), so the
whole grid is composed and every job folder written in seconds, without training.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
import yaml

from tests.tiny import run_module

pytestmark = pytest.mark.slow

CONFIGS = Path(__file__).resolve().parents[1] / "configs"


def _options(key: str, value: str) -> list[str]:
    """A sweep parameter's values: a comma list, or `glob(*)` over the group's option files."""
    if value == "glob(*)":
        return sorted(p.stem for p in (CONFIGS / key).glob("*.yaml"))
    return value.split(",")


def _grid(sweep: str) -> list[dict[str, str]]:
    """Every combination of the sweep file's own parameter lists."""
    text = (CONFIGS / "sweep" / f"{sweep}.yaml").read_text()
    params = yaml.safe_load(text)["hydra"]["sweeper"]["params"]
    keys = list(params)
    values = [_options(k, str(params[k])) for k in keys]
    return [dict(zip(keys, combo, strict=True)) for combo in itertools.product(*values)]


@pytest.mark.parametrize("sweep", ["ganhacks", "tricks"])
def test_sweep_runs_every_setting_once_per_seed(sweep: str, tmp_path: Path) -> None:
    folder = tmp_path / sweep
    # a folder that is not there passes the rules checked before the sweep; each job then stops
    # at its data check, before training, and leaves its folder with the overrides it ran
    res = run_module(
        "dcgan.train", f"sweep={sweep}", "seed=0,1", "data=folder",
        f"data.root={tmp_path / 'missing'}", f"hydra.sweep.dir={folder}", cwd=tmp_path,
    )  # fmt: skip
    assert "does not exist" in res.stderr and res.returncode != 0
    jobs = []
    for job in folder.iterdir():
        if job.is_dir():
            overrides = yaml.safe_load((job / ".hydra" / "overrides.yaml").read_text())
            jobs.append(dict(o.split("=", 1) for o in overrides))
    grid = _grid(sweep)
    assert len(jobs) == 2 * len(grid)
    for seed in ("0", "1"):
        with_seed = [
            {k: v for k, v in j.items() if k in grid[0]} for j in jobs if j["seed"] == seed
        ]
        assert sorted(map(sorted, map(dict.items, with_seed))) == sorted(
            map(sorted, map(dict.items, grid))
        )
