"""The ready launcher configs compose, and a sweep runs its jobs in parallel through joblib."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from hydra import compose, initialize_config_dir

from tests.tiny import TINY_DIGITS, run_module

CONFIG_DIR = str(Path(__file__).resolve().parents[1] / "configs")
TINY = [
    *TINY_DIGITS,
    "trainer.max_steps=2",
    "callbacks.samples.every_n_steps=1",
    "logger=none",
]

needs_launchers = pytest.mark.skipif(
    importlib.util.find_spec("hydra_plugins.hydra_joblib_launcher") is None
    or importlib.util.find_spec("hydra_plugins.hydra_submitit_launcher") is None,
    reason='needs pip install -e ".[launchers]"',
)


@needs_launchers
@pytest.mark.parametrize(
    ("launcher", "target"),
    [("parallel", "JoblibLauncher"), ("slurm", "SlurmLauncher")],
)
def test_launcher_configs_compose(launcher: str, target: str) -> None:
    with initialize_config_dir(config_dir=CONFIG_DIR, version_base="1.3"):
        cfg = compose("train", overrides=[f"hydra/launcher={launcher}"], return_hydra_config=True)
    assert cfg.hydra.launcher._target_.endswith(target)
    if launcher == "slurm":
        assert cfg.hydra.launcher.gpus_per_node == 1 and cfg.hydra.launcher.timeout_min == 240


@needs_launchers
@pytest.mark.slow
def test_joblib_sweep_runs_two_jobs(tmp_path: Path) -> None:
    sweep = tmp_path / "sweep"
    res = run_module(
        "dcgan.train",
        "-m",
        "hydra/launcher=parallel",
        *TINY,
        "pooling=avg,max",
        f"hydra.sweep.dir={sweep}",
        cwd=tmp_path,
        timeout=400,
        env={"OMP_NUM_THREADS": "1"},
    )
    assert res.returncode == 0, res.stderr[-3000:]
    assert "Joblib.Parallel" in res.stdout + res.stderr
    for num, pooling in ((0, "avg"), (1, "max")):
        run = sweep / str(num)
        assert (run / "checkpoints" / "last.ckpt").stat().st_size > 0
        assert f"name: {pooling}" in (run / ".hydra" / "config.yaml").read_text()
        assert (run / "samples" / "iter_000002.png").is_file()
