"""The shared key=value parser: typed values, checked rules, closest keys, a complete --help."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from dcgan.cli import CliError, help_text, key, parse


@dataclass
class Schema:
    run_dir: str = key(help="the sweep folder")
    metric: str = key("swd", "metric to sort by", choices=("swd", "fid", "kid"))
    top: int = key(10, "rows to show", check=lambda v: v >= 1, rule="must be >= 1")
    scale: float | None = key(None, "optional factor")
    plot: bool = key(True, "write a plot")


def test_values_are_typed_and_the_positional_key_is_filled() -> None:
    cfg = parse(Schema, ["outputs/sweep", "top=3", "scale=0.5", "plot=false"], positional="run_dir")
    assert cfg == Schema(run_dir="outputs/sweep", metric="swd", top=3, scale=0.5, plot=False)
    assert parse(Schema, ["run_dir=x", "scale=null"]).scale is None


@pytest.mark.parametrize(
    ("args", "lines"),
    [  # each line starts so; several wrong values are named at once, as typed
        (["run_dir=x", "metrc=fid"], ["unknown key metrc; did you mean metric? keys: run_dir,"]),
        (["run_dir=x", "metric=psnr"], ["metric=psnr is invalid; choices: swd, fid, kid"]),
        (["run_dir=x", "top=0"], ["top=0 is invalid: must be >= 1"]),
        (["run_dir=x", "top=1.5"], ["top=1.5 is invalid: give a whole number"]),
        (["run_dir=x", "plot=maybe"], ["plot=maybe is invalid: give true or false"]),
        (["top=2"], ["give run_dir=...: the sweep folder"]),
        (["run_dir=x", "run_dir=y"], ["run_dir is given twice"]),
        (["x", "y"], ["argument 'y' is not key=value"]),
        (
            ["top=0", "metric=psnr", "plot=maybe"],
            ["give run_dir=", "metric=psnr is invalid", "top=0 is invalid", "plot=maybe is"],
        ),
    ],
)
def test_each_refusal_is_one_line_naming_the_key(args: list[str], lines: list[str]) -> None:
    with pytest.raises(CliError) as err:
        parse(Schema, args, positional="run_dir" if args[0] == "x" else None)
    said = str(err.value).splitlines()
    assert len(said) == len(lines), said
    assert [s[: len(w)] for s, w in zip(said, lines, strict=True)] == lines, said


def test_help_lists_every_key_with_default_and_description() -> None:
    text = help_text(Schema, "usage: tool run_dir=DIR")
    for line in ("run_dir=...", "metric=swd", "top=10", "scale=null", "plot=true"):
        assert line in text
    assert "metric to sort by" in text and text.startswith("usage: tool run_dir=DIR")


@dataclass
class Keyword:
    class_: str | None = key(None, "a class", name="class")


def test_a_key_can_carry_a_command_line_name_that_is_a_python_keyword() -> None:
    assert parse(Keyword, ["class=bright"]).class_ == "bright"
    with pytest.raises(CliError, match="unknown key class_; did you mean class"):
        parse(Keyword, ["class_=bright"])
    assert "class=null" in help_text(Keyword, "usage") and "class_" not in help_text(Keyword, "u")
