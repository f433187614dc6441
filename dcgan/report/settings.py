"""Runs that differ only in `seed` form one setting; each is compared with its baseline by seed.

`analyse` is the whole comparison in one call (the report and the race both use it): settings
with their final, best and late scores per seed, the score compared by, each setting's paired
(or Welch) difference to its baseline with Holm-corrected verdicts, and its img/s ratio.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from dcgan.metrics.registry import lower_is_better
from dcgan.report.cost import Ratio, speed_ratio
from dcgan.report.runs import Run, check_baseline
from dcgan.report.scores import SCORES, WINDOW, Spread, check_choice, choose_score, run_scores
from dcgan.report.stats import (
    ALPHA,
    Difference,
    Summary,
    apply_correction,
    compare,
    summarize,
)
from dcgan.tracking import is_seed_override

BASELINE = "trick=none"
REPEAT = "repeating a seed"  # a finished run left out: its setting counts that seed already


@dataclass
class Setting:
    """One setting of a sweep: its runs over seeds and their summaries for one metric."""

    key: tuple[str, ...]  # its overrides minus seed, sorted
    label: str  # the overrides it sets beyond those all settings share
    runs: list[Run]
    final: Summary
    best: Summary
    late: Summary = field(default_factory=lambda: summarize([]))
    counted: list[Run] = field(default_factory=list)  # finished runs with a final value
    # finished runs of a seed the setting already counts: the same values and seed train the same
    # run again (a sweeper's repeated proposal), one draw of the seed, not another
    repeats: list[Run] = field(default_factory=list)
    scores: dict[str, dict[int, float]] = field(default_factory=dict)  # score -> seed -> value
    speeds: dict[int, float] = field(default_factory=dict)  # seed -> img/s
    seed_keys: list[int] = field(default_factory=list)  # of the counted runs, as in `scores`
    score: str = "final"  # the score it is ranked and compared by
    difference: Difference | None = None
    cost: Ratio | None = None  # img/s over the baseline's
    is_baseline: bool = False

    @property
    def not_counted(self) -> str:
        """Runs left out of the statistics, by status: "1 failed, 1 running, 2 repeating a seed"."""
        counted = {id(r) for r in self.counted}
        repeats = {id(r) for r in self.repeats}
        counts = Counter(
            REPEAT if id(r) in repeats else r.status for r in self.runs if id(r) not in counted
        )
        return ", ".join(f"{n} {status}" for status, n in counts.items())

    @property
    def chosen(self) -> Summary:
        """The summary of the score compared by."""
        return getattr(self, self.score)

    @property
    def per_seed(self) -> dict[int, float]:
        """Seed -> the score compared by: what pairs this setting's runs with the baseline's."""
        return self.scores.get(self.score, {})

    def value_of(self, run: Run) -> float | None:
        """A counted run's value of the score compared by (None: not counted or no value)."""
        for counted, seed in zip(self.counted, self.seed_keys, strict=True):
            if counted is run:
                return self.per_seed.get(seed)
        return None

    def mean_of(self, key: str) -> float | None:
        """Mean over the counted runs of a number in metrics.json (img_per_s, run_time_s)."""
        values = [v for r in self.counted if (v := r.number(key)) is not None]
        return sum(values) / len(values) if values else None


def setting_key(run: Run) -> tuple[str, ...]:
    """What identifies a run's setting: its overrides without the seed."""
    return tuple(sorted(o for o in run.overrides if not is_seed_override(o)))


def shared_overrides(runs: list[Run]) -> list[str]:
    """Overrides (seed aside) that every run sets, in the first run's order."""
    if not runs:
        return []
    common = set.intersection(*(set(setting_key(r)) for r in runs))
    return [o for o in runs[0].overrides if o in common]


def _one_run_a_seed(runs: list[Run]) -> tuple[list[Run], list[Run]]:
    """The first run of each seed, and the later ones that repeat it; runs without a known
    seed all count."""
    first: list[Run] = []
    repeats: list[Run] = []
    seen: set[int] = set()
    for run in runs:
        seed = run.seed
        (repeats if seed is not None and seed in seen else first).append(run)
        if seed is not None:
            seen.add(seed)
    return first, repeats


def _seed_keys(runs: list[Run]) -> list[int]:
    """Each run's seed; a run without one gets a negative key that pairs with nothing, so it
    still counts (unpaired)."""
    keys, loose = [], 0
    for run in runs:
        seed = run.seed
        if seed is None:
            loose -= 1
            seed = loose
        keys.append(seed)
    return keys


def group_settings(runs: list[Run], metric: str, window: float = WINDOW) -> list[Setting]:
    """Settings in first-run order, each with final, best and late summaries of `metric`."""
    groups: dict[tuple[str, ...], list[Run]] = {}
    for run in runs:
        groups.setdefault(setting_key(run), []).append(run)
    shared = set(shared_overrides(runs))
    settings = []
    for key, members in groups.items():
        own = [o for o in members[0].overrides if o in key and o not in shared]
        finished = [r for r in members if r.status == "finished" and r.metric(metric) is not None]
        counted, repeats = _one_run_a_seed(finished)
        seeds = _seed_keys(counted)
        values = [run_scores(r, metric, window) for r in counted]
        scores = {
            s: {seed: v[s] for seed, v in zip(seeds, values, strict=True) if v[s] is not None}
            for s in SCORES
        }
        speeds = {
            seed: v
            for seed, r in zip(seeds, counted, strict=True)
            if (v := r.number("img_per_s")) is not None
        }
        settings.append(
            Setting(
                key=key,
                label=" ".join(own) or "(base)",
                runs=members,
                final=summarize(list(scores["final"].values())),
                best=summarize(list(scores["best"].values())),
                late=summarize(list(scores["late"].values())),
                counted=counted,
                repeats=repeats,
                scores=scores,  # type: ignore[arg-type]
                speeds=speeds,
                seed_keys=seeds,
            )
        )
    return settings


def compare_to_baseline(
    settings: list[Setting], metric: str, baseline: str | None = None, alpha: float = ALPHA
) -> str:
    """Mark the baselines, set every other setting's corrected difference; say what they are.

    `baseline` is one override (`augment=none`): each setting is compared with the setting that
    has the same other overrides and that value, so a sweep over data sizes and augmentations
    compares the augmentations within each size. None: `trick=none` when a setting has it, else
    the first setting is the one baseline of all. The differences of all settings form one
    family: Holm's correction at family-wise level `alpha` makes their verdicts.
    """
    pairs, said = _baselines(settings, baseline)
    lower = lower_is_better(metric)
    compared = [(s, b) for s, b in pairs if b is not None]
    raw = [compare(s.per_seed, b.per_seed, lower) for s, b in compared]
    for (setting, base), diff in zip(compared, apply_correction(raw, alpha), strict=True):
        setting.difference = diff
        setting.cost = speed_ratio(setting.speeds, base.speeds)
    return said


def _baselines(
    settings: list[Setting], baseline: str | None
) -> tuple[list[tuple[Setting, Setting | None]], str]:
    """Each non-baseline setting with its baseline (None: it has none); the baseline in words."""
    if not settings:
        return [], "(none)"
    if baseline is not None:
        check_baseline((s.key for s in settings), baseline)
    if baseline is None and any(BASELINE in s.key for s in settings):
        baseline = BASELINE
    if baseline is None:
        first = settings[0]
        first.is_baseline = True
        return [(s, first) for s in settings[1:]], f"`{first.label}`"
    by_key = {s.key: s for s in settings}
    pairs: list[tuple[Setting, Setting | None]] = []
    for setting in settings:
        if baseline in setting.key:
            setting.is_baseline = True
            continue
        twin = tuple(sorted([o for o in setting.key if _name(o) != _name(baseline)] + [baseline]))
        pairs.append((setting, by_key.get(twin)))
    return pairs, f"`{baseline}` with the same other overrides"


def _name(override: str) -> str:
    """The key an override sets (`data.limit` of `data.limit=100`)."""
    return override.split("=", 1)[0].lstrip("+~")


def rank_settings(settings: list[Setting], metric: str) -> list[Setting]:
    """Best mean of the chosen score first; settings without any value last, in sweep order."""
    sign = 1.0 if lower_is_better(metric) else -1.0

    def key(setting: Setting) -> tuple[int, float]:
        mean = setting.chosen.mean
        return (1, 0.0) if mean is None else (0, sign * mean)

    return sorted(settings, key=key)


@dataclass
class Analysis:
    """A sweep's settings compared on one metric: what `analyse` found, for report and race."""

    metric: str
    settings: list[Setting]  # ranked by the chosen score, best first
    score: str  # final, best or late: what was ranked and compared
    why: str  # why that score, with the pooled sds of all three
    spreads: dict[str, Spread]
    baseline: str  # what the settings are compared with, in words
    window: float
    alpha: float = ALPHA  # the family-wise error level of the verdicts


def analyse(
    runs: list[Run],
    metric: str,
    baseline: str | None = None,
    score: str = "auto",
    window: float = WINDOW,
    alpha: float = ALPHA,
    source: str = "",
) -> Analysis:
    """Settings, chosen score per seed, corrected differences and verdicts: one call per look.

    `source`: where a given `score` came from, in words, when not from the command line.
    """
    check_choice(score, window)
    settings = group_settings(runs, metric, window)
    choice = choose_score([s.scores for s in settings], score, source)
    for setting in settings:
        setting.score = choice.score
    said = compare_to_baseline(settings, metric, baseline, alpha)
    return Analysis(
        metric=metric,
        settings=rank_settings(settings, metric),
        score=choice.score,
        why=choice.why,
        spreads=choice.spreads,
        baseline=said,
        window=window,
        alpha=alpha,
    )
