"""The sentences above the report's tables: what is ranked, how it is compared, what it costs."""

from __future__ import annotations

import statistics

from dcgan.metrics.registry import lower_is_better
from dcgan.report.content import Report
from dcgan.report.cost import NOISY
from dcgan.report.settings import REPEAT
from dcgan.report.stats import ALPHA, LEVEL


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def _sizes(report: Report) -> str:
    """How many images the final evaluations used, as recorded."""
    finals = sorted(
        {
            int(n)
            for r in report.runs
            if isinstance(n := (r.info.get("metrics") or {}).get("num_samples"), int)
        }
    )
    return f" on {', '.join(map(str, finals))} images" if finals else ""


def pairing_line(report: Report) -> str:
    """How many comparisons were paired and how much narrower pairing made their intervals."""
    diffs = [s.difference for s in report.settings if s.difference is not None]
    if not diffs:
        return "Pairing: no setting was compared with a baseline."
    paired = [d for d in diffs if d.paired]
    said = f"Pairing: {len(paired)} of {_plural(len(diffs), 'comparison')} paired by seed"
    ratios = sorted(r for d in paired if (r := d.narrowing) is not None)
    if not ratios:
        return said + "."
    spread = f", {ratios[0]:.2f} to {ratios[-1]:.2f}" if len(ratios) > 1 else ""
    return (
        f"{said}; their intervals are x{statistics.median(ratios):.2f} (median{spread}) the "
        "width of Welch's on the same runs (below 1: pairing by seed narrowed them)."
    )


def cost_line(report: Report) -> str:
    """What the cost columns mean, and which settings' speed ratio is the machine's noise."""
    noisy = [s.label for s in report.settings if s.cost is not None and s.cost.noisy]
    text = (
        "Cost: img/s is real images per second of training (evaluations excluded) and time/run "
        "the wall time of one run, both averaged over the counted seeds; `img/s / baseline's` is "
        "a setting's img/s over its baseline's (paired by seed where they share at least 2 "
        f"seeds; geometric mean) with its {LEVEL:.0%} interval: below 1 the setting is slower."
    )
    if noisy:
        text += (
            f" The interval reaches beyond +-{NOISY:.0%} for {', '.join(noisy)} (marked "
            '"machine spread"): there the spread speaks more about the machine (load, clocks) '
            "than about the setting."
        )
    return text


def intro(report: Report) -> list[str]:
    """The sentences above the tables: what is ranked, how the interval is made, what counts."""
    a, m = report.analysis, report.metric
    better = "lower" if lower_is_better(m) else "higher"
    seeds = sorted({s.chosen.n for s in report.settings})
    tests = sum(
        1 for s in report.settings if s.difference is not None and s.difference.p is not None
    )
    return [
        f"{_plural(len(report.runs), 'run')} in {_plural(len(report.settings), 'setting')} "
        f"(finished seeds per setting: {', '.join(map(str, seeds))}); settings ranked by the "
        f"mean over seeds of the `{a.score}` `{m}` ({better} is better). A setting is a set of "
        "overrides; runs that differ only in `seed` are its seeds.",
        f"Scores of a run: `final`, the `{m}` at its end{_sizes(report)}; `best`, its best "
        f"periodic value; `late`, the mean of its periodic values from {1 - a.window:.0%} of its "
        f"last evaluated iteration on (window={a.window:g}). Compared by {a.why}.",
        f"Statistics over seeds: mean, sd (n - 1) and the {LEVEL:.0%} t-interval of the mean of "
        f"each score. Against the baseline {report.baseline}: the difference in `{a.score}` "
        f"with its {LEVEL:.0%} t-interval (scipy), paired over the seeds both share when they "
        "share at least 2 (runs with the same seed share data order, fixed noise and initial "
        "weights), else Welch's over all their seeds. P(better): the share of shared seeds "
        "(paired) or of all pairs of runs (Welch) where the setting beats the baseline, ties "
        "counting half.",
        f"Verdicts are corrected for the {_plural(tests, 'test')} against the baseline with "
        f"Holm's step-down method at a family-wise error rate of {ALPHA:.0%}: "
        f'"better" or "worse" only when the Holm-adjusted p (`p (Holm)`) is below {ALPHA:g}, '
        'otherwise "not distinguishable with n seeds"; the intervals stay '
        f"{LEVEL:.0%} intervals, each on its own.",
        pairing_line(report),
        cost_line(report),
        'Runs that did not finish stay listed below and are counted apart ("not counted"), '
        "never in the statistics.",
        *_repeats_line(report),
    ]


def _repeats_line(report: Report) -> list[str]:
    """Said only where a setting has a seed twice (a sweeper proposing the same values again)."""
    repeats = sum(len(s.repeats) for s in report.settings)
    if not repeats:
        return []
    return [
        f"{_plural(repeats, 'finished run')} {'repeats' if repeats == 1 else 'repeat'} a seed "
        "that its setting already has: the "
        "same values and seed train the same run again, so each seed counts once (the first "
        f'run) and the repeats are "{REPEAT}" under "not counted".'
    ]
