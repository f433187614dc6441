"""The metric over iterations: one line per setting (mean over its seeds), a band of +-1 sd."""

from __future__ import annotations

import io
import math
from typing import TYPE_CHECKING

from dcgan.metrics.registry import lower_is_better
from dcgan.report.settings import Analysis

if TYPE_CHECKING:
    from matplotlib.figure import Figure

BAND = "+-1 sd over seeds"
BASELINE_COLOUR = "black"  # the baseline: black and dashed, every other setting its own colour


def _mean_and_sd(settings_runs: list[list[tuple[int, float]]]) -> list[tuple[int, float, float]]:
    """Per iteration: mean and sd (0 with one value) over the runs that evaluated there."""
    by_iter: dict[int, list[float]] = {}
    for points in settings_runs:
        for it, value in points:
            by_iter.setdefault(it, []).append(value)
    out = []
    for it in sorted(by_iter):
        values = by_iter[it]
        mean = sum(values) / len(values)
        var = sum((v - mean) ** 2 for v in values) / (len(values) - 1) if len(values) > 1 else 0.0
        out.append((it, mean, math.sqrt(var)))
    return out


def colours(n: int) -> list[tuple[float, ...]]:
    """`n` colours, the first 10 far apart (tab10), then tab20's lighter halves: in tab20 a
    colour's neighbour is its lighter shade, so two settings there look alike."""
    import matplotlib

    strong = list(matplotlib.colormaps["tab10"].colors)
    light = list(matplotlib.colormaps["tab20"].colors)[1::2]
    palette = strong + light
    return [palette[i % len(palette)] for i in range(n)]


def title(analysis: Analysis, until: int | None) -> str:
    """What the plot compares: the periodic metric, the score and window, the iteration read."""
    metric = analysis.metric
    better = "lower" if lower_is_better(metric) else "higher"
    window = f", window={analysis.window:g}" if analysis.score == "late" else ""
    at = f"; until={until}" if until is not None else ""
    return (
        f"periodic {metric}: mean over seeds, band {BAND} ({better} is better)\n"
        f"settings compared by their {analysis.score} {metric}{window}{at}; "
        "baseline black, dashed"
    )


def plot_settings(analysis: Analysis, until: int | None = None) -> bytes | None:
    """A PNG of each setting's mean curve with its band; None when no run has a history."""
    import matplotlib.pyplot as plt

    fig = draw(analysis, until)
    if fig is None:
        return None
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110)
    plt.close(fig)
    return buffer.getvalue()


def draw(analysis: Analysis, until: int | None = None) -> Figure | None:
    """The plot's figure (closed and None when no run has a history)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    settings, metric = analysis.settings, analysis.metric
    fig, ax = plt.subplots(figsize=(11, 4.5))
    # one colour and one marker per setting (markers cycle after 20 colours)
    palette = iter(colours(len(settings)))
    drawn = False
    for i, setting in enumerate(settings):
        runs = [
            [
                (int(h["iteration"]), float(h[metric]))
                for h in r.history
                if isinstance(h.get(metric), (int, float)) and math.isfinite(h[metric])
            ]
            for r in setting.runs
        ]
        runs = [points for points in runs if points]
        if not runs:
            continue
        xs, means, sds = zip(*_mean_and_sd(runs), strict=True)
        label = f"{setting.label} (n={len(runs)})"[:60]
        style = {"color": next(palette), "marker": "osD^"[i // 20 % 4], "markersize": 3}
        if setting.is_baseline:
            label += " (baseline)"
            style.update(color=BASELINE_COLOUR, linestyle="--", linewidth=2.2)
        (line,) = ax.plot(xs, means, label=label, **style)
        lows = [m - s for m, s in zip(means, sds, strict=True)]
        highs = [m + s for m, s in zip(means, sds, strict=True)]
        ax.fill_between(xs, lows, highs, color=line.get_color(), alpha=0.2, linewidth=0)
        drawn = True
    if not drawn:
        plt.close(fig)
        return None
    ax.set_xlabel("iteration")
    ax.set_ylabel(f"periodic {metric}")
    ax.set_title(title(analysis, until), fontsize=9)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    fig.tight_layout()
    return fig
