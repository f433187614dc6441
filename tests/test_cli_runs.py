"""What the real CLI says while a run starts: the data decoded once, one line when offline.

One conditional run with a data cache, started offline with `inception_weights=auto`, then
resumed: the first start shows the offline warning, the second the single decode."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.tiny import TINY_DIGITS, run_module

pytestmark = pytest.mark.slow

RUN = [*TINY_DIGITS, "trainer.max_steps=2", "logger=none", "callbacks.samples.num_samples=4"]


@pytest.fixture(scope="module")
def first(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str], str]:
    """The run folder, its arguments, and what the first start said."""
    work = tmp_path_factory.mktemp("cli_runs")
    run = work / "run"
    args = [
        *RUN,
        "model.conditional=true",
        "data.cache=true",
        f"data.cache_dir={work}",
        "resume=auto",
        f"hydra.run.dir={run}",
    ]
    offline = {"TORCH_HOME": str(work / "torch"), "https_proxy": "http://127.0.0.1:9"}
    offline["HTTPS_PROXY"] = offline["https_proxy"]
    res = run_module(
        "dcgan.train", *args, "callbacks.metrics.inception_weights=auto", cwd=work, env=offline
    )
    assert res.returncode == 0, res.stderr[-3000:]
    return run, args, res.stdout + res.stderr


def test_offline_the_inception_weights_are_one_warning(first: tuple[Path, list[str], str]) -> None:
    """No torch hub 'Downloading:' line, no 'downloading' note: the one warning says it all."""
    said = first[2].lower()
    assert "downloading" not in said, said[-3000:]
    assert said.count("fid, kid and is are off: inception_weights=auto") == 1


def test_a_resumed_conditional_run_decodes_its_data_once(
    first: tuple[Path, list[str], str],
) -> None:
    """Its classes are checked against the checkpoint without decoding the data a second time."""
    run, args, _ = first
    res: subprocess.CompletedProcess = run_module(
        "dcgan.train", *args, "trainer.max_steps=4", cwd=run.parent
    )
    assert res.returncode == 0, res.stderr[-3000:]
    said = res.stdout + res.stderr
    assert said.count("data cache hit") == 1, said[-3000:]
    assert "finished at iteration 4" in said


def test_a_sweep_says_its_notes_once(tmp_path: Path) -> None:
    """The Inception weights being off and the small-set hint hold for every job of a sweep: the
    first job says them, the others do not repeat them."""
    offline = {"TORCH_HOME": str(tmp_path / "torch"), "https_proxy": "http://127.0.0.1:9"}
    offline["HTTPS_PROXY"] = offline["https_proxy"]
    args = [*TINY_DIGITS, "data.limit=64", "trainer.max_steps=1", "logger=none"]
    args += ["callbacks.metrics.inception_weights=auto", "callbacks.samples.num_samples=4"]
    res = run_module(
        "dcgan.train",
        "-m",
        "seed=0,1",
        *args,
        f"hydra.sweep.dir={tmp_path / 'sweep'}",
        cwd=tmp_path,
        env=offline,
    )
    assert res.returncode == 0, res.stderr[-3000:]
    said = (res.stdout + res.stderr).lower()
    assert said.count("finished at iteration 1") == 2, said[-3000:]
    assert said.count("fid, kid and is are off") == 1, said[-3000:]
    assert said.count("is a small set") == 1, said[-3000:]
