"""Two tiny models trained once by the real training path: the checkpoints every test reads."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from hydra import compose, initialize_config_dir

from dcgan.train import train

CONFIG_DIR = str(Path(__file__).resolve().parents[2] / "configs")

TINY = [
    "data=digits",
    "image_size=16",
    "latent_dim=8",
    "init=kaiming",  # outputs that vary visibly after a few iterations (N(0, 0.02) stays grey)
    "model.ngf=4",
    "model.ndf=4",
    "data.batch_size=8",
    "trainer.accelerator=cpu",
    "trainer.max_steps=3",
    "trainer.enable_progress_bar=false",
    "callbacks.samples.every_n_steps=1",
    "callbacks.samples.num_samples=4",
    "callbacks.samples.nrow=2",
    "callbacks.checkpoint.every_n_steps=3",
    "logger=none",
    "ema.kimg=0",  # a plain G: the tests add EMA weights where they test them
]


def _train(run_dir: Path, *overrides: str) -> Path:
    with initialize_config_dir(config_dir=CONFIG_DIR, version_base="1.3"):
        cfg = compose("train", overrides=[*TINY, *overrides])
    train(cfg, run_dir=run_dir)
    return run_dir


@pytest.fixture(scope="session")
def plain_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Uniform noise, no dropout: G is a pure function of z."""
    return _train(tmp_path_factory.mktemp("plain"), "noise=uniform")


@pytest.fixture(scope="session")
def dropout_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Normal noise, dropout=generator: dropout stays on at generation unless turned off."""
    return _train(tmp_path_factory.mktemp("dropout"), "noise=normal", "dropout=generator")


@pytest.fixture(scope="session")
def plain_ckpt(plain_run: Path) -> Path:
    return plain_run / "checkpoints" / "last.ckpt"


@pytest.fixture(scope="session")
def dropout_ckpt(dropout_run: Path) -> Path:
    return dropout_run / "checkpoints" / "last.ckpt"


@pytest.fixture
def generate_cli() -> Callable[..., subprocess.CompletedProcess]:
    """The real command line in a fresh interpreter, run in `cwd`."""

    def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "dcgan.generate", *args],
            cwd=cwd,
            env={**os.environ},
            capture_output=True,
            text=True,
            timeout=300,
        )

    return run
