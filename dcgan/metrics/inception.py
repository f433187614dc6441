"""FID, KID and Inception Score through torchmetrics, only from a local Inception weights file.

Nothing is ever downloaded: `inception_unavailable` says why these metrics are off (no path
given, file missing, torch-fidelity not installed) and the caller goes on with SWD alone.
"""

from __future__ import annotations

from pathlib import Path

import torch
from torch import Tensor


def inception_unavailable(weights_path: str | Path | None) -> str | None:
    """Why FID/KID/IS cannot run here, or None when they can."""
    if not weights_path:
        return "callbacks.metrics.inception_weights is not set (a local Inception .pth file)"
    if not Path(weights_path).is_file():
        return f"callbacks.metrics.inception_weights={str(weights_path)!r} is not a file"
    try:
        import torch_fidelity  # noqa: F401
    except ImportError:
        return "torch-fidelity is not installed (pip install 'dcgan[fid]')"
    return None


def to_uint8_rgb(images: Tensor) -> Tensor:
    """[-1, 1] floats, 1 or 3 channels -> uint8 RGB, the input Inception expects."""
    x = ((images.float().clamp(-1, 1) + 1) * 127.5).round().to(torch.uint8)
    return x.expand(-1, 3, -1, -1) if x.shape[1] == 1 else x


class InceptionMetrics:
    """FID, KID and IS of generated vs real images from one Inception network loaded once."""

    def __init__(self, weights_path: str | Path, kid_subset_size: int = 100) -> None:
        reason = inception_unavailable(weights_path)
        if reason:
            raise FileNotFoundError(f"Inception metrics are off: {reason}")
        from torchmetrics.image.fid import NoTrainInceptionV3

        path = str(weights_path)
        self.features = NoTrainInceptionV3(
            name="inception-v3-compat", features_list=["2048"], feature_extractor_weights_path=path
        )
        self.logits = NoTrainInceptionV3(
            name="inception-v3-compat",
            features_list=["logits_unbiased"],
            feature_extractor_weights_path=path,
        )
        self.kid_subset_size = kid_subset_size

    @torch.no_grad()
    def __call__(self, real: Tensor, fake: Tensor, batch: int = 64) -> dict[str, float]:
        """`fid`, `kid` (x1e3), `is`, for [N, C, S, S] images in [-1, 1]."""
        from torchmetrics.image.fid import FrechetInceptionDistance
        from torchmetrics.image.inception import InceptionScore
        from torchmetrics.image.kid import KernelInceptionDistance

        device = fake.device
        subset = min(self.kid_subset_size, len(real), len(fake))
        fid = FrechetInceptionDistance(feature=self.features).to(device)
        kid = KernelInceptionDistance(feature=self.features, subset_size=subset).to(device)
        iscore = InceptionScore(feature=self.logits, splits=1).to(device)
        for images, is_real in ((real, True), (fake, False)):
            for chunk in images.split(batch):
                x = to_uint8_rgb(chunk.to(device))
                fid.update(x, real=is_real)
                kid.update(x, real=is_real)
                if not is_real:
                    iscore.update(x)
        return {
            "fid": float(fid.compute()),
            "kid": float(kid.compute()[0]) * 1e3,
            "is": float(iscore.compute()[0]),
        }
