"""data.cache: decoded once, memory-mapped after, rebuilt when files change, one builder at once."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from dcgan.config import DataConfig
from dcgan.data import DataError, ImageDataModule, load_images


def _write_jpegs(root: Path, n: int, start: int = 0, size: int = 40) -> None:
    rng = np.random.default_rng(start)
    (root / "sub").mkdir(parents=True, exist_ok=True)
    for i in range(start, start + n):
        array = rng.integers(0, 256, size=(size, size + 8, 3), dtype=np.uint8)
        Image.fromarray(array).save(root / "sub" / f"img{i:03d}.jpg", quality=90)


def _setup(root: Path, cache_dir: Path) -> np.ndarray:
    dm = ImageDataModule(
        DataConfig(root=str(root), batch_size=2, cache=True, cache_dir=str(cache_dir)),
        image_size=16,
    )
    dm.setup("fit")
    assert dm.images is not None
    return dm.images


@pytest.fixture
def pics(tmp_path: Path) -> Path:
    root = tmp_path / "pics"
    _write_jpegs(root, 6)
    return root


def test_second_run_maps_the_cached_array(pics: Path, tmp_path: Path, caplog) -> None:
    cache = tmp_path / "cache"
    with caplog.at_level(logging.INFO, logger="dcgan.data.cache"):
        first = _setup(pics, cache)
        second = _setup(pics, cache)
    messages = [r.getMessage() for r in caplog.records]
    assert sum("data cache written" in m for m in messages) == 1
    assert sum("data cache hit" in m for m in messages) == 1
    assert isinstance(second, np.memmap) and second.filename
    expected = load_images("folder", str(pics), 16, 3)
    np.testing.assert_array_equal(np.asarray(first), expected)
    np.testing.assert_array_equal(np.asarray(second), expected)
    files = sorted(p.suffix for p in cache.iterdir())
    assert files == [".lock", ".npy"]


def test_touched_or_added_file_rebuilds(pics: Path, tmp_path: Path, caplog) -> None:
    cache = tmp_path / "cache"
    first = np.asarray(_setup(pics, cache)).copy()
    (old,) = cache.glob("*.npy")
    stamp = time.time() + 5
    os.utime(pics / "sub" / "img000.jpg", (stamp, stamp))
    with caplog.at_level(logging.INFO, logger="dcgan.data.cache"):
        touched = _setup(pics, cache)
    assert any("data cache written" in r.getMessage() for r in caplog.records)
    (new,) = cache.glob("*.npy")  # the stale array was replaced, not kept beside
    assert new != old
    np.testing.assert_array_equal(np.asarray(touched), first)
    _write_jpegs(pics, 1, start=6)
    added = _setup(pics, cache)
    assert added.shape == (7, 3, 16, 16)
    assert len(list(cache.glob("*.npy"))) == 1
    other_size = ImageDataModule(
        DataConfig(root=str(pics), batch_size=2, cache=True, cache_dir=str(cache)), image_size=32
    )
    other_size.setup("fit")
    assert other_size.images.shape == (7, 3, 32, 32)
    assert len(list(cache.glob("*.npy"))) == 2  # a different request keeps its own array


def test_unwritable_cache_dir_names_the_key(pics: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "a_file"
    blocker.write_text("x")
    with pytest.raises(DataError, match="data.cache_dir=.*a_file/cache"):
        _setup(pics, blocker / "cache")


WORKER = textwrap.dedent(
    """
    import logging, sys, time
    from pathlib import Path
    logging.basicConfig(level=logging.INFO, stream=sys.stderr)
    from dcgan.config import DataConfig
    from dcgan.data import ImageDataModule
    go = Path(sys.argv[3])
    while not go.exists():
        time.sleep(0.01)
    data = DataConfig(root=sys.argv[1], batch_size=2, cache=True, cache_dir=sys.argv[2])
    dm = ImageDataModule(data, image_size=16)
    dm.setup("fit")
    print(int(dm.images.astype("int64").sum()), dm.images.shape[0])
    """
)


def test_concurrent_runs_build_once(tmp_path: Path, caplog) -> None:
    pics, cache, go = tmp_path / "pics", tmp_path / "cache", tmp_path / "go"
    _write_jpegs(pics, 120, size=160)
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, str(pics), str(cache), str(go)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    time.sleep(0.5)
    go.touch()  # release both workers, and this process as a third builder, at once
    with caplog.at_level(logging.INFO, logger="dcgan.data.cache"):
        mine = _setup(pics, cache)
    results = [p.communicate(timeout=240) for p in procs]
    assert all(p.returncode == 0 for p in procs), [err[-2000:] for _, err in results]
    outputs = {out.strip() for out, _ in results}
    assert outputs == {f"{int(mine.astype('int64').sum())} 120"}
    logs = "".join(err for _, err in results) + caplog.text
    assert logs.count("data cache written") == 1
    assert logs.count("data cache hit") == 2
    assert sorted(p.suffix for p in cache.iterdir()) == [".lock", ".npy"]  # no temporary left
