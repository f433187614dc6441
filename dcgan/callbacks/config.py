"""The callbacks' own keys (`callbacks.samples.*`, `.checkpoint.*`, `.metrics.*`, `.health.*`).

Loadable without Lightning (the package loads its callbacks on first use): the command line
reads these declarations before anything heavy loads.
"""

from __future__ import annotations

from dataclasses import dataclass

from dcgan.checks import at_least, key, node, within
from dcgan.metrics.registry import monitors
from dcgan.metrics.run_scores import SCORES


@dataclass
class SamplesConfig:
    every_n_steps: int = key(
        500, "iterations between sample grids (PNG under samples/ and logger)", rule=at_least(1)
    )
    num_samples: int = key(64, "size of the fixed noise batch", rule=at_least(1))
    nrow: int = key(8, "images per row of a grid", rule=at_least(1))


@dataclass
class CheckpointConfig:
    every_n_steps: int = key(
        1000, "iterations between periodic checkpoints (last.ckpt kept current)", rule=at_least(1)
    )
    keep: int | None = key(3, "periodic checkpoints kept; null keeps all", rule=at_least(0))


@dataclass
class MetricsConfig:
    # One evaluation on 1024 images costs about 30 training iterations (32 px, width 16), ~6% of
    # the training time at 500. On 1024 images SWD's own noise is about a third of the
    # seed-to-seed variance of a late score; on 256, three quarters (docs/compare.md). On 2048,
    # about half the spread between seeds of one final value.
    every_n_steps: int = key(
        500, "iterations between image-quality evaluations (and one at the end)", rule=at_least(1)
    )
    num_samples: int = key(
        1024,
        "generated and real images compared each time (the same ones)",
        rule=at_least(2, " (SWD compares two sets of images)"),
    )
    final_num_samples: int | None = key(
        2048,
        "images of the end-of-run evaluation; null: num_samples",
        rule=at_least(2),
    )
    monitor: str = key(
        "swd",
        "picks checkpoints/best.ckpt, and train() returns it: a lower-is-better metric",
        choices=monitors,
    )
    objective: str = key(
        "final",
        "what train() returns to a sweeper: final (the monitor at the end), best (its best "
        "periodic value) or late (mean over the last 40% of the run, the least noisy)",
        choices=SCORES,
    )
    inception_weights: str | None = key(
        "auto",
        "auto: torch-fidelity's cached Inception weights, else one download attempt; or a "
        "local .pth; null: FID, KID and IS off",
    )
    seed: int = key(0, "fixes the real subset, the latent vectors and SWD's random directions")


@dataclass
class HealthConfig:
    every_n_steps: int = key(100, "iterations between sample-diversity checks", rule=at_least(1))
    d_wins_below: float = key(
        0.02, "warn when mean D(G(z)) stays below this ...", rule=within(0, 1, " (a mean D(G(z)))")
    )
    d_wins_patience: int = key(200, "... for this many iterations", rule=at_least(1))
    collapse_below: float = key(
        0.05, "warn when fixed-noise samples differ by less than this a pixel", rule=at_least(0)
    )
    stop_on_nan: bool = key(True, "a NaN/inf loss saves checkpoints/nan_iter_NNNNNN.ckpt and stops")


@dataclass
class CallbacksConfig:
    samples: SamplesConfig = node(SamplesConfig)
    checkpoint: CheckpointConfig = node(CheckpointConfig)
    metrics: MetricsConfig = node(MetricsConfig)
    health: HealthConfig = node(HealthConfig)
