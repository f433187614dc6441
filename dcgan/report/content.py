"""What the report's two tables hold, as plain text: settings over seeds and every run."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dcgan.metrics.registry import headline_names
from dcgan.report.cost import Ratio
from dcgan.report.runs import Run
from dcgan.report.scores import SCORES
from dcgan.report.settings import Analysis, Setting, setting_key
from dcgan.report.stats import LEVEL, Difference, Summary


@dataclass
class Report:
    """Everything one report shows, computed once and rendered as Markdown, HTML and W&B."""

    sweep: Path
    analysis: Analysis  # settings ranked by the chosen score, their differences and verdicts
    runs: list[Run]  # best first, unfinished last
    shared: list[str]
    plot: str | None  # file name of the plot beside the report
    until: int | None = None  # every run read as it stood at this iteration
    from_race: list[str] = field(default_factory=list)  # keys whose value race.json gave

    @property
    def metric(self) -> str:
        """The metric compared."""
        return self.analysis.metric

    @property
    def settings(self) -> list[Setting]:
        """Ranked by the mean of the chosen score, best first."""
        return self.analysis.settings

    @property
    def baseline(self) -> str:
        """What the settings are compared with, in words."""
        return self.analysis.baseline


def fmt(value: Any, digits: int = 4) -> str:
    """A number in `digits` significant digits; None is an empty cell."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.{digits}g}"
    return str(value)


def fmt_p(p: float | None) -> str:
    """A p-value in 2 significant digits."""
    return "" if p is None else f"{p:.2g}"


def _interval(low: float | None, high: float | None) -> str:
    return "" if low is None or high is None else f"[{fmt(low)}, {fmt(high)}]"


def _seconds(value: float | None) -> str:
    return "" if value is None else f"{value:.3g}" if value < 100 else f"{value:.0f}"


def _signed(value: float) -> str:
    return f"{value:+.4g}"


def _per_seed(setting: Setting) -> str:
    cells = []
    repeats = {id(r) for r in setting.repeats}
    for run in setting.runs:
        if id(run) in repeats:
            continue  # the seed's first run speaks for it ("not counted" says how many)
        value = fmt(setting.value_of(run)) if run.status == "finished" else run.status
        cells.append(f"s{'?' if run.seed is None else run.seed}: {value}")
    return ", ".join(cells)


def _versus(setting: Setting) -> list[str]:
    """vs baseline, paired, P(better), adjusted p, verdict."""
    if setting.is_baseline:
        return ["baseline", "", "", "", ""]
    diff = setting.difference
    if diff is None:
        return ["", "", "", "", "no baseline or no values to compare"]
    interval = (
        ""
        if diff.low is None or diff.high is None
        else f" [{_signed(diff.low)}, {_signed(diff.high)}]"
    )
    return [
        _signed(diff.delta) + interval,
        _pairing(diff),
        fmt(diff.prob_improvement, 2),
        fmt_p(diff.adjusted_p),
        diff.verdict,
    ]


def _pairing(diff: Difference) -> str:
    if not diff.paired:
        return "no (Welch)"
    narrowing = diff.narrowing
    return f"yes, x{narrowing:.2f}" if narrowing is not None else "yes"


def ratio_cell(ratio: Ratio | None) -> str:
    """img/s over the baseline's with its interval; marked where the machine's spread shows."""
    if ratio is None:
        return ""
    text = f"{ratio.ratio:.3g}"
    if ratio.low is not None and ratio.high is not None:
        text += f" [{ratio.low:.3g}, {ratio.high:.3g}]"
    return text + (" (machine spread)" if ratio.noisy else "")


def _summary_cells(summary: Summary) -> list[str]:
    return [fmt(summary.mean), fmt(summary.sd), _interval(summary.low, summary.high)]


def _images(counts: list[int]) -> str:
    return "/".join(f"{n:,}" for n in counts)


def final_images(report: Report) -> list[int]:
    """The image counts the final values were measured on, as the runs recorded them."""
    return sorted(
        {
            int(n)
            for r in report.runs
            if isinstance(n := (r.info.get("metrics") or {}).get("num_samples"), int)
        }
    )


def periodic_images(report: Report) -> list[int]:
    """The image counts of the periodic evaluations: as the history recorded them (fewer than
    `callbacks.metrics.num_samples` on a smaller source), else that key (older runs)."""
    counts = set()
    for run in report.runs:
        recorded = {h["num_samples"] for h in run.history if isinstance(h.get("num_samples"), int)}
        if recorded:
            counts |= recorded
            continue
        metrics = (run.folder.read_config().get("callbacks") or {}).get("metrics") or {}
        if isinstance(n := metrics.get("num_samples"), int):
            counts.add(n)
    return sorted(counts)


def score_name(report: Report, score: str) -> str:
    """A score's column name with the images it was measured on: `final swd (2,048 images)`.

    The end-of-run evaluation uses more images than the periodic ones, and the metric's value
    moves with the sample size: the names keep a reader from comparing best with final.
    """
    sizes = periodic_images(report) if score != "final" else final_images(report)
    if score == "final" and report.until is not None:
        sizes = periodic_images(report)
    shown = f" ({_images(sizes)} images)" if sizes else ""
    kind = "" if score == "final" else " periodic"
    return f"{score}{kind} {report.metric}{shown}"


def steady_seconds(setting: Setting) -> float | None:
    """Mean over counted runs of images trained / steady img/s: training time without the
    warm-up, evaluations and checkpoints, which the first job of a process pays more of."""
    values = [
        images / speed
        for r in setting.counted
        if (images := r.number("images_seen")) is not None
        and (speed := r.number("img_per_s")) is not None
        and speed > 0
    ]
    return sum(values) / len(values) if values else None


def _score_cell(summary: Summary) -> str:
    interval = _interval(summary.low, summary.high)
    return fmt(summary.mean) + (f" {interval}" if interval else "")


def main_table(report: Report) -> tuple[list[str], list[list[str]]]:
    """The short table: setting, score with interval, difference with interval, verdict, cost."""
    ci = f"{LEVEL:.0%} CI"
    header = [
        "#",
        "setting",
        "n",
        f"{score_name(report, report.analysis.score)} [{ci}]",
        f"vs baseline [{ci}]",
        "P(better)",
        "verdict",
        f"img/s ratio [{ci}]",
    ]
    rows = []
    for rank, s in enumerate(report.settings, 1):
        versus = _versus(s)
        rows.append(
            [
                str(rank),
                s.label,
                str(s.chosen.n),
                _score_cell(s.chosen),
                versus[0],
                versus[2],
                versus[4] or versus[0],
                "baseline" if s.is_baseline else ratio_cell(s.cost),
            ]
        )
    return header, rows


def settings_table(report: Report) -> tuple[list[str], list[list[str]]]:
    """Header and plain-text cells of the detailed settings table, in the main table's order."""
    m, ci = report.metric, f"{LEVEL:.0%} CI"
    header = ["#", "setting", "n", "not counted"]
    for score in SCORES:
        suffix = "" if score == "final" else f" ({score})"
        header += [score_name(report, score), f"sd{suffix}", f"{ci}{suffix}"]
    header += [
        f"{report.analysis.score} {m} per seed",
        f"vs baseline [{ci}]",
        "paired (CI / Welch's)",
        "P(better)",
        "p (Holm)",
        "verdict",
        "img/s",
        f"img/s / baseline's [{ci}]",
        "train s/run",
    ]
    rows = []
    for rank, s in enumerate(report.settings, 1):
        rows.append(
            [
                str(rank),
                s.label,
                str(s.chosen.n),
                s.not_counted,
                *(cell for score in SCORES for cell in _summary_cells(getattr(s, score))),
                _per_seed(s),
                *_versus(s),
                fmt(s.mean_of("img_per_s")),
                "baseline" if s.is_baseline else ratio_cell(s.cost),
                _seconds(steady_seconds(s)),
            ]
        )
    return header, rows


def runs_table(report: Report) -> tuple[list[str], list[list[str]], list[Path | None]]:
    """Header, plain-text cells and last sample grid of every run, failed ones included."""
    runs, m = report.runs, report.metric
    columns = [c for c in headline_names() if any(r.metric(c) is not None for r in runs)] or [m]
    labels = {s.key: s.label for s in report.settings}
    header = ["#", "run", "seed", "setting", "status", *columns, f"best periodic {m} (iter)"]
    header += ["iterations", "time (s)", "img/s", "error"]
    rows, grids = [], []
    for rank, run in enumerate(runs, 1):
        best_value = run.best(m)
        best_iter = next((h["iteration"] for h in run.history if h.get(m) == best_value), None)
        best_cell = f"{fmt(best_value)} ({best_iter})" if best_value is not None else ""
        error = run.error
        rows.append(
            [
                str(rank),
                run.name,
                fmt(run.seed),
                labels.get(setting_key(run), ""),
                run.status,
                *(fmt(run.metric(c)) for c in columns),
                best_cell,
                fmt(run.info.get("iterations")),
                _seconds(run.number("run_time_s")),
                fmt(run.number("img_per_s")),
                error[:160] + ("..." if len(error) > 160 else ""),
            ]
        )
        grids.append(run.last_grid)
    return header, rows, grids
