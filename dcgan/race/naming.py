"""Run folder names of a race: one per setting and seed, the same on every call, never shared.

A setting whose overrides are all short and plain (`trick=ema`, `optimizer.generator.lr=0.0001`)
is named as Hydra names it, `${hydra.job.override_dirname}`: its overrides and the seed, sorted,
joined by commas (`seed=3,trick=ema`), so one multirun of a whole grid names every job itself.
Any other setting (a value with a slash, a space or a quote; a long name) gets a readable,
sanitised prefix and a hash of its overrides (`data.root=my_pics@1f0c9a2e71b4,seed=3`); such a
setting runs in a multirun of its own with that name given literally.

Plain names hold no `@` and hashed names do; two plain names differ because their sorted
`key=value` items differ and no item holds a comma; two hashed names differ by their hashes.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

MAX_NAME = 120  # characters of a run folder's name; file systems allow 255 bytes
PREFIX = 60  # characters of the readable part of a hashed name
_PLAIN = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*=[A-Za-z0-9_.+-]+")
_UNSAFE = re.compile(r"[^A-Za-z0-9_.=,+-]")


def seed_override(seed: int) -> str:
    """The seed as a run's override, as Hydra's sweeper writes it."""
    return f"seed={seed}"


def is_plain(overrides: Sequence[str]) -> bool:
    """Whether Hydra's `override_dirname` of these overrides is a safe, short folder name."""
    items = [*overrides, seed_override(10**6)]  # the longest seed a race reaches, and more
    return all(_PLAIN.fullmatch(o) for o in overrides) and len(",".join(items)) <= MAX_NAME


def setting_hash(overrides: Sequence[str]) -> str:
    """A short fingerprint of a setting's overrides (their order does not matter)."""
    text = "\n".join(sorted(overrides))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def hashed_name(overrides: Sequence[str]) -> str:
    """A setting's name when it cannot be plain: sanitised prefix, `@`, hash of the overrides."""
    readable = _UNSAFE.sub("_", ",".join(sorted(overrides)))[:PREFIX]
    return f"{readable}@{setting_hash(overrides)}"


def run_name(overrides: Sequence[str], seed: int) -> str:
    """The folder name of one run of the setting with these (swept) overrides and seed."""
    if is_plain(overrides):
        return ",".join(sorted([*overrides, seed_override(seed)]))
    return f"{hashed_name(overrides)},{seed_override(seed)}"


def subdir_override(overrides: Sequence[str]) -> str:
    """`hydra.sweep.subdir=...` that makes Hydra name a job of this setting `run_name`."""
    if is_plain(overrides):
        return "hydra.sweep.subdir=${hydra.job.override_dirname}"
    return f"hydra.sweep.subdir='{hashed_name(overrides)},seed=${{seed}}'"


def exclude_override(keys: Sequence[str]) -> str:
    """Leave these keys (every override but the swept ones and the seed) out of the name."""
    quoted = ",".join(f"'{k}'" for k in sorted(set(keys)))
    return f"hydra.job.config.override_dirname.exclude_keys=[{quoted}]"
