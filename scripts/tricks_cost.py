"""Print each trick's training time per iteration relative to the base run (CPU or GPU).

    python scripts/tricks_cost.py --iterations 40 --image-size 32 --width 16 --batch-size 32
    python scripts/tricks_cost.py --tricks augment augment.p=0.5   # ADA's operations at p = 0.5
    python scripts/tricks_cost.py --tricks r1,bcr,lecam,topk --clock cpu --threads 1  # shared CPU

Each trick is timed between the base's runs (base, trick, base, ...), so a machine whose load
drifts skews both sides alike; the ratio uses the median of the neighbouring base runs. On a
machine that others load, `--clock cpu` counts the process's own CPU seconds instead of the wall
clock's (with `--threads 1`, no thread waits on another), which their load barely moves.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import lightning as L
from hydra import compose, initialize_config_dir

from dcgan.build import build_module, build_trainer, training_datamodule
from dcgan.config import register_configs
from dcgan.console import quiet_libraries
from dcgan.tricks import TRICKS as REGISTERED

CONFIGS = Path(__file__).resolve().parents[1] / "configs"
# Every registered stateful trick, then the options whose cost grows with every iteration.
TRICKS = (*sorted(REGISTERED), "mixed_batch", "minibatch_std", "nearest_conv")


CLOCKS = {"wall": time.perf_counter, "cpu": time.process_time}


class _Clock(L.Callback):
    """Seconds from the end of the warm-up batches to the end of training."""

    def __init__(self, warmup: int, clock: str) -> None:
        self.warmup = warmup
        self.now = CLOCKS[clock]
        self.start = 0.0
        self.seconds = 0.0

    def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx) -> None:  # noqa: ANN001
        if trainer.global_step == self.warmup * pl_module.steps_per_iteration:
            self.start = self.now()

    def on_train_end(self, trainer, pl_module) -> None:  # noqa: ANN001
        self.seconds = self.now() - self.start


def _seconds_per_iteration(
    overrides: list[str], iterations: int, warmup: int, clock: str = "wall"
) -> float:
    with initialize_config_dir(config_dir=str(CONFIGS), version_base="1.3"):
        cfg = compose("train", overrides=overrides)
    L.seed_everything(cfg.seed, verbose=False)
    module = build_module(cfg)
    clock = _Clock(warmup, clock)
    with tempfile.TemporaryDirectory() as root:
        trainer = build_trainer(cfg.trainer, module.steps_per_iteration, [], [clock], Path(root))
        trainer.fit(module, datamodule=training_datamodule(cfg))
    return clock.seconds / iterations


def main() -> None:
    """Time the base and each trick on the bundled digits; print ratios to the base."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=40)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--image-size", type=int, default=32)
    parser.add_argument("--width", type=int, default=16)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--accelerator", default="cpu")
    parser.add_argument("--tricks", default=",".join(TRICKS), help="comma-separated presets")
    parser.add_argument("--clock", choices=sorted(CLOCKS), default="wall")
    parser.add_argument("--threads", type=int, default=0, help="torch threads; 0: torch's choice")
    parser.add_argument("overrides", nargs="*", help="key=value for the tricks' runs")
    args = parser.parse_args()
    register_configs()
    quiet_libraries()
    if args.threads > 0:
        import torch

        torch.set_num_threads(args.threads)
    common = [
        "data=digits",
        "experiment=dcgan_paper",  # every trick off in the base (the default has EMA and R1)
        f"image_size={args.image_size}",
        f"model.ngf={args.width}",
        f"model.ndf={args.width}",
        f"data.batch_size={args.batch_size}",
        f"trainer.accelerator={args.accelerator}",
        f"trainer.max_steps={args.iterations + args.warmup}",
        "trainer.enable_progress_bar=false",
        "trainer.log_every_n_steps=50",
        "logger=none",
    ]

    def run(trick: str) -> float:
        extra = args.overrides if trick != "none" else []
        return _seconds_per_iteration(
            [*common, f"trick={trick}", *extra], args.iterations, args.warmup, args.clock
        )

    base = [run("none")]
    print(f"{'trick':<16} {'ms/iteration':>12} {'x base':>8}   ({args.clock} clock)")
    for trick in args.tricks.split(","):
        cost = run(trick)
        base.append(run("none"))
        ref = statistics.median(base[-2:])
        print(f"{trick:<16} {cost * 1e3:>12.1f} {cost / ref:>8.2f}")
    print(f"{'none':<16} {statistics.median(base) * 1e3:>12.1f} {1.0:>8.2f}")


if __name__ == "__main__":
    main()
