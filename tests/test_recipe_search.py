"""hparams_search=optuna_recipe: every value of its search space makes a valid run config."""

from __future__ import annotations

import re

import pytest
import yaml
from hydra import compose, initialize_config_dir

from dcgan.config import validate
from dcgan.train_args import CONFIG_DIR

SEARCH = CONFIG_DIR / "hparams_search" / "optuna_recipe.yaml"


def _space() -> dict[str, list[str]]:
    params = yaml.safe_load(SEARCH.read_text())["hydra"]["sweeper"]["params"]
    space = {}
    for key, spec in params.items():
        found = re.fullmatch(r"choice\((.*)\)", str(spec))
        assert found, f"{key}: {spec} (the test reads choice(...) only)"
        space[key] = [v.strip() for v in found.group(1).split(",")]
    return space


def test_the_search_covers_the_combination_the_issue_names() -> None:
    space = _space()
    assert {"loss", "norm", "optimizer", "ema.kimg", "model.minibatch_std"} <= set(space)
    assert "hinge" in space["loss"] and "spectral" in space["norm"]
    assert "ttur" in space["optimizer"] and "0" in space["ema.kimg"]


@pytest.mark.parametrize("corner", ["first", "last"])
def test_every_value_composes_and_validates(corner: str) -> None:
    """All first values together, all last values together, then each value alone."""
    space = _space()
    pick = 0 if corner == "first" else -1
    combos = [[f"{k}={v[pick]}" for k, v in space.items()]]
    if corner == "first":
        combos += [[f"{k}={v}"] for k, values in space.items() for v in values]
    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
        for overrides in combos:
            cfg = compose(
                "train",
                overrides=["hparams_search=optuna_recipe", "data=digits", *overrides],
            )
            validate(cfg)
            assert cfg.callbacks.metrics.objective == "late"
            assert cfg.instance_noise.decay_steps == cfg.trainer.max_steps
