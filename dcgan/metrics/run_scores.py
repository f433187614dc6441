"""A run's scores of one metric from its evaluations: the names, and the late mean.

`final` is the metric at the end of the run, `best` its best periodic value, `late` the mean of
its periodic values over the last `WINDOW` of the run. The report compares runs by them and
`callbacks.metrics.objective` returns one to a sweeper; both read them from here, so a search
minimises the number the report compares.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from dcgan.checks import Registry

SCORES = Registry("what a run is scored by", ("final", "best", "late"))  # in tie-breaking order
# the last 40% of a run: 3 of the 6 evaluations of a 3000-iteration run at the default
# callbacks.metrics.every_n_steps (2000, 2500, 3000), where SWD has stopped falling fast;
# averaging them, not one, takes the seed-to-seed sd from 0.36 to 0.16 of the mean
WINDOW = 0.4


def late_mean(
    history: Sequence[Mapping[str, object]], metric: str, window: float = WINDOW
) -> float | None:
    """Mean periodic value at iterations >= (1 - window) x the last one: at least the last.
    `history` holds a run's evaluations ({"iteration": ..., metric: ...})."""
    points = [
        (float(h["iteration"]), float(h[metric]))  # type: ignore[arg-type]
        for h in history
        if is_number(h.get(metric)) and is_number(h.get("iteration"))
    ]
    if not points:
        return None
    last = max(it for it, _ in points)
    values = [v for it, v in points if it >= (1 - window) * last]
    return sum(values) / len(values)


def is_number(value: object) -> bool:
    """A finite int or float (not a bool)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
