"""Every Python script of scripts/ still imports against the package (a renamed function breaks
a script long before anyone runs its study again)."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPTS = sorted((Path(__file__).resolve().parents[1] / "scripts").glob("*.py"))


@pytest.mark.parametrize("path", SCRIPTS, ids=[p.stem for p in SCRIPTS])
def test_script_imports(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(path.parent))  # scripts import their neighbours
    spec = importlib.util.spec_from_file_location(f"scripts_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)
    spec.loader.exec_module(module)  # top level only: each runs under `if __name__ == ...`
    assert callable(getattr(module, "main", None)), f"{path.name} has no main()"


def test_bench_on_a_few_images_takes_its_batch_and_keeps_lightning_quiet(tmp_path: Path) -> None:
    """50 images at batch 16: the memory pass trains at --batch, not at 128 (more than there
    are images), and Lightning's start-up notes (its litlogger tip) stay out of the output."""
    bench = SCRIPTS[0].parent / "bench.py"
    tiny = "--rounds 0 --images 50 --batch 16 --image-size 16 --width 4 --rss-iters 1 --threads 1"
    done = subprocess.run(
        [sys.executable, str(bench), *tiny.split()],
        cwd=tmp_path,
        env={**os.environ, "WANDB_MODE": "offline"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    out = done.stdout + done.stderr
    assert done.returncode == 0, out
    assert "rss_peak_mb_batch16=" in done.stdout and "summary: " in done.stdout, out
    assert "Traceback" not in out and "litlogger" not in out and "Tip" not in out, out


def test_fashion_fd_frechet_is_zero_on_itself_and_the_squared_shift_of_a_mean(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The studies' feature distance: 0 for one Gaussian against itself; a mean moved by d with
    the same covariance adds |d|^2 and nothing else."""
    import numpy as np

    monkeypatch.syspath_prepend(str(SCRIPTS[0].parent))
    spec = importlib.util.spec_from_file_location(
        "scripts_fashion_fd", SCRIPTS[0].parent / "fashion_fd.py"
    )
    fd = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, fd)
    spec.loader.exec_module(fd)
    feats = np.random.default_rng(0).normal(size=(2000, 8)) @ np.diag(np.arange(1.0, 9.0))
    a = fd.gaussian(feats)
    assert fd.frechet(a, a) == pytest.approx(0.0, abs=1e-4)
    shift = np.full(8, 0.5)
    assert fd.frechet(a, (a[0] + shift, a[1])) == pytest.approx(float(shift @ shift), abs=1e-4)
