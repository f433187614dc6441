"""Hostile checkpoints and configs stop at start naming the key; no code ever runs from a file."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from hydra.errors import ConfigCompositionException

from dcgan.config import ConfigError, validate
from dcgan.train import train


class Payload:
    """Pickles into a call that would create a file if a loader ever ran code."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple:
        return (Path.touch, (self.marker,))


def test_hostile_checkpoints_are_refused_with_the_reason(make_cfg, tmp_path: Path, tally) -> None:
    good_run = tmp_path / "good"
    train(make_cfg("trainer.max_steps=1"), run_dir=good_run)
    good = good_run / "checkpoints" / "last.ckpt"
    state = torch.load(good, map_location="cpu", weights_only=True)
    marker = tmp_path / "code_ran"
    files = tmp_path / "ckpts"
    files.mkdir()

    def save(name: str, obj: object) -> Path:
        torch.save(obj, files / name)
        return files / name

    without_hparams = {k: v for k, v in state.items() if k != "hyper_parameters"}
    cases = [  # (file, extra overrides, words the message must contain)
        (save("code.ckpt", {**state, "extra": Payload(marker)}), (), ["unsafe to load"]),
        (save("plain_pickle.ckpt", Payload(marker)), (), ["not a checkpoint of this project"]),
        (save("not_dcgan.ckpt", {"weights": torch.zeros(3)}), (), ["not a dcgan"]),
        (save("no_hparams.ckpt", without_hparams), (), ["no hyper_parameters"]),
        (files / "truncated.ckpt", (), ["truncated or damaged"]),
        (files / "empty.ckpt", (), ["is empty"]),
        (good, ("image_size=32",), ["image_size: checkpoint 16 != config 32"]),
        (good, ("model.ngf=8",), ["model.ngf: checkpoint 4 != config 8"]),
        (good, ("data.channels=3",), ["channels: checkpoint 1 != config 3"]),
        (good, ("latent_dim=7",), ["latent_dim"]),
        (good, ("d_steps=2",), ["d_steps: checkpoint 1 != config 2"]),
        (good, ("pooling=avg",), ["pooling.name: checkpoint 'strided' != config 'avg'"]),
        (good, ("callbacks.samples.num_samples=9",), ["num_samples"]),
    ]
    (files / "truncated.ckpt").write_bytes(good.read_bytes()[:5000])
    (files / "empty.ckpt").write_bytes(b"")
    tried = 0
    for path, overrides, words in cases:
        run = tmp_path / f"run{tried}"
        with pytest.raises(ConfigError) as err:
            train(make_cfg(*overrides, f"ckpt_path={path}"), run_dir=run)
        for word in words:
            assert word in str(err.value), (path.name, overrides, str(err.value))
        assert str(path) in str(err.value)
        assert not (run / "checkpoints").exists()  # stopped before training
        tried += 1
    assert not marker.exists(), "code from a checkpoint ran"
    assert tried == 13
    tally["hostile checkpoints"] += tried


HOSTILE_VALUES = [
    ("image_size=48", "image_size=48"),
    ("image_size=8", "image_size=8"),
    ("image_size=-64", "image_size=-64"),
    ("latent_dim=0", "latent_dim=0"),
    ("d_steps=0", "d_steps=0"),
    ("d_steps=-3", "d_steps=-3"),
    ("g_steps=0", "g_steps=0"),
    ("data.batch_size=0", "data.batch_size=0"),
    ("data.batch_size=-8", "data.batch_size=-8"),
    ("data.num_workers=-1", "data.num_workers=-1"),
    ("optimizer.generator.lr=0", "optimizer.generator.lr=0"),
    ("optimizer.discriminator.lr=-0.1", "optimizer.discriminator.lr=-0.1"),
    ("optimizer.generator.lr=nan", "optimizer.generator.lr=nan"),
    ("optimizer.generator.lr=inf", "optimizer.generator.lr=inf"),
    ("optimizer.generator.eps=0", "optimizer.generator.eps=0"),
    ("optimizer=rmsprop optimizer.discriminator.alpha=1.5", "optimizer.discriminator.alpha=1.5"),
    ("optimizer.generator.betas=[0.5,1.0]", "optimizer.generator.betas"),
    ("optimizer.generator.momentum=-1", "optimizer.generator.momentum=-1"),
    ("dropout.p=1.0", "dropout.p=1.0"),
    ("dropout.p=-0.1", "dropout.p=-0.1"),
    ("dropout.p=nan", "dropout.p=nan"),
    ("loss.label_flip=0.5", "loss.label_flip=0.5"),
    ("loss.label_smoothing=0.5", "loss.label_smoothing=0.5"),
    ("loss.gp_weight=-1", "loss.gp_weight=-1"),
    ("loss.gp_weight=inf", "loss.gp_weight=inf"),
    ("seed=-1", "seed=-1"),
    ("seed=4294967296", "seed=4294967296"),
    ("model.ngf=0", "model.ngf=0"),
    ("model.max_width_mult=0", "model.max_width_mult=0"),
    ("trainer.max_steps=0", "trainer.max_steps=0"),
    ("trainer.max_epochs=0", "trainer.max_epochs=0"),
    ("trainer.log_every_n_steps=0", "trainer.log_every_n_steps=0"),
    ("callbacks.samples.every_n_steps=0", "callbacks.samples.every_n_steps=0"),
    ("callbacks.samples.nrow=0", "callbacks.samples.nrow=0"),
    ("callbacks.checkpoint.keep=-1", "callbacks.checkpoint.keep=-1"),
    ("resume=yes", "resume=yes is not"),
    ("data.channels=4", "data.channels=4"),
    ("logger.name='<script>'", "logger.name=<script> is not"),
]


@pytest.mark.parametrize(("override", "named"), HOSTILE_VALUES, ids=[v[0] for v in HOSTILE_VALUES])
def test_hostile_values_are_named(make_cfg, tally, override: str, named: str) -> None:
    with pytest.raises(ConfigError) as err:
        validate(make_cfg(*override.split()))
    assert named in str(err.value)
    tally["hostile config values"] += 1


HOSTILE_TYPES = ["data.batch_size=lots", "seed=1.5", "image_size=[64]", "no_such_key=1"]


@pytest.mark.parametrize("override", HOSTILE_TYPES)
def test_hostile_types_fail_at_composition(make_cfg, tally, override: str) -> None:
    with pytest.raises(ConfigCompositionException) as err:
        make_cfg(override)
    key = override.split("=")[0]
    assert key in str(err.value) + str(err.value.__cause__)
    tally["hostile config values"] += 1
