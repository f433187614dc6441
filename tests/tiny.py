"""The smallest real model and data that still train in a fraction of a second on a CPU."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from omegaconf import DictConfig

# A 16 px model with base width 4, on the CPU, without a progress bar.
TINY_MODEL = [
    "image_size=16",
    "model.ngf=4",
    "model.ndf=4",
    "trainer.accelerator=cpu",
    "trainer.enable_progress_bar=false",
    "callbacks.metrics.inception_weights=null",  # tests never download
    "callbacks.metrics.final_num_samples=32",  # a small end-of-run evaluation
    "ema.bn_images=64",  # the default average's statistics: 64 noise vectors, not 4096
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


def module_cfg(*overrides: str) -> DictConfig:
    """The GAN module config of a default run, with `key=value` overrides (`model.ngf=4`): the
    config G and D are built from, so that a test states only what it changes."""
    from omegaconf import OmegaConf

    from dcgan.config import TrainConfig, module_config, typed_module_config

    cfg = typed_module_config(module_config(OmegaConf.structured(TrainConfig)))
    return OmegaConf.merge(cfg, OmegaConf.from_dotlist(list(overrides)))


QUIET = {"WANDB_MODE": "offline", "WANDB_SILENT": "true", "HYDRA_FULL_ERROR": ""}


def run_module(
    module: str,
    *args: str,
    cwd: Path,
    timeout: int = 300,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess:
    """Run `python -m <module> <args>` as a user would, with W&B kept offline and quiet."""
    return subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=cwd,
        env={**os.environ, **QUIET, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def start_module(module: str, *args: str, cwd: Path) -> subprocess.Popen:
    """Start `python -m <module> <args>` in its own process group, as a terminal would (a
    Ctrl-C reaches the whole group), with W&B kept offline and quiet."""
    return subprocess.Popen(
        [sys.executable, "-m", module, *args],
        cwd=cwd,
        env={**os.environ, **QUIET},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


HEAVY = ("torch", "lightning", "wandb", "matplotlib", "scipy")


def heavy_imports(
    function: str, argv: list[str], cwd: Path, watch: tuple[str, ...] = HEAVY
) -> tuple[int, list[str]]:
    """Call `function` ("dcgan.race.cli:main") with `argv` in a fresh Python: its exit code and
    which of the heavy libraries (`watch`, by default `HEAVY`) it imported on the way."""
    module, name = function.split(":")
    code = (
        "import json, sys\n"
        f"from {module} import {name}\n"
        f"rc = {name}({argv!r})\n"
        f"print(json.dumps([rc, sorted(m for m in {watch!r} if m in sys.modules)]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    rc, heavy = json.loads(done.stdout.strip().splitlines()[-1])
    return rc, heavy
