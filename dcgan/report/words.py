"""The sentences above the report's tables: what is ranked, how it is compared, what it costs."""

from __future__ import annotations

import statistics

from dcgan.metrics.registry import lower_is_better
from dcgan.report.best import BEST_SH, best_command
from dcgan.report.content import (
    Report,
    final_images,
    main_table,
    periodic_images,
    score_name,
)
from dcgan.report.cost import NOISY
from dcgan.report.settings import REPEAT
from dcgan.report.stats import LEVEL


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def _counts(counts: list[int]) -> str:
    return " or ".join(f"{n:,}" for n in counts)


def sizes_line(report: Report) -> str:
    """On how many images each score was measured, and that scores of two sizes do not compare."""
    finals, periodic = final_images(report), periodic_images(report)
    if report.until is not None or not finals or not periodic or finals == periodic:
        return ""
    return (
        f" `final` is measured on {_counts(finals)} images and `best` and `late` on "
        f"{_counts(periodic)}: the metric's value moves with the number of images, so compare "
        "settings by one score, never one score with another (nor the plot's periodic curves "
        "with `final`)."
    )


def title(report: Report) -> str:
    """The report's heading: the sweep, and the iteration it was read at."""
    at = f", as of iteration {report.until}" if report.until is not None else ""
    return f"Sweep report: {report.sweep.name}{at}"


def _seeds(report: Report) -> str:
    """How many finished seeds the settings have, in words."""
    seeds = sorted({s.chosen.n for s in report.settings})
    if len(seeds) == 1:
        return f"{_plural(seeds[0], 'finished seed')} each"
    return f"{', '.join(map(str, seeds[:-1]))} or {seeds[-1]} finished seeds each"


def _from_race(report: Report) -> list[str]:
    if not report.from_race:
        return []
    keys = ", ".join(report.from_race)
    return [
        f"This folder holds a race (race.json): judged by the race's {keys}, as the race judged "
        "its rounds, so its verdicts are the race's (a key given to `dcgan.report` wins)."
    ]


def _until(report: Report) -> list[str]:
    if report.until is None:
        return []
    return [
        f"Read as of iteration {report.until} (until={report.until}): each run's periodic "
        f"evaluation at iteration {report.until} is its `final` value, its periodic values up to "
        "there its `best` and `late` ones, and its last sample grid the one at or before that "
        'iteration; a run not evaluated there is "not reached".'
    ]


def pairing_line(report: Report) -> str:
    """How many comparisons were paired and how much narrower pairing made their intervals."""
    diffs = [s.difference for s in report.settings if s.difference is not None]
    if not diffs:
        return "Pairing: no setting was compared with a baseline."
    paired = [d for d in diffs if d.paired]
    said = f"Pairing: {len(paired)} of {_plural(len(diffs), 'comparison')} paired by seed"
    one_df = sum(d.n == 2 and d.p is not None for d in paired)
    if one_df:
        said += (
            f" ({one_df} over 2 shared seeds: a paired t-test with 1 degree of freedom, whose "
            "interval is 12.7 standard errors wide each side, so only large, steady differences "
            "are decided)"
        )
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
        "Cost: img/s is real images per second of training at steady speed (the first "
        "iterations, evaluations and checkpoints excluded) and `train s/run` the images a run "
        "trained over that speed, so neither charges one job for the start-up of its process; "
        "both are averaged over the counted seeds (each run's wall time is in the runs table); "
        "`img/s / baseline's` is "
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
    tests = sum(
        1 for s in report.settings if s.difference is not None and s.difference.p is not None
    )
    alpha = f"{a.alpha:g}" + (", the race's race.alpha" if "alpha" in report.from_race else "")
    return [
        *_until(report),
        *_from_race(report),
        f"{_plural(len(report.runs), 'run')} in {_plural(len(report.settings), 'setting')} "
        f"({_seeds(report)}); settings ranked by the mean over seeds of the `{a.score}` `{m}` "
        f"({better} is better). A setting is a set of overrides; runs that differ only in "
        "`seed` are its seeds.",
        f"Scores of a run: `final`, the `{m}` at its end; `best`, its best "
        f"periodic value; `late`, the mean of its periodic values from {1 - a.window:.0%} of its "
        f"last evaluated iteration on (window={a.window:g}).{sizes_line(report)} "
        f"Compared by {a.why}.",
        f"Statistics over seeds: mean, sd (n - 1) and the {LEVEL:.0%} t-interval of the mean of "
        f"each score. Against the baseline {report.baseline}: the difference in `{a.score}` "
        f"with its {LEVEL:.0%} t-interval (scipy), paired over the seeds both share when they "
        "share at least 2 (runs with the same seed share data order, fixed noise and initial "
        "weights), else Welch's over all their seeds. P(better): the share of shared seeds "
        "(paired) or of all pairs of runs (Welch) where the setting beats the baseline, ties "
        "counting half.",
        f"Verdicts are corrected for the {_plural(tests, 'test')} against the baseline with "
        f"Holm's step-down method at a family-wise error rate of {a.alpha:.0%} (alpha={alpha}): "
        f'"better" or "worse" only when the Holm-adjusted p (`p (Holm)`) is below {a.alpha:g}, '
        'otherwise "not distinguishable with n seeds"; the intervals stay '
        f"{LEVEL:.0%} intervals, each on its own.",
        pairing_line(report),
        cost_line(report),
        'Runs that did not finish stay listed below and are counted apart ("not counted"), '
        "never in the statistics.",
        *_repeats_line(report),
    ]


def best_line(report: Report, quote: str = "") -> str:
    """The command that trains the best setting on the full budget (between `quote`s), or why
    there is none."""
    command = best_command(report)
    if command is None:
        return "No setting has a value: no best setting to train."
    best = report.settings[0]
    if best.is_baseline:
        verdict = "the baseline"
    elif best.difference is not None:
        verdict = f"{best.difference.verdict} against its baseline"
    else:
        verdict = "not compared with a baseline"
    budget = f"to train it on the full budget ({BEST_SH})"
    return f"Best mean: {best.label} ({verdict}); {budget}: {quote}{command}{quote}"


def console_lines(report: Report) -> list[str]:
    """What `dcgan.report` prints: one line per setting (score, interval, difference, verdict)."""
    header, rows = main_table(report)
    at = f" as of iteration {report.until}" if report.until is not None else ""
    lines = [
        f"{score_name(report, report.analysis.score)}{at}, against {report.baseline}; verdicts "
        f"Holm-corrected at alpha={report.analysis.alpha:g}:"
    ]
    width = max((len(r[1]) for r in rows), default=0)
    for row in rows:
        _, label, n, score, diff, _prob, verdict, _cost = row
        versus = "" if diff in ("", "baseline") else f"  {diff}"
        lines.append(f"  {label:<{width}}  n={n:<2} {score}{versus}  {verdict}")
    lines.append(best_line(report))
    return lines


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
