"""The metric registry: its facts, and a metric added in one place reaching every reader."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
import torch
from torch import nn

from dcgan.metrics.registry import (
    METRICS,
    Images,
    Metric,
    headline_names,
    headline_only,
    labels,
    lower_is_better,
    monitors,
    ordered,
    register,
    score_all,
)


def _images(inception: object = None, n: int = 40) -> Images:
    gen = torch.Generator().manual_seed(0)
    real, fake = (torch.rand(n, 1, 16, 16, generator=gen) * 2 - 1 for _ in range(2))
    return Images(real, fake, seed=0, device=torch.device("cpu"), inception=inception)


def test_the_four_metrics_and_their_facts() -> None:
    assert [m.name for m in ordered()] == ["swd", "fid", "kid", "is"]
    assert monitors() == ["swd", "fid", "kid"]  # minimised by best.ckpt and sweepers
    assert [m.name for m in ordered() if m.inception] == ["fid", "kid", "is"]
    assert headline_names() == ["swd", "fid", "kid", "is"]
    assert [lower_is_better(k) for k in ("swd", "swd_32", "fid", "kid", "is", "other")] == [
        True,
        True,
        True,
        True,
        False,
        True,
    ]
    assert headline_only({"swd_32": 1.0, "swd_16": 2.0, "swd": 1.5, "is": 3.0}) == {
        "swd": 1.5,
        "is": 3.0,
    }
    assert labels(m for m in ordered() if m.inception) == "FID, KID and IS"
    assert labels([METRICS["swd"]]) == "SWD"
    with pytest.raises(ValueError, match="'swd' is registered twice"):
        register(METRICS["swd"])


def test_without_inception_only_swd_runs() -> None:
    scores = score_all(_images())
    assert list(scores) == ["swd_16", "swd"]  # its parts, then the metric


class _Features(nn.Module):
    """A small stand-in for Inception: uint8 RGB -> a few features."""

    def __init__(self, seed: int, out: int) -> None:
        super().__init__()
        torch.manual_seed(seed)
        self.linear = nn.Linear(48, out)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.linear(nn.functional.adaptive_avg_pool2d(x.float() / 255, 4).flatten(1))


def test_fid_kid_is_are_torchmetrics_on_the_inception_networks() -> None:
    from torchmetrics.image.fid import FrechetInceptionDistance
    from torchmetrics.image.inception import InceptionScore
    from torchmetrics.image.kid import KernelInceptionDistance

    from dcgan.metrics.inception import to_uint8_rgb

    nets = SimpleNamespace(features=_Features(1, 16), logits=_Features(2, 10), kid_subset_size=30)
    images = _images(nets)
    torch.manual_seed(7)  # KID draws its subsets from the global stream
    scores = score_all(images)
    real, fake = to_uint8_rgb(images.real), to_uint8_rgb(images.fake)
    torch.manual_seed(7)
    fid = FrechetInceptionDistance(feature=nets.features)
    kid = KernelInceptionDistance(feature=nets.features, subset_size=30)
    iscore = InceptionScore(feature=nets.logits, splits=1)
    for x, is_real in ((real, True), (fake, False)):
        fid.update(x, real=is_real)
        kid.update(x, real=is_real)
    iscore.update(fake)
    assert list(scores) == ["swd_16", "swd", "fid", "kid", "is"]
    assert scores["fid"] == pytest.approx(float(fid.compute()))
    assert scores["kid"] == pytest.approx(float(kid.compute()[0]) * 1e3)
    assert scores["is"] == pytest.approx(float(iscore.compute()[0]))


def test_a_metric_added_in_one_place_reaches_every_reader(
    monkeypatch: pytest.MonkeyPatch, make_cfg
) -> None:
    from dcgan.config import validate
    from dcgan.report.runs import Run

    history = [{"iteration": 1, "gap": 2.0}, {"iteration": 2, "gap": 1.0}]
    run = Run(Path("run"), [], {"history": history})

    def mean_gap(images: Images) -> dict[str, float]:
        return {"gap": float((images.real.mean() - images.fake.mean()).abs())}

    monkeypatch.setitem(METRICS, "gap", Metric("gap", "GAP", mean_gap, order=40))
    assert "gap" in score_all(_images()) and "gap" in headline_names() and "gap" in monitors()
    assert lower_is_better("gap_part")
    validate(make_cfg("callbacks.metrics.monitor=gap"))  # a valid monitor now
    assert run.best("gap") == 1.0

    monkeypatch.setitem(METRICS, "gap", Metric("gap", "GAP", mean_gap, higher_is_better=True))
    assert "gap" not in monitors() and not lower_is_better("gap") and run.best("gap") == 2.0
