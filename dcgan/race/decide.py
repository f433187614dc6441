"""Which settings still get seeds: the race's decision after a round, from seed -> score dicts.

A setting is decided once its Holm-corrected verdict against its baseline is `better` or
`worse`; it is dropped once it cannot catch the best setting (its corrected difference to the
setting with the best mean says `worse`), or when none of its runs gave a score. A setting whose
score equals its baseline's on every shared seed (two at least) trains the same thing (a switch
the defaults already set, as `trick=ema` under the averaged default): it is `same as baseline`
at once, where a t-test would keep it open to the last seed with a difference of exactly 0.
A baseline runs on while a setting compared with it is still open. Every statistic comes from
`dcgan.report.stats` (paired t over shared seeds, else Welch; Holm's correction), so the race
and the report agree on every verdict.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from dcgan.report.stats import SAME_RUNS, Difference, apply_correction, compare

CONTINUE = "continue"
BETTER = "decided better"
WORSE = "decided worse"
SAME = "same as baseline"
DROPPED = "dropped"
DONE = "done"  # a baseline no open setting needs any more
CLOSED = (BETTER, WORSE, SAME, DROPPED, DONE)


@dataclass(frozen=True)
class Decision:
    """One setting after a round: its scores' mean, its verdicts and whether it gets seeds."""

    setting: str
    seeds: tuple[int, ...]  # seeds with a score
    mean: float | None
    decision: str  # CONTINUE, BETTER, WORSE, SAME, DROPPED or DONE
    reason: str
    baseline: str | None = None  # the setting it is compared with (None: it is a baseline)
    vs_baseline: Difference | None = None  # corrected
    vs_best: Difference | None = None  # corrected

    @property
    def is_open(self) -> bool:
        """Whether it gets more seeds."""
        return self.decision == CONTINUE


def _mean(scores: Mapping[int, float]) -> float | None:
    return sum(scores.values()) / len(scores) if scores else None


def best_setting(scores: Mapping[str, Mapping[int, float]], lower_is_better: bool) -> str | None:
    """The setting with the best mean score (the first on a tie); None when none has one."""
    sign = 1.0 if lower_is_better else -1.0
    means = {name: m for name, s in scores.items() if (m := _mean(s)) is not None}
    return min(means, key=lambda name: sign * means[name]) if means else None


def _corrected(
    names: list[str], against: Mapping[str, str], scores: Mapping, lower: bool, alpha: float
) -> dict[str, Difference | None]:
    """Each name's difference to its `against` setting, Holm-corrected over the whole family."""
    raw = [compare(scores[n], scores[against[n]], lower) for n in names]
    return dict(zip(names, apply_correction(raw, alpha), strict=True))


def _fmt(d: Difference) -> str:
    q = f"Holm p={d.adjusted_p:.3g}" if d.adjusted_p is not None else "no p"
    kind = f"paired over {d.n} seeds" if d.paired else "Welch"
    one_df = ", 1 degree of freedom" if d.paired and d.n == 2 else ""
    return f"{d.delta:+.4g} ({kind}{one_df}, {q})"


def decide(
    scores: Mapping[str, Mapping[int, float]],
    baseline: str | Mapping[str, str],
    lower_is_better: bool = True,
    alpha: float = 0.05,
    settled: Mapping[str, tuple[str, str]] | None = None,
) -> list[Decision]:
    """The decision of every setting, in the order of `scores`.

    `baseline` is the baseline's name, or for each setting compared along one key the name of
    its own baseline (a setting that is a baseline is not a key of the mapping). `settled`:
    (decision, reason) of settings decided or dropped in an earlier round; they stay so.
    """
    settled = settled or {}
    names = list(scores)
    if isinstance(baseline, str):
        if baseline not in scores:
            raise ValueError(f"baseline {baseline!r} is not one of the settings")
        against = {n: baseline for n in names if n != baseline}
    else:
        against = {n: b for n, b in baseline.items() if n in scores and b in scores}
    compared = [n for n in names if n in against]
    vs_base = _corrected(compared, against, scores, lower_is_better, alpha)
    best = best_setting(scores, lower_is_better)
    others = [n for n in names if n != best] if best is not None else []
    vs_best = _corrected(others, dict.fromkeys(others, best), scores, lower_is_better, alpha)

    decisions: dict[str, Decision] = {}
    for name in compared:  # the settings first: a baseline's fate follows theirs
        base = against[name]
        decisions[name] = _decide_one(name, scores, base, vs_base, vs_best, best)
        if name in settled:
            kept, why = settled[name]
            decisions[name] = replace(decisions[name], decision=kept, reason=why)
    for name in names:
        if name in decisions:
            continue
        needed = [n for n, b in against.items() if b == name and decisions[n].is_open]
        reason = (
            f"baseline of {len(needed)} open setting(s)"
            if needed
            else "baseline: every setting compared with it is decided"
        )
        decisions[name] = Decision(
            name,
            tuple(sorted(scores[name])),
            _mean(scores[name]),
            CONTINUE if needed else DONE,
            reason,
            vs_best=vs_best.get(name),
        )
    return [decisions[n] for n in names]


def _decide_one(
    name: str,
    all_scores: Mapping[str, Mapping[int, float]],
    base: str,
    vs_base: Mapping[str, Difference | None],
    vs_best: Mapping[str, Difference | None],
    best: str | None,
) -> Decision:
    """One compared setting: decided, dropped, or open."""
    d, b = vs_base.get(name), vs_best.get(name)
    scores = all_scores[name]
    seeds, mean = tuple(sorted(scores)), _mean(scores)

    def made(decision: str, reason: str) -> Decision:
        return Decision(name, seeds, mean, decision, reason, base, d, b)

    if not scores:
        return made(DROPPED, "no run of it finished with a score")
    if d is not None and d.verdict == SAME_RUNS:
        shared = ", ".join(map(str, sorted(set(scores) & set(all_scores[base]))))
        return made(SAME, f"scores equal {base}'s on seeds {shared}: same runs")
    if d is not None and d.verdict in ("better", "worse"):
        return made(BETTER if d.verdict == "better" else WORSE, f"vs {base}: {_fmt(d)}")
    if b is not None and b.verdict == "worse":
        return made(DROPPED, f"cannot catch the best, {best}: {_fmt(b)}")
    why = f"vs {base}: {_fmt(d)}" if d is not None else f"no comparison with {base} yet"
    return made(CONTINUE, why)
