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


def run_module(module: str, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    """Run `python -m <module> <args>` as a user would, with W&B kept offline and quiet."""
    env = {**os.environ, "WANDB_MODE": "offline", "WANDB_SILENT": "true", "HYDRA_FULL_ERROR": ""}
    return subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
