"""Runs of two settings with one seed share what the seed fixes: weights of shared layers, fixed
noise, the training stream and the data order; so the report can compare them seed by seed."""

from __future__ import annotations

import lightning as L
import pytest
import torch

from dcgan.build import build_module, training_datamodule
from dcgan.nets import init_weights, paired_seed


def _built(make_cfg, *overrides: str, seed: int = 0):
    cfg = make_cfg(f"seed={seed}", *overrides)
    L.seed_everything(cfg.seed, verbose=False)
    gan = build_module(cfg)
    after = torch.rand(3)  # the global stream right after the model is built
    return gan, after


def _shared(a: torch.nn.Module, b: torch.nn.Module, prefix: str) -> list[str]:
    sa, sb = a.state_dict(), b.state_dict()
    return [
        k
        for k in sa
        if k.startswith(prefix) and k in sb and sa[k].shape == sb[k].shape and "weight" in k
    ]


@pytest.mark.parametrize(
    "other",
    [
        "upsample=nearest_conv",  # G's layers change shape: D's stay paired
        "model.minibatch_std=true",  # D gains a channel before its last layer
        "dropout=generator",  # G gains dropout modules between its layers
        "trick=ema",  # a third network, an average of G
    ],
)
def test_same_seed_shares_shared_layers_noise_and_stream(make_cfg, other: str) -> None:
    base, base_after = _built(make_cfg)
    twin, twin_after = _built(make_cfg, other)
    torch.testing.assert_close(base.sample_z, twin.sample_z, rtol=0, atol=0)
    torch.testing.assert_close(base_after, twin_after, rtol=0, atol=0)
    shared = _shared(base, twin, "discriminator.") + _shared(base, twin, "generator.")
    assert len(shared) >= 3, shared
    ours, theirs = base.state_dict(), twin.state_dict()
    same = [k for k in shared if torch.equal(ours[k], theirs[k])]
    # every layer both have at the same place with the same shape starts the same
    assert same == shared, (set(shared) - set(same), other)
    assert any(k.startswith("discriminator.") for k in same)


def test_another_seed_draws_other_weights_and_noise(make_cfg) -> None:
    a, _ = _built(make_cfg, seed=0)
    b, _ = _built(make_cfg, seed=1)
    assert not torch.equal(a.sample_z, b.sample_z)
    key = next(k for k in a.state_dict() if k.endswith("weight") and k.startswith("discrim"))
    assert not torch.equal(a.state_dict()[key], b.state_dict()[key])


def test_spectral_norm_layers_are_paired_too(make_cfg) -> None:
    a, _ = _built(make_cfg, "norm=spectral")
    b, _ = _built(make_cfg, "norm=spectral", "loss=hinge", "upsample=nearest_conv")
    sa, sb = a.state_dict(), b.state_dict()
    originals = [k for k in sa if k.startswith("discriminator.") and k.endswith("original")]
    assert originals and all(torch.equal(sa[k], sb[k]) for k in originals)
    vectors = [k for k in sa if k.startswith("discriminator.") and k.endswith("._u")]
    assert vectors and all(torch.equal(sa[k], sb[k]) for k in vectors)


def test_init_default_is_paired_and_keeps_torchs_distribution() -> None:
    nets = []
    for extra in (0, 1):
        torch.manual_seed(123 + extra)  # the global stream differs: the layer's own does not
        net = torch.nn.Sequential(torch.nn.Conv2d(3, 8, 3), torch.nn.Linear(8, 4))
        init_weights(net, "default", seed=7, net="d")
        nets.append(net)
    for p, q in zip(nets[0].parameters(), nets[1].parameters(), strict=True):
        assert torch.equal(p, q)
    bound = 1 / (3 * 3 * 3) ** 0.5  # kaiming_uniform(a=sqrt(5)) of torch's Conv2d
    assert nets[0][0].weight.abs().max() <= bound + 1e-6 and nets[0][0].weight.std() > bound / 4


def test_paired_seed_is_stable_and_tells_parts_apart() -> None:
    assert paired_seed(0, "generator", "weight", 0, (4, 4)) == paired_seed(
        0, "generator", "weight", 0, (4, 4)
    )
    assert paired_seed(0, "generator", "weight", 0, (4, 4)) != paired_seed(
        0, "generator", "weight", 1, (4, 4)
    )
    assert 0 <= paired_seed(2**32 - 1, "x") < 2**63


def test_same_seed_same_data_order_whatever_the_setting(make_cfg) -> None:
    batches = []
    for other in ("norm=batch", "norm=spectral"):
        cfg = make_cfg("seed=3", other)
        L.seed_everything(cfg.seed, verbose=False)
        dm = training_datamodule(cfg)
        dm.setup("fit")
        build_module(cfg, dm)
        batches.append(next(iter(dm.train_dataloader())))
    torch.testing.assert_close(batches[0], batches[1], rtol=0, atol=0)
