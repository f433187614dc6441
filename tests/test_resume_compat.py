"""What a resume must match is read from the schema's marks, not from a list kept by hand."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import torch

from dcgan.config import MUST_MATCH, ConfigError, ModuleConfig
from dcgan.run import CheckpointError
from dcgan.run.resume import check_compatible, mismatches, module_values, must_match_keys

# What a resume had to match when these keys were listed by hand: none may be lost.
LISTED_BEFORE = {
    "image_size",
    "channels",
    "latent_dim",
    "noise",
    "model",
    "activation",
    "norm",
    "pooling",
    "upsample",
    "d_steps",
    "g_steps",
    "num_samples",
    "class_names",
}


@dataclass
class AttentionConfig:
    heads: int = field(default=1, metadata=MUST_MATCH)  # shapes G's weights
    temperature: float = 1.0  # shapes nothing


@dataclass
class WithAttention(ModuleConfig):
    """A schema as it would look after adding a group: only the new dataclass is written."""

    attention: AttentionConfig = field(default_factory=AttentionConfig)
    width: int = field(default=8, metadata=MUST_MATCH)


def test_the_marked_keys_are_those_listed_before() -> None:
    assert set(must_match_keys()) == LISTED_BEFORE


def test_a_new_marked_field_is_picked_up_without_editing_a_list() -> None:
    keys = must_match_keys(WithAttention)
    assert {"attention.heads", "width"} <= set(keys)
    assert "attention.temperature" not in keys and "attention" not in keys
    saved = {"attention": {"heads": 1, "temperature": 1.0}, "width": 8, "image_size": 16}
    built = {"attention": {"heads": 4, "temperature": 2.0}, "width": 16, "image_size": 16}
    assert mismatches(saved, built, WithAttention) == [
        "attention.heads: checkpoint 1 != config 4",
        "width: checkpoint 8 != config 16",
    ]
    assert mismatches(saved, built) == []  # today's schema has neither


def _checkpoint(path: Path, hparams: dict) -> Path:
    torch.save({"hyper_parameters": hparams, "state_dict": {}, "global_step": 6}, path)
    return path


def test_a_shape_change_is_refused_in_one_line_naming_key_and_values(
    make_cfg, tmp_path: Path
) -> None:
    path = _checkpoint(tmp_path / "run.ckpt", module_values(make_cfg()))
    with pytest.raises(CheckpointError) as err:
        check_compatible(path, module_values(make_cfg("model.ngf=8", "norm.generator=instance")))
    message = str(err.value)
    assert isinstance(err.value, ConfigError)  # at start of training: a wrong config value
    assert "\n" not in message and str(path) in message
    assert "model.ngf: checkpoint 4 != config 8" in message
    assert "norm.generator: checkpoint 'batch' != config 'instance'" in message
    assert "model.ndf" not in message  # what matches is not named


def test_values_that_shape_nothing_may_change(make_cfg, tmp_path: Path) -> None:
    path = _checkpoint(tmp_path / "run.ckpt", module_values(make_cfg()))
    changed = make_cfg("optimizer.generator.lr=0.001", "loss.label_smoothing=0.1")
    assert check_compatible(path, module_values(changed))["global_step"] == 6


def test_module_values_are_what_the_module_saves(make_cfg) -> None:
    """Preflight compares without building a GAN: its values must be the module's own."""
    from dcgan.build import build_module

    cfg = make_cfg("pooling=avg", "ema.decay=0.9")
    assert module_values(cfg) == dict(build_module(cfg).hparams)


def test_ckpt_path_may_be_a_run_folder(make_cfg, tmp_path: Path) -> None:
    """As generate takes it: the folder's last checkpoint, checked against the config."""
    from dcgan.run import RunFolder
    from dcgan.run.resume import check_resume

    run = RunFolder(tmp_path / "run")
    run.checkpoints.mkdir(parents=True)
    _checkpoint(run.last_ckpt, module_values(make_cfg()))
    found = check_resume(make_cfg(f"ckpt_path={run.path}"), tmp_path / "new")
    assert found == str(run.last_ckpt)


def test_a_resume_names_the_recipe_values_that_changed(
    make_cfg, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A default that changed since (the average's ramp) or a new learning rate is said."""
    from dcgan.run import RunFolder
    from dcgan.run.resume import check_resume

    run = RunFolder(tmp_path / "run")
    run.checkpoints.mkdir(parents=True)
    old = make_cfg(*old_overrides())
    _checkpoint(run.last_ckpt, module_values(old))
    with caplog.at_level(logging.WARNING, logger="dcgan.run.resume"):
        check_resume(make_cfg(f"ckpt_path={run.path}"), tmp_path / "new")
    warned = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warned) == 1, warned
    now = make_cfg()
    said = f"ema.rampup: 0.5 -> {now.ema.rampup!r}; optimizer.generator.lr: 0.001 -> 0.0002"
    assert said in warned[0]
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="dcgan.run.resume"):
        check_resume(make_cfg(f"ckpt_path={run.path}", *old_overrides()), tmp_path / "new")
    assert not [r for r in caplog.records if r.levelno == logging.WARNING]


def old_overrides() -> list[str]:
    return ["ema.rampup=0.5", "optimizer.generator.lr=0.001"]


def test_a_new_run_of_a_sweep_gets_no_hydra_run_dir_advice(tmp_path: Path, caplog) -> None:
    from dcgan.run.resume import resolve

    with caplog.at_level(logging.INFO, logger="dcgan.run.resume"):
        assert resolve("auto", None, tmp_path / "job", in_sweep=True) is None
        assert resolve("auto", None, tmp_path / "run") is None
    sweep, single = caplog.records
    assert sweep.levelno == logging.INFO and "hydra.run.dir" not in sweep.getMessage()
    assert sweep.getMessage().startswith("resume=auto: no checkpoint in ")
    assert single.levelno == logging.WARNING and "hydra.run.dir=<run folder>" in single.getMessage()


def test_resuming_an_averaged_run_with_the_average_off_is_refused(make_cfg, tmp_path: Path) -> None:
    from dcgan.train import train
    from tests.tiny import TINY_DIGITS, run_module

    run = tmp_path / "run"
    train(make_cfg("trainer.max_steps=1", "ema.kimg=1"), run_dir=run)
    args = [*TINY_DIGITS, "logger=none", "callbacks.samples.num_samples=4", "trainer.max_steps=2"]
    args += ["ema.kimg=0", "resume=auto"]
    done = run_module("dcgan.train", *args, f"hydra.run.dir={run}", cwd=tmp_path)
    assert done.returncode == 2, done.stderr[-2000:]
    said = [ln for ln in done.stderr.splitlines() if ln.startswith("error:")]
    assert len(said) == 1 and "ema: checkpoint averaged (ema.kimg=1.0" in said[0], done.stderr
    assert torch.load(run / "checkpoints" / "last.ckpt", weights_only=True)["global_step"] == 2
