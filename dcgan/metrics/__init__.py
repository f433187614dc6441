"""Image-quality metrics, one registered `Metric` a file (see `registry.py`): SWD needs nothing
downloaded; FID, KID and IS need the Inception weights.

Every module of this package is imported, so a new file that registers a metric is known to the
config, the metrics callback, the report and W&B without other edits.
"""

import importlib
import pkgutil

from dcgan.metrics.inception import InceptionMetrics, inception_unavailable, locate_weights
from dcgan.metrics.registry import METRICS, Metric, register
from dcgan.metrics.swd import laplacian_pyramid, pyramid_levels, sliced_wasserstein

for _info in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_info.name}")

__all__ = [
    "METRICS",
    "InceptionMetrics",
    "Metric",
    "inception_unavailable",
    "laplacian_pyramid",
    "locate_weights",
    "pyramid_levels",
    "register",
    "sliced_wasserstein",
]
