"""How noisy is SWD itself, next to the spread between seeds? Measures both for a sweep's runs.

    python scripts/swd_noise.py outputs/multirun/<date>/<time> --sizes 256 512 1024 2048 4096

For every finished run of the sweep (its last.ckpt) and every size N, SWD is computed `--repeats`
times with different real subsets, latent vectors and projection directions (subset seeds 0, 1,
...): the sd over those repeats is SWD's own noise at N, the same generator measured again. The
seed-to-seed spread at N is the sd between the runs of one setting (pooled over settings) with
subset seed 0, as the end-of-run evaluation sees them. Prints a Markdown table; `--json` saves it.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import time
from pathlib import Path

import torch
from omegaconf import OmegaConf

from dcgan.build import build_datamodule
from dcgan.checkpoints import load_gan
from dcgan.metrics import sliced_wasserstein
from dcgan.module import sample_noise
from dcgan.report import collect_runs
from dcgan.report.settings import setting_key


def real_images(run_dir: Path) -> torch.Tensor:
    """The run's training images as uint8, decoded as the run decoded them."""
    cfg = OmegaConf.load(run_dir / ".hydra" / "config.yaml")
    data = build_datamodule(cfg.data, cfg.image_size)
    data.setup()
    return torch.from_numpy(data.images)


@torch.no_grad()
def swd_at(gan, images: torch.Tensor, n: int, subset: int, batch: int = 256) -> float:  # noqa: ANN001
    """SWD of `n` generated vs `n` real images, both drawn with subset seed `subset`."""
    gen = torch.Generator().manual_seed(subset)
    idx = torch.randperm(len(images), generator=gen)[:n].sort().values
    real = images[idx].float().div(127.5).sub(1)
    z = sample_noise(len(real), gan.hparams.latent_dim, gan.hparams.noise, "cpu", gen)
    fake = torch.cat([gan.sample(zb, seed=subset) for zb in z.split(batch)])
    return sliced_wasserstein(real, fake, seed=subset)["swd"]


def pooled_sd(groups: list[list[float]]) -> float | None:
    """Sd within groups, pooled (each group's variance weighted by its degrees of freedom)."""
    num = sum((len(g) - 1) * statistics.variance(g) for g in groups if len(g) > 1)
    df = sum(len(g) - 1 for g in groups if len(g) > 1)
    return math.sqrt(num / df) if df else None


def measure(sweep: Path, sizes: list[int], repeats: int) -> dict:
    """Per size: SWD's own noise sd, the seed-to-seed sd, and every value behind them."""
    runs = [r for r in collect_runs(sweep) if (r.path / "checkpoints" / "last.ckpt").is_file()]
    if not runs:
        raise SystemExit(f"error: no run of {sweep} has checkpoints/last.ckpt")
    images = real_images(runs[0].path)
    values: dict[int, dict[str, list[float]]] = {n: {} for n in sizes}
    started = time.perf_counter()
    for run in runs:
        gan = load_gan(run.path / "checkpoints" / "last.ckpt")
        for n in sizes:
            values[n][run.name] = [swd_at(gan, images, n, s) for s in range(repeats)]
        print(f"run {run.name} done ({time.perf_counter() - started:.0f} s)", file=sys.stderr)
    settings: dict[tuple[str, ...], list[str]] = {}
    for run in runs:
        settings.setdefault(setting_key(run), []).append(run.name)
    rows = []
    for n in sizes:
        noise = pooled_sd([values[n][r.name] for r in runs])
        spread = pooled_sd([[values[n][name][0] for name in names] for names in settings.values()])
        means = [statistics.fmean(values[n][r.name]) for r in runs]
        rows.append(
            {
                "num_samples": n,
                "mean_swd": statistics.fmean(means),
                "noise_sd": noise,
                "seed_sd": spread,
                "noise_to_seed": noise / spread if noise and spread else None,
            }
        )
    return {
        "sweep": str(sweep),
        "repeats": repeats,
        "runs": len(runs),
        "rows": rows,
        "values": values,
    }


def _fmt(value: float | None) -> str:
    return "" if value is None else f"{value:.3g}"


def main(argv: list[str] | None = None) -> int:
    """Measure, print the table, optionally save everything as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sweep", type=Path, help="a multirun folder whose runs differ in seed")
    parser.add_argument("--sizes", type=int, nargs="+", default=[256, 512, 1024, 2048, 4096])
    parser.add_argument("--repeats", type=int, default=4, help="subsets per generator and size")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    torch.set_grad_enabled(False)
    result = measure(args.sweep, args.sizes, args.repeats)
    print(f"{result['runs']} runs, {args.repeats} subsets each")
    print("| images | mean SWD | SWD noise sd (same G) | seed-to-seed sd | noise / seed |")
    print("|---|---|---|---|---|")
    for row in result["rows"]:
        cells = [row["num_samples"], row["mean_swd"], row["noise_sd"], row["seed_sd"]]
        print("| " + " | ".join(map(_fmt, cells)) + f" | {_fmt(row['noise_to_seed'])} |")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
