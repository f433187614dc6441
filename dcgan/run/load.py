"""Checkpoint -> GAN: the file read by `dcgan.run.read_checkpoint` (never code from it).

A checkpoint alone rebuilds the model: its `hyper_parameters` are the GAN's constructor arguments
(shaped like the run config) and its `state_dict` the weights. When it also holds an exponential
moving average of G (`generator_ema.*` weights), `ema` chooses which generator the GAN carries.
Checkpoints of the first format (flat keyword arguments) are translated by `dcgan.run.upgrade`, the
one place that knows old layouts.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path

import torch
from omegaconf.errors import OmegaConfBaseException
from torch import Tensor

from dcgan.module import GAN
from dcgan.run import EMA_CHOICES, CheckpointError, find_checkpoint, read_checkpoint
from dcgan.run.upgrade import upgrade_hparams
from dcgan.tricks.ema import PREFIX as EMA_PREFIX

log = logging.getLogger(__name__)

__all__ = ["load_gan"]


def has_ema(state_dict: Mapping[str, Tensor]) -> bool:
    """Whether the checkpoint carries an averaged copy of G."""
    return any(k.startswith(EMA_PREFIX) for k in state_dict)


def use_ema(choice: str | bool, available: bool, path: str | Path = "checkpoint") -> bool:
    """Resolve `ema=auto|true|false` against what the checkpoint holds."""
    choice = str(choice).lower()
    if choice not in EMA_CHOICES:
        raise CheckpointError(
            f"ema={choice!r} is not a valid choice; choose one of: auto, true, false"
        )
    if choice == "true" and not available:
        raise CheckpointError(
            f"ema=true, but checkpoint {str(path)!r} has no EMA generator weights "
            f"({EMA_PREFIX}*); train with EMA on, or use ema=auto or ema=false"
        )
    return available if choice == "auto" else choice == "true"


def _ema_generator_state(state_dict: Mapping[str, Tensor], generator: torch.nn.Module) -> dict:
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


def load_gan(path: str | Path, ema: str | bool = "auto") -> GAN:
    """The GAN on the CPU in eval mode; its `generator` holds the weights to generate with."""
    path = find_checkpoint(path)
    ckpt = read_checkpoint(path)
    state = ckpt["state_dict"]
    with torch.random.fork_rng(devices=[]):  # building inits weights: keep the caller's RNG
        try:
            gan = GAN(**upgrade_hparams(ckpt["hyper_parameters"]))
        except (TypeError, ValueError, OmegaConfBaseException) as err:
            raise CheckpointError(
                f"checkpoint {str(path)!r} has hyper-parameters this version cannot build: {err}"
            ) from None
    mismatch = f"checkpoint {str(path)!r} does not match the model its hyper-parameters describe"
    try:  # lenient only about generator_ema.*: this class may not own an EMA copy of G
        missing, unexpected = gan.load_state_dict(state, strict=False)
    except RuntimeError as err:  # shapes differ
        detail = [line.strip() for line in str(err).splitlines() if "mismatch" in line]
        raise CheckpointError(f"{mismatch}: {(detail or [str(err)])[0]}") from None
    wrong = [k for k in (*missing, *unexpected) if not k.startswith(EMA_PREFIX)]
    if wrong:
        raise CheckpointError(
            f"{mismatch}: {len(wrong)} weights are missing or unknown, e.g. {', '.join(wrong[:3])}"
        )
    if use_ema(ema, has_ema(state), path):
        try:
            gan.generator.load_state_dict(_ema_generator_state(state, gan.generator))
        except (ValueError, RuntimeError) as err:
            raise CheckpointError(
                f"checkpoint {str(path)!r} has EMA weights that do not fit the generator: {err}"
            ) from None
        log.info("using the EMA generator of %s", path)
    return gan.eval()
