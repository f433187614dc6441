"""The image-quality metrics, registered by name: each one is a file of `dcgan/metrics/`.

A metric `x` is one file `dcgan/metrics/x.py` that calls `register(Metric(...))` with its name,
its direction, whether it needs the Inception weights, whether it is a headline metric and the
function that scores it. Every other place reads this registry: the choices of
`callbacks.metrics.monitor`, the metrics callback, the report's directions and columns, and the
keys a run logs and writes (`keys.py`).

A metric's scores are `{name: value}`, plus any parts it reports as `<name>_<part>` (SWD's
`swd_32`, one per pyramid level); a part is compared in the direction of its metric.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from dcgan.checks import Registry

if TYPE_CHECKING:
    import torch
    from torch import Tensor


@dataclass(frozen=True)
class Images:
    """What a metric compares: real and generated [N, C, S, S] images in [-1, 1], on the CPU."""

    real: Tensor
    fake: Tensor
    seed: int  # fixes the metric's own random draws (SWD's patches and directions)
    device: torch.device  # where a network-based metric runs
    inception: Any = None  # the loaded `InceptionMetrics` networks; None: the weights are off


Score = Callable[[Images], dict[str, float]]


@dataclass(frozen=True)
class Metric:
    """One image-quality metric: how it is named, compared and computed."""

    name: str  # its key: metrics.json, `metrics/<name>`, `final/<name>`, `<name>_per_class`
    label: str  # how messages write it: SWD, FID
    score: Score  # the images -> {name: value, and any `<name>_<part>`: value}
    higher_is_better: bool = False  # IS: true; the distances: false
    inception: bool = False  # needs the Inception weights (callbacks.metrics.inception_weights)
    headline: bool = True  # a column of the report and a value per class of a conditional model
    order: int = 0  # its place in logs, metrics.json and the report's columns (lower first)


def _traits(metric: Metric) -> str:
    """`lower is better, Inception weights`: how the reference describes a metric."""
    better = "higher is better" if metric.higher_is_better else "lower is better"
    return f"{better}, Inception weights" if metric.inception else better


METRICS: Registry[Metric] = Registry("image-quality metrics", note=_traits)
register = METRICS.register  # `register(Metric(...))`: known everywhere; a name taken is refused


def ordered() -> list[Metric]:
    """The registered metrics in their order: the one every log, file and table follows."""
    return sorted(METRICS.values(), key=lambda m: (m.order, m.name))


def monitors() -> list[str]:
    """Metrics that can pick best.ckpt and be what training returns: both minimise, so only
    lower-is-better ones."""
    return [m.name for m in ordered() if not m.higher_is_better]


def headline_names() -> list[str]:
    """The metrics a report shows as columns and a conditional model scores per class."""
    return [m.name for m in ordered() if m.headline]


def metric_of(key: str) -> Metric | None:
    """The metric a score key belongs to (`swd_32` -> swd), or None for an unknown key."""
    if key in METRICS:
        return METRICS[key]
    owners = [m for m in METRICS.values() if key.startswith(f"{m.name}_")]
    return max(owners, key=lambda m: len(m.name)) if owners else None


def lower_is_better(key: str) -> bool:
    """The direction of a score key; unknown keys count as distances (lower is better)."""
    metric = metric_of(key)
    return metric is None or not metric.higher_is_better


def headline_only(scores: Mapping[str, float]) -> dict[str, float]:
    """The scores of headline metrics alone, without their parts (`swd`, not `swd_32`)."""
    names = set(headline_names())
    return {k: v for k, v in scores.items() if k in names}


def score_all(images: Images) -> dict[str, float]:
    """Every registered metric that can run (those needing Inception only when it is loaded)."""
    scores: dict[str, float] = {}
    for metric in ordered():
        if metric.inception and images.inception is None:
            continue
        scores.update(metric.score(images))
    return scores


def labels(metrics: Iterable[Metric]) -> str:
    """`FID, KID and IS`: metric labels as a message says them."""
    names = [m.label for m in metrics]
    return " and ".join([", ".join(names[:-1]), names[-1]]) if len(names) > 1 else "".join(names)
