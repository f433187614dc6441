"""Image-quality metrics: SWD needs nothing downloaded; FID/KID/IS need a local weights file."""

from dcgan.metrics.inception import InceptionMetrics, inception_unavailable
from dcgan.metrics.swd import laplacian_pyramid, pyramid_levels, sliced_wasserstein

__all__ = [
    "InceptionMetrics",
    "inception_unavailable",
    "laplacian_pyramid",
    "pyramid_levels",
    "sliced_wasserstein",
]
