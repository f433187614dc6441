"""dcgan.report refuses a wrong folder, metric or baseline from the runs' files alone: at once,
before torch, Lightning, W&B, matplotlib or scipy are imported."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from dcgan.report.cli import main
from tests.tiny import heavy_imports


@pytest.fixture
def sweep(tmp_path: Path) -> Path:
    """A sweep folder as training leaves it: two settings of pooling, two seeds each."""
    folder = tmp_path / "sweep"
    for job, (pooling, seed) in enumerate([("avg", 0), ("avg", 1), ("strided", 0), ("strided", 1)]):
        run = folder / str(job)
        (run / ".hydra").mkdir(parents=True)
        overrides = [f"pooling={pooling}", f"seed={seed}", "data=digits"]
        (run / ".hydra" / "overrides.yaml").write_text(yaml.safe_dump(overrides))
        info = {"status": "finished", "monitor": "swd", "metrics": {"swd": 10.0 + job}}
        (run / "metrics.json").write_text(json.dumps(info))
    return folder


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nope"], "error: 'nope' is not a folder: give outputs/multirun/<date>/<time>"),
        (["."], "holds no run folders"),
        (
            ["sweep", "metric=fid"],
            "error: metric=fid is in no run of this sweep (they have: swd)",
        ),
        (
            ["sweep", "baseline=pooling=max"],
            "error: baseline=pooling=max is no setting of this sweep; it has: pooling=avg, "
            "pooling=strided",
        ),
        (["sweep", "baseline=norm=none"], "no setting sets norm"),
        (  # every run has it: each setting would be a baseline, nothing compared
            ["sweep", "baseline=data=digits"],
            "error: baseline=data=digits is set by every setting of this sweep, so none is "
            "compared",
        ),
        (["sweep", "baseline=avg"], "error: baseline=avg is not one override: give key=value"),
    ],
)
def test_refusals_read_only_the_runs_files(
    sweep: Path, args: list[str], message: str, capsys: pytest.CaptureFixture
) -> None:
    cwd = sweep.parent
    assert heavy_imports("dcgan.report.cli:main", args, cwd=cwd) == (2, [])
    if args[0] == "nope":
        args = [str(cwd / "nope")]
        message = message.replace("'nope'", repr(args[0]))
    elif args[0] == ".":
        args = [str(cwd)]
    else:
        args = [str(sweep), *args[1:]]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1, err
