"""A loss's own penalty enters D's loss through its `Loss`, weighted by `loss.gp_weight`."""

from dataclasses import replace
from pathlib import Path

import lightning as L
import pytest

from dcgan.build import build_module, build_trainer, training_datamodule
from dcgan.config import ConfigError, validate
from dcgan.losses import LOSSES, gradient_penalty


def _first_d_loss(make_cfg, tmp_path: Path, *overrides: str) -> float:
    """D's loss of one seeded iteration (the config is not validated: any weight goes in)."""
    cfg = make_cfg("data=digits", "data.batch_size=8", "trainer.max_steps=1", *overrides)
    L.seed_everything(0, verbose=False)
    module = build_module(cfg)
    trainer = build_trainer(cfg.trainer, module.steps_per_iteration, [], [], tmp_path)
    trainer.fit(module, datamodule=training_datamodule(cfg))
    return float(trainer.callback_metrics["d_loss"])


def test_every_loss_carries_the_gradient_penalty() -> None:
    assert all(loss.penalty is gradient_penalty for loss in LOSSES.values())


def test_any_loss_takes_the_penalty_with_a_weight(make_cfg, tmp_path: Path) -> None:
    plain = _first_d_loss(make_cfg, tmp_path, "loss=hinge")
    assert _first_d_loss(make_cfg, tmp_path, "loss=hinge", "loss.gp_weight=10") > plain


def test_a_loss_without_penalty_adds_nothing(make_cfg, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setitem(LOSSES, "hinge", replace(LOSSES["hinge"], penalty=None))
    plain = _first_d_loss(make_cfg, tmp_path, "loss=hinge")
    weighted = _first_d_loss(make_cfg, tmp_path, "loss=hinge", "loss.gp_weight=10")
    assert weighted == plain


def test_the_penalty_enters_with_its_weight(make_cfg, tmp_path: Path) -> None:
    plain = _first_d_loss(make_cfg, tmp_path, "loss=wgan_gp", "loss.gp_weight=0")
    assert _first_d_loss(make_cfg, tmp_path, "loss=wgan_gp") > plain  # the penalty is >= 0


def test_a_weight_without_penalty_is_refused(make_cfg, monkeypatch) -> None:
    monkeypatch.setitem(LOSSES, "hinge", replace(LOSSES["hinge"], penalty=None))
    with pytest.raises(ConfigError, match=r"loss.gp_weight=10.0 .* loss=hinge .* wgan_gp"):
        validate(make_cfg("loss=hinge", "loss.gp_weight=10"))
