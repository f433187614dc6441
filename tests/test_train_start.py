"""A command line that `dcgan.train` refuses is answered before torch, Lightning or W&B load,
and a run it accepts says its folder before they load.

Python's own import log (`PYTHONPROFILEIMPORTTIME`, as `-X importtime`) tells what loaded: a
fact, where a time limit would depend on the machine's load. `scripts/bench_cli_start.py`
prints the times.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.tiny import run_module

ROOT = Path(__file__).resolve().parents[1]
HEAVY = {"torch", "torchvision", "lightning", "wandb", "matplotlib"}


def _start(*args: str) -> tuple[int, set[str], list[str]]:
    """Run `python -m dcgan.train <args>`: its exit code, the modules it imported and the lines
    of its console that are not the import log."""
    res = run_module("dcgan.train", *args, cwd=ROOT, env={"PYTHONPROFILEIMPORTTIME": "1"})
    lines = res.stderr.splitlines()
    log = [line for line in lines if line.startswith("import time:")]
    loaded = {line.rsplit("|", 1)[1].strip() for line in log}
    said = [line for line in res.stdout.splitlines() + lines if line not in log]
    return res.returncode, loaded, said


def _heavy(loaded: set[str]) -> list[str]:
    return sorted(m for m in loaded if m.split(".")[0] in HEAVY)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["optimiser=adam"],
            "error: unknown key optimiser; did you mean optimizer? choices: activation, augment,",
        ),
        (
            ["data=nosuch"],
            "error: data=nosuch is not an option of group data; choices: celeba, cifar10, "
            "cifar100, digits, fashion_mnist, folder, mnist, stl10, svhn",
        ),
        (  # the rule comes from config.validate, as a probe of the key
            ["image_size=abc"],
            "error: image_size=abc is invalid: image_size takes a whole number (rule: use a "
            "power of two: 16, 32, 64, 128, 256, 512)",
        ),
        (  # the last rule config.validate checks: every registry it reads was read
            ["-m", "callbacks.health.collapse_below=-1"],
            "error: callbacks.health.collapse_below=-1 is invalid: must be >= 0",
        ),
    ],
)
def test_a_refused_command_line_loads_no_heavy_library(args: list[str], message: str) -> None:
    rc, loaded, said = _start(*args)
    assert rc == 2, said
    assert len(said) == 1 and said[0].startswith(message), said
    assert "dcgan.config" in loaded  # the log is read right: the schema is there
    assert not _heavy(loaded)


def test_help_loads_no_heavy_library() -> None:
    rc, loaded, said = _start("--help")
    assert rc == 0
    assert said[0].startswith("python -m dcgan.train")
    assert not _heavy(loaded)


def test_a_training_run_says_its_folder_before_torch_loads(tmp_path: Path) -> None:
    """The first line of the digits demo comes before torch and Lightning load (seconds on a
    small machine; `scripts/bench_first_line.py` times it). The run is stopped at that line."""
    env = {**os.environ, "WANDB_MODE": "offline", "PYTHONPROFILEIMPORTTIME": "1"}
    run_dir = tmp_path / "run"
    args = ["data=digits", "experiment=tiny", "logger=none", f"hydra.run.dir={run_dir}"]
    proc = subprocess.Popen(
        [sys.executable, "-m", "dcgan.train", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,  # one pipe: the import log and the run's lines in order
        text=True,
    )
    loaded, first = set(), None
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.startswith("import time:"):
                loaded.add(line.rsplit("|", 1)[1].strip())
            elif line.strip():
                first = line.strip()
                break
    finally:
        proc.kill()
        proc.wait()
    assert first is not None and first.endswith(f"run folder: {run_dir}"), first
    assert "dcgan.config" in loaded  # the log is read right: the schema's checks came first
    assert not _heavy(loaded)
