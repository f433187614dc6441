"""The race's command line: its keys, its help, and one line for every refusal."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from hydra import compose, initialize_config_dir

from dcgan.cli import CliError
from dcgan.race.cli import main
from dcgan.race.command import PREFIXES, RaceConfig, split
from dcgan.train_args import CONFIG_DIR
from tests.tiny import heavy_imports


def keys() -> list[str]:
    return [f.metadata["name"] for f in dataclasses.fields(RaceConfig)]


def test_help_lists_every_key_with_its_default(capsys: pytest.CaptureFixture) -> None:
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for f in dataclasses.fields(RaceConfig):
        shown = "null" if f.default is None else str(f.default)
        assert f"{f.metadata['name']}={shown}" in out
    assert "race.seeds=3" in out and "race.step=2" in out and "budget.runs=null" in out


def test_race_keys_cannot_be_train_keys() -> None:
    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
        cfg = compose("train")
    assert all(k.startswith(PREFIXES) for k in keys())
    assert not {p.rstrip(".") for p in PREFIXES} & set(cfg.keys())


def test_the_command_line_is_split_into_race_keys_train_overrides_and_folder() -> None:
    cmd = split(
        ["-m", "trick=none,ema", "data=digits", "race.step=1", "budget.hours=2.5"]
        + ["hydra/launcher=parallel", "race.baseline=trick=ema", "hydra.sweep.dir=out/my race"]
    )
    assert cmd.race.step == 1 and cmd.race.hours == 2.5 and cmd.race.baseline == "trick=ema"
    assert cmd.train_args == ["trick=none,ema", "data=digits", "hydra/launcher=parallel"]
    assert cmd.folder == Path("out/my race")
    assert cmd.resume_command() == (
        "python -m dcgan.race -m trick=none,ema data=digits race.step=1 budget.hours=2.5 "
        "hydra/launcher=parallel race.baseline=trick=ema 'hydra.sweep.dir=out/my race'"
    )
    default = split(["trick=none,ema"]).folder
    assert default.parts[:2] == ("outputs", "race") and len(default.parts) == 4


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["race.setp=3"], "did you mean race.step"),
        (["race.seeds=1"], "2 or more"),
        (["race.seeds=5", "race.max_seeds=4"], "below race.seeds"),
        (["budget.runs=lots"], "whole number"),
        (["race.score=median"], "choices:"),
        (["hydra.sweep.subdir=x"], "is the race's"),
        (["seed=0,1"], "is the race's"),
        (["resume=auto"], "continues a stopped run"),
        (["ckpt_path=x.ckpt"], "is the race's"),
        (["hydra.sweep.dir=outputs/${now:%H}"], "fixed folder"),
        (["--cfg", "job"], "key=value"),
    ],
)
def test_a_bad_race_key_is_one_line(argv: list[str], says: str) -> None:
    with pytest.raises(CliError, match=says):
        split(["trick=none,ema", *argv])


def test_errors_end_with_one_line_and_exit_2(capsys: pytest.CaptureFixture, tmp_path: Path) -> None:
    where = f"hydra.sweep.dir={tmp_path / 'r'}"
    assert main(["trick=none,ema", "race.setp=3", where]) == 2
    with pytest.raises(SystemExit) as stop:  # a train typo: as dcgan.train says it
        main(["trick=none,ema", "optimiser=adam", where])
    assert stop.value.code == 2
    assert main(["trick=none,ema", "budget.runs=5", where]) == 2  # refused by the race itself
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 3 and all(line.startswith("error: ") for line in err)
    assert "did you mean race.step" in err[0] and "optimizer" in err[1]
    assert "below the first round" in err[2]
    assert not (tmp_path / "r").exists()


def test_race_and_train_values_are_named_at_once(capsys, tmp_path: Path) -> None:
    where = f"hydra.sweep.dir={tmp_path / 'r'}"
    assert main(["pooling=avg,strided", "image_size=20", "budget.runs=-1", where]) == 2
    assert capsys.readouterr().err.splitlines() == [
        "error: budget.runs=-1 is invalid: give 1 or more",
        "error: image_size=20 is invalid: use a power of two: 16, 32, 64, 128, 256, 512",
    ]
    assert not (tmp_path / "r").exists()


@pytest.mark.parametrize(
    "argv,rc",
    [
        (["--help"], 0),
        (["trick=none,ema", "race.setp=3"], 2),
        (["trick=none,ema", "race.seeds=1"], 2),
        (["trick=none,ema", "seed=3"], 2),
        (["data=digits", "budget.runs=4"], 2),  # nothing to race
        (["trick=none,ema", "budget.runs=5"], 2),  # below the first round
    ],
)
def test_help_and_race_key_refusals_import_nothing_heavy(
    argv: list[str], rc: int, tmp_path: Path
) -> None:
    # they answer at once: no torch, lightning, W&B or plotting before the arguments are checked
    assert heavy_imports("dcgan.race.cli:main", argv, cwd=tmp_path) == (rc, [])
