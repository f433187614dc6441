"""No default written twice: a parameter named like a config key does not restate its default.

Each package is built from one part of the schema. In it, a class takes that config and has no
keyword default of its own for any of its keys, and a function's default for a key equals the
schema's: else a direct construction (a test, a script) runs other than `python -m dcgan.train`.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import pkgutil
from collections.abc import Callable, Iterator
from types import ModuleType
from typing import Any

import pytest

from dcgan.config import CallbacksConfig, LoggerConfig, ModuleConfig, TrainConfig

# The nodes of the module config that G and D read (the rest is the module's own).
NET_NODES = ("model", "activation", "init", "dropout", "pooling", "norm", "upsample")

# module (or package) -> the schema part it is built from, and the nodes of it that count
SCHEMA_OF: dict[str, tuple[type, tuple[str, ...] | None]] = {
    "dcgan.nets": (ModuleConfig, NET_NODES),
    "dcgan.data": (TrainConfig, ("data",)),  # and the top-level keys: image_size
    "dcgan.augment": (TrainConfig, ("augment",)),
    "dcgan.callbacks": (CallbacksConfig, None),
    "dcgan.tracking": (LoggerConfig, None),
    "dcgan.loggers": (LoggerConfig, None),
    "dcgan.build": (LoggerConfig, None),
}
UNSET = object()  # a key whose default differs between nodes: no parameter may restate it


def schema_defaults(schema: type, nodes: tuple[str, ...] | None = None) -> dict[str, Any]:
    """Each key's default by its last name (`model.ngf` -> `ngf`); a node of one `name` key
    (`pooling.name`) also by the node's name. A name with two defaults maps to UNSET."""
    found: dict[str, list[Any]] = {}

    def walk(cls: type, top: bool) -> None:
        for f in dataclasses.fields(cls):
            made = f.default_factory is not dataclasses.MISSING
            value = f.default_factory() if made else f.default
            if not dataclasses.is_dataclass(value):
                found.setdefault(f.name, []).append(value)
            elif not top or nodes is None or f.name in nodes:
                if [g.name for g in dataclasses.fields(value)] == ["name"]:
                    found.setdefault(f.name, []).append(value.name)
                walk(type(value), False)

    walk(schema, True)
    return {k: v[0] if all(x == v[0] for x in v) else UNSET for k, v in found.items()}


def _members(module: ModuleType) -> Iterator[tuple[str, Callable, bool]]:
    """(name, callable, is a constructor) of every public class and function defined here; a
    part's own config (a dataclass of declared keys) is where the defaults are written."""
    for name, obj in vars(module).items():
        if name.startswith("_") or getattr(obj, "__module__", None) != module.__name__:
            continue
        if inspect.isfunction(obj):
            yield name, obj, False
        elif inspect.isclass(obj) and not (
            dataclasses.is_dataclass(obj) and name.endswith("Config")
        ):
            yield name, obj.__init__, True
            for attr, method in vars(obj).items():
                if inspect.isfunction(method) and not attr.startswith("_"):
                    yield f"{name}.{attr}", method, False


def drifted(module: ModuleType, defaults: dict[str, Any]) -> list[str]:
    """`module.Name(key=default)` wherever a default restates (or contradicts) the schema's."""
    found = []
    for name, function, constructor in _members(module):
        try:
            params = inspect.signature(function).parameters.values()
        except (TypeError, ValueError):  # a builtin's
            continue
        for p in params:
            if p.name not in defaults or p.default is p.empty:
                continue
            said, schema = f"{module.__name__}.{name}({p.name}={p.default!r})", defaults[p.name]
            if schema is UNSET:
                found.append(said)
            elif p.default != schema:
                found.append(f"{said}: the schema says {schema!r}")
            elif constructor:
                found.append(f"{said}: restates")
    return found


@pytest.mark.parametrize("prefix", sorted(SCHEMA_OF))
def test_no_default_is_written_twice(prefix: str) -> None:
    defaults = schema_defaults(*SCHEMA_OF[prefix])
    top = importlib.import_module(prefix)  # a prefix that is no module of dcgan fails here
    modules = [top] + [
        importlib.import_module(m.name)
        for m in pkgutil.walk_packages(getattr(top, "__path__", []), prefix + ".")
    ]
    assert [line for m in modules for line in drifted(m, defaults)] == []


def test_a_restated_or_drifted_default_is_named() -> None:
    """Each key by its last name; a node of one name key by the node's name (`pooling`)."""
    defaults = schema_defaults(ModuleConfig, NET_NODES)
    assert defaults["pooling"] == "strided" and defaults["upsample"] == "transposed"
    assert defaults["ngf"] == 64 and defaults["generator"] is UNSET
    assert "lr" not in defaults  # the optimizer is not the nets'
    data = schema_defaults(*SCHEMA_OF["dcgan.data"])
    assert data["image_size"] == 64 and data["batch_size"] == 64 and "ngf" not in data
    module = ModuleType("fake")

    class Net:
        def __init__(self, ngf: int = 64, width: int = 3) -> None: ...

    def widen(ndf: int = 32, negative_slope: float = 0.2) -> None: ...

    def pool(name: str = "strided") -> None: ...

    for obj in (Net, widen, pool):
        obj.__module__ = "fake"
        setattr(module, obj.__name__, obj)
    assert drifted(module, defaults) == [
        "fake.Net(ngf=64): restates",  # a constructor takes its config instead
        "fake.widen(ndf=32): the schema says 64",
        "fake.pool(name='strided')",  # init.name, pooling.name, ...: which one?
    ]
