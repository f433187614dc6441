"""The two checks every value goes through, and the one error they raise.

Every range or choice rule of the product is written once, next to the registry or schema it
reads, and raises through these: the message always names the key, the value and what is valid.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


class ConfigError(ValueError):
    """A config value that cannot work; the message names the key, the value and the fix.

    Raised by `check` and `choose`, it also carries the `key` and its `rule` or `choices`, so
    the command line can say what a key takes (`dcgan.train_args`, `dcgan-train --help`).
    """

    def __init__(
        self,
        message: str,
        key: str | None = None,
        rule: str | None = None,
        choices: list[Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.key, self.rule, self.choices = key, rule, choices


def choose(
    key: str, value: Any, choices: Iterable[Any], error: type[ConfigError] = ConfigError
) -> None:
    """`value` must be one of `choices` (a registry's names); the message lists them sorted."""
    choices = list(choices)
    if value not in choices:
        ordered = sorted(choices, key=str)
        valid = ", ".join("null" if c is None else str(c) for c in ordered)  # as a user writes it
        raise error(
            f"{key}={value!r} is not a valid choice; choose one of: {valid}",
            key=key,
            rule=f"one of: {valid}",
            choices=ordered,
        )


def check(
    ok: bool, key: str, value: Any, rule: str, error: type[ConfigError] = ConfigError
) -> None:
    """`ok` must hold for `value`; otherwise the message says the rule."""
    if not ok:
        raise error(f"{key}={value!r} is invalid: {rule}", key=key, rule=rule)
