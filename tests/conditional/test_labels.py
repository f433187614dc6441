"""Class labels from sub-folders, Fashion-MNIST and digits, as the data module serves them."""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path

import numpy as np
import pytest
import torch

from dcgan.config import DataConfig
from dcgan.data import DataError, ImageDataModule
from dcgan.data.labels import FASHION_MNIST_CLASSES, load_labeled
from tests.conditional.conftest import write_squares

FASHION = Path("/usr/share/datasets/fashion-mnist")


def test_first_level_sub_folders_are_the_classes(squares) -> None:
    root = squares(count=3)
    write_squares(root / "bright" / "nested" / "deeper", 200, 2)  # still "bright"
    (root / "empty").mkdir()  # no images: no class
    images, labels, names = load_labeled("folder", str(root), 16, 3)
    assert names == ["bright", "dark"]  # sorted
    assert images.shape == (8, 3, 16, 16)
    assert np.bincount(labels).tolist() == [5, 3]
    # each label matches its image: bright squares are bright
    assert images[labels == 0].mean() > 150 > 60 > images[labels == 1].mean()


def test_one_sub_folder_is_one_class(squares, caplog) -> None:
    root = squares(count=20, classes=("dark",))
    dm = ImageDataModule(DataConfig(root=str(root), batch_size=4), image_size=16, labels=True)
    with caplog.at_level(logging.WARNING):
        dm.setup("fit")
    assert dm.class_names == ["dark"] and dm.class_counts == [20]
    assert "only one class" in caplog.text


def test_images_in_the_root_are_refused(squares) -> None:
    root = squares(count=2)
    write_squares(root, 100, 1)  # root/000.png
    with pytest.raises(DataError, match="outside any sub-folder.*<root>/<class>/"):
        load_labeled("folder", str(root), 16, 3)
    # unconditional runs still take every image
    dm = ImageDataModule(DataConfig(root=str(root), batch_size=2), image_size=16)
    dm.setup("fit")
    assert dm.num_images == 5


def test_a_class_with_few_images_is_named_once(squares, caplog) -> None:
    root = squares(count=20)
    write_squares(root / "rare", 128, 3)
    dm = ImageDataModule(DataConfig(root=str(root), batch_size=4), image_size=16, labels=True)
    with caplog.at_level(logging.WARNING):
        dm.setup("fit")
    warned = [r.getMessage() for r in caplog.records if "rare" in r.getMessage()]
    assert warned == ["class 'rare' has only 3 image(s): it will be learnt poorly"]
    assert not any("'dark'" in r.getMessage() for r in caplog.records)


def test_batches_carry_labels_only_when_conditional(squares) -> None:
    root = squares(count=8)
    plain = ImageDataModule(DataConfig(root=str(root), batch_size=4), image_size=16)
    batch = next(iter(plain.train_dataloader()))
    assert isinstance(batch, torch.Tensor) and batch.dtype == torch.uint8
    labeled = ImageDataModule(DataConfig(root=str(root), batch_size=4), image_size=16, labels=True)
    images, labels = next(iter(labeled.train_dataloader()))
    assert images.dtype == torch.uint8 and labels.dtype == torch.int64
    bright = images.float().mean(dim=(1, 2, 3)) > 128
    assert torch.equal(bright, labels == 0)  # every image keeps its own label
    x, y = labeled.on_after_batch_transfer((images, labels), 0)
    assert x.dtype == torch.float32 and x.min() >= -1 and torch.equal(y, labels)


def test_digits_labels() -> None:
    images, labels, names = load_labeled("digits", None, 16, 1)
    assert names == [str(d) for d in range(10)] and len(labels) == len(images) == 1797
    assert set(labels.tolist()) == set(range(10))


@pytest.mark.skipif(not FASHION.is_dir(), reason="Fashion-MNIST is not installed")
def test_fashion_mnist_labels() -> None:
    images, labels, names = load_labeled("fashion_mnist", str(FASHION), 16, 1, split="test")
    assert names == list(FASHION_MNIST_CLASSES) and "sneaker" in names
    assert np.bincount(labels).tolist() == [1000] * 10 and len(images) == 10_000


def test_limit_cuts_the_labels_with_the_images_and_keeps_the_whole_reference() -> None:
    dm = ImageDataModule(
        DataConfig(source="digits", channels=1, batch_size=4, limit=100), image_size=8, labels=True
    )
    dm.setup("fit")
    assert len(dm.images) == len(dm.labels) == 100
    assert len(dm.reference_images) == len(dm.reference_labels) == 1797
    assert np.array_equal(dm.labels, dm.reference_labels[:100])
    assert sum(dm.class_counts) == 100  # the classes of what is trained on


def _labeled(root: Path, cache_dir: Path, cache: bool = True) -> ImageDataModule:
    dm = ImageDataModule(
        DataConfig(root=str(root), batch_size=4, cache=cache, cache_dir=str(cache_dir)),
        image_size=16,
        labels=True,
    )
    dm.setup("fit")
    return dm


def test_a_conditional_run_shares_the_cached_images_and_labels_them(squares, tmp_path, caplog):
    root = squares(count=5)
    write_squares(root / "bright" / "nested", 200, 2, seed=1)
    plain = _labeled(root, tmp_path / "none", cache=False)
    unconditional = ImageDataModule(
        DataConfig(root=str(root), batch_size=4, cache=True, cache_dir=str(tmp_path / "c")),
        image_size=16,
    )
    unconditional.setup("fit")  # writes the array a conditional run then maps
    with caplog.at_level(logging.INFO):
        cached = _labeled(root, tmp_path / "c")
    assert any("data cache hit" in r.getMessage() for r in caplog.records)
    assert cached.class_names == plain.class_names == ["bright", "dark"]
    assert np.array_equal(cached.images, plain.images)
    assert np.array_equal(cached.labels, plain.labels)
    assert cached.images[cached.labels == 0].mean() > 150 > cached.images[cached.labels == 1].mean()


def test_a_cached_folder_with_an_unreadable_file_is_labelled_by_decoding(squares, tmp_path):
    root = squares(count=5)
    (root / "dark" / "broken.png").write_bytes(b"not a png")
    first = _labeled(root, tmp_path / "c")  # builds the cache, skipping the broken file
    again = _labeled(root, tmp_path / "c")  # a hit that cannot say which file was skipped
    for dm in (first, again):
        assert np.bincount(dm.labels).tolist() == [5, 5]
        assert dm.images[dm.labels == 0].mean() > 150 > dm.images[dm.labels == 1].mean()


def test_digits_labels_from_the_cache_match_the_decoded_ones(tmp_path) -> None:
    digits = DataConfig(source="digits", channels=1, batch_size=4)
    plain = ImageDataModule(digits, image_size=8, labels=True)
    cached_digits = dataclasses.replace(digits, cache=True, cache_dir=str(tmp_path))
    cached = ImageDataModule(cached_digits, image_size=8, labels=True)
    for dm in (plain, cached):
        dm.setup("fit")
    assert list(tmp_path.glob("*.npy")) and cached.class_names == plain.class_names
    assert np.array_equal(cached.images, plain.images) and np.array_equal(
        cached.labels, plain.labels
    )


def test_a_loose_image_is_refused_before_decoding_and_leaves_no_run_folder(
    squares, tmp_path: Path
) -> None:
    from tests.tiny import TINY_MODEL, run_module

    root = squares(count=2)
    write_squares(root, 100, 1)
    run = tmp_path / "run"
    args = [*TINY_MODEL, f"data.root={root}", "model.conditional=true", f"hydra.run.dir={run}"]
    done = run_module("dcgan.train", *args, cwd=tmp_path)
    assert done.returncode == 2, done.stderr[-2000:]
    assert done.stderr.startswith("error: data.root") and "outside any sub-folder" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and not run.exists()
