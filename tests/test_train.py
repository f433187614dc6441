"""Every option of every group composes and trains real iterations through a real Trainer."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from dcgan.build import build_module
from dcgan.train import train

CONFIGS = Path(__file__).resolve().parents[1] / "configs"
GROUPS = ("activation", "init", "optimizer", "dropout", "pooling", "norm", "loss", "noise")
GROUPS += ("upsample", "d_batch")


def _options(group: str) -> list[str]:
    return sorted(p.stem for p in (CONFIGS / group).glob("*.yaml"))


def _load(path: Path) -> dict:
    return torch.load(path, map_location="cpu", weights_only=True)


@pytest.mark.parametrize(
    "override", [f"{g}={o}" for g in GROUPS for o in _options(g)], ids=lambda s: s
)
def test_every_option_trains(make_cfg, tmp_path: Path, override: str) -> None:
    cfg = make_cfg(override)
    train(cfg, run_dir=tmp_path)
    ckpt = _load(tmp_path / "checkpoints" / "last.ckpt")
    assert ckpt["global_step"] == 2 * 2  # 2 iterations of (1 D + 1 G) optimizer steps
    torch.manual_seed(cfg.seed)
    fresh = build_module(cfg).state_dict()
    trained = ckpt["state_dict"]
    assert fresh.keys() == trained.keys()
    for net in ("generator", "discriminator"):
        changed = [
            k
            for k in fresh
            if k.startswith(net)
            and fresh[k].is_floating_point()
            and not torch.equal(fresh[k], trained[k])
        ]
        assert changed, f"{override}: no weight of the {net} changed in training"
    assert all(torch.isfinite(v).all() for v in trained.values() if v.is_floating_point())


def test_options_reach_the_networks(make_cfg) -> None:
    cfg = make_cfg("activation=leaky_relu", "pooling=avg", "norm=spectral", "dropout=both")
    module = build_module(cfg)
    g_mods = {type(m).__name__ for m in module.generator.modules()}
    d_mods = {type(m).__name__ for m in module.discriminator.modules()}
    assert "LeakyReLU" in g_mods and "ReLU" not in g_mods
    assert "AvgPool2d" in d_mods and "BatchNorm2d" not in d_mods
    assert any("parametrizations" in n for n, _ in module.discriminator.named_modules())
    assert "GenerationDropout" in g_mods and "Dropout" in d_mods


def test_iterations_count_d_and_g_steps(make_cfg, tmp_path: Path) -> None:
    cfg = make_cfg("d_steps=2", "g_steps=3", "trainer.max_steps=3", "logger=csv")
    train(cfg, run_dir=tmp_path)
    ckpt = _load(tmp_path / "checkpoints" / "last.ckpt")
    assert ckpt["global_step"] == 3 * (2 + 3)
    names = sorted(p.name for p in (tmp_path / "checkpoints").glob("iter_*.ckpt"))
    assert names == ["iter_000001.ckpt", "iter_000002.ckpt", "iter_000003.ckpt"]
    grids = sorted(p.name for p in (tmp_path / "samples").glob("*.png"))
    assert grids == ["iter_000001.png", "iter_000002.png", "iter_000003.png"]
    lines = (tmp_path / "csv" / "metrics.csv").read_text().splitlines()
    header = lines[0].split(",")
    for key in ("d_loss", "g_loss", "d_x", "d_g_z", "grad_norm_d", "grad_norm_g", "step"):
        assert key in header
    rows = [line.split(",") for line in lines[1:]]
    steps = [int(r[header.index("step")]) for r in rows if r[header.index("d_loss")]]
    assert steps == [1, 2, 3]


def test_checkpoint_keeps_newest(make_cfg, tmp_path: Path) -> None:
    cfg = make_cfg("trainer.max_steps=5", "callbacks.checkpoint.keep=2")
    train(cfg, run_dir=tmp_path)
    names = sorted(p.name for p in (tmp_path / "checkpoints").iterdir())
    assert names == ["best.ckpt", "iter_000004.ckpt", "iter_000005.ckpt", "last.ckpt"]


def test_wandb_offline_writes_media(make_cfg, tmp_path: Path) -> None:
    cfg = make_cfg("logger=wandb")
    train(cfg, run_dir=tmp_path)
    runs = list((tmp_path / "wandb").glob("offline-run-*"))
    assert len(runs) == 1
    media = list((runs[0] / "files" / "media" / "images").glob("samples_*.png"))
    assert len(media) == 2  # iterations 1 and 2
    assert (runs[0] / f"run-{runs[0].name.split('-')[-1]}.wandb").stat().st_size > 0


def test_tensorboard_writes_events(make_cfg, tmp_path: Path) -> None:
    train(make_cfg("logger=tensorboard"), run_dir=tmp_path)
    events = list((tmp_path / "tensorboard").glob("events.out.tfevents.*"))
    assert events and events[0].stat().st_size > 0


def test_config_is_saved_with_the_run(make_cfg, tmp_path: Path) -> None:
    train(make_cfg("pooling=avg"), run_dir=tmp_path)
    assert "name: avg" in (tmp_path / ".hydra" / "config.yaml").read_text()


def test_resume_continues_the_iteration_count(make_cfg, tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    train(make_cfg("trainer.max_steps=2"), run_dir=first)
    before = {p: p.read_bytes() for p in first.rglob("*") if p.is_file()}
    last = first / "checkpoints" / "last.ckpt"
    train(make_cfg("trainer.max_steps=4", f"ckpt_path={last}"), run_dir=second)
    assert {p: p.read_bytes() for p in first.rglob("*") if p.is_file()} == before
    ckpt = _load(second / "checkpoints" / "last.ckpt")
    assert ckpt["global_step"] == 4 * 2
    assert sorted(p.name for p in (second / "samples").glob("*.png")) == [
        "iter_000003.png",
        "iter_000004.png",
    ]
    # the optimizer state came along: Adam's step count continues from 2
    state = ckpt["optimizer_states"][1]["state"]
    assert int(next(iter(state.values()))["step"]) == 4
