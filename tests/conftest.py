"""Shared fixtures: tiny configs composed by Hydra exactly as the CLI composes them."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from hydra import compose, initialize_config_dir
from omegaconf import DictConfig

from dcgan.config import register_configs
from tests.tiny import TINY_DIGITS

CONFIG_DIR = str(Path(__file__).resolve().parents[1] / "configs")

# Small enough to train an iteration in well under a second on a CPU.
TINY = [
    *TINY_DIGITS,
    "trainer.max_steps=2",
    "trainer.log_every_n_steps=1",
    "callbacks.samples.every_n_steps=1",
    "callbacks.samples.num_samples=4",
    "callbacks.samples.nrow=2",
    "callbacks.checkpoint.every_n_steps=1",
    "callbacks.metrics.num_samples=16",
    "logger=none",
]

os.environ.setdefault("WANDB_MODE", "offline")
os.environ.setdefault("WANDB_SILENT", "true")


@pytest.fixture(scope="session", autouse=True)
def _schema() -> None:
    register_configs()


@pytest.fixture
def make_cfg() -> Callable[..., DictConfig]:
    """Compose train.yaml with the tiny overrides plus the given ones."""

    def _make(*overrides: str, tiny: bool = True) -> DictConfig:
        with initialize_config_dir(config_dir=CONFIG_DIR, version_base="1.3"):
            return compose("train", overrides=[*(TINY if tiny else []), *overrides])

    return _make
