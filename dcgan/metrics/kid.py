"""Kernel Inception Distance (Binkowski et al. 2018), x1e3: lower is better; unbiased on few
images; needs the Inception weights."""

from __future__ import annotations

from dcgan.metrics.inception import feed
from dcgan.metrics.registry import Images, Metric, register


def kid(images: Images) -> dict[str, float]:
    """The polynomial-kernel MMD of Inception features, mean over subsets: unbiased, unlike FID."""
    import torch
    from torchmetrics.image.kid import KernelInceptionDistance

    with torch.no_grad():
        nets = images.inception
        subset = min(nets.kid_subset_size, len(images.real), len(images.fake))
        metric = KernelInceptionDistance(feature=nets.features, subset_size=subset)
        metric = metric.to(images.device)
        feed(images, lambda x, real: metric.update(x, real=real))
        return {"kid": float(metric.compute()[0]) * 1e3}


register(Metric("kid", "KID", kid, inception=True, order=20))
