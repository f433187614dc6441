"""load_images on real folders (nested, odd names, broken files), digits and Fashion-MNIST."""

from __future__ import annotations

import gzip
import logging
import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from dcgan.data import DataError, load_images
from dcgan.data.sources import EXTENSIONS, read_idx_images

FASHION = Path("/usr/share/datasets/fashion-mnist")
needs_fashion = pytest.mark.skipif(
    not (FASHION / "t10k-images-idx3-ubyte.gz").is_file(), reason="dataset-fashion-mnist missing"
)


def save(path: Path, value: int, size: tuple[int, int] = (12, 10), fmt: str | None = None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, (value, value, value)).save(path, format=fmt)


def test_folder_nested_any_case_sorted(tmp_path: Path) -> None:
    save(tmp_path / "b" / "deep" / "x.JPG", 200, fmt="JPEG")
    save(tmp_path / "a" / "one.Png", 10, fmt="PNG")
    save(tmp_path / "c.TIFF", 120, fmt="TIFF")
    (tmp_path / "notes.txt").write_text("not an image, ignored silently")
    (tmp_path / "a" / "loop").symlink_to(tmp_path, target_is_directory=True)
    images = load_images("folder", str(tmp_path), 8, 3)
    assert images.shape == (3, 3, 8, 8) and images.dtype == np.uint8
    # sorted by path: a/one.Png, b/deep/x.JPG, c.TIFF
    assert [int(round(v)) for v in images.mean(axis=(1, 2, 3))] == [10, 200, 120]
    grey = load_images("folder", str(tmp_path), 8, 1)
    assert grey.shape == (3, 1, 8, 8)


def test_broken_files_skipped_with_one_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    for i in range(3):
        save(tmp_path / "good" / f"{i}.png", 50 * i)
    rng = np.random.default_rng(0)
    real = tmp_path / "real.jpg"
    Image.fromarray(rng.integers(0, 256, (64, 64, 3), np.uint8)).save(real, quality=95)
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "half.jpg").write_bytes(real.read_bytes()[:2000])
    real.unlink()
    (bad / "empty.jpg").write_bytes(b"")
    (bad / "text.png").write_text("I am text")
    (bad / "dangling.jpg").symlink_to(tmp_path / "gone.jpg")
    Image.new("L", (100, 100)).save(bad / "bomb.png")
    (bad / "readme.txt").write_text("ignored")

    with caplog.at_level(logging.WARNING, logger="dcgan.data.sources"):
        images = load_images("folder", str(tmp_path), 8, 3, max_pixels=5000, workers=2)
    assert images.shape == (3, 3, 8, 8)
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1
    msg = warnings[0].getMessage()
    assert "skipped 5 of 8" in msg
    for name, why in [
        ("half.jpg", "truncated image"),
        ("empty.jpg", "empty file"),
        ("text.png", "not an image"),
        ("dangling.jpg", "broken symbolic link"),
        ("bomb.png", "decompression bomb: 100x100 pixels > limit 5000"),
    ]:
        assert f"{name}: {why}" in msg
    assert "readme.txt" not in msg


def test_clean_folder_logs_no_warning(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    save(tmp_path / "x.png", 1)
    with caplog.at_level(logging.WARNING):
        load_images("folder", str(tmp_path), 8, 1)
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


def test_missing_file_and_empty_roots(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    with pytest.raises(DataError, match="does not exist") as info:
        load_images("folder", str(missing), 8, 3)
    assert str(missing) in str(info.value) and "data.root=" in str(info.value)
    afile = tmp_path / "file.jpg"
    afile.write_text("x")
    with pytest.raises(DataError, match="is a file") as info:
        load_images("folder", str(afile), 8, 3)
    empty = tmp_path / "empty"
    (empty / "sub").mkdir(parents=True)
    (empty / "sub" / "a.txt").write_text("x")
    with pytest.raises(DataError, match="no usable image") as info:
        load_images("folder", str(empty), 8, 3)
    assert str(empty) in str(info.value) and ".jpg" in str(info.value)
    with pytest.raises(DataError, match="data.root is not set"):
        load_images("folder", None, 8, 3)


def test_all_files_broken_names_reasons(tmp_path: Path) -> None:
    (tmp_path / "a.jpg").write_bytes(b"")
    with pytest.raises(DataError) as info:
        load_images("folder", str(tmp_path), 8, 3)
    text = str(info.value)
    assert "found 1 image file(s)" in text and "a.jpg: empty file" in text
    assert all(ext in text for ext in EXTENSIONS)


def test_unknown_source() -> None:
    with pytest.raises(DataError, match="digits, fashion_mnist, folder"):
        load_images("cifar", None, 8, 3)


@pytest.mark.parametrize(("size", "channels"), [(8, 1), (32, 3)])
def test_digits(size: int, channels: int) -> None:
    images = load_images("digits", "ignored", size, channels)
    assert images.shape == (1797, channels, size, size) and images.dtype == np.uint8
    assert images.min() == 0 and images.max() == 255
    if channels == 3:
        assert np.array_equal(images[:, 0], images[:, 2])


@needs_fashion
def test_fashion_mnist_splits() -> None:
    test = load_images("fashion_mnist", None, 32, 1, split="test")
    assert test.shape == (10000, 1, 32, 32) and test.dtype == np.uint8 and test.max() > 200
    train = load_images("fashion_mnist", str(FASHION), 32, 1, split="train")
    assert train.shape == (60000, 1, 32, 32)
    small = load_images("fashion_mnist", None, 8, 3, split="test")
    assert small.shape == (10000, 3, 8, 8)


@needs_fashion
def test_fashion_mnist_all_split_concatenates(tmp_path: Path) -> None:
    # A tiny copy (first 5 train / 3 test images) keeps split="all" fast.
    for prefix, n in (("train", 5), ("t10k", 3)):
        images = read_idx_images(FASHION / f"{prefix}-images-idx3-ubyte.gz")[:n]
        header = np.array([2051, n, 28, 28], ">u4").tobytes()
        with gzip.open(tmp_path / f"{prefix}-images-idx3-ubyte.gz", "wb") as fh:
            fh.write(header + images.tobytes())
    both = load_images("fashion_mnist", str(tmp_path), 28, 1, split="all")
    assert both.shape == (8, 1, 28, 28)
    assert np.array_equal(both[5, 0], read_idx_images(FASHION / "t10k-images-idx3-ubyte.gz")[0])


def test_fashion_mnist_errors(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="apt-get install dataset-fashion-mnist") as info:
        load_images("fashion_mnist", str(tmp_path), 32, 1)
    assert str(tmp_path / "FashionMNIST" / "raw" / "train-images-idx3-ubyte.gz") in str(info.value)
    assert "or add data.download=true to fetch it once" in str(info.value)
    with pytest.raises(DataError, match="data.split"):
        load_images("fashion_mnist", None, 32, 1, split="val")
    with gzip.open(tmp_path / "t10k-images-idx3-ubyte.gz", "wb") as fh:
        fh.write(b"\x00\x00\x08\x01" + bytes(12))  # a labels file's magic
    with pytest.raises(DataError, match="magic 2051"):
        load_images("fashion_mnist", str(tmp_path), 32, 1, split="test")


def test_symlinked_root_is_followed(tmp_path: Path) -> None:
    save(tmp_path / "real" / "x.gif", 30, fmt="GIF")
    os.symlink(tmp_path / "real", tmp_path / "link")
    assert load_images("folder", str(tmp_path / "link"), 8, 1).shape == (1, 1, 8, 8)
