"""Where a checkpoint is, found without importing torch: generate refuses a bad path at once."""

from __future__ import annotations

from pathlib import Path

EMA_CHOICES = ("auto", "true", "false")


class CheckpointError(ValueError):
    """A checkpoint that cannot be used; the message names the file and what is wrong with it."""


def resolve_path(path: str | Path) -> Path:
    """Accept a .ckpt file or a run folder (its `checkpoints/last.ckpt`), or say what is missing."""
    path = Path(path)
    if path.is_dir():
        for candidate in (path / "checkpoints" / "last.ckpt", path / "last.ckpt"):
            if candidate.is_file():
                return candidate
        inside = sorted(p.name for p in path.glob("*.ckpt"))
        held = f" (it holds {', '.join(inside[:3])}{', ...' if len(inside) > 3 else ''})"
        raise CheckpointError(
            f"checkpoint {str(path)!r} is a folder without checkpoints/last.ckpt"
            f"{held if inside else ''}; give the path of a .ckpt file"
        )
    if not path.is_file():
        raise CheckpointError(
            f"checkpoint {str(path)!r} does not exist (resolved to {path.resolve()}); "
            "give the path of a .ckpt file, e.g. outputs/<date>/<time>/checkpoints/last.ckpt"
        )
    return path
