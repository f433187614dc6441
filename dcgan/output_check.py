"""A Hydra callback that stops before any job when the output folder cannot take files.

Hydra would otherwise fail deep inside its launcher with a stack trace; a read-only mount or a
path through a file is reported in one line, naming the folder and the fix.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from hydra.experimental.callback import Callback
from omegaconf import DictConfig, OmegaConf


def unwritable(folder: str | Path) -> str | None:
    """Why files cannot be written into `folder` (created if missing), or None if they can."""
    try:
        Path(folder).mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=".write_check_", dir=folder)
        os.close(fd)
        os.unlink(probe)
    except OSError as err:
        return err.strerror or str(err)
    return None


class WritableOutput(Callback):
    """Checks hydra.run.dir (or hydra.sweep.dir) before the run starts."""

    def on_run_start(self, config: DictConfig, **kwargs: Any) -> None:
        self._check(OmegaConf.select(config, "hydra.run.dir"), "hydra.run.dir")

    def on_multirun_start(self, config: DictConfig, **kwargs: Any) -> None:
        self._check(OmegaConf.select(config, "hydra.sweep.dir"), "hydra.sweep.dir")

    @staticmethod
    def _check(folder: str | None, key: str) -> None:
        reason = unwritable(folder) if folder else None
        if reason:
            sys.stderr.write(
                f"error: cannot write into the output folder {folder} ({reason}): "
                f"choose a writable folder with {key}=...\n"
            )
            raise SystemExit(2)
