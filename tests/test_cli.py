"""The real command line in subprocesses, on a folder of images written here (some broken)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
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
    work = pics.parent
    run = work / "outputs" / "single"
    res = run_module("dcgan.train", f"data.root={pics}", *TINY, f"hydra.run.dir={run}", cwd=work)
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


def test_resume_from_the_cli(pics: Path) -> None:
    work = pics.parent
    first, second = work / "outputs" / "first", work / "outputs" / "resumed"
    assert (
        run_module(
            "dcgan.train",
            f"data.root={pics}",
            *TINY,
            "logger=csv",
            f"hydra.run.dir={first}",
            cwd=work,
        ).returncode
        == 0
    )
    last = first / "checkpoints" / "last.ckpt"
    stamp = last.stat().st_mtime_ns
    res = run_module(
        "dcgan.train",
        f"data.root={pics}",
        *TINY,
        "logger=csv",
        "trainer.max_steps=3",
        f"ckpt_path={last}",
        f"hydra.run.dir={second}",
        cwd=work,
    )
    assert res.returncode == 0, res.stderr[-3000:]
    assert last.stat().st_mtime_ns == stamp
    assert [p.name for p in (second / "samples").glob("*.png")] == ["iter_000003.png"]
    assert (second / "checkpoints" / "iter_000003.ckpt").is_file()


def test_multirun_writes_one_folder_per_run(pics: Path) -> None:
    work = pics.parent
    sweep = work / "outputs" / "sweep"
    res = run_module(
        "dcgan.train",
        "-m",
        f"data.root={pics}",
        *TINY,
        "logger=none",
        "pooling=avg,strided",
        f"hydra.sweep.dir={sweep}",
        cwd=work,
    )
    assert res.returncode == 0, res.stderr[-3000:]
    for num, pooling in ((0, "avg"), (1, "strided")):
        run = sweep / str(num)
        assert (run / "checkpoints" / "last.ckpt").is_file()
        assert f"name: {pooling}" in (run / ".hydra" / "config.yaml").read_text()


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["pooling=foo"], "Available options in 'pooling'"),
        (["image_size=48"], "image_size=48 is invalid"),
        (["data.channels=2"], "data.channels=2 is invalid: choose 1 (greyscale) or 3 (RGB)"),
        (["data.root=no/such/folder"], "no/such/folder' does not exist"),
    ],
)
def test_bad_input_stops_with_a_clear_message(pics: Path, args: list[str], expected: str) -> None:
    work = pics.parent
    res = run_module(
        "dcgan.train",
        *TINY,
        "logger=none",
        f"hydra.run.dir={work / 'outputs' / 'bad'}",
        *args,
        cwd=work,
    )
    assert res.returncode != 0
    assert expected in res.stderr
    assert "Traceback" not in res.stderr
