"""The class-level hooks the run asks of every trick: hold-out, data hint, health remedy."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from omegaconf import open_dict

from dcgan.build import build_callbacks, training_datamodule
from dcgan.callbacks import TrainingHealth
from dcgan.tricks import TRICKS, Trick, data_hints, health_remedies, holdout_count


@dataclass
class HolderConfig:
    images: int = 5


class Holder(Trick):
    """Keeps images out of training, and has something to say about the data and about D."""

    name = "holder"
    Config = HolderConfig

    @classmethod
    def holdout(cls, cfg: Any) -> int:
        return int(cfg.images)

    @classmethod
    def data_hint(cls, cfg: Any, num_images: int) -> str | None:
        return f"holder: {num_images} images"

    @classmethod
    def health_remedy(cls, cfg: Any) -> str | None:
        return "holder says: hold more out; or try"


@pytest.fixture
def holder_cfg(make_cfg, monkeypatch):
    """A run config with the `holder` trick registered and its node set (augmentation off)."""
    monkeypatch.setitem(TRICKS, "holder", Holder)
    cfg = make_cfg("data=digits", "augment=none")
    with open_dict(cfg):
        cfg.holder = {"images": 5}
    return cfg


def test_the_default_hooks_ask_for_nothing() -> None:
    assert Trick.holdout(None) == 0
    assert Trick.data_hint(None, 10) is None and Trick.health_remedy(None) is None


def test_a_trick_with_a_holdout_makes_the_datamodule_hold_images_out(holder_cfg) -> None:
    assert holdout_count(holder_cfg) == 5
    data = training_datamodule(holder_cfg)
    data.setup("fit")
    assert len(data.heldout_images) == 5 and data.num_images == 1797 - 5


def test_the_data_hint_comes_from_the_trick(holder_cfg) -> None:
    assert "holder: 1792 images" in data_hints(holder_cfg, 1792)


def _d_wins_warning(remedies: list[str], tmp_path: Path, make_cfg, caplog) -> str:
    cfg = make_cfg("callbacks.health.d_wins_below=0.5", "callbacks.health.d_wins_patience=1")
    (health,) = [
        c
        for c in build_callbacks(cfg.callbacks, tmp_path, remedies)
        if isinstance(c, TrainingHealth)
    ]
    with caplog.at_level(logging.WARNING):
        health._watch_d_wins(0.1, it=3)
    (warning,) = [r.getMessage() for r in caplog.records if "D wins" in r.getMessage()]
    return warning


def test_the_health_remedy_comes_from_the_trick(holder_cfg, tmp_path, make_cfg, caplog) -> None:
    remedies = health_remedies(holder_cfg)
    assert "holder says: hold more out; or try" in remedies
    warning = _d_wins_warning(remedies, tmp_path, make_cfg, caplog)
    assert "holder says: hold more out; or try label smoothing" in warning
    assert "try augment=ada" in warning  # augmentation is off: its remedy too


def test_without_remedies_the_general_ones_remain(tmp_path, make_cfg, caplog) -> None:
    warning = _d_wins_warning([], tmp_path, make_cfg, caplog)
    assert "G gets little gradient. try label smoothing" in warning
