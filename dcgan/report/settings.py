"""Runs that differ only in `seed` form one setting; each setting is summarised over its seeds."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from dcgan.report.runs import HIGHER_IS_BETTER, Run
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


def compare_to_baseline(settings: list[Setting], metric: str) -> Setting | None:
    """Mark the baseline (`trick=none`, else the first setting) and set every difference to it."""
    if not settings:
        return None
    baseline = next((s for s in settings if BASELINE in s.key), settings[0])
    baseline.is_baseline = True
    lower = metric not in HIGHER_IS_BETTER
    for setting in settings:
        if setting is not baseline:
            setting.difference = welch_difference(setting.final, baseline.final, lower)
    return baseline


def rank_settings(settings: list[Setting], metric: str) -> list[Setting]:
    """Best mean first; settings without any value last, in sweep order."""
    sign = -1.0 if metric in HIGHER_IS_BETTER else 1.0

    def key(setting: Setting) -> tuple[int, float]:
        mean = setting.final.mean
        return (1, 0.0) if mean is None else (0, sign * mean)

    return sorted(settings, key=key)
