"""Checkpoints of the first format (tests/fixtures) load, generate the same bytes and resume."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
import torch
from hydra import compose, initialize_config_dir

from dcgan.generate import main as generate
from dcgan.run.load import load_gan
from dcgan.run.upgrade import upgrade_hparams
from dcgan.train import train

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
CONFIG_DIR = str(Path(__file__).resolve().parents[2] / "configs")
EXPECTED = json.loads((FIXTURES / "v1_images.json").read_text())

# The overrides the fixtures were trained with (tests/fixtures/README.md).
BASE = [
    "data=digits",
    "image_size=16",
    "latent_dim=8",
    "model.ngf=4",
    "model.ndf=4",
    "model.max_width_mult=2",
    "trainer.accelerator=cpu",
    "trainer.enable_progress_bar=false",
    "data.batch_size=8",
    "callbacks.samples.num_samples=4",
    "callbacks.samples.nrow=2",
    "callbacks.metrics.num_samples=16",
    "logger=none",
    "trainer.precision=32-true",
]
TRICKS = [
    "ema.decay=0.9",
    "replay.size=4",
    "instance_noise.std=0.1",
    "instance_noise.decay_steps=10",
    "loss=wgan_gp",
    "loss.label_flip=0.1",
    "dropout=generator",
    "activation=leaky_relu",
    "pooling=avg",
    "noise=normal",
]
RUNS = {"ema": TRICKS, "plain": []}


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_same_bytes_as_the_first_release(tmp_path: Path, key: str) -> None:
    name, ema = key.split("_")
    out = tmp_path / key
    args = [f"ckpt={FIXTURES / f'v1_{name}.ckpt'}", "n=6", f"out={out}", "seed=3", f"ema={ema}"]
    assert generate(args) == 0
    written = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(out.iterdir())}
    assert written == EXPECTED[key]


def test_old_hyper_parameters_are_translated() -> None:
    old = torch.load(FIXTURES / "v1_ema.ckpt", weights_only=True)["hyper_parameters"]
    new = upgrade_hparams(old)
    assert new["loss"]["name"] == "wgan_gp" and new["loss"]["gp_weight"] == 10.0
    assert new["ema"] == {"decay": 0.9, "kimg": 0.0} and new["replay"] == {"size": 4, "p": 0.5}
    assert new["dropout"]["generator"] and not new["dropout"]["discriminator"]
    assert new["r1"]["gamma"] == 0  # written before R1, today on by default
    assert new["model"]["ngf"] == 4 and new["pooling"] == {"name": "avg"}
    assert load_gan(FIXTURES / "v1_ema.ckpt").cfg.activation.discriminator == "leaky_relu"


@pytest.mark.parametrize("name", sorted(RUNS))
def test_resume_from_the_first_release(tmp_path: Path, name: str) -> None:
    with initialize_config_dir(config_dir=CONFIG_DIR, version_base="1.3"):
        cfg = compose(
            "train",
            overrides=[
                *BASE,
                *RUNS[name],
                f"ckpt_path={FIXTURES / f'v1_{name}.ckpt'}",
                "trainer.max_steps=3",
                "r1.gamma=0",  # as trained, not today's default
                *([] if name == "ema" else ["ema.kimg=0"]),
            ],
        )
    train(cfg, run_dir=tmp_path)
    last = torch.load(tmp_path / "checkpoints" / "last.ckpt", weights_only=True)
    assert last["global_step"] == 6  # 2 iterations in the fixture, one more here
    state = last["state_dict"]
    assert all(torch.isfinite(v).all() for v in state.values() if v.is_floating_point())
    assert any(k.startswith("generator_ema.") for k in state) == (name == "ema")
    if name == "ema":  # the replay buffer of the old file came along, under its new key
        assert last["tricks"]["replay"].shape == (4, 1, 16, 16)
