"""Where a metric's values are written: one naming for the loggers, metrics.json and W&B.

`metrics/swd` (each evaluation), `final/swd` (the end of the run, on more images), `best/swd`
(W&B summary), `metrics/swd_class/<class>` and `swd_per_class` (a conditional model).
"""

from __future__ import annotations

EVALUATION = "metrics"  # logged at every evaluation
FINAL = "final"  # the end-of-run evaluation (and W&B's summary of metrics.json's `metrics`)
BEST = "best"  # the best evaluation (W&B's summary)


def logged(key: str, prefix: str = EVALUATION) -> str:
    """`metrics/<key>`: the logger's name of a score, so dashboards keep one name per metric."""
    return f"{prefix}/{key}"


def logged_per_class(metric: str, class_name: str) -> str:
    """`metrics/<metric>_class/<class>`: one chart per metric, one line per class."""
    return f"{EVALUATION}/{metric}_class/{class_name}"


def per_class_field(metric: str) -> str:
    """`<metric>_per_class`: the metrics.json field of a metric's values by class."""
    return f"{metric}_per_class"
