"""Mean, spread and 95% intervals over seeds, and the difference of two settings (Welch's t)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from scipy import stats

LEVEL = 0.95


@dataclass(frozen=True)
class Summary:
    """n values: mean, sample sd and the t interval of the mean (None where n is too small)."""

    n: int
    mean: float | None
    sd: float | None
    low: float | None
    high: float | None


def summarize(values: Sequence[float]) -> Summary:
    """Mean, sd (n - 1) and the 95% t interval of the mean; sd and interval need n >= 2."""
    n = len(values)
    if n == 0:
        return Summary(0, None, None, None, None)
    mean = sum(values) / n
    if n == 1:
        return Summary(1, mean, None, None, None)
    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1))
    half = stats.t.ppf(0.5 + LEVEL / 2, n - 1) * sd / math.sqrt(n)
    return Summary(n, mean, sd, mean - half, mean + half)


@dataclass(frozen=True)
class Difference:
    """A setting's mean minus the baseline's, its 95% Welch interval and the plain verdict."""

    delta: float
    low: float | None
    high: float | None
    verdict: str


def _seeds(n: int, m: int) -> str:
    count = f"{n}" if n == m else f"{n} and {m}"
    return f"{count} seed" + ("" if n == m == 1 else "s")


def welch_difference(a: Summary, b: Summary, lower_is_better: bool = True) -> Difference | None:
    """`a` minus `b` with Welch's 95% t interval; "better"/"worse" only when it excludes 0."""
    if a.mean is None or b.mean is None:
        return None
    delta = a.mean - b.mean
    unsure = f"not distinguishable with {_seeds(a.n, b.n)}"
    if a.sd is None or b.sd is None:  # one seed on a side: no spread, no interval
        return Difference(delta, None, None, unsure)
    va, vb = a.sd**2 / a.n, b.sd**2 / b.n
    if va + vb == 0:  # both perfectly repeatable: the interval is the point
        low = high = delta
    else:
        df = (va + vb) ** 2 / (va**2 / (a.n - 1) + vb**2 / (b.n - 1))
        half = stats.t.ppf(0.5 + LEVEL / 2, df) * math.sqrt(va + vb)
        low, high = delta - half, delta + half
    if high < 0 or low > 0:
        improves = (high < 0) == lower_is_better
        return Difference(delta, low, high, "better" if improves else "worse")
    return Difference(delta, low, high, unsure)
