"""Exported generators give the checkpoint's images: TorchScript and ONNX read back and compared."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import onnxruntime as ort
import torch

from dcgan import sampling
from dcgan.generate import main
from dcgan.run.load import load_gan


def _reference(ckpt: Path, n: int, dropout: bool) -> tuple[torch.Tensor, torch.Tensor]:
    gan = load_gan(ckpt)
    gan.generator.set_dropout_at_generation(dropout)
    z = sampling.image_noise(0, range(n), gan.cfg.latent_dim, gan.cfg.noise.name)
    return z, sampling.forward(gan.generator, z, seed=0)


def _onnx(path: Path, z: torch.Tensor, optimise: bool = True) -> np.ndarray:
    options = ort.SessionOptions()
    if not optimise:
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    return session.run(["images"], {"z": z.numpy()})[0]


def test_onnx_through_the_real_cli(plain_ckpt: Path, tmp_path: Path, generate_cli) -> None:
    res = generate_cli(f"ckpt={plain_ckpt}", "export=onnx", "out=export/", cwd=tmp_path)
    assert res.returncode == 0, res.stderr[-2000:]
    path = tmp_path / "export" / "generator.onnx"
    meta = json.loads((tmp_path / "export" / "generator.onnx.json").read_text())
    assert meta["latent_dim"] == 8 and meta["noise"] == "uniform" and meta["dropout"] is False
    assert (meta["image_size"], meta["channels"], meta["range"]) == (16, 1, [-1, 1])
    z, expected = _reference(plain_ckpt, 5, dropout=False)  # any batch size: the axis is dynamic
    images = _onnx(path, z)
    assert images.shape == (5, 1, 16, 16)
    np.testing.assert_allclose(images, expected.numpy(), atol=1e-5)
    assert images.min() >= -1 and images.max() <= 1 and images.std() > 0.01


def test_torchscript_round_trip(plain_ckpt: Path, tmp_path: Path) -> None:
    assert main([f"ckpt={plain_ckpt}", "export=torchscript", f"out={tmp_path}"]) == 0
    loaded = torch.jit.load(str(tmp_path / "generator.pt"))
    z, expected = _reference(plain_ckpt, 7, dropout=False)
    torch.testing.assert_close(loaded(z), expected, atol=1e-5, rtol=0)
    # both formats may share a folder; each keeps its own description
    assert main([f"ckpt={plain_ckpt}", "export=onnx", f"out={tmp_path}"]) == 0
    assert {p.name for p in tmp_path.iterdir()} == {
        "generator.pt",
        "generator.pt.json",
        "generator.onnx",
        "generator.onnx.json",
    }


def test_dropout_in_exports_follows_the_generation_rule(dropout_ckpt: Path, tmp_path: Path) -> None:
    on, off = tmp_path / "on", tmp_path / "off"
    for kind in ("torchscript", "onnx"):
        assert main([f"ckpt={dropout_ckpt}", f"export={kind}", f"out={on}"]) == 0
        assert (
            main(
                [
                    f"ckpt={dropout_ckpt}",
                    f"export={kind}",
                    f"out={off}",
                    "dropout_at_generation=false",
                ]
            )
            == 0
        )
    assert json.loads((on / "generator.pt.json").read_text())["dropout"] is True
    z, expected_off = _reference(dropout_ckpt, 4, dropout=False)

    torch.testing.assert_close(
        torch.jit.load(str(off / "generator.pt"))(z), expected_off, atol=1e-5, rtol=0
    )
    np.testing.assert_allclose(_onnx(off / "generator.onnx", z), expected_off.numpy(), atol=1e-5)

    traced = torch.jit.load(str(on / "generator.pt"))
    first, second = traced(z), traced(z)
    assert not torch.equal(first, second)  # fresh masks every call
    assert not torch.allclose(first, expected_off, atol=1e-3)
    # onnxruntime keeps the Dropout nodes only with graph optimisations disabled
    a, b = (
        _onnx(on / "generator.onnx", z, optimise=False),
        _onnx(on / "generator.onnx", z, optimise=False),
    )
    assert not np.array_equal(a, b)
    np.testing.assert_allclose(_onnx(on / "generator.onnx", z), expected_off.numpy(), atol=1e-5)
