"""Checkpoint -> GAN: the file read by `dcgan.run.read_checkpoint` (never code from it).

A checkpoint alone rebuilds the model: its `hyper_parameters` are the GAN's constructor arguments
(shaped like the run config) and its `state_dict` the weights. When it also holds an exponential
moving average of G (`generator_ema.*` weights), `ema` chooses which generator the GAN carries.
Checkpoints of the first format (flat keyword arguments) are translated by `dcgan.run.upgrade`, the
one place that knows old layouts.
"""

from __future__ import annotations

import logging
from pathlib import Path

import torch
from omegaconf.errors import OmegaConfBaseException

from dcgan.module import GAN
from dcgan.run import CheckpointError, find_checkpoint, read_checkpoint
from dcgan.run.generator import has_ema, load_ema_into, use_ema
from dcgan.run.upgrade import upgrade_hparams
from dcgan.tricks.ema import PREFIX as EMA_PREFIX

log = logging.getLogger(__name__)

__all__ = ["load_gan"]


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
    tricks = ckpt.get("tricks") or {}
    for trick in gan.tricks:  # what they left stale (EMA's statistics) is measured when used
        trick.load_state_dict(tricks.get(trick.name))
    if use_ema(ema, has_ema(state), path):
        load_ema_into(gan.generator, ckpt, gan.cfg, path)
    return gan.eval()
