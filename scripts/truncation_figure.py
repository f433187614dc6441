"""What truncation trades, measured on one checkpoint, and a picture of it.

    python scripts/truncation_figure.py outputs/<run>                  # a run folder or a .ckpt
    python scripts/truncation_figure.py outputs/<run> --figure docs/images/truncation.png

For each truncation value it draws the same noise seeds (image i of seed 0, as `dcgan.generate`
does), generates as many images as it compares with real ones (`--data`, `--images`), and
prints: variety, the mean distance between two generated images; typicality, the mean distance
from a generated image to its nearest real one (lower: closer to real images); and SWD to the
real images (x1e3, lower is better). Distances
are root-mean-square over pixels in [-1, 1]. With --figure it writes the first 64 images without
truncation (left; for the uniform prior the same as 1.0) and at 0.5 (right) side by side.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

GAP = 8  # pixels between the two grids of the figure


def generate(gan, count: int, truncation: float | None):  # noqa: ANN001, ANN201
    """uint8 [count, H, W, C] from seed 0, as `dcgan.generate n=count truncation=...` writes."""
    import torch

    from dcgan import sampling

    hp = gan.cfg
    z = sampling.image_noise(0, range(count), hp.latent_dim, hp.noise.name, truncation)
    batches = sampling.stream(gan.generator, lambda idx: z[idx.start : idx.stop], count, 256, 0)
    return torch.cat([images for _, images in batches])


def as_floats(images):  # noqa: ANN001, ANN201
    """uint8 [N, H, W, C] -> float [N, C, H, W] in [-1, 1]."""
    return images.permute(0, 3, 1, 2).float().div(127.5).sub(1)


def rms_distances(a, b):  # noqa: ANN001, ANN201
    """Root-mean-square pixel distance of every image of `a` to every image of `b`."""
    import torch

    flat_a, flat_b = a.flatten(1), b.flatten(1)
    return torch.cdist(flat_a, flat_b) / flat_a.shape[1] ** 0.5


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run", help="a run folder or a .ckpt")
    parser.add_argument("--data", default="digits", help="the run's data: digits, fashion_mnist")
    parser.add_argument("--images", type=int, default=2000, help="real and generated images")
    parser.add_argument("--values", default="off,0.7,0.5,0.3", help="truncation values; off")
    parser.add_argument("--figure", type=Path, default=None, help="write the 1.0 vs 0.5 PNG here")
    args = parser.parse_args()
    import torch
    from PIL import Image

    from dcgan.data.sources import load_images
    from dcgan.image_files import grid
    from dcgan.metrics.swd import sliced_wasserstein
    from dcgan.run.load import load_gan

    gan = load_gan(args.run)
    hp = gan.cfg
    split = "test" if args.data != "digits" else "train"  # digits have no split
    real = load_images(args.data, None, hp.image_size, hp.channels, split)[: args.images]
    real = torch.from_numpy(real).float().div(127.5).sub(1)
    count = len(real)  # as many generated as real images: SWD compares them one to one
    print(f"{args.run}: noise={hp.noise.name}, {count} {args.data} images, {hp.image_size} px")
    print(f"{'truncation':>10} {'variety':>8} {'typicality':>10} {'SWD':>7}")
    for text in args.values.split(","):
        value = None if text == "off" else float(text)
        fake = as_floats(generate(gan, count, value))
        half = count // 2
        pairs = rms_distances(fake[:half], fake[half : 2 * half])
        variety = pairs.diagonal().mean().item()  # disjoint pairs
        typical = rms_distances(fake[:500], real).min(1).values.mean().item()
        swd = sliced_wasserstein(real, fake)["swd"]
        print(f"{text:>10} {variety:>8.3f} {typical:>10.3f} {swd:>7.1f}")
    if args.figure:
        left, right = grid(generate(gan, 64, None), nrow=8), grid(generate(gan, 64, 0.5), nrow=8)
        height, width, channels = left.shape
        both = torch.zeros(height, 2 * width + GAP, channels, dtype=torch.uint8)
        both[:, :width], both[:, width + GAP :] = left, right
        picture = both.numpy()[..., 0] if channels == 1 else both.numpy()
        args.figure.parent.mkdir(parents=True, exist_ok=True)
        Image.fromarray(picture).save(args.figure, optimize=True)
        print(f"wrote {args.figure}: no truncation (left) and 0.5 (right), the same 64 seeds")


if __name__ == "__main__":
    main()
