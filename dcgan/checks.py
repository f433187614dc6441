"""Every key declared once, and the checks every value goes through, with the one error they raise.

A config key is a dataclass field made with `key(default, help, choices=, rule=, shapes=)`: its
default, a one-line meaning, the names it is chosen from (a registry) or the rule it must meet,
and whether it shapes the weights (a resume must then keep it). The run config's `--help`, the
generated reference, the checks (`problems`, one loop over these declarations), the command
line's type and "did you mean" answers and resume compatibility all read them from here. Rules
that involve several keys are written out where the keys' part lives, through `check`/`choose`.
Every set of names a key chooses from is a `Registry`, loadable without torch.
"""

from __future__ import annotations

import dataclasses
import math
import sys
import typing
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from omegaconf import OmegaConf

# Field metadata of a value that shapes the weights, the fixed sample batch or the iteration
# count: a resume from a checkpoint saved with another value is refused (`dcgan.run.resume`). A node
# so marked must match whole; a field inside a node (or a trick's Config) can be marked alone.
MUST_MATCH = {"resume": "must_match"}


class ConfigError(ValueError):
    """A config value that cannot work; the message names the key, the value and the fix.

    Several at once (`problems`) are joined one to a line; `key` names the first.
    """

    def __init__(self, message: str, key: str | None = None) -> None:
        super().__init__(message)
        self.key = key


@dataclass(frozen=True)
class Rule:
    """A rule on one value: the test and the words that say it (`must be >= 1`)."""

    test: Callable[[Any], bool]
    text: str


def at_least(low: float, note: str = "") -> Rule:
    """value >= low (finite)."""
    return Rule(lambda v: low <= v < math.inf, f"must be >= {low}{note}")


def above(low: float, note: str = "") -> Rule:
    """value > low (finite)."""
    return Rule(lambda v: low < v < math.inf, f"must be > {low}{note}")


def within(low: float, high: float, note: str = "", closed: bool = False) -> Rule:
    """low <= value < high; `closed`: <= high."""
    if closed:
        return Rule(lambda v: low <= v <= high, f"must be in [{low}, {high}]{note}")
    return Rule(lambda v: low <= v < high, f"must be in [{low}, {high}){note}")


Choices = Iterable[Any] | Callable[[], Iterable[Any]]


def key(
    default: Any = dataclasses.MISSING,
    help: str = "",  # noqa: A002 (the word a reader expects)
    *,
    choices: Choices | None = None,
    rule: Rule | None = None,
    shapes: bool = False,
    factory: Callable[[], Any] | None = None,
    name: str | None = None,
) -> Any:
    """Declare one key: its default (or `factory` for a list), meaning, choices or rule.

    `choices` is a registry (or a function returning its names, for one filled on import);
    a list key takes any of them. `shapes`: the key shapes the weights (MUST_MATCH). `name`:
    a side tool's key on the command line where it cannot be the field's (`class`).
    """
    meta = {"help": help, "choices": choices, "rule": rule, "name": name}
    meta.update(MUST_MATCH if shapes else {})
    if factory is not None:
        return dataclasses.field(default_factory=factory, metadata=meta)
    return dataclasses.field(default=default, metadata=meta)


def node(cls: type, help: str = "", shapes: bool = False) -> Any:  # noqa: A002
    """A group of keys (a dataclass); `shapes`: every key in it must match on a resume."""
    meta = {"help": help, **(MUST_MATCH if shapes else {})}
    return dataclasses.field(default_factory=cls, metadata=meta)


@dataclass(frozen=True)
class Leaf:
    """One declared key: its dotted name, its annotated type and its declaration."""

    name: str
    kind: Any
    meta: Mapping[str, Any]

    @property
    def help(self) -> str:
        """The one-line meaning."""
        return self.meta.get("help", "")

    def choices(self) -> list[Any] | None:
        """The names it is chosen from, sorted as a user reads them; None: no list."""
        found = self.meta.get("choices")
        if found is None:
            return None
        found = list(found() if callable(found) else found)
        return found if self.is_list() else sorted(found, key=str)  # a list: in applied order

    def rule_text(self) -> str:
        """What it takes, in words: `one of: a, b`, `a list of any of: ...` or its rule."""
        choices = self.choices()
        if choices is not None:
            listed = ", ".join(shown(c) for c in choices)
            return f"a list of any of: {listed}" if self.is_list() else f"one of: {listed}"
        rule = self.meta.get("rule")
        return rule.text if rule is not None else ""

    def is_list(self) -> bool:
        """Whether it holds a list."""
        return typing.get_origin(_required(self.kind)) is list

    def kind_words(self) -> str:
        """Its type as a user reads it: a whole number, a number, true or false, text."""
        kind = _required(self.kind)
        return KIND_WORDS.get(kind, "a list" if self.is_list() else str(kind))

    def problem(self, value: Any, typed: str | None = None) -> ConfigError | None:
        """The error `value` breaks this declaration with, or None; `typed`: the value as the
        user wrote it (`lr=-1`, read as -1.0), shown in the message instead."""
        written = f"{self.name}={shown(value) if typed is None else typed}"
        if not fits(self.kind, value):
            return ConfigError(
                f"{written} is invalid: {self.name} takes {self.kind_words()}", self.name
            )
        if value is None:
            return None
        choices = self.choices()
        if choices is not None and self.is_list():
            unknown = [v for v in value if v not in choices]
            if unknown:
                example = f"{self.name}={shown(choices[:2])}"
                return ConfigError(
                    f"{written} names {shown(unknown[0])}, which is unknown; choices: "
                    f"{', '.join(map(shown, choices))}, e.g. {example}",
                    key=self.name,
                )
        elif choices is not None and value not in choices:
            valid = ", ".join(shown(c) for c in choices)
            return ConfigError(f"{written} is not a valid choice; choices: {valid}", self.name)
        rule = self.meta.get("rule")
        if rule is not None and not rule.test(value):
            return ConfigError(f"{written} is invalid: {rule.text}", key=self.name)
        return None


def fits(kind: Any, value: Any, quoted: bool = False) -> bool:
    """Whether `value` can be held by a key of the declared type `kind`; `quoted`: a number or
    flag may come as text (a quoted command-line value), as OmegaConf converts it."""
    if kind is Any or (isinstance(value, str) and "${" in value):
        return True  # an interpolation: Hydra resolves and judges it
    args = typing.get_args(kind)
    if value is None:
        return type(None) in args
    if type(None) in args:
        kind = next(a for a in args if a is not type(None))
    if typing.get_origin(kind) is list:
        (item,) = typing.get_args(kind) or (Any,)
        return isinstance(value, list) and all(fits(item, v, quoted) for v in value)
    if isinstance(value, (list, dict)):
        return False
    if quoted and isinstance(value, str) and kind in (int, float, bool):
        return _convertible(value, kind)
    if kind is bool:
        return isinstance(value, bool)
    if kind is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if kind is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return True  # text takes any single value


def _convertible(text: str, kind: type) -> bool:
    """A quoted value of a number or flag key, read as OmegaConf reads it."""
    if kind is bool:
        return text.lower() in FLAGS
    try:
        kind(text)
    except ValueError:
        return False
    return True


KIND_WORDS = {int: "a whole number", float: "a number", bool: "true or false", str: "text"}
# the words a flag is written with, as OmegaConf reads them (the side tools' command lines too)
FLAGS = {
    **dict.fromkeys(("true", "yes", "on", "1"), True),
    **dict.fromkeys(("false", "no", "off", "0"), False),
}


def leaves(schema: type, prefix: str = "") -> dict[str, Leaf]:
    """Every key declared in the dataclass `schema` and in the groups below it, by dotted name."""
    hints = typing.get_type_hints(schema)
    out: dict[str, Leaf] = {}
    for spec in dataclasses.fields(schema):
        name = f"{prefix}{spec.name}"
        below = spec.default_factory
        if isinstance(below, type) and dataclasses.is_dataclass(below):
            out.update(leaves(below, f"{name}."))
        else:
            out[name] = Leaf(name, hints[spec.name], spec.metadata)
    return out


def groups_of(schema: type, prefix: str = "") -> dict[str, type]:
    """Every group of keys (a dataclass node) below `schema`, by dotted name, with its class."""
    out: dict[str, type] = {}
    for spec in dataclasses.fields(schema):
        below = spec.default_factory
        if isinstance(below, type) and dataclasses.is_dataclass(below):
            out[f"{prefix}{spec.name}"] = below
            out.update(groups_of(below, f"{prefix}{spec.name}."))
    return out


def problems(
    cfg: Any, schema: type, prefix: str = "", typed: Mapping[str, str] | None = None
) -> list[ConfigError]:
    """Every declared rule or choice that a value of `cfg` (a config of `schema`) breaks;
    `typed`: values as written on the command line, by key, shown as written."""
    found = []
    for name, leaf in leaves(schema, prefix).items():
        value = _select(cfg, name[len(prefix) :])
        error = leaf.problem(value, (typed or {}).get(name))
        if error is not None:
            found.append(error)
    return found


def raise_all(errors: list[ConfigError], error: type[ConfigError] = ConfigError) -> None:
    """Raise the errors found as one, a line each (none: nothing)."""
    if errors:
        raise error("\n".join(str(e) for e in errors), key=errors[0].key)


def _select(cfg: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        cfg = cfg[part] if isinstance(cfg, Mapping) else getattr(cfg, part)
    return OmegaConf.to_container(cfg) if OmegaConf.is_config(cfg) else cfg


def _required(kind: Any) -> Any:
    """The type without its `None` (an optional key's)."""
    args = [a for a in typing.get_args(kind) if a is not type(None)]
    optional = type(None) in typing.get_args(kind)
    return args[0] if optional and len(args) == 1 else kind


def shown(value: Any) -> str:
    """A value as a user writes it on the command line (null, true, [a,b])."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(shown(v) for v in value) + "]"
    return str(value)


def choose(
    key: str, value: Any, choices: Iterable[Any], error: type[ConfigError] = ConfigError
) -> None:
    """`value` must be one of `choices` (a registry's names); the message lists them sorted."""
    found = Leaf(key, Any, {"choices": list(choices)}).problem(value)
    if found is not None:
        raise error(str(found), key=key)


def check(
    ok: bool, key: str, value: Any, rule: str, error: type[ConfigError] = ConfigError
) -> None:
    """`ok` must hold for `value`; otherwise the message says the rule."""
    if not ok:
        raise error(f"{key}={shown(value)} is invalid: {rule}", key=key)


T = TypeVar("T")


class Registry(dict[Any, T]):
    """Names and their entries; `what` it registers (a few words), the `key` its lookup names in
    an error, and `note`: an entry's traits in words, shown beside its name in the reference."""

    def __init__(
        self,
        what: str,
        names: Iterable[Any] = (),
        /,
        *,
        key: str = "",
        note: Callable[[T], str] | None = None,
        **entries: T,
    ) -> None:
        super().__init__(dict.fromkeys(names), **entries)  # bare `names`, or name=entry
        self.what = what
        self.key = key
        self.note = note
        self.module = sys._getframe(1).f_globals["__name__"]  # its home, as enum and namedtuple do

    def register(self, entry: T) -> T:
        """Add `entry` by its own `name` (a decorator for a class); a name taken is refused."""
        name = getattr(entry, "name", None)
        if not name or name in self:
            raise ValueError(f"{self.what}: {name!r} is registered twice or has no name")
        self[name] = entry
        return entry

    def lookup(self, name: Any, error: type[ConfigError] = ConfigError) -> T:
        """The entry of `name`; an unknown one: one line naming the key, value and choices."""
        choose(self.key, name, self, error)
        return self[name]
