"""One key=value command-line style for the tools beside training (`generate`, `report`, `race`).

A tool declares its keys once, as a dataclass of `key(...)` fields (`dcgan.checks.key`): the type
(the annotation), the default, a one-line meaning and the rule a value must meet. `parse` turns
`key=value` arguments into it, typed and checked; `help_text` lists every key. Every error is one
`CliError` line; a wrong key names the closest. Nothing heavy is imported: a refusal is instant.
"""

from __future__ import annotations

import dataclasses
import difflib
import os
import sys
import typing
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from dcgan.checks import FLAGS, Rule, shown
from dcgan.checks import key as declare

T = TypeVar("T")
# how a value of each type is read, and what to give instead of a value that is not one
_READ = {bool: (lambda text: FLAGS[text.lower()], "give true or false")}
_READ |= {int: (int, "give a whole number"), float: (float, "give a number")}


class CliError(ValueError):
    """A bad argument; the message names the key, the value and what would work."""


def key(
    default: Any = dataclasses.MISSING,
    help: str = "",  # noqa: A002 (the word a reader expects)
    choices: Sequence[Any] | None = None,
    check: Callable[[Any], bool] | None = None,
    rule: str = "",
    name: str | None = None,
) -> Any:
    """Declare a key as the run config does (`dcgan.checks.key`): default (omit: required),
    meaning, choices, or a rule as its test and words; `name`: a key not the field's (`class`)."""
    found = Rule(check, rule or "not allowed") if check is not None else None
    return declare(default, help, choices=choices, rule=found, name=name)


def _value(name: str, text: str, kind: Any, meta: typing.Mapping[str, Any]) -> Any:
    """`text` as the key's type (bool, int, float, str, optional), held to its choices and rule."""
    args = typing.get_args(kind)
    kind = next(a for a in args if a is not type(None)) if type(None) in args else kind
    read, give = _READ.get(kind, (str, ""))
    try:
        null = type(None) in args and text.lower() in ("null", "none")
        value = None if null else read(text)
    except (KeyError, ValueError):
        raise CliError(f"{name}={text} is invalid: {give}") from None
    choices, rule = meta.get("choices"), meta.get("rule")
    if choices is not None and value not in choices:
        listed = ", ".join(str(c) for c in choices if c is not None)
        unset = f" (or leave {name} out)" if None in choices else ""
        raise CliError(f"{name}={text} is invalid; choices: {listed}{unset}")
    if rule is not None and value is not None and not rule.test(value):
        raise CliError(f"{name}={text} is invalid: {rule.text}")
    return value


def closest(word: str, names: Sequence[str], label: str = "keys", near: Sequence[str] = ()) -> str:
    """`did you mean x? keys: ...`: the `near` names (else those nearest `word`), then all."""
    names = sorted(set(names)) if label != "keys" else list(names)
    near = near or difflib.get_close_matches(word, names, n=3, cutoff=0.6)
    hint = f"did you mean {' or '.join(near)}? " if near else ""
    return f"{hint}{label}: {', '.join(names)}"


def parse(schema: type[T], argv: Sequence[str], positional: str | None = None) -> T:
    """`key=value` arguments -> an instance of `schema`, every value typed and checked, every
    wrong or missing one said at once; with `positional`, one argument without `=` is its value."""
    fields = {_name(f): f for f in dataclasses.fields(schema)}
    hints = typing.get_type_hints(schema)
    typed: dict[str, str] = {}
    for arg in argv:
        name, sep, text = arg.partition("=")
        if not sep:
            if positional is None or positional in typed:
                raise CliError(f"argument {arg!r} is not key=value; {closest(arg, list(fields))}")
            name, text = positional, arg
        name = name.strip()
        if name not in fields:
            raise CliError(f"unknown key {name}; {closest(name, list(fields))}")
        if name in typed:
            raise CliError(f"{name} is given twice: keep one {name}=...")
        typed[name] = text
    found, given = [], {}
    for name, spec in fields.items():
        try:
            if name in typed:
                given[spec.name] = _value(name, typed[name], hints[spec.name], spec.metadata)
            elif spec.default is dataclasses.MISSING:
                found.append(f"give {name}=...: {spec.metadata.get('help', '')}")
        except CliError as err:
            found.append(str(err))
    if found:
        raise CliError("\n".join(found))
    return schema(**given)


def error_lines(err: Exception) -> str:
    """The message of `err` as the tools print it: `error: ` before each of its lines."""
    return "".join(f"error: {line}\n" for line in str(err).splitlines())


def _name(spec: dataclasses.Field) -> str:
    """The key of a field on the command line (`class`: not the field's name)."""
    return spec.metadata.get("name") or spec.name


def table(rows: list[tuple[str, str]], cap: int = 44) -> list[str]:
    """`key=default  meaning` rows aligned; a first cell wider than `cap` has its meaning below."""
    width = min(max(len(text) for text, _ in rows) + 2, cap)
    pads = [f"  {t:<{width}}" if len(t) < width else f"  {t}\n  {'':<{width}}" for t, _ in rows]
    return [f"{pad}{meaning}".rstrip() for pad, (_, meaning) in zip(pads, rows, strict=True)]


def show(text: str) -> None:
    """Print `text` (a help); a reader that stops early (`--help | head`) ends it quietly."""
    try:
        print(text, flush=True)
    except BrokenPipeError:  # stdout to the null device: Python's flush at exit fails no more
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def help_text(schema: type, usage: str) -> str:
    """`usage`, then every key with its default and one-line description."""
    rows = []
    for f in dataclasses.fields(schema):
        default = "..." if f.default is dataclasses.MISSING else shown(f.default)
        rows.append((f"{_name(f)}={default}", f.metadata.get("help", "")))
    return "\n".join([usage, "", "keys (key=value; defaults shown):", *table(rows)])
