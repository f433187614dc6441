"""A dataset's uint8 array to the run's shape: channels, a centred square, image_size."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

_CHUNK_PIXELS = 1 << 25  # float32 pixels per interpolate call (~128 MiB) to bound memory
LUMA = (0.299, 0.587, 0.114)  # RGB -> grey as Pillow's convert("L") weighs it (ITU-R 601-2)


def fit_array(images: np.ndarray, image_size: int, channels: int) -> np.ndarray:
    """uint8 [N, C, H, W] (C 1 or 3; a memory map is read chunk by chunk) -> [N, channels, S, S]:
    grey copied to RGB or RGB weighed to grey, the centred square, bilinear-resized (antialiased
    only when shrinking)."""
    n, have, height, width = images.shape
    side = min(height, width)
    top, left = (height - side) // 2, (width - side) // 2
    out = np.empty((n, channels, image_size, image_size), dtype=np.uint8)
    luma = torch.tensor(LUMA).reshape(1, 3, 1, 1)
    chunk = max(1, _CHUNK_PIXELS // (max(have, channels) * max(image_size, side) ** 2))
    for i in range(0, n, chunk):
        part = np.ascontiguousarray(images[i : i + chunk, :, top : top + side, left : left + side])
        x = torch.from_numpy(part).float()
        if have == 3 and channels == 1:
            x = (x * luma).sum(1, keepdim=True)
        if side != image_size:
            x = F.interpolate(
                x,
                size=(image_size, image_size),
                mode="bilinear",
                align_corners=False,
                antialias=image_size < side,
            )
        y = x.round_().clamp_(0, 255).to(torch.uint8)
        out[i : i + chunk] = y.expand(-1, channels, -1, -1).numpy()
    return out
