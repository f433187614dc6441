"""Shared fixtures: tiny configs composed by Hydra exactly as the CLI composes them."""

from __future__ import annotations

import os
from collections import Counter
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


def _one_thread_per_worker() -> None:
    """Parallel workers (pytest-xdist) each get an equal share of the cores, and so do the
    commands their tests start: torch's default of one thread per core in every worker would
    have them spin against each other."""
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    if workers <= 1:
        return
    threads = str(max(1, (os.cpu_count() or 1) // workers))
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, threads)
    import torch

    torch.set_num_threads(int(os.environ["OMP_NUM_THREADS"]))


_one_thread_per_worker()


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


# What the reliability tests tried (bad files, kill points, hostile configs, ...), printed at the
# end of the test session; parallel workers hand theirs to the main process.
TALLY: Counter[str] = Counter()


@pytest.fixture
def tally() -> Counter[str]:
    """Count tried cases by kind."""
    return TALLY


def pytest_sessionfinish(session: pytest.Session) -> None:
    if hasattr(session.config, "workeroutput"):  # a parallel worker
        session.config.workeroutput["tally"] = dict(TALLY)


def pytest_testnodedown(node, error) -> None:  # noqa: ANN001 (pytest-xdist's hook)
    TALLY.update(getattr(node, "workeroutput", {}).get("tally", {}))


def pytest_terminal_summary(terminalreporter) -> None:  # noqa: ANN001
    if TALLY:
        terminalreporter.section("reliability: what was tried")
        for kind, count in sorted(TALLY.items()):
            terminalreporter.write_line(f"{kind}: {count}")
