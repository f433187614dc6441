"""The real command line in subprocesses, on a folder of images written here (some broken)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from tests.tiny import TINY_MODEL, run_module, start_module

pytestmark = pytest.mark.slow

TINY = [*TINY_MODEL, "data.batch_size=4", "trainer.max_steps=2", "callbacks.metrics.num_samples=8"]
TINY += ["callbacks.samples.every_n_steps=1", "callbacks.samples.num_samples=4"]
TINY += ["callbacks.checkpoint.every_n_steps=1"]


@pytest.fixture(scope="module")
def pics(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`my  pics/<subfolder>/` (two spaces, as a user may name it) with 10 good JPEG/PNG files
    and 3 broken ones; `bilder größe` links to it."""
    root = tmp_path_factory.mktemp("work") / "my  pics"
    rng = np.random.default_rng(0)
    for i in range(10):
        folder = root / ("cats" if i % 2 else "dogs/nested")
        folder.mkdir(parents=True, exist_ok=True)
        array = rng.integers(0, 256, size=(24 + i, 20, 3), dtype=np.uint8)
        Image.fromarray(array).save(folder / f"img{i}{'.JPG' if i % 3 == 0 else '.png'}")
    (root / "cats" / "empty.jpg").write_bytes(b"")
    (root / "cats" / "notes.png").write_text("not an image")
    good = (root / "cats" / "img1.png").read_bytes()
    (root / "cats" / "cut.png").write_bytes(good[: len(good) // 2])
    (root.parent / "bilder größe").symlink_to(root)
    (root.parent / "fake.ckpt").write_text("a text file, renamed\n")
    return root


def test_train_on_a_folder(pics: Path) -> None:
    """One run on the folder, logged to W&B offline; the broken files are skipped and said. The
    folder's two spaces reach the run as written, without quotes inside the argument."""
    run = pics.parent / "outputs" / "single"
    res = run_module(
        "dcgan.train", f"data.root={pics}", *TINY, f"hydra.run.dir={run}", cwd=pics.parent
    )
    assert res.returncode == 0, res.stderr[-3000:]
    assert "skipped 3 of 13" in res.stderr + res.stdout
    assert (run / ".hydra" / "config.yaml").is_file()
    assert (run / "checkpoints" / "last.ckpt").stat().st_size > 0
    assert sorted(p.name for p in (run / "samples").glob("*.png")) == [
        "iter_000001.png",
        "iter_000002.png",
    ]
    assert len(list(run.glob("wandb/offline-run-*/files/media/images/*.png"))) == 2
    with Image.open(run / "samples" / "iter_000002.png") as grid:
        assert grid.mode == "RGB" and grid.size[0] > 16


NO_LOGIN = {"WANDB_MODE": "online", "WANDB_API_KEY": "", "NETRC": "/no/such/netrc"}


@pytest.mark.parametrize(
    ("args", "expected"),
    [  # found once Hydra composed (the refusals before it: test_cli_declared, test_train_start)
        (
            ["data.batch_size=16"],  # {pics} has two spaces, unquoted
            "error: data.batch_size=16 is larger than the 13 images found in data.root={pics}: ",
        ),
        (  # a non-ASCII letter, quoted inside the argument, reaches the run as written
            ["data.root='{work}/bilder größe'", "data.batch_size=64"],
            "larger than the 13 images found in data.root={work}/bilder größe: lower data.batch",
        ),
        (["ckpt_path=fake.ckpt"], "error: checkpoint 'fake.ckpt' is not a checkpoint of this"),
        (["data.root=no/such/folder"], "no/such/folder' does not exist"),
        (
            ["logger=wandb", "logger.offline=false"],  # every row runs with NO_LOGIN
            "error: logger.offline=false needs a W&B login: run `wandb login` (or set "
            "WANDB_API_KEY), or keep logger.offline=true",
        ),
        pytest.param(
            ["trainer.accelerator=gpu"],
            "error: trainer.accelerator=gpu, but torch sees no CUDA GPU here; use "
            "trainer.accelerator=auto (a GPU when there is one) or cpu",
            marks=pytest.mark.skipif(torch.cuda.is_available(), reason="a GPU is here"),
        ),
    ],
)
def test_bad_input_stops_with_a_clear_message(pics: Path, args: list[str], expected: str) -> None:
    """One line, exit 2, and no run folder left behind."""
    work, run = pics.parent, pics.parent / "outputs" / "bad"
    args = [a.format(pics=pics, work=work) for a in args]
    given = {a.split("=")[0] for a in args}  # a key of the row replaces the base's
    base = [f"data.root={pics}", *TINY, "logger=none", f"hydra.run.dir={run}"]
    base = [a for a in base if a.split("=")[0] not in given]
    res = run_module("dcgan.train", *base, *args, cwd=work, env=NO_LOGIN)
    assert res.returncode == 2, res.stderr[-2000:]
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and expected.format(pics=pics, work=work) in lines[0], lines
    assert not run.exists()


def test_ctrl_c_during_start_up_is_one_line(pics: Path, tmp_path: Path) -> None:
    """While Hydra composes and torch, Lightning and scipy load: one line and exit 130."""
    # The child starts with Ctrl-C live, as from a terminal. Lightning sets SIGINT to SIG_IGN
    # for good when a KeyboardInterrupt reaches `fit` (lightning/pytorch/trainer/call.py), so
    # after an earlier in-process test of an interrupt this worker ignores it; the child would
    # inherit that, and an ignored SIGINT stays ignored by design (a background job).
    live = signal.signal(signal.SIGINT, signal.default_int_handler)
    args = [f"data.root={pics}", *TINY, "logger=none", f"hydra.run.dir={tmp_path / 'run'}"]
    # A Ctrl-C before the program's first line is the interpreter's (its traceback): the first
    # signal comes once a child here has had time to reach it (0.5 s on a quiet machine)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import dcgan.ctrl_c"], check=True, cwd=tmp_path)
    first = max(0.5, 2 * (time.perf_counter() - started))
    try:
        for delay in (first, first + 1.0, first + 1.5, first + 2.0):  # Hydra; torch, Lightning
            proc = start_module("dcgan.train", *args, cwd=tmp_path)
            time.sleep(delay)
            os.killpg(proc.pid, signal.SIGINT)
            _, err = proc.communicate(timeout=120)
            # 130, or killed by SIGINT, which a shell reports as 130 too: CPython ends that way
            # when the interrupt came out of an exec() of a string (dataclasses make their
            # methods so) on its way to our handler
            assert proc.returncode in (130, -signal.SIGINT), (delay, err[-3000:])
            assert err.strip() == "interrupted (Ctrl-C)", (delay, err[-3000:])
    finally:
        signal.signal(signal.SIGINT, live)


def test_a_flag_between_overrides_works(pics: Path) -> None:
    """Hydra's own parser refuses overrides on both sides of a flag; they are put in order."""
    work = pics.parent
    res = run_module("dcgan.train", f"data.root={pics}", "--cfg", "job", "image_size=16", cwd=work)
    assert res.returncode == 0, res.stderr[-2000:]
    assert "image_size: 16" in res.stdout and f"root: {pics}" in res.stdout
