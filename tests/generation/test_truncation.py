"""`truncation=`: z drawn nearer the prior's centre, in images, walks and exports."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from dcgan import sampling
from dcgan.checks import ConfigError
from dcgan.generate import main
from dcgan.noise import check_truncation
from dcgan.run.load import load_gan

PAD, SIZE = 2, 16


def _pixels(path: Path) -> np.ndarray:
    with Image.open(path) as image:
        return np.asarray(image).astype(int)


def test_normal_entries_beyond_the_threshold_are_drawn_again() -> None:
    full = sampling.image_noise(3, range(64), 32, "normal")
    cut = sampling.image_noise(3, range(64), 32, "normal", truncation=0.5)
    assert full.abs().max() > 1.5 and cut.abs().max() <= 0.5
    within = full.abs() <= 0.5
    assert torch.equal(cut[within], full[within])  # an image keeps its noise where it may
    assert torch.equal(cut, sampling.image_noise(3, range(64), 32, "normal", truncation=0.5))
    assert torch.equal(cut[5:9], sampling.image_noise(3, range(5, 9), 32, "normal", 0.5))
    uniform = sampling.image_noise(3, range(8), 32, "uniform")
    shrunk = sampling.image_noise(3, range(8), 32, "uniform", 0.25)
    assert torch.allclose(shrunk, uniform * 0.25)


def test_truncation_rules() -> None:
    check_truncation(None, "uniform")
    check_truncation(2.0, "normal")
    with pytest.raises(
        ConfigError, match=r"truncation=1.5 is invalid for noise=uniform: choose a "
    ):
        check_truncation(1.5, "uniform")


def test_truncated_images_walks_and_exports(plain_ckpt: Path, tmp_path: Path, generate_cli) -> None:
    """Through the real CLI: the images are G of the uniform prior's z scaled by t; a walk ends
    on them; an export's .json says how to draw z; a scale above 1 is refused in one line."""
    res = generate_cli(f"ckpt={plain_ckpt}", "n=4", "truncation=0.5", "out=cut", cwd=tmp_path)
    assert res.returncode == 0, res.stderr[-2000:]
    gan = load_gan(plain_ckpt)
    z = sampling.image_noise(0, range(4), gan.cfg.latent_dim, "uniform") * 0.5
    ((_, expected),) = sampling.stream(gan.generator, lambda idx: z[idx.start : idx.stop], 4, 4, 0)
    written = [_pixels(tmp_path / "cut" / f"{i:06d}.png") for i in range(4)]
    for image, want in zip(written, expected.numpy().astype(int), strict=True):
        assert np.abs(image.reshape(want.shape) - want).max() <= 1
    assert main([f"ckpt={plain_ckpt}", "n=1", "interpolate=3", "truncation=0.5",
                 f"out={tmp_path / 'walk'}"]) == 0  # fmt: skip
    walk = _pixels(tmp_path / "walk" / "walk.png")
    assert np.abs(walk[PAD : PAD + SIZE, PAD : PAD + SIZE].reshape(written[0].shape)
                  - written[0]).max() <= 1  # fmt: skip
    assert main([f"ckpt={plain_ckpt}", "export=torchscript", "truncation=0.5",
                 f"out={tmp_path / 'ts'}"]) == 0  # fmt: skip
    meta = json.loads((tmp_path / "ts" / "generator.pt.json").read_text())
    assert meta["truncation"] == 0.5
    assert meta["truncation_rule"] == "z ~ U(-0.5, 0.5): U(-1, 1) scaled by 0.5"
    res = generate_cli(f"ckpt={plain_ckpt}", "truncation=1.5", "out=never", cwd=tmp_path)
    assert res.returncode == 2 and res.stderr.startswith("error: truncation=1.5 is invalid for "
                                                         "noise=uniform"), res.stderr  # fmt: skip
    assert len(res.stderr.splitlines()) == 1 and not (tmp_path / "never").exists()
