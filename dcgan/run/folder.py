"""The layout of a run folder: every file name of a run is written here, and only here.

```
<run>/.hydra/config.yaml      the composed config (reproduces the run), overrides.yaml
<run>/metrics.json            status, metrics, best and speed (dcgan.run.info)
<run>/checkpoints/            iter_NNNNNN.ckpt, last.ckpt, best.ckpt, nan_iter_NNNNNN.ckpt
<run>/samples/iter_NNNNNN.png sample grids of the fixed noise; <run>/progress.gif all of them
```
Everything else asks a `RunFolder` for a path, so a rename is one edit and a reader never
guesses where a writer put a file.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

from dcgan.atomic import OutputError, unwritable
from dcgan.run import info

log = logging.getLogger(__name__)

HYDRA = ".hydra"
CONFIG = "config.yaml"
OVERRIDES = "overrides.yaml"
METRICS = "metrics.json"
CHECKPOINTS = "checkpoints"
LAST = "last"  # Lightning's `CHECKPOINT_NAME_LAST`: the file is last.ckpt
BEST = "best"
SUFFIX = ".ckpt"
DIVERGED = "nan_"  # a diverged state, kept for inspection and never resumed from
SAMPLES = "samples"
PROGRESS = "progress.gif"
# Periodic checkpoints as Lightning's ModelCheckpoint names them (`iteration` is logged).
PERIODIC = "iter_{iteration:06.0f}"
_GRID = re.compile(r"iter_(\d+)\.png")  # not iter_N-2.png (a resumed attempt's) nor temp files


def check_writable(folder: str | Path, key: str = "hydra.run.dir") -> None:
    """A run (or sweep) folder, or the nearest folder above it that exists, must take files:
    checked before Hydra makes it, so a refused run leaves nothing behind."""
    reason = unwritable(folder)
    if reason:
        raise OutputError(
            f"cannot write into the output folder {folder} ({reason}): "
            f"choose a writable folder with {key}=..."
        )


class RunFolder:
    """One run's folder: where each file of the run lives, and the reads of those files."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    def __repr__(self) -> str:
        return f"RunFolder({str(self.path)!r})"

    @classmethod
    def holding(cls, checkpoint: str | Path) -> RunFolder:
        """The run folder a checkpoint of it was written into."""
        return cls(Path(checkpoint).parent.parent)

    # -- paths -------------------------------------------------------------------------------
    @property
    def hydra(self) -> Path:
        return self.path / HYDRA

    @property
    def config_yaml(self) -> Path:
        return self.hydra / CONFIG

    @property
    def overrides_yaml(self) -> Path:
        return self.hydra / OVERRIDES

    @property
    def metrics_json(self) -> Path:
        return self.path / METRICS

    @property
    def checkpoints(self) -> Path:
        return self.path / CHECKPOINTS

    @property
    def last_ckpt(self) -> Path:
        return self.checkpoints / f"{LAST}{SUFFIX}"

    @property
    def best_ckpt(self) -> Path:
        return self.checkpoints / f"{BEST}{SUFFIX}"

    def nan_ckpt(self, iteration: int) -> Path:
        """Where the state of a run that diverged at `iteration` is kept."""
        return self.checkpoints / f"{DIVERGED}iter_{iteration:06d}{SUFFIX}"

    @property
    def samples(self) -> Path:
        return self.path / SAMPLES

    def grid(self, iteration: int) -> Path:
        """The sample grid of `iteration`."""
        return self.samples / f"iter_{iteration:06d}.png"

    @property
    def progress_gif(self) -> Path:
        return self.path / PROGRESS

    # -- reads -------------------------------------------------------------------------------
    def is_run(self) -> bool:
        """Whether this folder holds a run Hydra started (its .hydra/ folder)."""
        return self.hydra.is_dir()

    def grids(self) -> list[Path]:
        """The sample grids, in iteration order (a resumed attempt's `-2` copies left out)."""
        found = [p for p in self.samples.glob("iter_*.png") if _GRID.fullmatch(p.name)]
        return sorted(found, key=lambda p: int(_GRID.fullmatch(p.name).group(1)))

    def last_grid(self) -> Path | None:
        """The newest sample grid, if any."""
        grids = self.grids()
        return grids[-1] if grids else None

    def checkpoint_files(self) -> list[Path]:
        """Every checkpoint a run can continue from, by name (diverged states left out)."""
        if not self.checkpoints.is_dir():
            return []
        found = self.checkpoints.glob(f"*{SUFFIX}")
        return sorted(p for p in found if not p.name.startswith(DIVERGED))

    def is_last(self, checkpoint: Path) -> bool:
        """Whether `checkpoint` is this run's last.ckpt (it wins a tie with a periodic one)."""
        return checkpoint.name == self.last_ckpt.name

    def read_info(self) -> dict[str, Any]:
        """metrics.json as a dict; empty when the run never started writing it."""
        return info.read_info(self.metrics_json)

    def info_or_why(self) -> tuple[dict[str, Any], str | None]:
        """metrics.json and, when it exists but cannot be read, why."""
        return info.info_or_why(self.metrics_json)

    def update_info(self, **fields: Any) -> dict[str, Any]:
        """Merge `fields` into metrics.json, written whole; returns the new content."""
        return info.update_info(self.metrics_json, **fields)

    def read_config(self) -> dict[str, Any]:
        """The saved config as plain YAML values; empty when it is missing or unreadable."""
        import yaml

        try:
            config = yaml.safe_load(self.config_yaml.read_text()) or {}
        except (OSError, yaml.YAMLError):
            return {}
        return config if isinstance(config, dict) else {}

    def resolved_config(self) -> dict[str, Any]:
        """The saved config with interpolations resolved: the values that reproduce the run."""
        from omegaconf import OmegaConf

        if not self.config_yaml.is_file():
            return {}
        cfg = OmegaConf.load(self.config_yaml)
        try:
            return OmegaConf.to_container(cfg, resolve=True)
        except Exception as err:  # noqa: BLE001 - an interpolation only the CLI can resolve
            log.warning("%s kept unresolved (%s)", self.config_yaml, err)
            return OmegaConf.to_container(cfg, resolve=False)

    def read_overrides(self) -> list[str]:
        """The command-line overrides Hydra saved for this run; empty when there are none."""
        import yaml

        try:
            loaded = yaml.safe_load(self.overrides_yaml.read_text()) or []
        except (OSError, yaml.YAMLError):
            return []
        return [str(o) for o in loaded] if isinstance(loaded, list) else []


# Paths for messages: where a file sits inside any run folder, and in the default one.
INSIDE = RunFolder(Path())
EXAMPLE = RunFolder(Path("outputs", "<date>", "<time>"))
