"""Composition of the groups and the messages for values that cannot work."""

from __future__ import annotations

import pytest
from hydra.errors import ConfigCompositionException

from dcgan.config import ConfigError, validate


def test_defaults_are_the_dcgan_paper_with_uniform_noise(make_cfg) -> None:
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
    validate(cfg)


def test_optimizer_is_set_per_network(make_cfg) -> None:
    cfg = make_cfg(
        "optimizer=sgd_adam", "optimizer.generator.lr=0.001", "optimizer.discriminator.momentum=0.5"
    )
    assert cfg.optimizer.discriminator.name == "sgd" and cfg.optimizer.generator.name == "adam"
    assert cfg.optimizer.generator.lr == 0.001 and cfg.optimizer.discriminator.momentum == 0.5


def test_experiments_compose(make_cfg) -> None:
    paper = make_cfg("experiment=dcgan_paper", tiny=False)
    assert paper.data.batch_size == 128 and paper.pooling.name == "strided"
    assert paper.ema.kimg == 0  # the 2015 recipe has no average of G
    hacks = make_cfg("experiment=ganhacks", tiny=False)
    assert hacks.activation.generator == "leaky_relu" and hacks.pooling.name == "avg"
    assert hacks.optimizer.discriminator.name == "sgd" and hacks.dropout.generator
    validate(paper)
    validate(hacks)


def test_unknown_group_option_lists_the_choices(make_cfg) -> None:
    with pytest.raises(ConfigCompositionException) as err:
        make_cfg("pooling=foo")
    assert "pooling" in str(err.value) and "avg" in str(err.value)


def test_unknown_key_is_named(make_cfg) -> None:
    with pytest.raises(ConfigCompositionException) as err:
        make_cfg("model.ngff=3")
    assert "ngff" in str(err.value)
    assert "not in 'ModelConfig'" in str(err.value.__cause__)


def test_wrong_type_is_named(make_cfg) -> None:
    with pytest.raises(ConfigCompositionException) as err:
        make_cfg("data.batch_size=lots")
    assert "batch_size" in str(err.value.__cause__) and "lots" in str(err.value.__cause__)


@pytest.mark.parametrize(
    ("override", "named"),
    [
        ("image_size=48", "image_size=48"),
        ("image_size=8", "image_size=8"),
        ("data.channels=2", "data.channels=2"),
        ("d_steps=0", "d_steps=0"),
        ("dropout.p=1.0", "dropout.p=1.0"),
        ("optimizer.generator.lr=0", "optimizer.generator.lr=0"),
        ("optimizer.discriminator.lr=-1", "optimizer.discriminator.lr=-1"),
        ("data.batch_size=0", "data.batch_size=0"),
        ("activation.generator=swish", "activation.generator='swish'"),
        ("loss.label_flip=0.7", "loss.label_flip=0.7"),
    ],
)
def test_bad_values_are_named(make_cfg, override: str, named: str) -> None:
    with pytest.raises(ConfigError) as err:
        validate(make_cfg(override))
    assert named in str(err.value)


def test_smoothing_with_hinge_is_refused(make_cfg) -> None:
    with pytest.raises(ConfigError, match="not defined for loss=hinge"):
        validate(make_cfg("loss=hinge", "loss.label_smoothing=0.1"))


@pytest.mark.parametrize(
    ("override", "named"),
    [
        ("replay.p=1.5", "replay.p=1.5"),
        ("replay.size=-1", "replay.size=-1"),
        ("ema.decay=1.0", "ema.decay=1.0"),
        ("instance_noise.std=-0.1", "instance_noise.std=-0.1"),
        ("instance_noise.decay_steps=-1", "instance_noise.decay_steps=-1"),
        ("upsample.name=pixel_shuffle", "upsample.name='pixel_shuffle'"),
        ("d_batch.name=both", "d_batch.name='both'"),
    ],
)
def test_bad_trick_values_are_named(make_cfg, override: str, named: str) -> None:
    with pytest.raises(ConfigError) as err:
        validate(make_cfg(override))
    assert named in str(err.value)


def test_tricks_default_off_and_upsample_is_its_own_group(make_cfg) -> None:
    cfg = make_cfg(tiny=False)
    assert cfg.upsample.name == "transposed" and cfg.d_batch.name == "separate"
    assert cfg.instance_noise.std == 0 and cfg.replay.size == 0 and cfg.ema.decay == 0
    assert not cfg.model.minibatch_std
    with pytest.raises(ConfigCompositionException) as err:
        make_cfg("model.upsample=nearest_conv")
    assert "upsample" in str(err.value)
    with pytest.raises(ConfigCompositionException) as err:
        make_cfg("d_batch=both")
    assert "mixed" in str(err.value) and "separate" in str(err.value)
