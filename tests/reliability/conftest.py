"""A tally of what the reliability tests tried, printed at the end of the test session."""

from __future__ import annotations

from collections import Counter

import pytest

TALLY: Counter[str] = Counter()


@pytest.fixture
def tally() -> Counter[str]:
    """Count tried cases by kind: bad files, kill points, hostile configs, ..."""
    return TALLY


def pytest_terminal_summary(terminalreporter) -> None:  # noqa: ANN001
    if TALLY:
        terminalreporter.section("reliability: what was tried")
        for kind, count in sorted(TALLY.items()):
            terminalreporter.write_line(f"{kind}: {count}")
