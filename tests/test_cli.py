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

from tests.tiny import TINY_MODEL, run_module

pytestmark = pytest.mark.slow

TINY = [
    *TINY_MODEL,
    "data.batch_size=4",
    "trainer.max_steps=2",
    "callbacks.samples.every_n_steps=1",
    "callbacks.samples.num_samples=4",
    "callbacks.checkpoint.every_n_steps=1",
    "callbacks.metrics.num_samples=8",
]


@pytest.fixture(scope="module")
def pics(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """pics/<subfolder>/ with 10 good JPEG/PNG files and 3 broken ones."""
    root = tmp_path_factory.mktemp("work") / "pics"
    rng = np.random.default_rng(0)
    for i in range(10):
        folder = root / ("cats" if i % 2 else "dogs" / Path("nested"))
        folder.mkdir(parents=True, exist_ok=True)
        array = rng.integers(0, 256, size=(24 + i, 20, 3), dtype=np.uint8)
        ext = ".JPG" if i % 3 == 0 else ".png"
        Image.fromarray(array).save(
            folder / f"img{i}{ext}", format="JPEG" if ext == ".JPG" else "PNG"
        )
    (root / "cats" / "empty.jpg").write_bytes(b"")
    (root / "cats" / "notes.png").write_text("not an image")
    good = (root / "cats" / "img1.png").read_bytes()
    (root / "cats" / "cut.png").write_bytes(good[: len(good) // 2])
    return root


def test_train_on_a_folder(pics: Path) -> None:
    """One run on the folder, logged to W&B offline; the broken files are skipped and said."""
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
    media = list(run.glob("wandb/offline-run-*/files/media/images/*.png"))
    assert len(media) == 2
    with Image.open(run / "samples" / "iter_000002.png") as grid:
        assert grid.mode == "RGB" and grid.size[0] > 16


@pytest.mark.parametrize(
    ("args", "expected"),
    [  # found once Hydra composed (the refusals before it: test_cli_declared, test_train_start)
        (
            ["data.batch_size=16"],
            "error: data.batch_size=16 is larger than the 13 images found in data.root=",
        ),
        (
            ["ckpt_path=fake.ckpt"],
            "error: checkpoint 'fake.ckpt' is not a checkpoint of this project",
        ),
        (["data.root=no/such/folder"], "no/such/folder' does not exist"),
    ],
)
def test_bad_input_stops_with_a_clear_message(pics: Path, args: list[str], expected: str) -> None:
    """One line, exit 2, and no run folder left behind."""
    work = pics.parent
    (work / "fake.ckpt").write_text("a text file, renamed\n")
    run = work / "outputs" / "bad"
    good_root = [] if any(a.startswith("data.root") for a in args) else [f"data.root={pics}"]
    res = run_module(
        "dcgan.train", *TINY, "logger=none", f"hydra.run.dir={run}", *good_root, *args, cwd=work
    )
    assert res.returncode == 2, res.stderr[-2000:]
    assert expected in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1, res.stderr
    assert not run.exists()


def test_ctrl_c_during_start_up_is_one_line(pics: Path, tmp_path: Path) -> None:
    """While Hydra composes and torch, Lightning and scipy load: one line and exit 130."""
    # The child starts with Ctrl-C live, as from a terminal. Lightning sets SIGINT to SIG_IGN
    # for good when a KeyboardInterrupt reaches `fit` (lightning/pytorch/trainer/call.py), so
    # after an earlier in-process test of an interrupt this worker ignores it; the child would
    # inherit that, and an ignored SIGINT stays ignored by design (a background job).
    live = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        _ctrl_c_at_start_up(pics, tmp_path)
    finally:
        signal.signal(signal.SIGINT, live)


def _ctrl_c_at_start_up(pics: Path, tmp_path: Path) -> None:
    for delay in (0.5, 1.5, 2.0, 2.5):  # Hydra composing; torch, Lightning and scipy loading
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "dcgan.train",
                f"data.root={pics}",
                *TINY,
                "logger=none",
                f"hydra.run.dir={tmp_path / 'run'}",
            ],
            cwd=tmp_path,
            env={**os.environ, "WANDB_MODE": "offline", "HYDRA_FULL_ERROR": ""},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        time.sleep(delay)
        os.killpg(proc.pid, signal.SIGINT)
        _, err = proc.communicate(timeout=120)
        # 130, or killed by SIGINT, which a shell reports as 130 too: CPython ends that way
        # when the interrupt came out of an exec() of a string (dataclasses make their methods
        # so) on its way to our handler
        assert proc.returncode in (130, -signal.SIGINT), (delay, err[-3000:])
        assert err.strip() == "interrupted (Ctrl-C)", (delay, err[-3000:])


def test_wandb_online_without_a_login_is_one_line(pics: Path, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WANDB_")}
    env.update(HOME=str(tmp_path), NETRC=str(tmp_path / "none"), HYDRA_FULL_ERROR="")
    run = tmp_path / "run"
    res = subprocess.run(
        [
            sys.executable,
            "-m",
            "dcgan.train",
            f"data.root={pics}",
            *TINY,
            "logger=wandb",
            "logger.offline=false",
            f"hydra.run.dir={run}",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert res.returncode == 2
    assert res.stderr.strip() == (
        "error: logger.offline=false needs a W&B login: run `wandb login` (or set "
        "WANDB_API_KEY), or keep logger.offline=true"
    )
    assert not run.exists()


@pytest.mark.skipif(torch.cuda.is_available(), reason="a GPU is here")
def test_a_gpu_asked_for_where_there_is_none_is_one_line(pics: Path) -> None:
    work = pics.parent
    run = work / "outputs" / "gpu"
    args = [a for a in TINY if not a.startswith("trainer.accelerator")]
    res = run_module(
        "dcgan.train",
        f"data.root={pics}",
        *args,
        "trainer.accelerator=gpu",
        f"hydra.run.dir={run}",
        cwd=work,
    )
    assert res.returncode == 2, res.stderr[-2000:]
    assert res.stderr.strip() == (
        "error: trainer.accelerator=gpu, but torch sees no CUDA GPU here; use "
        "trainer.accelerator=auto (a GPU when there is one) or cpu"
    )
    assert not run.exists()


def test_a_flag_between_overrides_works(pics: Path) -> None:
    """Hydra's own parser refuses overrides on both sides of a flag; they are put in order."""
    work = pics.parent
    res = run_module("dcgan.train", f"data.root={pics}", "--cfg", "job", "image_size=16", cwd=work)
    assert res.returncode == 0, res.stderr[-2000:]
    assert "image_size: 16" in res.stdout and f"root: {pics}" in res.stdout


def test_a_space_needs_the_shells_quotes_and_a_non_ascii_letter_quotes_inside(pics: Path) -> None:
    """`"data.root=<folder with spaces>"` reaches the run as written, and so does a folder with
    a non-ASCII letter quoted inside the argument: both find the folder's images (a batch larger
    than they are stops the run before it trains)."""
    import shutil

    work = pics.parent
    for folder, arg in (
        (work / "my  pics", f"data.root={work / 'my  pics'}"),  # two spaces: kept as written
        (work / "bilder größe", f"data.root='{work / 'bilder größe'}'"),
    ):
        shutil.copytree(pics, folder, dirs_exist_ok=True)
        res = run_module("dcgan.train", *TINY, arg, "data.batch_size=64", cwd=work)
        assert res.returncode == 2, res.stderr[-2000:]
        found = f"larger than the 13 images found in data.root={folder}: lower data.batch_size"
        assert found in res.stderr, res.stderr
