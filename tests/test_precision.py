"""Precision and memory format follow the hardware under `auto`, and any explicit value wins."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from dcgan.build import build_module, build_trainer
from dcgan.callbacks import ChannelsLast
from dcgan.config import ConfigError, validate
from dcgan.precision import (
    cpu_has_fast_bf16,
    resolve_channels_last,
    resolve_precision,
)
from dcgan.train import train


def test_explicit_precision_is_kept() -> None:
    for value in ("32-true", "16-mixed", "bf16-mixed"):
        assert resolve_precision(value, "cpu") == value


def test_auto_on_cpu_follows_bf16_support() -> None:
    expected = "bf16-mixed" if cpu_has_fast_bf16() else "32-true"
    assert resolve_precision("auto", "cpu") == expected
    assert resolve_channels_last("auto", expected, "cpu") == (expected == "bf16-mixed")
    assert resolve_channels_last("contiguous", "bf16-mixed", "cpu") is False
    assert resolve_channels_last("channels_last", "32-true", "cpu") is True


def test_bad_precision_names_the_key(make_cfg) -> None:
    with pytest.raises(ConfigError, match="trainer.precision=fp8 is not a valid choice"):
        validate(make_cfg("trainer.precision=fp8"))
    with pytest.raises(ConfigError, match="trainer.memory_format=nhwc"):
        validate(make_cfg("trainer.memory_format=nhwc"))


def test_trainer_gets_the_resolved_choice(make_cfg, tmp_path: Path) -> None:
    cfg = make_cfg("trainer.precision=bf16-mixed", "trainer.memory_format=channels_last")
    trainer = build_trainer(cfg.trainer, 2, [], [], tmp_path)
    assert trainer.precision == "bf16-mixed"
    assert any(isinstance(c, ChannelsLast) for c in trainer.callbacks)
    cfg = make_cfg("trainer.precision=32-true", "trainer.memory_format=contiguous")
    trainer = build_trainer(cfg.trainer, 2, [], [], tmp_path)
    assert trainer.precision == "32-true"
    assert not any(isinstance(c, ChannelsLast) for c in trainer.callbacks)


def test_channels_last_training_keeps_the_format(make_cfg, tmp_path: Path) -> None:
    cfg = make_cfg("trainer.precision=bf16-mixed", "trainer.memory_format=channels_last")
    train(cfg, run_dir=tmp_path)
    ckpt = torch.load(tmp_path / "checkpoints" / "last.ckpt", map_location="cpu", weights_only=True)
    assert ckpt["global_step"] == 4
    weights = {k: v for k, v in ckpt["state_dict"].items() if v.ndim == 4}
    assert weights and all(torch.isfinite(v).all() for v in weights.values())
    module = build_module(cfg)
    ChannelsLast().setup(None, module, "fit")  # type: ignore[arg-type]
    conv = next(p for p in module.discriminator.parameters() if p.ndim == 4 and p.shape[1] > 1)
    assert conv.is_contiguous(memory_format=torch.channels_last)
    assert not conv.is_contiguous()


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_trains_on_cuda_with_auto_precision(make_cfg, tmp_path: Path) -> None:
    cfg = make_cfg("trainer=gpu", "trainer.accelerator=gpu", "trainer.max_steps=3")
    assert resolve_precision("auto", "gpu") in ("bf16-mixed", "16-mixed", "32-true")
    train(cfg, run_dir=tmp_path)
    ckpt = torch.load(tmp_path / "checkpoints" / "last.ckpt", map_location="cpu", weights_only=True)
    assert ckpt["global_step"] == 3 * 2
    assert all(
        torch.isfinite(v).all() for v in ckpt["state_dict"].values() if v.is_floating_point()
    )
    assert sorted(p.name for p in (tmp_path / "samples").glob("*.png"))[-1] == "iter_000003.png"
