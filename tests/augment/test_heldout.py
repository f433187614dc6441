"""ADA's r_v: the datamodule holds images out of training, and D's scores on them move p."""

from __future__ import annotations

import csv
from pathlib import Path

import lightning as L
import numpy as np
import pytest
from PIL import Image

from dcgan.build import build_module, build_trainer
from dcgan.config import DataConfig, validate
from dcgan.data import ImageDataModule
from dcgan.train import train
from dcgan.tricks import holdout_count


def _digits(holdout: int = 0, labels: bool = False, limit: int | None = None) -> ImageDataModule:
    digits = DataConfig(source="digits", root=None, channels=1, batch_size=8, limit=limit)
    data = ImageDataModule(digits, image_size=16, labels=labels, holdout=holdout)
    data.setup("fit")
    return data


def test_held_out_images_leave_training_at_most_a_tenth_and_always_the_same() -> None:
    whole = _digits()
    data = _digits(holdout=256)
    n = len(whole.images)
    assert len(data.heldout_images) == n // 10 and len(data.images) == n - n // 10
    rows = {img.tobytes(): i for i, img in enumerate(whole.images)}
    held = {rows[img.tobytes()] for img in data.heldout_images}
    kept = {rows[img.tobytes()] for img in data.images}
    assert not held & kept and len(held | kept) == len(rows)  # a split of the set, no copy
    assert np.array_equal(_digits(holdout=256).heldout_images, data.heldout_images)
    assert len(_digits(holdout=5).heldout_images) == 5
    assert len(_digits(holdout=5, limit=20).heldout_images) == 2  # a tenth of 20


def test_held_out_images_keep_their_labels() -> None:
    whole = _digits(labels=True)
    data = _digits(labels=True, holdout=50)
    label_of = {img.tobytes(): int(y) for img, y in zip(whole.images, whole.labels, strict=True)}
    assert data.heldout_labels.tolist() == [label_of[i.tobytes()] for i in data.heldout_images]
    assert data.class_counts == np.bincount(data.labels, minlength=10).tolist()


def test_only_ada_on_r_v_holds_images_out(make_cfg) -> None:
    assert holdout_count(make_cfg("augment=ada", "augment.holdout=64")) == 64
    assert holdout_count(make_cfg("augment=ada_rt")) == 0
    assert holdout_count(make_cfg("augment=diffaugment")) == 0
    assert holdout_count(make_cfg("augment=none")) == 0


def _folder(root: Path, n: int, bright: set[int]) -> Path:
    """n greyscale PNGs named in sorted order; those in `bright` white, the others black."""
    root.mkdir()
    for i in range(n):
        Image.fromarray(np.full((16, 16), 255 if i in bright else 0, np.uint8)).save(
            root / f"{i:03d}.png"
        )
    return root


def test_p_rises_when_held_out_images_score_unlike_the_training_images(make_cfg, tmp_path):
    """D trained on black squares scores white held-out ones like fakes: r_v near 1, p rises."""
    n = 40
    held = set(np.random.default_rng(0).permutation(n)[: n // 10].tolist())  # the split's rule
    pics = _folder(tmp_path / "pics", n, held)
    cfg = make_cfg(
        "data=folder",
        f"data.root={pics}",
        "data.channels=1",
        "augment=ada",
        "augment.speed_kimg=0.2",
        "augment.interval=2",
        "trainer.max_steps=30",
        "trainer.log_every_n_steps=2",
        "logger=csv",
        "callbacks.samples.every_n_steps=1000",
        "callbacks.checkpoint.every_n_steps=1000",
        "callbacks.metrics.every_n_steps=1000",
    )
    train(cfg, run_dir=tmp_path / "run")
    with (tmp_path / "run" / "csv" / "metrics.csv").open() as f:
        rows = [r for r in csv.DictReader(f) if r.get("augment/rv")]
    rvs, ps = [float(r["augment/rv"]) for r in rows], [float(r["augment/p"]) for r in rows]
    assert len(rows) == 15 and all(0.0 <= p <= 1.0 for p in ps)
    assert max(rvs[-5:]) > 0.5 and ps[-1] > 0.1


def test_r_v_without_held_out_images_says_what_to_do(make_cfg, tmp_path) -> None:
    cfg = make_cfg("augment=ada", "augment.interval=1", "trainer.max_steps=1")
    validate(cfg)
    L.seed_everything(cfg.seed, verbose=False)
    module = build_module(cfg)
    trainer = build_trainer(cfg.trainer, module.steps_per_iteration, [], [], tmp_path)
    data = ImageDataModule(
        DataConfig(source="digits", root=None, channels=1, batch_size=8), image_size=16
    )
    with pytest.raises(RuntimeError, match="holds none out.*augment.signal=rt"):
        trainer.fit(module, datamodule=data)
