"""The one place that knows older checkpoint layouts and translates them to today's.

First format (up to the release with `tests/fixtures/v1_*.ckpt`): the GAN took flat keyword
arguments (`generator={width, activation, ...}`, `discriminator={...}`, `noise="uniform"`,
`ema_decay`, `replay_size`, ...), `loss=wgan_gp` saved `name: wgan`, and the replay buffer was
saved as `checkpoint["replay_buffer"]`. Today the hyper-parameters are shaped like the run config
(`config.ModuleConfig`) and trick state lives under `checkpoint["tricks"][<name>]`.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from dcgan.config import ModuleConfig

log = logging.getLogger(__name__)


def _upgrade_v1(old: Mapping[str, Any]) -> dict[str, Any]:
    """First-format hyper-parameters (`generator={width, ...}`, `ema_decay`, ...) -> config shape.

    Missing keys take the defaults that format's `GAN.__init__` and nets had then.
    """
    g, d = dict(old.get("generator") or {}), dict(old.get("discriminator") or {})
    g_drop, d_drop = g.get("dropout", 0.0), d.get("dropout", 0.0)
    loss = dict(old.get("loss") or {})
    if loss.get("name") == "wgan":  # `loss=wgan_gp` used to set name: wgan
        loss["name"] = "wgan_gp"
    new = {k: old[k] for k in ("image_size", "latent_dim", "d_steps", "g_steps") if k in old}
    new |= {k: old[k] for k in ("channels", "num_samples", "log_every_n_steps") if k in old}
    new |= {
        "noise": {"name": old.get("noise", "uniform")},
        "init": {"name": old.get("init", "normal")},
        "model": {
            "ngf": g.get("width", 64),
            "ndf": d.get("width", 64),
            "max_width_mult": g.get("max_width_mult", 8),
            "minibatch_std": d.get("minibatch_std", False),
        },
        "activation": {
            "generator": g.get("activation", "relu"),
            "discriminator": d.get("activation", "leaky_relu"),
            "negative_slope": g.get("negative_slope", 0.2),
        },
        "norm": {
            "generator": g.get("norm", "batch"),
            "discriminator": d.get("norm", "batch"),
            "spectral": d.get("spectral", False),
        },
        "dropout": {
            "p": g_drop or d_drop or 0.5,
            "generator": g_drop > 0,
            "discriminator": d_drop > 0,
            "at_generation": old.get("dropout_at_generation", True),
        },
        "pooling": {"name": d.get("pooling", "strided")},
        "upsample": {"name": g.get("upsample", "transposed")},
        "loss": loss,
        "d_batch": {"name": old.get("d_batch", "separate")},
        "instance_noise": {
            "std": old.get("instance_noise_std", 0.0),
            "decay_steps": old.get("instance_noise_decay_steps", 0),
        },
        "replay": {"size": old.get("replay_size", 0), "p": old.get("replay_p", 0.5)},
        "ema": {"decay": old.get("ema_decay", 0.0)},
    }
    if "optimizer" in old and old["optimizer"] is not None:
        new["optimizer"] = old["optimizer"]
    return new


def upgrade_hparams(hparams: Mapping[str, Any]) -> dict[str, Any]:
    """Any format's hyper-parameters -> today's `ModuleConfig` keys (unknown ones dropped)."""
    first_format = isinstance(hparams.get("noise"), str)  # today a node: noise.name
    values = _upgrade_v1(hparams) if first_format else dict(hparams)
    ema = values.get("ema")
    if isinstance(ema, Mapping) and "kimg" not in ema:  # written when its default was 0 (off)
        values["ema"] = {**ema, "kimg": 0.0}
    if "r1" not in values:  # written before R1 existed: none
        values["r1"] = {"gamma": 0.0, "r2_gamma": 0.0}
    known = set(ModuleConfig.__dataclass_fields__)
    unknown = sorted(k for k in values if k not in known)
    if unknown:  # written by a newer version; a change of shape is still caught by the weights
        log.warning("ignoring hyper-parameters this version does not know: %s", ", ".join(unknown))
    return {k: v for k, v in values.items() if k in known}


def upgrade_checkpoint(checkpoint: dict[str, Any]) -> dict[str, Any]:
    """Translate an older checkpoint in place: hyper-parameters, and trick state under `tricks`."""
    if isinstance(checkpoint.get("hyper_parameters"), Mapping):
        checkpoint["hyper_parameters"] = upgrade_hparams(checkpoint["hyper_parameters"])
    tricks = checkpoint.setdefault("tricks", {})
    if "replay_buffer" in checkpoint:  # first format
        tricks.setdefault("replay", checkpoint.pop("replay_buffer"))
    return checkpoint
