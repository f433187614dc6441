"""ImageDataModule end to end without a Trainer: config checks, uint8 batches, float on device."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from dcgan.config import DataConfig
from dcgan.data import DataError, ImageDataModule


def test_digits_loop_uint8_then_float() -> None:
    dm = ImageDataModule(
        DataConfig(source="digits", root=None, channels=1, batch_size=100), image_size=16
    )
    dm.setup("fit")
    assert dm.num_images == 1797 and dm.hparams.batch_size == 100
    loader = dm.train_dataloader()
    batches = list(loader)
    assert len(batches) == 1797 // 100
    for batch in batches:
        assert batch.dtype == torch.uint8 and batch.shape == (100, 1, 16, 16)
    x = dm.on_after_batch_transfer(batches[0], 0)
    assert x.dtype == torch.float32 and x.shape == (100, 1, 16, 16)
    assert -1.0 <= x.min() < 0 < x.max() <= 1.0
    assert torch.equal(x, batches[0].float() / 127.5 - 1)


def test_batches_share_memory_and_cover_dataset() -> None:
    dm = ImageDataModule(
        DataConfig(source="digits", root=None, channels=3, batch_size=7),
        image_size=8,
        drop_last=False,
    )
    dm.setup()
    images = dm.images
    dm.setup("fit")  # idempotent: no reload
    assert dm.images is images
    loader = dm.train_dataloader()
    assert loader.dataset.images.data_ptr() == images.ctypes.data  # no copy of the array
    seen = torch.cat(list(loader))
    assert seen.shape == (1797, 3, 8, 8)
    assert sorted(seen.sum(dim=(1, 2, 3)).tolist()) == sorted(
        torch.from_numpy(images).sum(dim=(1, 2, 3)).tolist()
    )


def test_shuffle_follows_global_seed() -> None:
    dm = ImageDataModule(
        DataConfig(source="digits", root=None, channels=1, batch_size=16), image_size=8
    )
    torch.manual_seed(3)
    first = next(iter(dm.train_dataloader()))
    torch.manual_seed(3)
    again = next(iter(dm.train_dataloader()))
    assert torch.equal(first, again)


def test_worker_processes(tmp_path: Path) -> None:
    dm = ImageDataModule(
        DataConfig(source="digits", root=None, channels=1, batch_size=64, num_workers=1),
        image_size=8,
    )
    batches = list(dm.train_dataloader())
    assert len(batches) == 1797 // 64 and batches[0].dtype == torch.uint8


def test_folder_hflip(tmp_path: Path) -> None:
    for i in range(8):
        img = Image.new("RGB", (16, 16), (255, 255, 255))
        img.paste((0, 0, 0), (0, 0, 8, 16))  # left half black
        img.save(tmp_path / f"{i}.png")
    dm = ImageDataModule(DataConfig(root=str(tmp_path), batch_size=8, hflip=True), image_size=8)
    dm.setup("fit")
    batch = next(iter(dm.train_dataloader()))
    assert batch.shape == (8, 3, 8, 8)
    plain = batch.float() / 127.5 - 1
    torch.manual_seed(0)
    flipped = torch.cat([dm.on_after_batch_transfer(batch, 0) for _ in range(4)])
    left_dark = flipped[:, :, :, 0].mean(dim=(1, 2)) < 0
    assert left_dark.any() and (~left_dark).any()
    for x in flipped:
        assert torch.equal(x, plain[0]) or torch.equal(x, plain[0].flip(-1))


def test_batch_larger_than_dataset(tmp_path: Path) -> None:
    for i in range(3):
        Image.new("L", (8, 8), i).save(tmp_path / f"{i}.bmp")
    dm = ImageDataModule(DataConfig(root=str(tmp_path), channels=1, batch_size=4), image_size=8)
    with pytest.raises(DataError, match="data.batch_size=4 is larger than the 3 images"):
        dm.setup("fit")
    ok = ImageDataModule(
        DataConfig(root=str(tmp_path), channels=1, batch_size=4), image_size=8, drop_last=False
    )
    assert [b.shape[0] for b in ok.train_dataloader()] == [3]


def test_num_images_before_setup() -> None:
    with pytest.raises(DataError, match="setup"):
        _ = ImageDataModule(DataConfig(source="digits"), image_size=16).num_images


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("channels", 2),
        ("batch_size", 0),
        ("num_workers", -1),
        ("source", "imagenet"),
        ("split", "val"),
        ("max_pixels", 0),
        ("limit", 0),
        ("limit", 2.5),
    ],
)
def test_bad_config_names_key(key: str, value: object) -> None:
    with pytest.raises(DataError, match=rf"data\.{key}={value!r}|data\.{key}={value}"):
        ImageDataModule(DataConfig(**{key: value}), image_size=16)


def test_channels_message_explains_choices() -> None:
    with pytest.raises(DataError) as info:
        ImageDataModule(DataConfig(channels=2), image_size=16)
    assert str(info.value) == "data.channels=2 is invalid: choose 1 (greyscale) or 3 (RGB)"


def test_read_only_array_is_accepted() -> None:
    dm = ImageDataModule(DataConfig(source="digits", channels=1, batch_size=4), image_size=8)
    dm.images = np.zeros((8, 1, 8, 8), np.uint8)
    dm.images.flags.writeable = False
    assert next(iter(dm.train_dataloader())).shape == (4, 1, 8, 8)


def test_limit_keeps_the_first_images_and_shares_one_cache(tmp_path: Path) -> None:
    def images(limit: int | None) -> np.ndarray:
        dm = ImageDataModule(
            DataConfig(
                source="digits",
                channels=1,
                batch_size=4,
                limit=limit,
                cache=True,
                cache_dir=str(tmp_path),
            ),
            image_size=8,
        )
        dm.setup("fit")
        return dm.images

    full = images(None)
    assert len(full) == 1797
    assert np.array_equal(images(100), full[:100])
    assert np.array_equal(images(5000), full)  # more than there are: all of them
    assert len(list(tmp_path.rglob("*.npy"))) == 1  # the limit is applied after the cache


def test_limit_below_the_batch_size_names_the_limit() -> None:
    dm = ImageDataModule(
        DataConfig(source="digits", channels=1, batch_size=16, limit=10), image_size=8
    )
    with pytest.raises(
        DataError, match=r"batch_size=16 is larger than the 10 images.*data\.limit=10"
    ):
        dm.setup("fit")


def test_metrics_compare_with_the_whole_source_under_a_limit(make_cfg, tmp_path: Path) -> None:
    from dcgan.build import build_callbacks, build_datamodule, build_module, build_trainer
    from dcgan.callbacks import ImageMetrics

    cfg = make_cfg("data.limit=16", "callbacks.metrics.num_samples=64", "trainer.max_steps=1")
    callbacks = build_callbacks(cfg.callbacks, tmp_path)
    module = build_module(cfg)
    trainer = build_trainer(cfg.trainer, module.steps_per_iteration, [], callbacks, tmp_path)
    datamodule = build_datamodule(cfg.data, cfg.image_size)
    trainer.fit(module, datamodule=datamodule)
    (scorer,) = [c for c in callbacks if isinstance(c, ImageMetrics)]
    assert len(datamodule.images) == 16 and len(datamodule.reference_images) == 1797
    assert scorer._real.shape[0] == 64  # drawn from all 1797, not only the 16 trained on
