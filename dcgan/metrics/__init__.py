"""Image-quality metrics: SWD needs nothing downloaded; FID/KID/IS need Inception weights."""

from dcgan.metrics.inception import InceptionMetrics, inception_unavailable, locate_weights
from dcgan.metrics.swd import laplacian_pyramid, pyramid_levels, sliced_wasserstein

__all__ = [
    "InceptionMetrics",
    "inception_unavailable",
    "laplacian_pyramid",
    "locate_weights",
    "pyramid_levels",
    "sliced_wasserstein",
]
