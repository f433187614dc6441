"""`dcgan-train --help`: groups and every key from the schema, not Hydra's config dump."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from omegaconf import OmegaConf

from dcgan import config_doc
from tests.tiny import QUIET, run_module

pytestmark = pytest.mark.slow


def test_help_lists_groups_then_every_key_with_default_meaning_and_rule(
    tmp_path: Path, make_cfg
) -> None:
    res = run_module("dcgan.train", "--help", cwd=tmp_path)
    assert res.returncode == 0, res.stderr[-2000:]
    out = res.stdout
    assert "== Config ==" not in out and "Powered by Hydra" not in out  # not Hydra's help
    lines = out.splitlines()
    groups_at = lines.index("config groups (group=option; * the default):")
    keys_at = next(i for i, line in enumerate(lines) if line.startswith("keys (key=value"))
    assert groups_at < keys_at
    groups = {line.split()[0]: line for line in lines[groups_at + 1 : keys_at] if line.strip()}
    assert "adam*" in groups["optimizer"] and "sgd_adam" in groups["optimizer"]
    assert "folder*" in groups["data"] and "digits" in groups["data"]
    keys = {line.split("=", 1)[0].strip(): line for line in lines[keys_at + 1 :] if "=" in line}
    # every key of the composed default config, with its default
    assert sorted(keys) == sorted(_leaves(OmegaConf.to_container(make_cfg(tiny=False))))
    # the meaning, the rule and the choices as each field declares them
    assert "optimizer.generator.lr=0.0002" in keys["optimizer.generator.lr"]
    assert "learning rate (must be > 0)" in keys["optimizer.generator.lr"]
    assert "D updates per iteration" in keys["d_steps"] and "(must be >= 1)" in keys["d_steps"]
    assert "one of: avg, max, strided" in keys["pooling.name"]
    assert "a list of any of: color, translation, cutout" in keys["augment.policy"]
    assert "(one of: csv, none, tensorboard, wandb)" in keys["logger.name"]
    assert "(one of: rt, rv)" in keys["augment.signal"]  # words, not a Python list
    assert "null: rv 0.5" in keys["augment.target"] and "None" not in out
    assert keys["image_size"].count("16, 32") == 1  # each rule said once


def _leaves(node: object, at: str = "") -> list[str]:
    if not isinstance(node, dict):
        return [at[:-1]]
    return [k for key, v in node.items() for k in _leaves(v, f"{at}{key}.")]


def test_hydra_help_is_still_hydras(tmp_path: Path) -> None:
    res = run_module("dcgan.train", "--hydra-help", cwd=tmp_path)
    assert res.returncode == 0, res.stderr[-2000:]
    assert res.stdout.startswith("Hydra (") and "== Flags ==" in res.stdout


def test_config_doc_help_writes_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    before = config_doc.OUTPUT.stat().st_mtime_ns
    assert config_doc.main(["--help"]) == 0 and "--check" in capsys.readouterr().out
    assert config_doc.OUTPUT.stat().st_mtime_ns == before


@pytest.mark.parametrize("module", ["dcgan.train", "dcgan.generate", "dcgan.report", "dcgan.race"])
def test_help_into_a_closed_pipe_ends_quietly(tmp_path: Path, module: str) -> None:
    """`--help | head -1`: the reader is gone before the help is written (its end closed
    first), so every write fails; the tool ends with 0 and no traceback, as a Unix tool does."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    done = subprocess.run(
        [sys.executable, "-m", module, "--help"],
        cwd=tmp_path,
        env={**os.environ, **QUIET},
        stdout=write_end,
        stderr=subprocess.PIPE,
        text=True,
        check=False,
    )
    os.close(write_end)
    assert (done.returncode, done.stderr) == (0, "")
