"""The ramped-up EMA of G: its half-life in images, its own BatchNorm statistics, and no effect on
training itself."""

from __future__ import annotations

from pathlib import Path

import lightning as L
import pytest
import torch
from torch.optim.swa_utils import update_bn

from dcgan.build import build_module, build_trainer, training_datamodule
from dcgan.config import ConfigError, validate
from dcgan.sampling import forward as sampling_forward
from dcgan.train import train
from dcgan.tricks.ema import BN_SEED, _conditioned, half_life, ramped_decay


def test_half_life_is_counted_in_images_and_ramped_up() -> None:
    # reached, as in stylegan2-ada, once rampup x seen = kimg: at 200,000 images here
    assert half_life(200_000, kimg=10, rampup=0.05) == pytest.approx(10_000)
    assert half_life(10**7, kimg=10, rampup=0.05) == pytest.approx(10_000)
    # on the way along a parabola: at 32,000 images (500 iterations of 64) 256 images, not 1,600
    assert half_life(32_000, kimg=10, rampup=0.05) == pytest.approx(10_000 * 0.16**2)
    assert half_life(0, kimg=10, rampup=None) == 10_000
    assert ramped_decay(64, 32_000, kimg=10, rampup=0.05) == pytest.approx(0.5 ** (64 / 256))
    # the same half-life in images at twice the batch: the decay per step squares
    per_64 = ramped_decay(64, 10**7, 10, 0.05)
    assert ramped_decay(128, 10**7, 10, 0.05) == pytest.approx(per_64**2)
    assert ramped_decay(64, 0, kimg=10, rampup=0.05) == 0.0  # the first step copies G


@pytest.mark.parametrize(
    ("override", "match"),
    [
        ("ema.rampup=0", r"^ema\.rampup=0(\.0)? is invalid"),
        ("ema.bn=average", r"^ema\.bn"),
        ("ema.kimg=-1", r"^ema\.kimg=-1(\.0)? is invalid"),
    ],
)
def test_bad_values_name_the_key(make_cfg, override: str, match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        validate(make_cfg(override))


def test_a_fixed_decay_takes_the_place_of_the_half_life(make_cfg) -> None:
    cfg = make_cfg("ema.kimg=10", "ema.decay=0.75")
    validate(cfg)
    ema = build_module(cfg).trick("ema")
    ema.batch, ema.images_seen = 64, 64.0
    assert ema.decay() == 0.75 and not ema.recompute


def _fit(cfg, tmp_path: Path):
    L.seed_everything(cfg.seed, verbose=False)
    module = build_module(cfg)
    trainer = build_trainer(cfg.trainer, module.steps_per_iteration, [], [], tmp_path)
    trainer.fit(module, datamodule=training_datamodule(cfg))
    return module


def test_ramped_average_stays_near_g_early_where_a_fixed_decay_lags(make_cfg, tmp_path) -> None:
    steps = ["trainer.max_steps=6", "trainer.deterministic=true", "trainer.precision=32-true"]
    ramped = _fit(make_cfg(*steps, "ema.kimg=10"), tmp_path / "a")
    fixed = _fit(make_cfg(*steps, "ema.decay=0.999"), tmp_path / "b")

    def gap(module) -> float:
        pairs = zip(module.generator_ema.parameters(), module.generator.parameters(), strict=True)
        return sum(float((e - g).norm()) for e, g in pairs)

    # 48 images seen: a half-life of under one image; the fixed decay holds ~99% of the start
    assert gap(ramped) < 0.2 * gap(fixed)
    assert ramped.trick("ema").images_seen == 6 * 8


def test_average_does_not_change_training(make_cfg, tmp_path: Path) -> None:
    """The statistics are measured on a stream of their own: G trains the same with EMA on."""
    common = [
        "trainer.max_steps=4",
        "trainer.deterministic=true",
        "trainer.precision=32-true",
        "dropout=generator",  # G's dropout draws random numbers while statistics are measured
    ]
    runs = {}
    for name, extra in (("off", []), ("on", ["trick=ema"])):
        cfg = make_cfg(*common, *extra)
        train(cfg, run_dir=tmp_path / name)  # grids and metrics every step use the average
        ckpt = torch.load(tmp_path / name / "checkpoints" / "last.ckpt", weights_only=True)
        runs[name] = ckpt["state_dict"]
    for key, value in runs["off"].items():
        if key.startswith(("generator.", "discriminator.")):
            torch.testing.assert_close(runs["on"][key], value, rtol=0, atol=0, msg=key)


def test_saved_statistics_are_the_averages_own(make_cfg, tmp_path: Path) -> None:
    cfg = make_cfg("trainer.max_steps=5", "trick=ema", "trainer.precision=32-true")
    train(cfg, run_dir=tmp_path)
    ckpt = torch.load(tmp_path / "checkpoints" / "last.ckpt", weights_only=True)
    state = ckpt["state_dict"]
    assert ckpt["tricks"]["ema"]["images_seen"] == 5 * 8
    # rebuild the average from its saved weights and measure its statistics by hand
    L.seed_everything(0, verbose=False)
    module = build_module(cfg)
    module.load_state_dict(state)
    stream = torch.Generator().manual_seed(BN_SEED)
    size = ckpt["tricks"]["ema"]["rank_batch"]  # measured in batches of the training's size
    batches = [{"z": module.noise(size, stream)} for _ in range(cfg.ema.bn_images // size)]
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(BN_SEED)  # G's dropout, were it on
        update_bn(batches, _conditioned(module.generator_ema))
    means = [k for k in state if k.startswith("generator_ema.") and k.endswith("running_mean")]
    assert means
    own = module.generator_ema.state_dict()
    for key in means:
        torch.testing.assert_close(state[key], own[key.removeprefix("generator_ema.")])
    # ... which are not G's (the statistics of other weights)
    g_key = means[0].replace("generator_ema.", "generator.")
    assert not torch.allclose(state[means[0]], state[g_key])


def test_copy_keeps_gs_statistics(make_cfg, tmp_path: Path) -> None:
    train(make_cfg("trainer.max_steps=3", "trick=ema", "ema.bn=copy"), run_dir=tmp_path)
    state = torch.load(tmp_path / "checkpoints" / "last.ckpt", weights_only=True)["state_dict"]
    means = [k for k in state if k.startswith("generator_ema.") and k.endswith("running_mean")]
    for key in means:
        assert torch.equal(state[key], state[key.replace("generator_ema.", "generator.")])


def test_images_seen_continue_after_a_resume(make_cfg, tmp_path: Path) -> None:
    first = tmp_path / "first"
    train(make_cfg("trainer.max_steps=3", "trick=ema"), run_dir=first)
    last = first / "checkpoints" / "last.ckpt"
    train(make_cfg("trainer.max_steps=5", "trick=ema", f"ckpt_path={last}"), run_dir=tmp_path / "b")
    ckpt = torch.load(tmp_path / "b" / "checkpoints" / "last.ckpt", weights_only=True)
    assert ckpt["tricks"]["ema"]["images_seen"] == 5 * 8


def test_the_health_check_samples_the_trained_g_and_leaves_the_average(make_cfg) -> None:
    module = build_module(make_cfg("trick=ema"))
    ema = module.trick("ema")
    ema.batch, ema.rank_batch, ema.images_seen = 8, 8, 1e6
    for p in module.generator.parameters():
        p.data.add_(0.1)
    ema.after_g_step()
    trained = module.sample(trained=True)
    assert ema.stale  # no refresh of the average's statistics for the health check
    assert torch.equal(trained, sampling_forward(module.generator, module.sample_z, 0))
    assert not torch.equal(module.sample(), trained) and not ema.stale
