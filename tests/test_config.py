"""Composition of the groups and the messages for values that cannot work."""

from __future__ import annotations

import pytest
from hydra.errors import ConfigCompositionException

from dcgan.config import validate


def test_defaults_are_the_dcgan_paper_with_uniform_noise_and_tricks_off(make_cfg) -> None:
    cfg = make_cfg(tiny=False)
    assert (cfg.image_size, cfg.latent_dim, cfg.d_steps, cfg.g_steps) == (64, 100, 1, 1)
    assert (cfg.activation.generator, cfg.activation.discriminator) == ("relu", "leaky_relu")
    assert cfg.init.name == "normal" and cfg.pooling.name == "strided"
    assert cfg.norm.generator == "batch" and not cfg.norm.spectral
    assert not cfg.dropout.generator and cfg.loss.name == "nonsaturating"
    assert cfg.noise.name == "uniform" and cfg.data.root == "pics"
    assert cfg.optimizer.generator.name == cfg.optimizer.discriminator.name == "adam"
    assert list(cfg.optimizer.generator.betas) == [0.5, 0.999]
    assert cfg.logger.name == "wandb" and cfg.logger.offline
    assert (cfg.ema.kimg, cfg.ema.rampup) == (10, 0.02)  # the average of G, ramped (recipe.md)
    assert (cfg.r1.gamma, cfg.r1.every, cfg.r1.r2_gamma) == (0.1, 4, 0)  # lazy R1 (width64.md)
    assert cfg.upsample.name == "transposed" and cfg.d_batch.name == "separate"  # own groups
    assert cfg.instance_noise.std == 0 and cfg.replay.size == 0 and cfg.ema.decay == 0
    assert not cfg.model.minibatch_std
    validate(cfg)


def test_optimizer_is_set_per_network_and_experiments_compose(make_cfg) -> None:
    cfg = make_cfg(
        "optimizer=sgd_adam", "optimizer.generator.lr=0.001", "optimizer.discriminator.momentum=0.5"
    )
    assert cfg.optimizer.discriminator.name == "sgd" and cfg.optimizer.generator.name == "adam"
    assert cfg.optimizer.generator.lr == 0.001 and cfg.optimizer.discriminator.momentum == 0.5
    paper = make_cfg("experiment=dcgan_paper", tiny=False)
    assert paper.data.batch_size == 128 and paper.pooling.name == "strided"
    assert paper.ema.kimg == paper.r1.gamma == 0  # the 2015 recipe: no average of G, no R1
    hacks = make_cfg("experiment=ganhacks", tiny=False)
    assert hacks.activation.generator == "leaky_relu" and hacks.pooling.name == "avg"
    assert hacks.optimizer.discriminator.name == "sgd" and hacks.dropout.generator
    assert hacks.ema.kimg == hacks.r1.gamma == 0  # the original project's tricks alone
    validate(paper)
    validate(hacks)


@pytest.mark.parametrize(
    ("overrides", "gamma"),
    [  # a trick's preset wins over an experiment's and a sweep's base values (train.yaml's order)
        (["experiment=dcgan_paper", "trick=r1"], 0.1),
        (["sweep=since_ganhacks"], 0.0),  # the base of the since-ganhacks rows has no R1
        (["sweep=since_ganhacks", "trick=r1"], 0.1),
        (["sweep=since_ganhacks", "trick=lecam"], 0.0),
    ],
)
def test_r1_follows_the_trick_over_a_base_without_it(make_cfg, overrides, gamma) -> None:
    assert make_cfg(*overrides).r1.gamma == gamma


@pytest.mark.parametrize(
    ("override", "named"),
    [  # the schema (structured configs) and the groups refuse these as Hydra composes
        ("pooling=foo", "avg"),
        ("model.ngff=3", "not in 'ModelConfig'"),
        ("data.batch_size=lots", "lots"),
        ("model.upsample=nearest_conv", "upsample"),  # a group of its own, not a model key
        ("d_batch=both", "separate"),
    ],
)
def test_composition_names_what_is_wrong(make_cfg, override: str, named: str) -> None:
    with pytest.raises(ConfigCompositionException) as err:
        make_cfg(override)
    said = f"{err.value} {err.value.__cause__}"
    assert override.split("=")[0].split(".")[-1] in said and named in said
