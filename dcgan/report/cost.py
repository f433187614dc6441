"""What a setting costs next to its baseline: the ratio of their img/s, paired by seed.

The ratio is taken on the log scale (so 0.5 and 2 are equally far from 1) with the same paired
or Welch interval as the metric, then turned back into a ratio. Speed varies with the machine's
load and clocks; when the ratio's 95% interval reaches beyond +-10% of it, that spread says more
about the machine than about the setting, and the report says so.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from dcgan.report.stats import compare

NOISY = 0.10  # an interval reaching beyond +-10% of the ratio


@dataclass(frozen=True)
class Ratio:
    """A setting's img/s over its baseline's: geometric-mean ratio and its 95% interval."""

    ratio: float
    low: float | None
    high: float | None
    paired: bool
    n: int  # seeds (paired: shared seeds)

    @property
    def noisy(self) -> bool:
        """The interval reaches beyond +-10% of the ratio: the machine's spread, not the trick's."""
        if self.low is None or self.high is None:
            return False
        return self.high > self.ratio * (1 + NOISY) or self.low < self.ratio / (1 + NOISY)


def speed_ratio(a: Mapping[int, float], b: Mapping[int, float]) -> Ratio | None:
    """img/s of `a` over `b` (seed -> img/s): paired where they share >= 2 seeds."""
    logs_a = {s: math.log(v) for s, v in a.items() if v > 0}
    logs_b = {s: math.log(v) for s, v in b.items() if v > 0}
    d = compare(logs_a, logs_b, lower_is_better=False)
    if d is None:
        return None
    low = None if d.low is None else math.exp(d.low)
    high = None if d.high is None else math.exp(d.high)
    return Ratio(math.exp(d.delta), low, high, d.paired, d.n)
