"""One key=value command-line style for the tools beside training (`generate`, `report`).

A tool declares its keys once, as a dataclass whose fields are made with `key(...)`: the type
(from the annotation), the default, a one-line description and the rule a value must meet.
`parse` turns `key=value` arguments into that dataclass, typed and checked; `help_text` lists
every key with its default and description. A wrong key names the closest valid ones; every
error is one `CliError` line. Nothing heavy is imported here, so a refusal is instant.
"""

from __future__ import annotations

import dataclasses
import difflib
import types
import typing
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from dcgan.checks import Rule
from dcgan.checks import key as declare

T = TypeVar("T")
REQUIRED = dataclasses.MISSING
_TRUE, _FALSE, _NULL = {"true", "yes", "1", "on"}, {"false", "no", "0", "off"}, {"null", "none"}


class CliError(ValueError):
    """A bad argument; the message names the key, the value and what would work."""


def key(
    default: Any = REQUIRED,
    help: str = "",  # noqa: A002 (the word a reader expects)
    choices: Sequence[Any] | None = None,
    check: Callable[[Any], bool] | None = None,
    rule: str = "",
    name: str | None = None,
) -> Any:
    """Declare one key as the run config declares its keys (`dcgan.checks.key`): default (omit
    for a required key), description, choices, or a rule as its test and its words.

    `name` is the key on the command line when it cannot be the field's (`class`, a keyword).
    """
    found = Rule(check, rule or "not allowed") if check is not None else None
    return declare(default, help, choices=choices, rule=found, name=name)


def _convert(name: str, text: str, kind: Any) -> Any:
    """`text` as the annotated type: bool, int, float, str, or an optional of one."""
    args = typing.get_args(kind)
    if typing.get_origin(kind) in (typing.Union, types.UnionType):
        if text.lower() in _NULL and type(None) in args:
            return None
        kind = next(a for a in args if a is not type(None))
    if kind is bool:
        if text.lower() in _TRUE | _FALSE:
            return text.lower() in _TRUE
        raise CliError(f"{name}={text!r} is invalid: give true or false")
    if kind is int:
        try:
            return int(text)
        except ValueError:
            raise CliError(f"{name}={text!r} is invalid: give a whole number") from None
    if kind is float:
        try:
            return float(text)
        except ValueError:
            raise CliError(f"{name}={text!r} is invalid: give a number") from None
    return text


def closest(word: str, names: Sequence[str], label: str = "keys") -> str:
    """`did you mean x? keys: ...`: the nearest names to a misspelt one, then all of them."""
    names = sorted(set(names)) if label != "keys" else list(names)
    near = difflib.get_close_matches(word, names, n=3, cutoff=0.6)
    hint = f"did you mean {' or '.join(near)}? " if near else ""
    return f"{hint}{label}: {', '.join(names)}"


def parse(schema: type[T], argv: Sequence[str], positional: str | None = None) -> T:
    """`key=value` arguments -> an instance of `schema`, every value typed and checked.

    With `positional`, one argument without `=` is the value of that key.
    """
    fields = {_name(f): f for f in dataclasses.fields(schema)}
    hints = typing.get_type_hints(schema)
    given: dict[str, Any] = {}
    for arg in argv:
        name, sep, text = arg.partition("=")
        if not sep:
            if positional is None or positional in given:
                raise CliError(f"argument {arg!r} is not key=value; {closest(arg, list(fields))}")
            name, text = positional, arg
        name = name.strip()
        if name not in fields:
            raise CliError(f"unknown key {name!r}; {closest(name, list(fields))}")
        if name in given:
            raise CliError(f"{name} is given twice: keep one {name}=...")
        given[name] = _convert(name, text, hints[fields[name].name])
    for name, spec in fields.items():
        if name not in given and spec.default is REQUIRED:
            raise CliError(f"{name} is required: {name}=... ({spec.metadata.get('help', '')})")
    config = schema(**{fields[name].name: value for name, value in given.items()})
    for name, spec in fields.items():
        _check(name, getattr(config, spec.name), spec.metadata)
    return config


def _name(spec: dataclasses.Field) -> str:
    """The key of a field on the command line."""
    return spec.metadata.get("name") or spec.name


def _check(name: str, value: Any, meta: typing.Mapping[str, Any]) -> None:
    choices, rule = meta.get("choices"), meta.get("rule")
    if choices is not None and value not in choices:
        listed = ", ".join(str(c) for c in choices if c is not None)
        unset = f" (or leave {name} out)" if None in choices else ""
        raise CliError(f"{name}={value!r} is invalid: choose one of: {listed}{unset}")
    if rule is not None and value is not None and not rule.test(value):
        raise CliError(f"{name}={value!r} is invalid: {rule.text}")


def help_text(schema: type, usage: str) -> str:
    """`usage`, then every key with its default and one-line description."""
    rows = []
    for spec in dataclasses.fields(schema):
        if spec.default is REQUIRED:
            shown = f"{_name(spec)}=..."
        else:
            value = spec.default
            text = (
                "null"
                if value is None
                else str(value).lower()
                if isinstance(value, bool)
                else value
            )
            shown = f"{_name(spec)}={text}"
        rows.append((shown, spec.metadata.get("help", "")))
    width = max(len(shown) for shown, _ in rows) + 2
    lines = [usage, "", "keys (key=value; defaults shown):"]
    lines += [f"  {shown:<{width}}{text}" for shown, text in rows]
    return "\n".join(lines)
