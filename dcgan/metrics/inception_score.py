"""Inception Score (Salimans et al. 2016) of the fakes alone: higher is better; needs the
Inception weights."""

from __future__ import annotations

from dcgan.metrics.inception import feed
from dcgan.metrics.registry import Images, Metric, register


def inception_score(images: Images) -> dict[str, float]:
    """How confidently and how variously Inception classifies the fakes (no real images)."""
    import torch
    from torchmetrics.image.inception import InceptionScore

    with torch.no_grad():
        metric = InceptionScore(feature=images.inception.logits, splits=1).to(images.device)
        feed(images, lambda x, real: metric.update(x), reals=False)
        return {"is": float(metric.compute()[0])}


register(Metric("is", "IS", inception_score, higher_is_better=True, inception=True, order=30))
