"""How noisy is SWD itself, next to the spread between seeds? Measures both for a sweep's runs.

    python scripts/swd_noise.py outputs/multirun/<date>/<time> --sizes 256 512 1024 2048 4096
    python scripts/swd_noise.py <sweep> --checkpoints iter_002000.ckpt iter_002500.ckpt last.ckpt

For every finished run of the sweep, every checkpoint named (under its checkpoints/; default
last.ckpt) and every size N, SWD is computed `--repeats` times on different real subsets, latent
vectors and projection directions (subset seeds 0, 1, ...), drawn as the training's evaluation
draws them (`callbacks.metrics.seed`=s): subset 0 at N = `callbacks.metrics.num_samples` gives
the run's own periodic value, at `final_num_samples` its final one. Per size it prints, at the
last checkpoint named:

- noise sd: the sd over subsets of one generator, pooled over the runs;
- seed-to-seed sd: the sd between the runs of one setting (pooled over settings) on subset 0, as
  the training's evaluations see them;
- the noise share of the seed variance: how much of the variance between a setting's runs, as
  one subset shows it, is the metric's own noise (`noise_share`);
- seconds: the median time of one evaluation (generating N images and scoring them).

With several checkpoints, whether one subset's error persists over a run: the correlation of the
subset residuals (value minus the generator's mean over subsets) between two checkpoints of one
run on the same subset (`rho ckpt`), and between two runs at one checkpoint (`rho runs`); the
noise sd of one evaluation pooled over all checkpoints, and of the mean over the checkpoints of a
run on one subset, which is what a late score averaging those evaluations carries (independent
errors would give noise sd / sqrt(k)), with its noise share of the seed variance.

Then, from the runs' histories (metrics.json), the seed-to-seed sd of each score relative to its
mean (pooled within settings, as `score=auto` ranks them) for every `--windows` of the late score
and every `--every` (the history thinned to the evaluations a run with that
`callbacks.metrics.every_n_steps` would have made); `--late-only` skips the measurement above.

Prints Markdown tables; `--json` saves every value.
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import json
import math
import statistics
import sys
import time
from pathlib import Path

import torch
from omegaconf import OmegaConf

from dcgan.build import build_datamodule
from dcgan.metrics import sliced_wasserstein
from dcgan.report import collect_runs
from dcgan.report.runs import Run
from dcgan.report.scores import late_value, pooled_spread
from dcgan.report.settings import setting_key
from dcgan.run.load import load_gan


def real_images(run_dir: Path) -> torch.Tensor:
    """The images the run's evaluations compare with, as uint8, decoded as the run decoded them."""
    cfg = OmegaConf.load(run_dir / ".hydra" / "config.yaml")
    data = build_datamodule(cfg.data, cfg.image_size)
    data.setup()
    images = getattr(data, "reference_images", None)
    return torch.from_numpy(data.images if images is None else images)


@torch.no_grad()
def swd_at(gan, images: torch.Tensor, n: int, subset: int, batch: int = 64) -> float:  # noqa: ANN001
    """SWD of `n` generated vs `n` real images, drawn as an evaluation with seed `subset` draws."""
    idx = torch.randperm(len(images), generator=torch.Generator().manual_seed(subset))
    real = images[idx[:n].sort().values].float().div(127.5).sub(1)
    z = gan.noise(len(real), torch.Generator().manual_seed(subset), device="cpu")
    fake = torch.cat([gan.sample(zb, seed=subset).cpu() for zb in z.split(batch)])
    return sliced_wasserstein(real, fake, seed=subset)["swd"]


def pooled_sd(groups: list[list[float]]) -> float | None:
    """Sd within groups, pooled (each group's variance weighted by its degrees of freedom)."""
    num = sum((len(g) - 1) * statistics.variance(g) for g in groups if len(g) > 1)
    df = sum(len(g) - 1 for g in groups if len(g) > 1)
    return math.sqrt(num / df) if df else None


def residuals(values: list[float]) -> list[float]:
    """Each subset's deviation from the generator's mean over subsets."""
    mean = statistics.fmean(values)
    return [v - mean for v in values]


def pooled_correlation(pairs: list[tuple[list[float], list[float]]]) -> float | None:
    """Correlation of paired residual vectors, their products and squares pooled over all pairs."""
    cross = sum(a * b for x, y in pairs for a, b in zip(x, y, strict=True))
    xx = sum(a * a for x, _ in pairs for a in x)
    yy = sum(b * b for _, y in pairs for b in y)
    return cross / math.sqrt(xx * yy) if xx and yy else None


def noise_share(scores: dict[str, list[float]], settings: list[list[str]]) -> float | None:
    """The share of the variance between seeds, as one subset shows it, that is noise.

    `scores`: each run's values on subsets 0, 1, ... The variance between a setting's runs on
    each subset (pooled, averaged over subsets) holds the true spread and the noise that is not
    shared by the runs; that of the runs' means over S subsets holds the true spread and 1/S of
    that noise. The difference gives the noise; a subset's error shared by every run (the same
    real images) cancels, as it does when runs are compared on the same images.
    """
    repeats = min(len(v) for v in scores.values())
    if repeats < 2:
        return None

    def variance(groups: list[list[float]]) -> float | None:
        sd = pooled_sd(groups)
        return None if sd is None else sd * sd

    per_subset = [
        variance([[scores[r][s] for r in names] for names in settings]) for s in range(repeats)
    ]
    of_means = variance(
        [[statistics.fmean(scores[r][:repeats]) for r in names] for names in settings]
    )
    if of_means is None or None in per_subset:
        return None
    on_one = statistics.fmean(per_subset)  # type: ignore[arg-type]
    return (on_one - of_means) / (1 - 1 / repeats) / on_one if on_one else None


def measure(sweep: Path, sizes: list[int], repeats: int, checkpoints: list[str]) -> dict:
    """Per size: noise sd, seed-to-seed sd, cost, persistence over checkpoints, every value."""
    runs = [
        r
        for r in collect_runs(sweep)
        if all((r.path / "checkpoints" / c).is_file() for c in checkpoints)
    ]
    if not runs:
        raise SystemExit(f"error: no run of {sweep} has checkpoints/{' and '.join(checkpoints)}")
    images = real_images(runs[0].path)
    # values[n][run][checkpoint] = one SWD per subset
    values: dict[int, dict[str, dict[str, list[float]]]] = {n: {} for n in sizes}
    seconds: dict[int, list[float]] = {n: [] for n in sizes}
    started = time.perf_counter()
    for run in runs:
        for ckpt in checkpoints:
            gan = load_gan(run.path / "checkpoints" / ckpt)
            for n in sizes:
                row = []
                for s in range(repeats):
                    t0 = time.perf_counter()
                    row.append(swd_at(gan, images, n, s))
                    seconds[n].append(time.perf_counter() - t0)
                values[n].setdefault(run.name, {})[ckpt] = row
            elapsed = time.perf_counter() - started
            print(f"{run.name}/{ckpt} done ({elapsed:.0f} s)", file=sys.stderr, flush=True)
    settings: dict[tuple[str, ...], list[str]] = {}
    for run in runs:
        settings.setdefault(setting_key(run), []).append(run.name)
    last = checkpoints[-1]
    rows = []
    for n in sizes:
        by_run = values[n]
        noise = pooled_sd([by_run[r.name][last] for r in runs])
        spread = pooled_sd(
            [[by_run[name][last][0] for name in names] for names in settings.values()]
        )
        row = {
            "num_samples": n,
            "mean_swd": statistics.fmean(statistics.fmean(by_run[r.name][last]) for r in runs),
            "noise_sd": noise,
            "seed_sd": spread,
            "noise_to_seed": noise / spread if noise and spread else None,
            "noise_share": noise_share(
                {r.name: by_run[r.name][last] for r in runs}, list(settings.values())
            ),
            "seconds": statistics.median(seconds[n]),
        }
        if len(checkpoints) > 1:
            res = {r.name: {c: residuals(by_run[r.name][c]) for c in checkpoints} for r in runs}
            row["rho_checkpoints"] = pooled_correlation(
                [
                    (res[r.name][a], res[r.name][b])
                    for r in runs
                    for a, b in itertools.combinations(checkpoints, 2)
                ]
            )
            row["rho_runs"] = pooled_correlation(
                [
                    (res[a.name][c], res[b.name][c])
                    for c in checkpoints
                    for a, b in itertools.combinations(runs, 2)
                ]
            )
            means = [
                [
                    statistics.fmean(by_run[r.name][c][s] for c in checkpoints)
                    for s in range(repeats)
                ]
                for r in runs
            ]
            each = pooled_sd([by_run[r.name][c] for r in runs for c in checkpoints])
            row["noise_sd_all"] = each
            row["noise_sd_of_mean"] = pooled_sd(means)
            row["independent_sd_of_mean"] = each / math.sqrt(len(checkpoints)) if each else None
            row["noise_share_of_mean"] = noise_share(
                {r.name: m for r, m in zip(runs, means, strict=True)}, list(settings.values())
            )
        rows.append(row)
    return {
        "sweep": str(sweep),
        "repeats": repeats,
        "checkpoints": checkpoints,
        "runs": [r.name for r in runs],
        "rows": rows,
        "values": values,
        "seconds": seconds,
    }


def thinned(run: Run, every: int) -> Run:
    """The run as if evaluated every `every` iterations: its history at multiples of `every`."""
    history = [h for h in run.history if int(h.get("iteration", -1)) % every == 0]
    return dataclasses.replace(run, info={**run.info, "history": history})


def late_spreads(sweep: Path, windows: list[float], everys: list[int], metric: str) -> list[dict]:
    """Relative seed-to-seed sd (pooled within settings) of final, best and late, per window."""
    runs = [r for r in collect_runs(sweep) if r.status == "finished" and r.history]
    settings: dict[tuple[str, ...], list[Run]] = {}
    for run in runs:
        settings.setdefault(setting_key(run), []).append(run)

    def spread(values: dict[str, float | None]) -> dict:
        """Pooled over settings: `values` by run name."""
        groups = [
            [v for r in group if (v := values[r.name]) is not None] for group in settings.values()
        ]
        found = pooled_spread(groups)
        return {"sd": found.sd, "mean": found.mean, "relative": found.relative, "df": found.df}

    rows = [{"score": "final", **spread({r.name: r.metric(metric) for r in runs})}]
    for every in everys:
        seen = {r.name: thinned(r, every) for r in runs}
        rows.append(
            {
                "score": "best",
                "every": every,
                **spread({n: r.best(metric) for n, r in seen.items()}),
            }
        )
        iterations = [int(h["iteration"]) for h in seen[runs[0].name].history]
        for window in windows:
            late = {n: late_value(r, metric, window) for n, r in seen.items()}
            count = sum(1 for i in iterations if i >= (1 - window) * max(iterations))
            rows.append(
                {"score": "late", "every": every, "window": window, "values": count, **spread(late)}
            )
    return rows


def _rows(rows: list[dict], keys: tuple[str, ...]) -> None:
    """One markdown table row per result row, the given columns in order."""
    for row in rows:
        print("| " + " | ".join(_fmt(row[key]) for key in keys) + " |")


def _fmt(value: float | None) -> str:
    if isinstance(value, int):
        return str(value)
    return "" if value is None else f"{value:.3g}"


def print_tables(result: dict) -> None:
    """The Markdown tables of `measure`'s rows."""
    k = len(result["checkpoints"])
    print(f"{len(result['runs'])} runs x {k} checkpoint(s), {result['repeats']} subsets each")
    print(
        f"At {result['checkpoints'][-1]}:\n| images | mean SWD | SWD noise sd (same G) | "
        "seed-to-seed sd | noise / seed | noise share of the seed variance | s/eval |"
    )
    print("|---|---|---|---|---|---|---|")
    keys = ("num_samples", "mean_swd", "noise_sd", "seed_sd", "noise_to_seed", "noise_share")
    _rows(result["rows"], (*keys, "seconds"))
    if k > 1:
        names = ", ".join(result["checkpoints"])
        print(f"\nThe mean of {k} evaluations of one run on one subset ({names}):")
        print(
            "| images | rho ckpt | rho runs | noise sd of one | noise sd of the mean "
            "| if independent | noise share of the seed variance |"
        )
        print("|---|---|---|---|---|---|---|")
        keys = ("num_samples", "rho_checkpoints", "rho_runs", "noise_sd_all", "noise_sd_of_mean")
        _rows(result["rows"], (*keys, "independent_sd_of_mean", "noise_share_of_mean"))


def print_late(rows: list[dict], metric: str) -> None:
    """The table of `late_spreads`."""
    print(f"\nSeed-to-seed sd of each score of {metric}, pooled within settings:")
    print("| score | every | window | values in it | sd | mean | sd / mean |")
    print("|---|---|---|---|---|---|---|")
    for row in rows:
        cells = [row.get(k) for k in ("every", "window", "values", "sd", "mean", "relative")]
        print(f"| {row['score']} | " + " | ".join(_fmt(c) for c in cells) + " |")


def main(argv: list[str] | None = None) -> int:
    """Measure, print the tables, optionally save everything as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sweep", type=Path, help="a multirun folder whose runs differ in seed")
    parser.add_argument("--sizes", type=int, nargs="+", default=[256, 512, 1024, 2048, 4096])
    parser.add_argument("--repeats", type=int, default=4, help="subsets per generator and size")
    parser.add_argument(
        "--checkpoints",
        nargs="+",
        default=["last.ckpt"],
        help="files under each run's checkpoints/ to measure; the seed-to-seed sd uses the last",
    )
    parser.add_argument("--windows", type=float, nargs="+", default=[0.1, 0.25, 0.4, 0.5])
    parser.add_argument("--every", type=int, nargs="+", default=[250, 500])
    parser.add_argument("--metric", default="swd", help="the metric of the late-score table")
    parser.add_argument("--late-only", action="store_true", help="only the late-score table")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    torch.set_grad_enabled(False)
    result = {}
    if not args.late_only:
        result = measure(args.sweep, args.sizes, args.repeats, args.checkpoints)
    result["late"] = late_spreads(args.sweep, args.windows, args.every, args.metric)
    if args.json:  # first: the figures outlast a failure to print them
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    if not args.late_only:
        print_tables(result)
    print_late(result["late"], args.metric)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
