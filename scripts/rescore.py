"""Score the end of finished runs again on more images: `python scripts/rescore.py RUN... -n 2048`.

For runs made before `callbacks.metrics.final_num_samples` existed, or with a smaller one: each
run's `checkpoints/last.ckpt` is scored as the end-of-run evaluation does it (the sampling G, the
fixed real subset and latent vectors of `callbacks.metrics.seed`; the BatchNorm statistics of an
`ema.bn=recompute` average measured again as today's code does), and the result replaces the
final `metrics` in its `metrics.json` with `num_samples` and `rescored_from` beside it, so that
`python -m dcgan.report` compares the new figures. Runs without a last.ckpt are skipped.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import torch
from omegaconf import OmegaConf

from dcgan.build import build_datamodule
from dcgan.metrics import sliced_wasserstein
from dcgan.run import RunFolder
from dcgan.run.load import load_gan


def real_subset(run: Path, n: int) -> tuple[torch.Tensor, int]:
    """The run's fixed real images for its end-of-run evaluation, in [-1, 1], and their seed."""
    cfg = OmegaConf.load(RunFolder(run).config_yaml)
    seed = int(cfg.callbacks.metrics.seed)
    data = build_datamodule(cfg.data, cfg.image_size)
    data.setup("fit")
    images = getattr(data, "reference_images", None)
    images = data.images if images is None else images
    gen = torch.Generator().manual_seed(seed)
    idx = torch.randperm(len(images), generator=gen)[:n].sort().values.numpy()
    return torch.from_numpy(images[idx]).float().div(127.5).sub(1), seed


def rescore(run: Path, n: int) -> dict[str, float]:
    """The end-of-run SWD of one run on `n` real and `n` generated images."""
    real, seed = real_subset(run, n)
    gan = load_gan(RunFolder(run).last_ckpt)
    ema = gan.trick("ema")
    if ema is not None and ema.recompute:  # the average's statistics as today's code measures them
        ema.stale = True
    z = gan.noise(len(real), torch.Generator().manual_seed(seed), device="cpu")
    fake = torch.cat([gan.sample(zb, seed=seed) for zb in z.split(256)])
    return sliced_wasserstein(real, fake, seed=seed)


def main() -> None:
    """Rescore every run given (run folders, or sweep folders holding numbered runs)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="+", type=Path)
    parser.add_argument("-n", type=int, default=2048, help="images of each set")
    parser.add_argument(
        "--force", action="store_true", help="score again runs already scored on n images"
    )
    args = parser.parse_args()
    runs = []
    for folder in args.folders:
        runs += [folder] if RunFolder(folder).is_run() else sorted(folder.glob("*/"))
    for run in runs:
        last = RunFolder(run).last_ckpt
        info = RunFolder(run).read_info()
        if not last.is_file() or info.get("status") != "finished":
            print(f"{run}: skipped (not finished)")
            continue
        if (info.get("metrics") or {}).get("num_samples") == args.n and not args.force:
            print(f"{run}: already scored on {args.n} images")
            continue
        started = time.perf_counter()
        scores = rescore(run, args.n)
        final = {"iteration": info.get("iterations"), "num_samples": args.n, **scores}
        RunFolder(run).update_info(metrics=final, rescored_from=str(last.relative_to(run)))
        took = time.perf_counter() - started
        print(
            f"{run}: swd {info.get('metrics', {}).get('swd')} -> {scores['swd']:.4g} ({took:.0f} s)"
        )


if __name__ == "__main__":
    main()
