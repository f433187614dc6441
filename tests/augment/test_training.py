"""Augmentation trains through a real Trainer: every option, every loss, resume, logs, samples."""

from __future__ import annotations

import csv
import logging
from pathlib import Path

import lightning as L
import pytest
import torch
from omegaconf import DictConfig

from dcgan.augment import SMALL_SET, small_set_hint
from dcgan.build import build_module, build_trainer, training_datamodule
from dcgan.config import ConfigError, validate
from dcgan.module import GAN
from dcgan.train import train
from dcgan.tricks.augment import Augment

LOSSES = sorted(p.stem for p in (Path(__file__).parents[2] / "configs" / "loss").glob("*.yaml"))
FAST_ADA = ["augment=ada", "augment.speed_kimg=0.05", "augment.interval=1"]


def _fit(cfg: DictConfig, tmp_path: Path) -> GAN:
    """Fit the module `train` builds, and hand it back for a look inside."""
    validate(cfg)
    L.seed_everything(cfg.seed, verbose=False)
    module = build_module(cfg)
    trainer = build_trainer(cfg.trainer, module.steps_per_iteration, [], [], tmp_path)
    data = training_datamodule(cfg)
    trainer.fit(module, datamodule=data)
    return module


def _augment(module: GAN) -> Augment:
    trick = module.trick("augment")
    assert isinstance(trick, Augment)
    return trick


def _ckpt(run: Path) -> dict:
    return torch.load(run / "checkpoints" / "last.ckpt", map_location="cpu", weights_only=True)


def _logged(run: Path) -> list[dict[str, str]]:
    with (run / "csv" / "metrics.csv").open() as f:
        return [row for row in csv.DictReader(f) if row.get("augment/p")]


@pytest.mark.parametrize("loss", LOSSES)
@pytest.mark.parametrize("augment", ["diffaugment", "ada"])
def test_every_option_trains_with_every_loss(make_cfg, tmp_path: Path, augment, loss) -> None:
    extra = [*FAST_ADA, "augment.p=0.5"] if augment == "ada" else [f"augment={augment}"]
    module = _fit(make_cfg(*extra, f"loss={loss}", "trainer.max_steps=4"), tmp_path)
    trick = _augment(module)
    assert module.iteration == 4
    assert 0.0 <= trick.p <= 1.0
    assert trick.augmenter.generator is not None  # the operations drew numbers: they ran
    for net in (module.generator, module.discriminator):
        assert all(torch.isfinite(p).all() for p in net.parameters())


def test_ada_with_the_other_tricks_under_bf16_on_rgb(make_cfg, tmp_path: Path) -> None:
    cfg = make_cfg(
        *FAST_ADA,
        "augment.p=0.5",
        "data.channels=3",
        "trainer.precision=bf16-mixed",
        "d_batch=mixed",
        "instance_noise.std=0.1",
        "replay.size=16",
        "model.minibatch_std=true",
        "ema.decay=0.9",
        "trainer.max_steps=3",
    )
    module = _fit(cfg, tmp_path)
    assert module.iteration == 3 and 0.0 <= _augment(module).p <= 1.0
    assert all(torch.isfinite(p).all() for p in module.generator.parameters())


def test_r_t_raises_p_when_d_overfits_a_tiny_set_and_p_stays_in_range(make_cfg, tmp_path):
    cfg = make_cfg(
        "data.limit=16",
        "augment=ada_rt",
        "augment.speed_kimg=0.4",
        "augment.interval=2",
        "optimizer.discriminator.lr=0.002",  # D memorises 16 images within a few dozen steps
        "trainer.max_steps=60",
        "trainer.log_every_n_steps=2",
        "logger=csv",
        "callbacks.samples.every_n_steps=1000",
        "callbacks.checkpoint.every_n_steps=1000",
        "callbacks.metrics.every_n_steps=1000",
    )
    train(cfg, run_dir=tmp_path)
    rows = _logged(tmp_path)
    ps, rts = [float(r["augment/p"]) for r in rows], [float(r["augment/rt"]) for r in rows]
    assert len(ps) == 30 and all(0.0 <= p <= 1.0 for p in ps)
    assert max(rts) > 0.6 and ps[-1] > 0.2  # D grew sure of the real set, and p answered


def test_none_is_bit_identical_to_a_run_that_only_measures_rt(make_cfg, tmp_path) -> None:
    """With nothing to augment the hooks run (r_t is measured) but change no number."""
    common = ["trainer.deterministic=true", "trainer.max_steps=5", "ema.kimg=0", "r1.gamma=0"]
    plain = _fit(make_cfg(*common, "augment=none"), tmp_path / "a")
    measured = _fit(make_cfg(*common, "augment=ada_rt", "augment.policy=[]"), tmp_path / "b")
    assert plain.tricks == [] and _augment(measured).ada.rt != 0.0
    for (name, a), (_, b) in zip(
        plain.state_dict().items(), measured.state_dict().items(), strict=True
    ):
        assert torch.equal(a, b), name


def test_resume_restores_p_and_the_random_stream(make_cfg, tmp_path: Path) -> None:
    common = [*FAST_ADA, "augment.p=0.3", "trainer.deterministic=true"]
    straight = tmp_path / "straight"
    train(make_cfg(*common, "trainer.max_steps=8"), run_dir=straight)
    run = tmp_path / "split"
    train(make_cfg(*common, "trainer.max_steps=4"), run_dir=run)
    half = _ckpt(run)["tricks"]["augment"]
    assert half["ada"]["p"] != 0.3 and half["augmenter"]["rng"] is not None  # mid-run state
    train(make_cfg(*common, "trainer.max_steps=8", "resume=auto"), run_dir=run)
    expected, got = _ckpt(straight), _ckpt(run)
    assert got["tricks"]["augment"]["ada"]["p"] == expected["tricks"]["augment"]["ada"]["p"]
    assert torch.equal(
        got["tricks"]["augment"]["augmenter"]["rng"],
        expected["tricks"]["augment"]["augmenter"]["rng"],
    )
    for key, value in expected["state_dict"].items():
        assert torch.equal(value, got["state_dict"][key]), key


def test_p_and_rt_are_logged_every_log_step(make_cfg, tmp_path: Path) -> None:
    cfg = make_cfg(*FAST_ADA, "trainer.max_steps=6", "trainer.log_every_n_steps=3", "logger=csv")
    train(cfg, run_dir=tmp_path)
    rows = _logged(tmp_path)
    assert [int(r["step"]) for r in rows] == [3, 6]
    assert all(-1.0 <= float(r["augment/rt"]) <= 1.0 for r in rows)


def test_samples_never_show_augmentation(make_cfg, tmp_path: Path) -> None:
    module = _fit(make_cfg("augment=diffaugment", "trainer.max_steps=2", "ema.kimg=0"), tmp_path)
    trick = _augment(module)
    before = trick.augmenter.state_dict()["rng"].clone()
    grid = module.sample()
    module.generator.eval()
    with torch.no_grad():
        plain = module.generator(module.sample_z).float()
    assert torch.equal(grid, plain)  # G alone draws the grid (no average here)
    assert torch.equal(trick.augmenter.state_dict()["rng"], before)  # no operation ran


@pytest.mark.parametrize(
    "override,match",
    [
        ("augment.policy=[color,blur]", r"augment.policy=\[color,blur\] names blur, which is"),
        ("augment.p=1.5", r"augment.p=1.5 is invalid: must be in \[0, 1\]"),
        ("augment.target=0", r"augment.target=0.0 is invalid"),
        ("augment.speed_kimg=0", "augment.speed_kimg=0.0 is invalid"),
        ("augment.interval=0", "augment.interval=0 is invalid"),
        ("augment.cutout=-0.5", "augment.cutout=-0.5 is invalid"),
    ],
)
def test_bad_values_name_the_key(make_cfg, override, match) -> None:
    with pytest.raises(ConfigError, match=match):
        validate(make_cfg("augment=ada", override))


@pytest.mark.parametrize("augment,hinted", [("none", True), ("ada", False)])
def test_a_small_set_gets_a_start_hint_only_without_augmentation(
    make_cfg, tmp_path: Path, caplog, augment, hinted
) -> None:
    with caplog.at_level(logging.INFO):
        train(make_cfg(f"augment={augment}", "data.limit=40", "trainer.max_steps=1"), tmp_path)
    hints = [r.getMessage() for r in caplog.records if "small set" in r.getMessage()]
    assert hints == (
        [
            "40 images is a small set: D may memorise it and G stop improving; "
            "augment=ada adapts augmentation to it (off while D does not overfit)"
        ]
        if hinted
        else []
    )


def test_no_hint_for_a_large_set() -> None:
    assert small_set_hint(SMALL_SET, augmenting=False) is None
    assert small_set_hint(SMALL_SET - 1, augmenting=False) is not None


@pytest.mark.parametrize("augment,remedy", [("none", "try augment=ada"), ("ada", "augment.target")])
def test_d_wins_warning_speaks_of_augmentation(make_cfg, tmp_path, caplog, augment, remedy):
    cfg = make_cfg(
        f"augment={augment}",
        "trainer.max_steps=3",
        "callbacks.health.d_wins_below=0.999",  # any D(G(z)) counts as "D wins"
        "callbacks.health.d_wins_patience=2",
    )
    with caplog.at_level(logging.WARNING):
        train(cfg, run_dir=tmp_path)
    (warning,) = [r.getMessage() for r in caplog.records if "D wins" in r.getMessage()]
    assert remedy in warning
