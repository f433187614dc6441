"""What the real CLI says while a run starts: the data decoded once, one line when offline."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.tiny import TINY_DIGITS, run_module

pytestmark = pytest.mark.slow

RUN = [*TINY_DIGITS, "trainer.max_steps=2", "logger=none", "callbacks.samples.num_samples=4"]


def test_a_resumed_conditional_run_decodes_its_data_once(tmp_path: Path) -> None:
    """Its classes are checked against the checkpoint without decoding the data a second time."""
    run = tmp_path / "run"
    cached = [*RUN, "model.conditional=true", "data.cache=true", f"data.cache_dir={tmp_path}"]
    args = [*cached, "resume=auto", f"hydra.run.dir={run}"]
    assert run_module("dcgan.train", *args, cwd=tmp_path).returncode == 0
    res = run_module("dcgan.train", *args, "trainer.max_steps=4", cwd=tmp_path)
    assert res.returncode == 0, res.stderr[-3000:]
    said = res.stdout + res.stderr
    assert said.count("data cache hit") == 1, said[-3000:]
    assert "finished at iteration 4" in said


def test_offline_the_inception_weights_are_one_warning(tmp_path: Path) -> None:
    """No torch hub 'Downloading:' line, no 'downloading' note: the one warning says it all."""
    offline = {"TORCH_HOME": str(tmp_path / "torch"), "https_proxy": "http://127.0.0.1:9"}
    offline["HTTPS_PROXY"] = offline["https_proxy"]
    res = run_module(
        "dcgan.train",
        *RUN,
        "callbacks.metrics.inception_weights=auto",
        f"hydra.run.dir={tmp_path / 'run'}",
        cwd=tmp_path,
        env=offline,
    )
    assert res.returncode == 0, res.stderr[-3000:]
    said = (res.stdout + res.stderr).lower()
    assert "downloading" not in said, said[-3000:]
    assert said.count("fid, kid and is are off: inception_weights=auto") == 1
