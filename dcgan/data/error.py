"""The one error of the data layer, apart so that every source can raise it."""

from __future__ import annotations

from dcgan.checks import ConfigError


class DataError(ConfigError):
    """A dataset or data config problem, with a message that says what, where and how to fix."""
