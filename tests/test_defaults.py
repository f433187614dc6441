"""No default written twice: an object's keyword default never disagrees with the schema's.

Each object built from the config (G, D, the datamodule, the callbacks) is built by its real
builder from the schema's default config, with the class replaced by a recorder. Every keyword
the builder passes is a schema field (or derived from them), so where the class has a default for
it, that default must equal what the schema's default config gives: else a direct construction
(a test, a script) silently trains something other than `python -m dcgan.train`.
"""

from __future__ import annotations

import inspect
from pathlib import Path
from unittest import mock

import pytest
from omegaconf import DictConfig, OmegaConf

import dcgan.build
import dcgan.callbacks
import dcgan.nets
from dcgan.config import TrainConfig

Call = tuple[type, inspect.BoundArguments]


def _defaults() -> DictConfig:
    return OmegaConf.structured(TrainConfig)


def _record(monkeypatch: pytest.MonkeyPatch, namespace: object, classes: list[type]) -> list[Call]:
    """Replace `classes` in `namespace` by recorders of the arguments they are built with."""
    calls: list[Call] = []

    def recorder(cls: type) -> object:
        def build(*args: object, **kwargs: object) -> mock.MagicMock:
            calls.append((cls, inspect.signature(cls).bind(*args, **kwargs)))
            return mock.MagicMock()

        return build

    for cls in classes:
        monkeypatch.setattr(namespace, cls.__name__, recorder(cls))
    return calls


def _drift(calls: list[Call]) -> list[str]:
    """`Class(key=default)` wherever a keyword default differs from what the builder passed."""
    found = []
    for cls, bound in calls:
        params = inspect.signature(cls).parameters
        for name, given in bound.arguments.items():
            param = params[name]
            if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
                continue
            if param.default is not param.empty and param.default != given:
                said = f"{cls.__name__}({name}={param.default!r})"
                found.append(f"{said}: the schema gives {given!r}")
    return found


def test_nets_take_the_module_config_alone() -> None:
    # G and D read every value from it: no keyword of theirs can disagree with the schema
    for net in (dcgan.nets.Generator, dcgan.nets.Discriminator):
        assert list(inspect.signature(net).parameters) == ["cfg"]


def test_datamodule_defaults_are_the_schemas(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _record(monkeypatch, dcgan.build, [dcgan.build.ImageDataModule])
    dcgan.build.training_datamodule(_defaults())
    assert len(calls) == 1 and "source" in calls[0][1].arguments["data"]
    assert _drift(calls) == []


def test_callbacks_defaults_are_the_schemas(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    names = [n for n in dcgan.callbacks.__all__ if n in vars(dcgan.build)]
    classes = [getattr(dcgan.callbacks, n) for n in names]
    calls = _record(monkeypatch, dcgan.build, [c for c in classes if isinstance(c, type)])
    dcgan.build.build_callbacks(_defaults().callbacks, tmp_path)
    built = {c.__name__ for c, _ in calls}
    assert {"TrainingHealth", "ImageMetrics", "SampleGrid", "IterationCheckpoint"} <= built
    assert _drift(calls) == []


def test_a_drifted_default_is_named() -> None:
    class Grid:
        def __init__(self, every_n_steps: int = 100, nrow: int = 8) -> None: ...

    bound = inspect.signature(Grid).bind(every_n_steps=500, nrow=8)
    assert _drift([(Grid, bound)]) == ["Grid(every_n_steps=100): the schema gives 500"]
