"""Every registered trick and loss is reachable from the config, the sweep, the docs and scripts."""

from __future__ import annotations

import importlib.util
from dataclasses import fields
from pathlib import Path

import pytest
import torch
import yaml

from dcgan import losses
from dcgan.build import build_module
from dcgan.config import ConfigError, validate
from dcgan.tricks import TRICKS, Trick

ROOT = Path(__file__).resolve().parents[2]
# The hand-written docs (the generated config reference lists every key whatever the docs say).
DOCS = "\n".join(
    p.read_text()
    for p in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    if p.name != "config-reference.md"
)
TRAINING = (ROOT / "docs" / "training.md").read_text()


@pytest.mark.parametrize("name", sorted(TRICKS))
def test_trick_has_its_yaml_its_keys_and_its_docs(make_cfg, name: str) -> None:
    trick = TRICKS[name]
    assert issubclass(trick, Trick) and trick.name == name
    preset = ROOT / "configs" / "trick" / f"{name}.yaml"
    assert preset.is_file(), f"trick {name} has no configs/trick/{name}.yaml"
    keys = yaml.safe_load(preset.read_text())
    picked = {next(iter(d)).split()[-1].strip("/") for d in keys.pop("defaults", [])}
    assert set(keys) | picked == {name}, "a preset sets only its own keys (or picks its option)"
    off = make_cfg("experiment=dcgan_paper")  # every trick off (the default recipe has EMA on)
    assert not trick.enabled(off[name]) and build_module(off).trick(name) is None
    assert build_module(make_cfg(f"trick={name}")).trick(name) is not None
    for key in fields(trick.Config):
        assert f"`{name}.{key.name}`" in DOCS, f"docs/ does not document {name}.{key.name}"


def test_docs_trick_row_lists_every_preset() -> None:
    row = next(line for line in TRAINING.splitlines() if line.startswith("| `trick=` |"))
    listed = {cell.strip("` ") for cell in row.split("|")[2].split(",")}
    assert listed == {p.stem for p in (ROOT / "configs" / "trick").glob("*.yaml")}


def test_trick_checks_name_the_key(make_cfg) -> None:
    for name, trick in TRICKS.items():
        for key in fields(trick.Config):
            if isinstance(key.default, int | float) and not isinstance(key.default, bool):
                with pytest.raises(ConfigError, match=rf"^{name}\.{key.name}=-5(\.0)? is invalid"):
                    validate(make_cfg(f"{name}.{key.name}=-5"))


def test_tricks_cost_times_every_registered_trick() -> None:
    spec = importlib.util.spec_from_file_location("tricks_cost", ROOT / "scripts/tricks_cost.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    assert set(TRICKS) <= set(script.TRICKS)
    listed = {p.stem for p in (ROOT / "configs" / "trick").glob("*.yaml")}
    assert set(script.TRICKS) <= listed


def test_every_loss_has_its_yaml_and_refuses_smoothing_where_it_has_no_targets(make_cfg) -> None:
    assert {p.stem for p in (ROOT / "configs" / "loss").glob("*.yaml")} == set(losses.LOSSES)
    for name, loss in losses.LOSSES.items():
        cfg = make_cfg(f"loss={name}", "loss.label_smoothing=0.1")
        assert cfg.loss.name == name
        if loss.smoothing:
            validate(cfg)
        else:
            with pytest.raises(ConfigError, match=f"not defined for loss={name}"):
                validate(cfg)


def test_unknown_loss_is_an_error_not_another_objective() -> None:
    with pytest.raises(ConfigError, match="loss=wgan is not a valid choice"):
        losses.g_loss("wgan", torch.zeros(2))
