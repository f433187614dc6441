"""A conditional model trains (each condition, a loss, EMA, resume) and makes the asked class."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from dcgan import generate
from dcgan.atomic import OutputError
from dcgan.checks import ConfigError
from dcgan.config import validate
from dcgan.nets import CONDITIONS
from dcgan.run.load import load_gan
from dcgan.train import train
from tests.tiny import run_module

CONDITIONAL = ["model.conditional=true", "callbacks.samples.nrow=2"]


def _load(path: Path) -> dict:
    return torch.load(path, map_location="cpu", weights_only=True)


@pytest.mark.parametrize("condition", sorted(CONDITIONS))
def test_every_condition_trains(make_cfg, tmp_path: Path, condition: str) -> None:
    cfg = make_cfg(*CONDITIONAL, f"model.condition={condition}", "norm.spectral=true")
    train(cfg, run_dir=tmp_path)
    ckpt = _load(tmp_path / "checkpoints" / "last.ckpt")
    assert ckpt["global_step"] == 4
    assert ckpt["hyper_parameters"]["class_names"] == [str(d) for d in range(10)]
    state = ckpt["state_dict"]
    if condition == "projection":
        assert state["generator.blocks.0.1.scale.weight"].shape == (10, 8)
        assert any(k.startswith("discriminator.projection.embed") for k in state)
    else:
        assert state["generator.blocks.0.0.weight"].shape[0] == 100 + 10  # z + one-hot
    assert all(torch.isfinite(v).all() for v in state.values() if v.is_floating_point())
    # the sample grid has one row per class (10 rows of nrow=2 images, 2 px padding)
    grid = Image.open(tmp_path / "samples" / "iter_000002.png")
    assert grid.size == (2 + 2 * 18, 2 + 10 * 18)
    info = json.loads((tmp_path / "metrics.json").read_text())
    assert [k for k in info if k.endswith("_per_class")] == ["swd_per_class"]  # not swd_32, ...
    per_class = info["swd_per_class"]
    assert sorted(per_class) == [str(d) for d in range(10)]
    assert all(v > 0 for v in per_class.values())


def test_hinge_ema_d_steps_mixed_batch_bf16_ada_and_resume(make_cfg, tmp_path: Path) -> None:
    extra = ["loss=hinge", "ema.decay=0.9", "d_steps=2", "model.fake_labels=uniform"]
    extra += ["d_batch=mixed", "dropout=both", "pooling=avg", "model.minibatch_std=true"]
    extra += ["trainer.precision=bf16-mixed", "augment=ada", "augment.interval=1"]
    train(make_cfg(*CONDITIONAL, *extra), run_dir=tmp_path / "a")
    first = tmp_path / "a" / "checkpoints" / "last.ckpt"
    assert any(k.startswith("generator_ema.") for k in _load(first)["state_dict"])
    resumed = make_cfg(*CONDITIONAL, *extra, "trainer.max_steps=4", f"ckpt_path={first}")
    train(resumed, run_dir=tmp_path / "b")
    ckpt = _load(tmp_path / "b" / "checkpoints" / "last.ckpt")
    assert ckpt["global_step"] == 4 * 3  # 4 iterations of 2 D + 1 G steps
    gan = load_gan(tmp_path / "b" / "checkpoints" / "last.ckpt")
    assert list(gan.cfg.class_names) == [str(d) for d in range(10)]
    assert gan.cfg.model.fake_labels == "uniform" and gan.conditional


@pytest.mark.parametrize("condition", sorted(CONDITIONS))
def test_wgan_gp_scores_interpolates_with_their_classes(make_cfg, tmp_path, condition) -> None:  # noqa: ANN001
    train(make_cfg(*CONDITIONAL, "loss=wgan_gp", f"model.condition={condition}"), run_dir=tmp_path)
    state = _load(tmp_path / "checkpoints" / "last.ckpt")["state_dict"]
    assert all(torch.isfinite(v).all() for v in state.values() if v.is_floating_point())


def test_resume_refuses_other_classes(make_cfg, tmp_path: Path, squares) -> None:
    train(make_cfg(*CONDITIONAL), run_dir=tmp_path / "a")
    ckpt = tmp_path / "a" / "checkpoints" / "last.ckpt"
    other = make_cfg(
        *CONDITIONAL,
        "data=folder",
        f"data.root={squares(count=8)}",
        "data.channels=1",
        "data.batch_size=4",
        f"ckpt_path={ckpt}",
    )
    with pytest.raises(ConfigError, match="class_names: checkpoint"):
        train(other, run_dir=tmp_path / "b")
    assert not (tmp_path / "b").exists()  # refused before the run folder is made


def test_bad_choices_name_the_key(make_cfg) -> None:
    with pytest.raises(ConfigError, match="model.condition.*projection"):
        validate(make_cfg(*CONDITIONAL, "model.condition=acgan"))
    with pytest.raises(ConfigError, match="model.fake_labels"):
        validate(make_cfg(*CONDITIONAL, "model.fake_labels=balanced"))
    with pytest.raises(ConfigError, match="replay.size"):
        validate(make_cfg(*CONDITIONAL, "replay.size=16"))


def _brightness(folder: Path) -> float:
    files = sorted(folder.glob("0*.png"))
    assert files
    return float(np.mean([np.asarray(Image.open(f), dtype=np.float32).mean() for f in files]))


def test_generate_writes_the_asked_for_class(make_cfg, tmp_path: Path, squares) -> None:
    """Dark and bright squares: `class=bright` must come out brighter than `class=dark`."""
    root = squares(count=32)
    cfg = make_cfg(
        *CONDITIONAL,
        "data=folder",
        f"data.root={root}",
        "data.channels=3",
        "data.batch_size=16",
        "model.ngf=8",
        "model.ndf=8",
        "latent_dim=16",
        "init=kaiming",  # N(0, 0.02) stays grey for longer than a test should take
        "optimizer.generator.lr=0.002",
        "optimizer.discriminator.lr=0.002",
        "trainer.precision=32-true",
        "trainer.max_steps=150",
        "trainer.log_every_n_steps=50",
        "callbacks.samples.every_n_steps=1000",
        "callbacks.checkpoint.every_n_steps=1000",
        "callbacks.metrics.every_n_steps=1000",
    )
    train(cfg, run_dir=tmp_path / "run")
    ckpt = tmp_path / "run" / "checkpoints" / "last.ckpt"
    assert load_gan(ckpt).cfg.class_names == ["bright", "dark"]
    done = run_module(
        "dcgan.generate", f"ckpt={ckpt}", "n=16", f"out={tmp_path}/bright", "class=bright",
        "device=cpu", cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert generate.main([f"ckpt={ckpt}", "n=16", f"out={tmp_path}/dark", "class=1"]) == 0
    means = {name: _brightness(tmp_path / name) for name in ("bright", "dark")}
    assert means["bright"] > means["dark"] + 50, means
    with pytest.raises(ConfigError, match="choices: 0=bright, 1=dark"):
        generate.run(generate.parse([f"ckpt={ckpt}", "class=cat", f"out={tmp_path}/x"]))
    argv = [f"ckpt={ckpt}", "n=3", "per_class=true", f"out={tmp_path}/grid"]
    assert generate.main(argv) == 0
    assert Image.open(tmp_path / "grid" / "grid.png").size == (2 + 3 * 18, 2 + 2 * 18)
    written = sorted(p.name for p in (tmp_path / "grid").glob("*_0*.png"))
    assert written == [f"{c}_{i:06d}.png" for c in ("bright", "dark") for i in range(3)]
    (tmp_path / "grid" / "grid.png").unlink()  # only the per-class images are left to clash
    with pytest.raises(OutputError, match="already holds 6 of the files"):
        generate.run(generate.parse(argv))
    assert generate.main([f"ckpt={ckpt}", "n=2", "interpolate=3", f"out={tmp_path}/walk"]) == 0
    # a walk across classes with one z: from bright (class 0) to dark (class 1)
    argv = [f"ckpt={ckpt}", "n=1", "interpolate=5", "per_class=true", f"out={tmp_path}/across"]
    assert generate.main(argv) == 0
    walk = np.asarray(Image.open(tmp_path / "across" / "walk.png"), dtype=np.float32)
    first, last = walk[2:18, 2:18].mean(), walk[2:18, 2 + 4 * 18 : 18 + 4 * 18].mean()
    assert first > last + 50, (first, last)
    assert generate.main([f"ckpt={ckpt}", "export=torchscript", f"out={tmp_path}/ts"]) == 0
    meta = json.loads((tmp_path / "ts" / "generator.pt.json").read_text())
    assert meta["input"] == ["z", "class"] and meta["classes"] == ["bright", "dark"]
    g = torch.jit.load(str(tmp_path / "ts" / "generator.pt"))
    z = torch.rand(8, 16) * 2 - 1
    bright, dark = g(z, torch.zeros(8, dtype=torch.long)), g(z, torch.ones(8, dtype=torch.long))
    assert bright.mean() > dark.mean()


def test_class_needs_a_conditional_model(make_cfg, tmp_path: Path) -> None:
    train(make_cfg(), run_dir=tmp_path)
    ckpt = tmp_path / "checkpoints" / "last.ckpt"
    with pytest.raises(ConfigError, match="class= needs a class-conditional model"):
        generate.run(generate.parse([f"ckpt={ckpt}", "class=1", f"out={tmp_path}/x"]))


@pytest.mark.slow
# Conditional training under two-process DDP: tests/test_ddp.py (one run, with ADA).


def test_per_class_scores_hand_each_class_its_own_images_under_every_metric(make_cfg) -> None:
    """Each class's real images meet as many fakes of that class, under every metric the score
    returns (SWD always, FID/KID/IS when the Inception weights are there)."""
    from dcgan.build import build_datamodule, build_module
    from dcgan.metrics.per_class import per_class_scores

    cfg = make_cfg(*CONDITIONAL)
    data = build_datamodule(cfg.data, cfg.image_size, labels=True)
    module = build_module(cfg, data)
    seen: list[tuple[int, int, float]] = []

    def score(real: torch.Tensor, fake: torch.Tensor) -> dict[str, float]:
        seen.append((len(real), len(fake), float(real.double().mean())))
        return {"swd": float(real.double().mean()), "gap": float((real.mean() - fake.mean()).abs())}

    labels = data.labels.copy()
    labels[labels == 3] = 4  # class 3 has no image left: it is skipped
    scores = per_class_scores(module, data.images, labels, data.class_names, 10_000, score)
    assert sorted(scores) == ["gap", "swd"]
    assert sorted(scores["swd"]) == sorted(set(data.class_names) - {"3"})
    for (n_real, n_fake, mean), c in zip(seen, [c for c in range(10) if c != 3], strict=True):
        mine = data.images[labels == c].astype(np.float64) / 127.5 - 1
        assert n_real == n_fake == len(mine) and mean == pytest.approx(mine.mean())
