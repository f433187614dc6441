"""Checkpoint -> generator, without Lightning: all that generation and export need.

Generating images needs G and the hyper-parameters it was built from, not the training module:
importing Lightning took 10 of the 14 s of `dcgan.generate` on a 2-core machine. G is built
from the keys it reads (`NetConfig`) and its weights loaded strictly; `ema` chooses between its
raw weights and the average of them (`generator_ema.*`) as `dcgan.run.load.load_gan` does. A
stop's checkpoint holds the average with its BatchNorm statistics unmeasured (`tricks.ema.stale`):
they are measured here as training measures them (`dcgan.tricks.ema.recompute_bn`), so its images
are those of a checkpoint that measured them when it was written.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import torch
from omegaconf import OmegaConf
from omegaconf.errors import OmegaConfBaseException

from dcgan.config import typed_module_config
from dcgan.nets import Generator, fake_class_freq, num_classes
from dcgan.nets.config import NetConfig
from dcgan.run import EMA_CHOICES, CheckpointError, find_checkpoint, read_checkpoint
from dcgan.run.upgrade import upgrade_hparams
from dcgan.tricks.ema import PREFIX as EMA_PREFIX
from dcgan.tricks.ema import recompute_bn

if TYPE_CHECKING:
    from omegaconf import DictConfig
    from torch import Tensor

log = logging.getLogger(__name__)

G_PREFIX = "generator."  # G's weights in a checkpoint's state_dict


@dataclass(frozen=True)
class SavedGenerator:
    """G in eval mode on the CPU, with the module config it was trained under."""

    cfg: DictConfig
    generator: Generator

    @property
    def conditional(self) -> bool:
        """Whether G takes class labels."""
        return num_classes(self.cfg) > 0


def has_ema(state_dict: Mapping[str, Tensor]) -> bool:
    """Whether the checkpoint carries an averaged copy of G."""
    return any(k.startswith(EMA_PREFIX) for k in state_dict)


def use_ema(choice: str | bool, available: bool, path: str | Path = "checkpoint") -> bool:
    """Resolve `ema=auto|true|false` against what the checkpoint holds."""
    choice = str(choice).lower()
    EMA_CHOICES.lookup(choice, CheckpointError)
    if choice == "true" and not available:
        raise CheckpointError(
            f"ema=true, but checkpoint {str(path)!r} has no EMA generator weights "
            f"({EMA_PREFIX}*); train with EMA on, or use ema=auto or ema=false"
        )
    return available if choice == "auto" else choice == "true"


def ema_generator_state(state_dict: Mapping[str, Tensor], generator: torch.nn.Module) -> dict:
    """G's state with the averaged weights of `generator_ema.*` in place of its own."""
    ema = {k[len(EMA_PREFIX) :]: v for k, v in state_dict.items() if k.startswith(EMA_PREFIX)}
    if any(k.startswith("module.") for k in ema):  # torch.optim.swa_utils.AveragedModel layout
        ema = {k[len("module.") :]: v for k, v in ema.items() if k.startswith("module.")}
    raw = generator.state_dict()
    params = {name for name, _ in generator.named_parameters()}
    foreign = sorted(set(ema) - set(raw))
    lacking = sorted(params - set(ema))
    if foreign or lacking:
        raise ValueError(
            f"{len(foreign)} unknown and {len(lacking)} missing weights, e.g. "
            + ", ".join((foreign + lacking)[:3])
        )
    # An average of the parameters alone keeps G's own BatchNorm statistics.
    return {**raw, **ema}


def load_ema_into(
    generator: torch.nn.Module, ckpt: Mapping[str, Any], cfg: DictConfig, path: Path
) -> None:
    """Put the checkpoint's average of G into `generator`, its BatchNorm statistics measured
    when the checkpoint left them stale (a stop's); one line when it does not fit."""
    try:
        generator.load_state_dict(ema_generator_state(ckpt["state_dict"], generator))
    except (ValueError, RuntimeError) as err:
        raise CheckpointError(
            f"checkpoint {str(path)!r} has EMA weights that do not fit the generator: {err}"
        ) from None
    log.info("using the EMA generator of %s", path)
    state = (ckpt.get("tricks") or {}).get("ema") or {}
    if state.get("stale"):
        recompute_bn(
            generator,
            latent_dim=cfg.latent_dim,
            prior=cfg.noise.name,
            class_freq=fake_class_freq(cfg),
            images=cfg.ema.bn_images,
            batch=int(state.get("rank_batch", 0)),
            device=next(generator.parameters()).device,
        )
        log.info("measured its BatchNorm statistics (the checkpoint of a stop leaves them)")


def load_generator(path: str | Path, ema: str | bool = "auto") -> SavedGenerator:
    """The checkpoint's G (its average with `ema`), built without the training module."""
    path = find_checkpoint(path)
    ckpt = read_checkpoint(path)
    state = ckpt["state_dict"]
    try:
        cfg = typed_module_config(upgrade_hparams(ckpt["hyper_parameters"]))
        if cfg.model.conditional and num_classes(cfg) == 0:
            raise ValueError("model.conditional=true needs the data's class_names (none given)")
        nets = OmegaConf.masked_copy(cfg, list(NetConfig.__annotations__))
        with torch.random.fork_rng(devices=[]):  # building inits weights: keep the caller's RNG
            generator = Generator(nets)
    except (TypeError, ValueError, OmegaConfBaseException) as err:
        raise CheckpointError(
            f"checkpoint {str(path)!r} has hyper-parameters this version cannot build: {err}"
        ) from None
    own = {k[len(G_PREFIX) :]: v for k, v in state.items() if k.startswith(G_PREFIX)}
    try:
        generator.load_state_dict(own)
    except RuntimeError as err:  # shapes differ, or weights missing or unknown
        detail = [line.strip() for line in str(err).splitlines() if line.strip()][:2]
        raise CheckpointError(
            f"checkpoint {str(path)!r} does not match the model its hyper-parameters describe: "
            + " ".join(detail)
        ) from None
    if use_ema(ema, has_ema(state), path):
        load_ema_into(generator, ckpt, cfg, path)
    return SavedGenerator(cfg, generator.eval())
