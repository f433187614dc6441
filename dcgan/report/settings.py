"""Runs that differ only in `seed` form one setting; each setting is summarised over its seeds."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from dcgan.report.runs import HIGHER_IS_BETTER, ReportError, Run
from dcgan.report.stats import Difference, Summary, summarize, welch_difference
from dcgan.tracking import is_seed_override

BASELINE = "trick=none"


@dataclass
class Setting:
    """One setting of a sweep: its runs over seeds and their summaries for one metric."""

    key: tuple[str, ...]  # its overrides minus seed, sorted
    label: str  # the overrides it sets beyond those all settings share
    runs: list[Run]
    final: Summary
    best: Summary
    counted: list[Run] = field(default_factory=list)  # finished runs with a final value
    difference: Difference | None = None
    is_baseline: bool = False

    @property
    def not_counted(self) -> str:
        """Runs left out of the statistics, by status: "1 failed, 1 running"."""
        counted = {id(r) for r in self.counted}
        counts = Counter(r.status for r in self.runs if id(r) not in counted)
        return ", ".join(f"{n} {status}" for status, n in counts.items())

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


def group_settings(runs: list[Run], metric: str) -> list[Setting]:
    """Settings in first-run order, each with final and best summaries of `metric`."""
    groups: dict[tuple[str, ...], list[Run]] = {}
    for run in runs:
        groups.setdefault(setting_key(run), []).append(run)
    shared = set(shared_overrides(runs))
    settings = []
    for key, members in groups.items():
        own = [o for o in members[0].overrides if o in key and o not in shared]
        counted = [r for r in members if r.status == "finished" and r.metric(metric) is not None]
        settings.append(
            Setting(
                key=key,
                label=" ".join(own) or "(base)",
                runs=members,
                final=summarize([r.metric(metric) for r in counted]),
                best=summarize([b for r in counted if (b := r.best(metric)) is not None]),
                counted=counted,
            )
        )
    return settings


def compare_to_baseline(settings: list[Setting], metric: str, baseline: str | None = None) -> str:
    """Mark the baselines, set every other setting's difference to its own; say what they are.

    `baseline` is one override (`augment=none`): each setting is compared with the setting that
    has the same other overrides and that value, so a sweep over data sizes and augmentations
    compares the augmentations within each size. None: `trick=none` when a setting has it, else
    the first setting is the one baseline of all.
    """
    if not settings:
        return "(none)"
    if baseline is not None and "=" not in baseline:
        raise ReportError(f"baseline={baseline} is not one override: give key=value (augment=none)")
    if baseline is None and any(BASELINE in s.key for s in settings):
        baseline = BASELINE
    lower = metric not in HIGHER_IS_BETTER
    if baseline is None:
        first = settings[0]
        first.is_baseline = True
        for setting in settings[1:]:
            setting.difference = welch_difference(setting.final, first.final, lower)
        return f"`{first.label}`"
    if not any(baseline in s.key for s in settings):
        values = sorted({o for s in settings for o in s.key if _name(o) == _name(baseline)})
        raise ReportError(
            f"baseline={baseline} is no setting of this sweep; "
            + (f"it has: {', '.join(values)}" if values else f"no setting sets {_name(baseline)}")
        )
    by_key = {s.key: s for s in settings}
    for setting in settings:
        if baseline in setting.key:
            setting.is_baseline = True
            continue
        twin = tuple(sorted([o for o in setting.key if _name(o) != _name(baseline)] + [baseline]))
        if twin in by_key:
            setting.difference = welch_difference(setting.final, by_key[twin].final, lower)
    return f"`{baseline}` with the same other overrides"


def _name(override: str) -> str:
    """The key an override sets (`data.limit` of `data.limit=100`)."""
    return override.split("=", 1)[0].lstrip("+~")


def rank_settings(settings: list[Setting], metric: str) -> list[Setting]:
    """Best mean first; settings without any value last, in sweep order."""
    sign = -1.0 if metric in HIGHER_IS_BETTER else 1.0

    def key(setting: Setting) -> tuple[int, float]:
        mean = setting.final.mean
        return (1, 0.0) if mean is None else (0, sign * mean)

    return sorted(settings, key=key)
