"""FID/KID/IS: off with a clear reason without local weights; real scores when a file is present."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import torch

from dcgan.data import load_images
from dcgan.metrics import InceptionMetrics, inception_unavailable, locate_weights

WEIGHTS_NAME = "weights-inception-2015-12-05-6726825d.pth"
CANDIDATES = [
    os.environ.get("DCGAN_INCEPTION_WEIGHTS", ""),
    str(Path.home() / ".cache" / "torch" / "hub" / "checkpoints" / WEIGHTS_NAME),
]
WEIGHTS = next((p for p in CANDIDATES if p and Path(p).is_file()), None)


def _has_fidelity() -> bool:
    try:
        import torch_fidelity  # noqa: F401
    except ImportError:
        return False
    return True


def test_missing_weights_say_why(tmp_path: Path) -> None:
    assert "not set" in inception_unavailable(None)
    missing = tmp_path / "nope.pth"
    with pytest.raises(FileNotFoundError, match="Inception metrics are off"):
        InceptionMetrics(missing)
    if _has_fidelity():
        assert f"{str(missing)!r} is not a file" in inception_unavailable(missing)
    else:
        assert "torch-fidelity is not installed" in inception_unavailable("auto")


@pytest.mark.skipif(not _has_fidelity(), reason="torch-fidelity is not installed")
def test_auto_takes_torch_fidelitys_cached_file(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    cached = tmp_path / "hub" / "checkpoints" / WEIGHTS_NAME
    cached.parent.mkdir(parents=True)
    cached.write_bytes(b"weights")
    assert locate_weights("auto") == (str(cached), None)


@pytest.mark.skipif(
    WEIGHTS is None,
    reason=f"no local {WEIGHTS_NAME} (set DCGAN_INCEPTION_WEIGHTS); tests never download",
)
def test_fid_ranks_real_above_shuffled() -> None:
    images = torch.from_numpy(load_images("digits", None, 32, 1)).float().div(127.5).sub(1)
    a, b = images[:64], images[64:128]
    shuffled = b.flatten(1)[:, torch.randperm(b[0].numel())].view_as(b)
    metrics = InceptionMetrics(WEIGHTS, kid_subset_size=32)
    real, bad = metrics(a, b), metrics(a, shuffled)
    assert real["fid"] < bad["fid"] and real["kid"] < bad["kid"]
