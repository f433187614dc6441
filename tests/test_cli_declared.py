"""The command line holds each value against its key's declaration: the type, the rule, the
choices; every wrong value at once, a line each, before Hydra starts (in-process, real Hydra)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from dcgan.checks import at_least, key, leaves, node, problems
from dcgan.train_args import check_train_args

BASE = ["data=digits"]


def _refusal(capsys: pytest.CaptureFixture[str], *args: str) -> list[str]:
    with pytest.raises(SystemExit) as stop:
        check_train_args([*BASE, *args])
    assert stop.value.code == 2
    return capsys.readouterr().err.splitlines()


@pytest.mark.parametrize(
    ("arg", "line"),
    [  # for each kind of key: a value of the wrong type, out of range, not a choice
        (
            "d_steps=1.5",
            "d_steps=1.5 is invalid: d_steps takes a whole number (rule: must be >= 1)",
        ),
        ("d_steps=0", "d_steps=0 is invalid: must be >= 1"),
        (
            "optimizer.generator.lr=fast",
            "optimizer.generator.lr=fast is invalid: optimizer.generator.lr takes a number "
            "(rule: must be > 0)",
        ),
        ("optimizer.generator.lr=-1", "optimizer.generator.lr=-1.0 is invalid: must be > 0"),
        ("data.hflip=maybe", "data.hflip=maybe is invalid: data.hflip takes true or false"),
        ("data.limit=all", "data.limit=all is invalid: data.limit takes a whole number (rule:"),
        ("data.limit=0", "data.limit=0 is invalid: must be >= 1"),
        ("loss.name=wgan", "loss.name='wgan' is not a valid choice; choose one of: hinge, lsgan,"),
        ("loss.name=[hinge]", "loss.name=[hinge] is invalid: loss.name takes text (one of: hinge,"),
        ("resume=yes", "resume='yes' is not a valid choice; choose one of: null, auto"),
        ("replay.p=2", "replay.p=2.0 is invalid: must be in [0, 1]"),
        ("ema.bn=fast", "ema.bn='fast' is not a valid choice; choose one of: copy, recompute"),
        ("ema.kimg=ten", "ema.kimg=ten is invalid: ema.kimg takes a number (rule: must be >= 0"),
        (
            "augment.policy=color",
            "augment.policy=color is not a list: write it in brackets, augment.policy=[color]; "
            "augment.policy takes a list of any of: color, translation, cutout",
        ),
        ("augment.policy=[colour]", "augment.policy=['colour'] names 'colour', which is unknown"),
        (
            "optimizer.generator.betas=[0.5]",
            "optimizer.generator.betas=[0.5] is invalid: give two numbers in [0, 1)",
        ),
        (
            "optimizer.generator.betas=0.5",
            "optimizer.generator.betas=0.5 is not a list: write it in brackets, "
            "optimizer.generator.betas=[0.5] (rule: give two numbers in [0, 1)",
        ),
        (
            "optimizer=adamw",
            "optimizer='adamw' is not an option of group 'optimizer'; did you mean "
            "optimizer.generator.name=adamw or optimizer.discriminator.name=adamw?",
        ),
        ("pooling=foo", "pooling='foo' is not an option of group 'pooling'; choices: avg, max,"),
        ("data.batchsize=8", "unknown key 'data.batchsize': 'batchsize' is not a key under 'data'"),
    ],
)
def test_each_kind_of_key_refuses_a_wrong_value_in_one_line(
    capsys: pytest.CaptureFixture[str], arg: str, line: str
) -> None:
    said = _refusal(capsys, arg)
    assert len(said) == 1 and said[0].startswith(f"error: {line}"), said


def test_every_wrong_value_is_named_at_once(capsys: pytest.CaptureFixture[str]) -> None:
    said = _refusal(capsys, "image_size=33", "data.batch_size=-3", "optimizer.generator.lr=-1")
    assert said == [
        "error: image_size=33 is invalid: use a power of two: 16, 32, 64, 128, 256, 512",
        "error: optimizer.generator.lr=-1.0 is invalid: must be > 0",
        "error: data.batch_size=-3 is invalid: must be >= 1",
    ]


def test_every_wrong_type_and_key_is_named_at_once(capsys: pytest.CaptureFixture[str]) -> None:
    said = _refusal(capsys, "d_steps=x", "data.hflip=2", "optimiser=adam")
    assert [line.split()[1].split("=")[0] for line in said] == ["d_steps", "data.hflip", "unknown"]


def test_a_value_error_comes_before_a_missing_folder(capsys: pytest.CaptureFixture[str]) -> None:
    """data.root=pics is not there; the value error is said first, as nothing is slow yet."""
    with pytest.raises(SystemExit):
        check_train_args(["image_size=48"])
    assert capsys.readouterr().err == (
        "error: image_size=48 is invalid: use a power of two: 16, 32, 64, 128, 256, 512\n"
    )


def test_every_key_is_declared_with_its_meaning() -> None:
    """A key added anywhere (a part's config, a trick's Config) says what it is, once."""
    from dcgan.config import TrainConfig

    declared = leaves(TrainConfig)
    assert len(declared) > 100
    assert [name for name, leaf in declared.items() if not leaf.help] == []


@dataclass
class Part:
    width: int = key(8, "channels of the new block", rule=at_least(1), shapes=True)


@dataclass
class Schema:
    part: Part = node(Part)


def test_a_key_is_one_declaration() -> None:
    """Its meaning, rule and resume mark, from the one field: help, checks and resume read it."""
    from dcgan.run.resume import must_match_keys

    (leaf,) = leaves(Schema).values()
    assert (leaf.name, leaf.help, leaf.rule_text()) == (
        "part.width",
        "channels of the new block",
        "must be >= 1",
    )
    found = problems(Schema(part=Part(width=0)), Schema)
    assert [str(e) for e in found] == ["part.width=0 is invalid: must be >= 1"]
    assert must_match_keys(Schema) == ["part.width"]
