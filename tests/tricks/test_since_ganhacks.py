"""R1/R2, bCR, LeCam and top-k: their penalties and selection, off = absent, exact resume."""

from __future__ import annotations

from pathlib import Path

import lightning as L
import pytest
import torch
from torch import Tensor

from dcgan.build import build_module, build_trainer, training_datamodule
from dcgan.config import ConfigError, validate
from dcgan.module import GAN
from dcgan.train import train
from dcgan.tricks import DStep
from dcgan.tricks.topk import kept_fraction

# Every one of the four on, with a lazy R1 and R2 and a top-k fraction that falls each iteration.
ALL_FOUR = [
    "r1.gamma=1.0",
    "r1.r2_gamma=0.5",
    "r1.every=2",
    "bcr.real_weight=10",
    "bcr.fake_weight=5",
    "lecam.weight=0.3",
    "lecam.decay=0.9",
    "topk.min_frac=0.5",
    "topk.gamma=0.8",
    "topk.every=1",
]
# Their keys moved from the defaults, each trick still off (R1, on by default, switched off).
NONE = ["r1.gamma=0"]
ALL_OFF = [*NONE, "r1.every=3", "bcr.policy=[cutout]", "lecam.decay=0.5", "topk.gamma=0.5"]


def _fit(cfg, tmp_path: Path, watch=None) -> tuple[GAN, dict[str, float]]:
    """Fit the module `train` would build; its weights and the last losses on the progress bar."""
    L.seed_everything(cfg.seed, verbose=False)
    data = training_datamodule(cfg)
    module = build_module(cfg, data)
    if watch is not None:
        watch(module)
    trainer = build_trainer(cfg.trainer, module.steps_per_iteration, [], [], tmp_path)
    trainer.fit(module, datamodule=data)
    return module, {k: float(v) for k, v in trainer.progress_bar_metrics.items()}


def test_switched_off_they_change_no_bit(make_cfg, tmp_path: Path) -> None:
    base, base_losses = _fit(make_cfg("trainer.max_steps=3", *NONE), tmp_path / "base")
    off, off_losses = _fit(make_cfg("trainer.max_steps=3", *ALL_OFF), tmp_path / "off")
    assert not {t.name for t in off.tricks} & {"r1", "bcr", "lecam", "topk"}
    assert off_losses == base_losses
    for key, value in base.state_dict().items():
        assert torch.equal(value, off.state_dict()[key]), key


def _ckpt(run: Path) -> dict:
    return torch.load(run / "checkpoints" / "last.ckpt", map_location="cpu", weights_only=True)


def test_all_four_resume_exactly_where_they_stopped(make_cfg, tmp_path: Path) -> None:
    straight, split = tmp_path / "straight", tmp_path / "split"
    # R1's next lazy step (the 2nd) and top-k's fraction follow from the restored iteration
    train(make_cfg(*ALL_FOUR, "trainer.max_steps=3"), run_dir=straight)
    train(make_cfg(*ALL_FOUR, "trainer.max_steps=1"), run_dir=split)
    train(make_cfg(*ALL_FOUR, "trainer.max_steps=3", "resume=auto"), run_dir=split)
    expected, got = _ckpt(straight), _ckpt(split)
    assert got["global_step"] == expected["global_step"] == 3 * 2
    for key, value in expected["state_dict"].items():
        assert torch.equal(value, got["state_dict"][key]), key
    anchors = expected["tricks"]["lecam"]["anchors"]
    assert anchors.shape == (2,) and torch.equal(anchors, got["tricks"]["lecam"]["anchors"])
    assert torch.equal(
        expected["tricks"]["bcr"]["augmenter"]["rng"], got["tricks"]["bcr"]["augmenter"]["rng"]
    )


def test_r1_is_lazy_and_topk_decays_on_a_conditional_d(make_cfg, tmp_path: Path) -> None:
    seen: list[tuple[int, bool, int]] = []  # (global step, D's input needs a gradient, args)
    kept: list[tuple[Tensor, Tensor]] = []  # G's step: D's logits and those G learnt from

    def watch(module: GAN) -> None:
        module.discriminator.register_forward_pre_hook(
            lambda m, args: seen.append((module.global_step, args[0].requires_grad, len(args)))
        )
        topk = module.trick("topk")
        select = topk.g_logits
        topk.g_logits = lambda logits: kept.append((logits, select(logits))) or kept[-1][1]

    cfg = make_cfg(*ALL_FOUR, "r1.every=3", "topk.gamma=0.5", "d_steps=2", "model.conditional=true")
    _fit(cfg, tmp_path, watch)
    assert {args for _, _, args in seen} == {2}  # every forward, penalties too, with classes
    d_steps = [(step, grad) for step, grad, _ in seen if step % 3 != 2]  # G's fakes need one too
    # D steps 0..3 of two iterations (global steps 0, 1, 3, 4): the 0th and the 3rd penalised,
    # each with a forward on the real and one on the fake batch
    assert [step for step, grad in d_steps if grad] == [0, 0, 4, 4]
    assert [len(chosen) for _, chosen in kept] == [8, 4]  # fraction 1, then 0.5
    for logits, chosen in kept:
        best = logits.sort(descending=True).values[: len(chosen)]
        assert torch.equal(chosen.sort(descending=True).values, best)


def test_penalties_follow_their_formulas(make_cfg) -> None:
    cfg = make_cfg(
        "r1.gamma=2", "r1.every=4", "lecam.weight=0.5", "lecam.decay=0.75", "bcr.fake_weight=3"
    )
    module = build_module(cfg)  # no trainer: iteration 0, the first D step, R1 due
    real, fake = torch.randn(4, 1, 16, 16), torch.randn(4, 1, 16, 16)
    x = real.clone().requires_grad_(True)
    (grad,) = torch.autograd.grad(module.discriminator(x).sum(), x)
    r1 = module.trick("r1").d_penalty(DStep(real, fake, None, None))
    torch.testing.assert_close(r1, 2 / 2 * 4 * grad.pow(2).sum((1, 2, 3)).mean())

    lecam = module.trick("lecam")
    first = lecam.d_penalty(DStep(real, fake, torch.tensor([1.0, 3.0]), torch.tensor([-2.0])))
    assert lecam.anchors.tolist() == [2.0, -2.0]  # the first step sets them
    torch.testing.assert_close(first, torch.tensor(0.5 * ((9 + 25) / 2 + 16)))
    lecam.d_penalty(DStep(real, fake, torch.tensor([6.0]), torch.tensor([2.0])))
    assert lecam.anchors.tolist() == [0.75 * 2 + 0.25 * 6, 0.75 * -2 + 0.25 * 2]
    restored = build_module(cfg).trick("lecam")
    restored.load_state_dict(lecam.state_dict())
    assert torch.equal(restored.anchors, lecam.anchors)

    bcr = module.trick("bcr")
    bcr._augment(fake)  # the stream starts on the first batch; remember it from here
    state = bcr.augmenter.state_dict()
    fake_logits = module.discriminator(fake)
    penalty = bcr.d_penalty(DStep(real, fake, None, fake_logits))
    bcr.augmenter.load_state_dict(state)
    moved = module.discriminator(bcr._augment(fake))
    torch.testing.assert_close(penalty, 3 * ((fake_logits - moved) ** 2).mean())
    penalty.backward()  # D is taught the consistency: its weights get a gradient
    assert all(p.grad is not None for p in module.discriminator.parameters())


def test_topk_fraction_falls_to_its_floor(make_cfg) -> None:
    assert kept_fraction(0.5, 0.9, 0) == 1.0
    assert kept_fraction(0.5, 0.9, 2) == pytest.approx(0.81)
    assert kept_fraction(0.5, 0.9, 10) == 0.5
    topk = build_module(make_cfg("trick=topk")).trick("topk")
    logits = torch.tensor([0.1, 3.0, -1.0, 2.0])
    assert topk.fraction() == 1.0 and torch.equal(topk.g_logits(logits), logits)  # epoch 0


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("r1.every=0", r"^r1\.every=0 is invalid: must be >= 1"),
        ("r1.gamma=inf", r"^r1\.gamma=inf is invalid"),
        ("bcr.policy=[blur]", r"^bcr\.policy=\[blur\] names blur, which is unknown"),
        ("lecam.decay=1", r"^lecam\.decay=1(\.0)? is invalid: must be in \[0, 1\)"),
        ("topk.min_frac=0", r"^topk\.min_frac=0(\.0)? is invalid: must be in \(0, 1\]"),
    ],
)
def test_bad_values_are_refused_in_one_line(make_cfg, override: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message) as error:
        validate(make_cfg(override))
    assert "\n" not in str(error.value)


def test_bcr_refuses_an_empty_policy_only_when_on(make_cfg) -> None:
    validate(make_cfg("bcr.policy=[]"))
    with pytest.raises(ConfigError, match=r"^bcr\.policy=\[\] is invalid: names no operation"):
        validate(make_cfg("bcr.policy=[]", "bcr.real_weight=1"))
