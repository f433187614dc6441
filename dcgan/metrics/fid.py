"""Frechet Inception Distance (Heusel et al. 2017): lower is better; needs the Inception weights."""

from __future__ import annotations

from dcgan.metrics.inception import feed
from dcgan.metrics.registry import Images, Metric, register


def fid(images: Images) -> dict[str, float]:
    """The distance of Gaussians fitted to real and fake Inception features: the usual yardstick."""
    import torch
    from torchmetrics.image.fid import FrechetInceptionDistance

    with torch.no_grad():
        metric = FrechetInceptionDistance(feature=images.inception.features).to(images.device)
        feed(images, lambda x, real: metric.update(x, real=real))
        return {"fid": float(metric.compute())}


register(Metric("fid", "FID", fid, inception=True, order=10))
