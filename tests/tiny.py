"""The smallest real model and data that still train in a fraction of a second on a CPU."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

# A 16 px model with base width 4, on the CPU, without a progress bar.
TINY_MODEL = [
    "image_size=16",
    "model.ngf=4",
    "model.ndf=4",
    "trainer.accelerator=cpu",
    "trainer.enable_progress_bar=false",
    "callbacks.metrics.inception_weights=null",  # tests never download
    "callbacks.metrics.final_num_samples=32",  # a small end-of-run evaluation
]

# That model on scikit-learn's bundled digits, 8 images a batch.
TINY_DIGITS = ["data=digits", *TINY_MODEL, "data.batch_size=8"]


# Two CPU processes under DDP, training the tiny model on the digits.
TINY_DDP = [
    "data=digits",
    "image_size=16",
    "model.ngf=4",
    "model.ndf=4",
    "trainer=ddp",
    "trainer.devices=2",
    "trainer.accelerator=cpu",
    "trainer.enable_progress_bar=false",
    "logger=csv",
]


def run_module(
    module: str,
    *args: str,
    cwd: Path,
    timeout: int = 300,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess:
    """Run `python -m <module> <args>` as a user would, with W&B kept offline and quiet."""
    quiet = {"WANDB_MODE": "offline", "WANDB_SILENT": "true", "HYDRA_FULL_ERROR": ""}
    return subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=cwd,
        env={**os.environ, **quiet, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
    )
