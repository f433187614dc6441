"""The real CLI stopped by Ctrl-C, SIGTERM and SIGKILL at many moments: nothing earned is lost."""

from __future__ import annotations

import os
import random
import shlex
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import torch

from dcgan.train import train
from tests.tiny import TINY_DIGITS, start_module

pytestmark = pytest.mark.slow

ENDLESS = [
    *TINY_DIGITS,
    "trainer.max_steps=1000000",
    "callbacks.samples.num_samples=4",
    "callbacks.samples.nrow=2",
    "logger=none",
]


def start(run: Path, *args: str) -> subprocess.Popen:
    """Launch `python -m dcgan.train` in its own process group, as a terminal would."""
    return start_module("dcgan.train", *ENDLESS, *args, f"hydra.run.dir={run}", cwd=run.parent)


def wait_for(proc: subprocess.Popen, ready: Callable[[], bool], timeout: float = 120) -> None:
    """Poll until `ready()`; fail with the process output if it ends or never gets there."""
    deadline = time.monotonic() + timeout
    while not ready():
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            out, err = proc.communicate()
            pytest.fail(f"run never got ready (rc={proc.returncode}):\n{err[-3000:]}")
        time.sleep(0.005)


def load(path: Path) -> dict:
    return torch.load(path, map_location="cpu", weights_only=True)


@pytest.mark.parametrize(
    ("sig", "workers", "code"), [("SIGINT", 1, 130), ("SIGTERM", 0, 143)], ids=["int", "term"]
)
def test_signal_saves_and_says_how_to_resume(
    tmp_path: Path, make_cfg, tally, sig: str, workers: int, code: int
) -> None:
    run = tmp_path / "run"
    first_grid = run / "samples" / "iter_000001.png"
    proc = start(run, "callbacks.samples.every_n_steps=1", f"data.num_workers={workers}")
    wait_for(proc, first_grid.exists)
    os.killpg(proc.pid, getattr(signal, sig))  # Ctrl-C reaches the whole group, workers too
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == code, err[-3000:]
    assert "Traceback" not in err
    assert f"{sig} received: stopped at iteration" in err
    stopped = int(err.split("stopped at iteration ")[1].split(",")[0])
    assert load(run / "checkpoints" / "last.ckpt")["global_step"] == 2 * stopped >= 2
    command = err.split("resume with:\n")[1].strip().splitlines()[0]
    args = shlex.split(command)
    assert args[:3] == ["python", "-m", "dcgan.train"]
    assert "resume=auto" in args and f"hydra.run.dir={run}" in args
    # The printed command continues the same run (composed here, trained in-process).
    overrides = [a for a in args[3:] if not a.startswith("hydra.")]
    overrides = [a for a in overrides if not a.startswith("trainer.max_steps=")]
    train(make_cfg(*overrides, f"trainer.max_steps={stopped + 1}"), run_dir=run)
    assert load(run / "checkpoints" / "last.ckpt")["global_step"] == 2 * (stopped + 1)
    assert (run / "samples" / f"iter_{stopped + 1:06d}.png").is_file()
    tally[f"signals handled ({sig})"] += 1


def test_sigkill_never_leaves_a_broken_checkpoint(tmp_path: Path, make_cfg, tally) -> None:
    run = tmp_path / "run"
    folder = run / "checkpoints"
    rng = random.Random(0)
    args = [
        "resume=auto",
        "callbacks.checkpoint.every_n_steps=1",
        "callbacks.samples.every_n_steps=1000",
    ]
    # One point of each kind; DCGAN_KILL_POINTS=20 tries more (each is one CLI start, ~8 s of CPU).
    count = int(os.environ.get("DCGAN_KILL_POINTS", "2"))
    kinds = [("during a checkpoint write", "random")[i % 2] for i in range(count)]
    best, last = 0, folder / "last.ckpt"
    for kind in kinds:
        proc = start(run, *args)
        if kind == "random":
            stamp = last.stat().st_mtime_ns if last.exists() else 0
            wait_for(proc, lambda s=stamp: _newer(last, s))  # training is under way
            time.sleep(rng.uniform(0.0, 0.3))
        else:
            wait_for(proc, lambda: _has_tmp(folder))
        proc.kill()
        proc.communicate(timeout=60)
        # Every checkpoint present is whole, and the newest never goes back.
        steps = [load(ckpt)["global_step"] for ckpt in folder.glob("*.ckpt")]
        assert all(step > 0 for step in steps)
        step = max(steps, default=0)
        assert step >= best, f"{kind}: the newest checkpoint went back from {best} to {step}"
        best = step
        tally[f"kill points ({kind})"] += 1
    done = best // 2 + 1
    train(make_cfg(*args[:2], f"trainer.max_steps={done}"), run_dir=run)
    assert load(folder / "last.ckpt")["global_step"] == 2 * done
    assert sum(v for k, v in tally.items() if k.startswith("kill points")) >= len(kinds)


def _has_tmp(folder: Path) -> bool:
    try:
        return any(name.endswith(".tmp") for name in os.listdir(folder))
    except FileNotFoundError:
        return False


def _newer(path: Path, stamp: int) -> bool:
    try:
        return path.stat().st_mtime_ns > stamp
    except FileNotFoundError:
        return False
