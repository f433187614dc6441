"""Mean, spread and 95% intervals over seeds, and the difference of two settings.

Two settings' runs with the same seed share data order, fixed noise and initial weights, so where
a setting and its baseline share >= 2 seeds their difference is a paired t-interval over those
seeds; otherwise it is Welch's. Each difference carries its p-value and the probability that the
setting beats the baseline; `apply_correction` turns a family of them into verdicts at a
family-wise error rate with Holm's step-down method.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

LEVEL = 0.95
ALPHA = 0.05


@dataclass(frozen=True)
class Summary:
    """n values: mean, sample sd and the t interval of the mean (None where n is too small)."""

    n: int
    mean: float | None
    sd: float | None
    low: float | None
    high: float | None


def _student_t():  # noqa: ANN202 (scipy's distribution object)
    """Student's t, imported on first use: SciPy takes 2 s to load, which a race's refusal
    (nothing to race, another race in the folder) must not wait for."""
    from scipy import stats

    return stats.t


def summarize(values: Sequence[float]) -> Summary:
    """Mean, sd (n - 1) and the 95% t interval of the mean; sd and interval need n >= 2."""
    n = len(values)
    if n == 0:
        return Summary(0, None, None, None, None)
    mean = sum(values) / n
    if n == 1:
        return Summary(1, mean, None, None, None)
    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1))
    half = _student_t().ppf(0.5 + LEVEL / 2, n - 1) * sd / math.sqrt(n)
    return Summary(n, mean, sd, mean - half, mean + half)


@dataclass(frozen=True)
class Difference:
    """A setting minus its baseline: 95% interval, test p-value, verdict and how it was made.

    `paired`: over the seeds both share (else Welch over all). `welch_half_width`: the half-width
    Welch's interval has on the same runs, to show what pairing gained. `prob_improvement`: the
    share of (paired seeds | all pairs of runs) where the setting beats the baseline, ties half.
    `adjusted_p`: the p-value after the correction over the family (`apply_correction`).
    """

    delta: float
    low: float | None
    high: float | None
    verdict: str
    p: float | None = None
    paired: bool = False
    prob_improvement: float | None = None
    adjusted_p: float | None = None
    welch_half_width: float | None = None
    n: int = 0  # seeds of the setting (paired: shared seeds)
    n_baseline: int = 0  # seeds of the baseline (paired: shared seeds)
    lower_is_better: bool = True

    @property
    def half_width(self) -> float | None:
        """Half the interval's width (None without an interval)."""
        return None if self.low is None or self.high is None else (self.high - self.low) / 2

    @property
    def narrowing(self) -> float | None:
        """Half-width over Welch's on the same runs: below 1 when pairing narrowed the interval."""
        half, welch = self.half_width, self.welch_half_width
        if not self.paired or half is None or not welch:
            return None
        return half / welch


SAME_RUNS = "same runs as the baseline"


def _seeds(n: int, m: int) -> str:
    count = f"{n}" if n == m else f"{n} and {m}"
    return f"{count} seed" + ("" if n == m == 1 else "s")


def _unsure(n: int, m: int) -> str:
    return f"not distinguishable with {_seeds(n, m)}"


def _verdict(delta: float, significant: bool, lower_is_better: bool, n: int, m: int) -> str:
    if not significant or delta == 0:
        return _unsure(n, m)
    return "better" if (delta < 0) == lower_is_better else "worse"


def _two_sided_p(t: float, df: float) -> float:
    return float(2 * _student_t().sf(abs(t), df))


def _beats(x: float, y: float, lower_is_better: bool) -> float:
    """1 when `x` is better than `y`, 0.5 on a tie, else 0."""
    if x == y:
        return 0.5
    return 1.0 if (x < y) == lower_is_better else 0.0


def prob_improvement(
    a: Sequence[float], b: Sequence[float], lower_is_better: bool = True, paired: bool = False
) -> float | None:
    """P(a beats b): paired, the share of seeds; else of all pairs (Mann-Whitney, as in rliable)."""
    if paired:
        if len(a) != len(b):
            raise ValueError(f"paired values need equal lengths, not {len(a)} and {len(b)}")
        wins = [_beats(x, y, lower_is_better) for x, y in zip(a, b, strict=True)]
    else:
        wins = [_beats(x, y, lower_is_better) for x in a for y in b]
    return sum(wins) / len(wins) if wins else None


def _welch(a: Summary, b: Summary) -> tuple[float, float] | None:
    """Welch's (half-width, p) of a.mean - b.mean; None with one seed on a side."""
    if a.mean is None or b.mean is None or a.sd is None or b.sd is None:
        return None
    delta = a.mean - b.mean
    va, vb = a.sd**2 / a.n, b.sd**2 / b.n
    if va + vb == 0:  # both perfectly repeatable: the interval is the point
        return 0.0, 1.0 if delta == 0 else 0.0
    df = (va + vb) ** 2 / (va**2 / (a.n - 1) + vb**2 / (b.n - 1))
    se = math.sqrt(va + vb)
    return float(_student_t().ppf(0.5 + LEVEL / 2, df) * se), _two_sided_p(delta / se, df)


def welch_difference(
    a: Summary,
    b: Summary,
    lower_is_better: bool = True,
    values: tuple[Sequence[float], Sequence[float]] | None = None,
) -> Difference | None:
    """`a` minus `b` with Welch's 95% t interval and p; "better"/"worse" when it excludes 0.

    `values`: the raw values behind `a` and `b`, for the probability of improvement.
    """
    if a.mean is None or b.mean is None:
        return None
    delta = a.mean - b.mean
    prob = prob_improvement(*values, lower_is_better) if values is not None else None
    welch = _welch(a, b)
    if welch is None:  # one seed on a side: no spread, no interval
        return Difference(
            delta,
            None,
            None,
            _unsure(a.n, b.n),
            prob_improvement=prob,
            n=a.n,
            n_baseline=b.n,
            lower_is_better=lower_is_better,
        )
    half, p = welch
    return Difference(
        delta,
        delta - half,
        delta + half,
        _verdict(delta, p < ALPHA, lower_is_better, a.n, b.n),
        p=p,
        prob_improvement=prob,
        welch_half_width=half,
        n=a.n,
        n_baseline=b.n,
        lower_is_better=lower_is_better,
    )


def paired_difference(
    a: Mapping[int, float], b: Mapping[int, float], lower_is_better: bool = True
) -> Difference | None:
    """Mean of a[s] - b[s] over the shared seeds s, paired 95% t interval; None below 2 shared.

    Pairing removes what a seed does to both settings alike; `welch_half_width` is Welch's on
    the same runs, so the report can say how much that narrowed the interval.
    """
    shared = sorted(set(a) & set(b))
    n = len(shared)
    if n < 2:
        return None
    xs, ys = [a[s] for s in shared], [b[s] for s in shared]
    diffs = summarize([x - y for x, y in zip(xs, ys, strict=True)])
    delta, sd = diffs.mean, diffs.sd
    assert delta is not None and sd is not None  # n >= 2
    if sd == 0 and delta == 0:  # equal scores seed for seed: training is deterministic per
        # seed, so these are the same runs (a switch the defaults already set): no comparison to
        # make, and none to count in the correction's family
        return Difference(
            0.0,
            0.0,
            0.0,
            SAME_RUNS,
            paired=True,
            prob_improvement=0.5,
            n=n,
            n_baseline=n,
            lower_is_better=lower_is_better,
        )
    if sd == 0:  # every seed moved by the same amount: the interval is the point
        half, p = 0.0, 0.0
    else:
        se = sd / math.sqrt(n)
        half = float(_student_t().ppf(0.5 + LEVEL / 2, n - 1) * se)
        p = _two_sided_p(delta / se, n - 1)
    welch = _welch(summarize(xs), summarize(ys))
    return Difference(
        delta,
        delta - half,
        delta + half,
        _verdict(delta, p < ALPHA, lower_is_better, n, n),
        p=p,
        paired=True,
        prob_improvement=prob_improvement(xs, ys, lower_is_better, paired=True),
        welch_half_width=welch[0] if welch else None,
        n=n,
        n_baseline=n,
        lower_is_better=lower_is_better,
    )


def compare(
    a: Mapping[int, float], b: Mapping[int, float], lower_is_better: bool = True
) -> Difference | None:
    """`a` minus `b` (seed -> score): paired when they share >= 2 seeds, else Welch over all."""
    paired = paired_difference(a, b, lower_is_better)
    if paired is not None:
        return paired
    xs, ys = list(a.values()), list(b.values())
    return welch_difference(summarize(xs), summarize(ys), lower_is_better, (xs, ys))


def holm(pvalues: Sequence[float | None]) -> list[float | None]:
    """Holm's step-down adjusted p-values, same order: family-wise error control, None kept."""
    tested = sorted((p, i) for i, p in enumerate(pvalues) if p is not None)
    m = len(tested)
    adjusted: list[float | None] = [None] * len(pvalues)
    running = 0.0
    for rank, (p, i) in enumerate(tested):
        running = max(running, min(1.0, (m - rank) * p))
        adjusted[i] = running
    return adjusted


def apply_correction(
    differences: Sequence[Difference | None], alpha: float = ALPHA
) -> list[Difference | None]:
    """Holm-adjusted p and the corrected verdict of each: "better"/"worse" only below `alpha`."""
    adjusted = holm([d.p if d is not None else None for d in differences])
    out: list[Difference | None] = []
    for d, q in zip(differences, adjusted, strict=True):
        if d is None or d.p is None:  # no test, nothing to correct (one seed; the same runs)
            out.append(d)
            continue
        significant = q is not None and q < alpha
        verdict = _verdict(d.delta, significant, d.lower_is_better, d.n, d.n_baseline)
        out.append(replace(d, adjusted_p=q, verdict=verdict))
    return out
