"""A run's three scores of one metric (final, best, late) and which of them to compare by.

`final` is the metric at the end of the run, on the most images; `best` the best periodic value;
`late` the mean of the periodic values over the last `window` of the run, which averages out part
of one evaluation's noise. With `score=auto` the report compares by the score whose seed-to-seed
spread is smallest relative to its size: the pooled within-setting sd over the settings with >= 2
seeds (on the runs that have all three scores) divided by the mean of those runs. That criterion
never looks at the differences between settings, so it cannot pick the score that flatters one.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from dcgan.metrics.run_scores import SCORES, WINDOW, late_mean
from dcgan.report.errors import ReportError

if TYPE_CHECKING:
    from dcgan.report.runs import Run

CHOICES = ("auto", *SCORES)


def check_choice(score: str, window: float) -> None:
    """Refuse an unknown score or a window outside (0, 1] where they enter."""
    if score not in CHOICES:
        raise ReportError(f"score={score} is not a score; choices: {', '.join(CHOICES)}")
    if not 0 < window <= 1:
        raise ReportError(f"window={window} is no fraction of a run: give 0 < window <= 1 (0.25)")


def late_value(run: Run, metric: str, window: float = WINDOW) -> float | None:
    """The run's late score of `metric`."""
    return late_mean(run.history, metric, window)


def run_scores(run: Run, metric: str, window: float = WINDOW) -> dict[str, float | None]:
    """The run's final, best and late value of `metric` (None where it has none)."""
    return {
        "final": run.metric(metric),
        "best": run.best(metric),
        "late": late_value(run, metric, window),
    }


@dataclass(frozen=True)
class Spread:
    """One score's pooled within-setting sd, its mean and their ratio, on the same runs."""

    sd: float | None
    mean: float | None
    df: int  # sum over settings of (seeds - 1)

    @property
    def relative(self) -> float | None:
        """sd / |mean|: the scale-free seed-to-seed spread (inf with a zero mean)."""
        if self.sd is None or self.mean is None:
            return None
        return self.sd / abs(self.mean) if self.mean else math.inf


def pooled_spread(groups: Sequence[Sequence[float]]) -> Spread:
    """Pooled sd (sqrt of sum of squares within groups / sum of (n - 1)) and the overall mean."""
    groups = [g for g in groups if len(g) >= 2]
    df = sum(len(g) - 1 for g in groups)
    if df == 0:
        return Spread(None, None, 0)
    squares = 0.0
    for g in groups:
        mean = sum(g) / len(g)
        squares += sum((v - mean) ** 2 for v in g)
    values = [v for g in groups for v in g]
    return Spread(math.sqrt(squares / df), sum(values) / len(values), df)


@dataclass(frozen=True)
class Choice:
    """The score compared by, the spreads it was chosen on and the reason, in words."""

    score: str
    spreads: dict[str, Spread]
    why: str


def choose_score(
    per_setting: Sequence[Mapping[str, Mapping[int, float]]], score: str, source: str = ""
) -> Choice:
    """`score`, or with "auto" the score of smallest relative pooled sd over settings' seeds.

    `per_setting`: each setting's scores (score -> seed -> value). Only seeds with all three
    scores count, so the three spreads come from the same runs. `source`: where a given score
    came from, in words, when not from the command line (a race's log).
    """
    spreads = {}
    for name in SCORES:
        groups = []
        for scores in per_setting:
            seeds = set.intersection(*(set(scores.get(s, {})) for s in SCORES))
            groups.append([scores[name][seed] for seed in sorted(seeds)])
        spreads[name] = pooled_spread(groups)
    shown = "; ".join(_spread_text(s, spreads[s]) for s in SCORES)
    if score != "auto":
        said = source or f"as asked (score={score})"
        return Choice(score, spreads, f"`{score}`, {said} (sd pooled within settings: {shown})")
    ranked = [s for s in SCORES if spreads[s].relative is not None]
    if not ranked:
        return Choice(
            "final",
            spreads,
            "`final`: no setting has 2 seeds with all three scores to choose by (score=auto)",
        )
    best = min(ranked, key=lambda s: spreads[s].relative)  # type: ignore[arg-type,return-value]
    return Choice(
        best,
        spreads,
        f"`{best}`, whose seed-to-seed sd is the smallest relative to its mean (score=auto; sd "
        f"pooled within settings, {spreads[best].df} degrees of freedom: {shown})",
    )


def _spread_text(score: str, spread: Spread) -> str:
    if spread.sd is None:
        return f"{score} -"
    return f"{score} sd {spread.sd:.3g} = {spread.relative:.3g} of its mean"
