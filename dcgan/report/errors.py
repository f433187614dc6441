"""The report's one error, in a module that imports nothing, so argument checks stay light."""

from __future__ import annotations


class ReportError(ValueError):
    """The folder or metric given cannot be reported on; the message says why."""
