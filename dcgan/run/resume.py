"""Which checkpoint a run resumes from, and whether it fits the model the config builds.

What must match is read from the schema, not listed here: every field marked with
`config.MUST_MATCH` (it shapes the weights, the sample batch or the iteration count). A
checkpoint of another architecture stops before training with the keys that differ and both
values, instead of a wall of state-dict errors.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from omegaconf import DictConfig, OmegaConf

from dcgan.config import (
    MUST_MATCH,
    ConfigError,
    GANConfig,
    ModuleConfig,
    module_config,
    typed_module_config,
)
from dcgan.run import CheckpointError, RunFolder, find_checkpoint, read_checkpoint
from dcgan.run.sweep import in_multirun
from dcgan.run.upgrade import upgrade_hparams

log = logging.getLogger(__name__)


def must_match_keys(schema: type = ModuleConfig, prefix: str = "") -> list[str]:
    """The keys marked MUST_MATCH in `schema` and in the nodes below it (dotted), in order."""
    keys: list[str] = []
    for spec in dataclasses.fields(schema):
        key = f"{prefix}{spec.name}"
        if spec.metadata.get("resume") == MUST_MATCH["resume"]:
            keys.append(key)  # a node so marked matches whole
            continue
        node = spec.default_factory if spec.default_factory is not dataclasses.MISSING else None
        if dataclasses.is_dataclass(node):
            keys += must_match_keys(node, f"{key}.")
    return keys


def _flatten(values: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in values.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            out.update(_flatten(value, f"{name}."))
        else:
            out[name] = list(value) if isinstance(value, tuple) else value
    return out


def _under(key: str, marked: list[str]) -> bool:
    return any(key == m or key.startswith(f"{m}.") for m in marked)


def mismatches(
    saved: Mapping[str, Any], built: Mapping[str, Any], schema: type = ModuleConfig
) -> list[str]:
    """`key: checkpoint value != config value` for every MUST_MATCH value that differs."""
    marked = must_match_keys(schema)
    return [
        f"{k}: checkpoint {old!r} != config {new!r}"
        for k, old, new in _differing(saved, built, lambda k: _under(k, marked), "(absent)")
    ]


def _differing(
    saved: Mapping[str, Any], built: Mapping[str, Any], keep: Callable[[str], bool], absent: Any
) -> list[tuple[str, Any, Any]]:
    """(key, checkpoint value, config value) for each kept dotted key whose values differ.

    `absent` stands for a key only one side has; None: such keys are not compared.
    """
    old, new = _flatten(saved), _flatten(built)
    keys = old.keys() | new.keys() if absent is not None else old.keys() & new.keys()
    out = [(k, old.get(k, absent), new.get(k, absent)) for k in sorted(keys) if keep(k)]
    return [(k, a, b) for k, a, b in out if a != b]


def _dropout_mismatch(saved: Mapping[str, Any], built: Mapping[str, Any]) -> list[str]:
    """Dropout shapes nothing, but a different p or place is another model."""

    def used(hp: Mapping[str, Any]) -> dict[str, float]:
        drop = hp.get("dropout", {})
        p = drop.get("p", 0.5)
        return {
            f"dropout.{net}": p if drop.get(net) else 0.0 for net in ("generator", "discriminator")
        }

    old, new = used(saved), used(built)
    return [f"{k}: checkpoint {old[k]!r} != config {new[k]!r}" for k in old if old[k] != new[k]]


def _average_dropped(saved: Mapping[str, Any], built: Mapping[str, Any]) -> list[str]:
    """G's average off where the checkpoint has one: its weights would be dropped, and the
    history and best measured on them mixed with the raw G's. (Turned on, it starts from G.)"""

    def averaged(hp: Mapping[str, Any]) -> bool:
        ema = hp.get("ema") or {}
        return (ema.get("kimg") or 0) > 0 or (ema.get("decay") or 0) > 0

    if not averaged(saved) or averaged(built):
        return []
    ema = saved["ema"]
    return [
        f"ema: checkpoint averaged (ema.kimg={ema.get('kimg')}, ema.decay={ema.get('decay')})"
        " != config off"
    ]


def changed_values(saved: Mapping[str, Any], built: Mapping[str, Any]) -> list[str]:
    """`key: checkpoint value -> config value` for each recipe value that shapes nothing and
    differs: a resumed run trains on with the config's (a learning rate, a trick, a default that
    changed since), which its log should say.

    Only the recipe's own keys (`GANConfig`): what the module takes from other groups (data
    classes and counts, sample count, logging interval) is not the recipe.
    """
    marked = must_match_keys()
    recipe = {f.name for f in dataclasses.fields(GANConfig)}

    def keep(key: str) -> bool:
        return key.split(".")[0] in recipe and not _under(key, marked)

    return [f"{k}: {old!r} -> {new!r}" for k, old, new in _differing(saved, built, keep, None)]


def saved_values(ckpt: Mapping[str, Any], path: str | Path) -> dict[str, Any]:
    """The checkpoint's hyper-parameters in today's shape; keys it predates take the defaults."""
    saved = ckpt["hyper_parameters"]
    if not isinstance(saved, Mapping):
        raise CheckpointError(f"checkpoint {str(path)!r} has hyper_parameters that are no mapping")
    return OmegaConf.to_container(typed_module_config(upgrade_hparams(saved)))


def check_compatible(path: str | Path, hparams: Mapping[str, Any]) -> dict[str, Any]:
    """Stop with the differing keys when the checkpoint was trained with another model."""
    ckpt = read_checkpoint(path, training=True)
    saved = saved_values(ckpt, path)
    diff = mismatches(saved, hparams) + _dropout_mismatch(saved, hparams)
    diff += _average_dropped(saved, hparams)
    if diff:
        raise CheckpointError(
            f"checkpoint {str(path)!r} does not fit the model of this config; differing keys: "
            + "; ".join(diff)
            + ". Set these back to the checkpoint's values, or start a new run without it"
        )
    return ckpt


def newest_checkpoint(run: RunFolder) -> Path | None:
    """The loadable checkpoint with the most training in the run's folder, if any."""
    best: tuple[int, bool, Path] | None = None
    for path in run.checkpoint_files():
        try:
            step = int(read_checkpoint(path, training=True)["global_step"])
        except (CheckpointError, TypeError, ValueError) as err:
            log.warning("resume=auto skips %s: %s", path, err)
            continue
        rank = (step, run.is_last(path), path)  # on a tie, last.ckpt
        if best is None or rank[:2] > best[:2]:
            best = rank
    return None if best is None else best[2]


def resolve(
    resume: str | None, ckpt_path: str | None, run_dir: Path, in_sweep: bool = False
) -> str | None:
    """The checkpoint to resume from: the given `ckpt_path`, or with `resume=auto` the newest.

    `in_sweep`: the run is a job of a multirun (a race's runs all say resume=auto), whose folder
    the sweep names: a new run there is expected, and hydra.run.dir no advice to give.
    """
    if ckpt_path is not None:
        if resume is not None:
            raise ConfigError(
                f"resume={resume!r} and ckpt_path={ckpt_path!r} are both set: choose one"
            )
        return ckpt_path
    if resume != "auto":
        return None
    run = RunFolder(run_dir)
    found = newest_checkpoint(run)
    if found is None and in_sweep:
        log.info("resume=auto: no checkpoint in %s: a new run", run.checkpoints)
        return None
    if found is None:
        log.warning(
            "resume=auto: no checkpoint in %s; starting a new run there "
            "(to resume a run, pass its folder: hydra.run.dir=<run folder>)",
            run.checkpoints,
        )
        return None
    return str(found)  # the caller says so, with its iteration, once it fits the config


def check_resume(cfg: DictConfig, run_dir: Path) -> str | None:
    """The checkpoint to resume from, once it is known to fit the model of this config."""
    ckpt_path = cfg.get("ckpt_path")
    if ckpt_path is not None:
        ckpt_path = str(find_checkpoint(ckpt_path))  # a file, or a run folder's last.ckpt
    ckpt_path = resolve(cfg.get("resume"), ckpt_path, run_dir, in_multirun())
    if ckpt_path is None:
        return None
    hparams = module_values(cfg)
    ckpt = check_compatible(ckpt_path, hparams)
    how = "resume=auto: " if cfg.get("resume") == "auto" else ""
    it = ckpt["global_step"] // (hparams["d_steps"] + hparams["g_steps"])
    log.info("%sresuming from %s at iteration %d", how, ckpt_path, it)
    changed = changed_values(saved_values(ckpt, ckpt_path), hparams)
    if changed:  # e.g. a default changed since the checkpoint was written
        log.warning(
            "training goes on with the config's values where the checkpoint's differ "
            "(set them back to continue the same recipe): %s",
            "; ".join(changed),
        )
    return ckpt_path


def module_values(cfg: DictConfig) -> dict[str, Any]:
    """The values the GAN of `cfg` is built from, as its checkpoint saves them; nothing built.

    A conditional model takes its classes from the folder names: no image is decoded here.
    """
    names = None
    if cfg.model.conditional:
        from dcgan.data.labels import class_names_of

        names = class_names_of(cfg.data.source, cfg.data.root)
    return OmegaConf.to_container(typed_module_config(module_config(cfg, names)))
