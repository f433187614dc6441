"""The command line holds each value against its key's declaration: the type, the rule, the
choices; every wrong value at once, a line each, before Hydra starts (in-process, real Hydra).
A refusal here exits before Hydra makes a folder; `test_cli.py` runs a few through the real CLI."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from dcgan.checks import at_least, key, leaves, node, problems
from dcgan.config import TrainConfig
from dcgan.train_args import check_train_args, sweep_samples

POWER = "is invalid: use a power of two: 16, 32, 64, 128, 256, 512"

# argument(s) -> the line said (a substring of it), or every line said in order. data.root=pics
# is not there: a value error is said first, and alone, as nothing slow has run yet.
REFUSALS = [  # for each kind of key: a value of the wrong type, out of range, not a choice
    ("d_steps=1.5", "d_steps=1.5 is invalid: d_steps takes a whole number (rule: must be >= 1)"),
    ("d_steps=0", "d_steps=0 is invalid: must be >= 1"),
    (
        "optimizer.generator.lr=fast",
        "optimizer.generator.lr=fast is invalid: optimizer.generator.lr takes a number "
        "(rule: must be > 0)",
    ),
    ("optimizer.generator.lr=0", "optimizer.generator.lr=0 is invalid: must be > 0"),
    ("data.hflip=maybe", "data.hflip=maybe is invalid: data.hflip takes true or false"),
    ("data.limit=all", "data.limit=all is invalid: data.limit takes a whole number (rule:"),
    ("data.batch_size=abc", "data.batch_size=abc is invalid: data.batch_size takes a whole"),
    ("data.limit=0", "data.limit=0 is invalid: must be >= 1"),
    ("data.channels=2", "data.channels=2 is invalid: choose 1 (greyscale) or 3 (RGB)"),
    ("image_size=8", f"image_size=8 {POWER}"),
    ("dropout.p=1.0", "dropout.p=1.0 is invalid: must satisfy 0 <= p < 1"),
    ("loss.label_flip=0.7", "loss.label_flip=0.7 is invalid: must be in [0, 0.5)"),
    ("loss.name=wgan", "loss.name=wgan is not a valid choice; choices: hinge, lsgan,"),
    ("loss.name=[hinge]", "loss.name=[hinge] is invalid: loss.name takes text (one of: hinge,"),
    ("activation.generator=swish", "activation.generator=swish is not a valid choice"),
    ("upsample.name=pixel_shuffle", "upsample.name=pixel_shuffle is not a valid choice"),
    ("d_batch.name=both", "d_batch.name=both is not a valid choice; choices: mixed,"),
    ("resume=yes", "resume=yes is not a valid choice; choices: null, auto"),
    ("trainer.precision=fp8", "trainer.precision=fp8 is not a valid choice; choices: 16-mixed"),
    # a trick's keys, declared on its Config
    ("replay.p=2", "replay.p=2 is invalid: must be in [0, 1]"),
    ("replay.size=-1", "replay.size=-1 is invalid: must be >= 0"),
    ("ema.decay=1.0", "ema.decay=1.0 is invalid: must be in [0, 1)"),
    ("ema.bn=fast", "ema.bn=fast is not a valid choice; choices: copy, recompute"),
    ("ema.kimg=ten", "ema.kimg=ten is invalid: ema.kimg takes a number (rule: must be >= 0"),
    ("instance_noise.std=-0.1", "instance_noise.std=-0.1 is invalid: must be >= 0"),
    ("instance_noise.decay_steps=-1", "instance_noise.decay_steps=-1 is invalid: must be >="),
    # a list key: brackets, and names from its registry
    (
        "augment.policy=color",
        "augment.policy=color is not a list: write it in brackets, augment.policy=[color]; "
        "augment.policy takes a list of any of: color, translation, cutout",
    ),
    ("augment.policy=color,cutout", "augment.policy=color,cutout is not a list: write it in"),
    ("augment.policy=colour", "list of any of: color, translation, cutout (colour is none"),
    ("augment.policy=[colour]", "augment.policy=[colour] names colour, which is unknown"),
    ("optimizer.generator.betas=[0.5]", "betas=[0.5] is invalid: give two numbers in [0, 1)"),
    (
        "optimizer.generator.betas=0.5",
        "optimizer.generator.betas=0.5 is not a list: write it in brackets, "
        "optimizer.generator.betas=[0.5] (rule: give two numbers in [0, 1)",
    ),
    # a group's option, a misspelt key or group (optimiser=adam: test_train_start.py)
    (
        "optimizer=adamw",
        "optimizer=adamw is not an option of group optimizer; did you mean "
        "optimizer.generator.name=adamw or optimizer.discriminator.name=adamw?",
    ),
    ("pooling=foo", "pooling=foo is not an option of group pooling; choices: avg, max,"),
    ("data.batchsize=8", "batchsize is not a key under data; did you mean batch_size"),
    # rules of several keys
    ("trainer.max_steps=-1", "trainer.max_steps=-1 is invalid: -1 needs trainer.max_epochs=N"),
    (
        "loss=hinge loss.label_smoothing=0.1",
        "loss.label_smoothing=0.1 is invalid: label smoothing is not defined for loss=hinge",
    ),
    # several values: each is checked, and without -m only a sweep preset may ask for them
    ("pooling=avg,strided", "pooling=avg,strided gives several values: add -m for one run"),
    ("trick=glob(*)", "trick=glob(*) gives several values: add -m for one run each"),
    (
        "data.root=a,b",
        "(python -m dcgan.train -m ...), or quote it as one value: \"data.root='a,b'\"",
    ),
    ("-m seed=0,1 d_steps=2,1.5", "d_steps=1.5 is invalid: d_steps takes a whole number"),
    ("-m optimizer.discriminator.lr=0.0002,-1", "optimizer.discriminator.lr=-1 is invalid"),
    (  # an interval is optuna's search space; the basic sweeper ended with a traceback
        "-m optimizer.generator.lr=interval(0,1)",
        "optimizer.generator.lr=interval(0,1) is searched, not listed: add hydra/sweeper=optuna",
    ),
    ("-m hydra/sweeper=optuna optimizer.generator.lr=interval(-2,0)", "lr=-1.0 is invalid"),
    # Hydra's flags that print instead of running: one run's, so not with -m
    ("-m --cfg job", "error: --cfg prints one run's config: leave -m out"),
    # what the shell or Hydra's lexer splits or cannot read
    ("data.root=my pics", 'put the whole argument in quotes, e.g. "data.root=my pics"'),
    (
        "data.root=bilder/größe",
        "cannot read 'data.root=bilder/größe': quote the value inside the argument too, e.g. "
        "\"data.root='bilder/größe'\": non-ASCII letters and = ( ) [ ] { } ' \" ~ # & ; ! ^ "
        "need it, spaces do not",
    ),
    # every wrong value, type and key at once, a line each, values as typed (-1, not -1.0); a
    # rule broken by a readable value is named beside the unreadable ones
    (
        "image_size=33 data.batch_size=-3 optimizer.generator.lr=-1",
        [
            f"error: image_size=33 {POWER}",
            "error: optimizer.generator.lr=-1 is invalid: must be > 0",
            "error: data.batch_size=-3 is invalid: must be >= 1",
        ],
    ),
    (
        "d_steps=x data.hflip=2 optimiser=adam data.channels=2",
        ["error: d_steps=x", "error: data.hflip=2", "error: unknown key", "error: data.channels"],
    ),
    (  # Hydra keeps the last of trick=a trick=b silently: the line says so and how to have both
        "trick=label_smoothing trick=minibatch_std image_size=48",
        [
            "warning: trick is given twice (trick=label_smoothing, trick=minibatch_std): only "
            "trick=minibatch_std counts; for both, write trick=[label_smoothing,minibatch_std]",
            f"error: image_size=48 {POWER}",
        ],
    ),
]


@pytest.mark.parametrize(("args", "lines"), REFUSALS)
def test_each_wrong_argument_is_refused_in_one_line(
    capsys: pytest.CaptureFixture[str], args: str, lines: str | list[str]
) -> None:
    with pytest.raises(SystemExit) as stop:
        check_train_args(args.split(" "))
    said = capsys.readouterr().err.splitlines()
    lines = [lines] if isinstance(lines, str) else lines
    assert stop.value.code == 2 and len(said) == len(lines), said
    for got, line in zip(said, lines, strict=True):
        assert got.startswith(("error: ", "warning: ")) and line in got, said


def test_sweep_samples_hold_every_swept_value_once() -> None:
    """A sweep of a group's every option passes with -m: Hydra's sweeper expands it."""
    check_train_args(["-m", "trick=glob(*)"])  # returns
    check_train_args(["-m", "hydra/sweeper=optuna", "optimizer.generator.lr=interval(0,1)"])
    jobs = sweep_samples(["a=1", "b=2,3", "c=x,y", "trick=glob(*)", "d=range(0,2)"])
    assert jobs == [
        ["a=1", "b=2", "c=x", "d=0"],
        ["a=1", "b=3", "c=x", "d=0"],
        ["a=1", "b=2", "c=y", "d=0"],
        ["a=1", "b=2", "c=x", "d=1"],
    ]
    assert sweep_samples(["a=1", "trick=glob(*)"]) == [["a=1"]]


def test_every_key_is_declared_with_its_meaning() -> None:
    """A key added anywhere (a part's config, a trick's Config) says what it is, once."""
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
    assert (
        f"{leaf.name}: {leaf.help}; {leaf.rule_text()}"
        == "part.width: channels of the new block; must be >= 1"
    )
    found = problems(Schema(part=Part(width=0)), Schema)
    assert [str(e) for e in found] == ["part.width=0 is invalid: must be >= 1"]
    assert must_match_keys(Schema) == ["part.width"]
