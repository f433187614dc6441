"""The one reader of checkpoint files: tensors and plain values only, never code from the file.

`find_checkpoint` turns what a user gives (a .ckpt file or a run folder) into the file without
importing torch, so a wrong path is refused at once; `read_checkpoint` loads it with
`weights_only=True`. Every failure of either is a `CheckpointError` that names the file and what
is wrong with it, in the user's words.
"""

from __future__ import annotations

import pickle
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from dcgan.checks import ConfigError, Registry
from dcgan.run.folder import EXAMPLE, INSIDE, SUFFIX, RunFolder

# Which generator of a checkpoint to use: its EMA copy when it has one (auto), or insist.
EMA_CHOICES = Registry("generators of a checkpoint", ("auto", "true", "false"), key="ema")

# What every checkpoint this project writes holds; training also needs where it stopped.
MODEL_KEYS = ("hyper_parameters", "state_dict")
TRAINING_KEYS = (*MODEL_KEYS, "global_step")

_HINT = f"give a .ckpt that training wrote ({EXAMPLE.checkpoints / f'*{SUFFIX}'})"


class CheckpointError(ConfigError):
    """A checkpoint that cannot be used; the message names the file and what is wrong with it.

    A ConfigError: at the start of training the checkpoint is a config value that is wrong.
    """


def find_checkpoint(path: str | Path) -> Path:
    """Accept a .ckpt file or a run folder (its last checkpoint), or say what is missing."""
    path = Path(path)
    if path.is_dir():
        for candidate in (RunFolder(path).last_ckpt, path / INSIDE.last_ckpt.name):
            if candidate.is_file():
                return candidate
        inside = sorted(p.name for p in path.glob(f"*{SUFFIX}"))
        held = f" (it holds {', '.join(inside[:3])}{', ...' if len(inside) > 3 else ''})"
        raise CheckpointError(
            f"checkpoint {str(path)!r} is a folder without {INSIDE.last_ckpt}"
            f"{held if inside else ''}; give the path of a .ckpt file"
        )
    if not path.is_file():
        raise CheckpointError(
            f"checkpoint {str(path)!r} does not exist (resolved to {path.resolve()}); "
            f"give the path of a .ckpt file, e.g. {EXAMPLE.last_ckpt}"
        )
    return path


def read_checkpoint(path: str | Path, training: bool = False) -> dict[str, Any]:
    """The checkpoint's dict, loaded with weights_only; `training`: it must hold global_step."""
    path = find_checkpoint(path)
    ckpt = _load(path)
    if not isinstance(ckpt, Mapping):
        raise CheckpointError(
            f"checkpoint {str(path)!r} holds a {type(ckpt).__name__}, not a checkpoint dict"
        )
    missing = [k for k in (TRAINING_KEYS if training else MODEL_KEYS) if k not in ckpt]
    if missing:
        what = "training checkpoint" if missing == ["global_step"] else "checkpoint"
        raise CheckpointError(
            f"checkpoint {str(path)!r} is not a dcgan {what}: it has no {' and no '.join(missing)}"
        )
    return dict(ckpt)


def _load(path: Path) -> Any:
    """`torch.load` that never runs code from the file; any failure is one CheckpointError."""
    import torch  # here, not above: finding a checkpoint must not wait for torch

    try:
        return torch.load(path, map_location="cpu", weights_only=True, mmap=True)
    except Exception as err:  # truncated zip, text file, pickled code, ...: all the same to a user
        raise CheckpointError(f"checkpoint {str(path)!r} {_unreadable(path, err)}") from None


def _unreadable(path: Path, err: Exception) -> str:
    """Why torch could not read `path`, in the user's words (not torch's advice on saving)."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(4)
    except OSError as also:
        return f"cannot be read: {also.strerror or also}"
    if not head:
        return f"is empty: {_HINT}"
    if head[:2] != b"PK":  # every checkpoint this project writes is torch's zip format
        what = "an old-format PyTorch file" if head[:1] == b"\x80" else "not a PyTorch file"
        return f"is not a checkpoint of this project ({what}): {_HINT}"
    if isinstance(err, pickle.UnpicklingError):
        return (
            "holds objects that are unsafe to load (code, not only tensors and plain values), "
            f"so it is not a checkpoint of this project: {_HINT}"
        )
    first = str(err).strip().split(". ")[0].splitlines()[0]  # torch's words, without its advice
    return f"is truncated or damaged ({first}): {_HINT}"
