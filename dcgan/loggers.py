"""The choices of `logger.name`: what each one builds inside the run folder, checks and ends.

The one list of logger names: the config check, the builder, the pre-flight check, the help and
the config reference read it; `configs/logger/<name>.yaml` picks one. Lightning and W&B load
where a logger is built: the command line is checked against this module before torch loads.
"""

from __future__ import annotations

import netrc
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlparse

from dcgan.checks import ConfigError, Registry, key

if TYPE_CHECKING:
    from lightning.pytorch.loggers import Logger


def _nothing(*_: object) -> None:
    return None


@dataclass(frozen=True)
class LoggerKind:
    """One logger: built from `logger`, the run folder and the run's name (None: no logger)."""

    build: Callable[[LoggerConfig, Path, str], Logger | None]
    check: Callable[[LoggerConfig], None] = _nothing  # before any folder or run is made
    finish: Callable[[], None] = _nothing  # after fit, however it ended


def wandb_logged_in() -> bool:
    """Whether W&B online has a key: WANDB_API_KEY, or an entry `wandb login` wrote to .netrc."""
    if os.environ.get("WANDB_API_KEY") or os.environ.get("WANDB_MODE") in ("offline", "disabled"):
        return True
    host = urlparse(os.environ.get("WANDB_BASE_URL", "https://api.wandb.ai")).hostname
    path = os.environ.get("NETRC") or os.path.join(os.path.expanduser("~"), ".netrc")
    try:
        return netrc.netrc(path).authenticators(host or "api.wandb.ai") is not None
    except (OSError, netrc.NetrcParseError):
        return False


def _check_wandb(logger: LoggerConfig) -> None:
    """W&B online without a login would fail after the model is built, in a long traceback."""
    if not logger.get("offline", True) and not wandb_logged_in():
        raise ConfigError(
            "logger.offline=false needs a W&B login: run `wandb login` (or set WANDB_API_KEY), "
            "or keep logger.offline=true"
        )


def _wandb(logger: LoggerConfig, run_dir: Path, run_name: str) -> Logger:
    from dcgan.tracking import wandb_logger

    return wandb_logger(logger, run_dir, run_name)  # grouped by sweep, tagged by setting


def _finish_wandb() -> None:
    import wandb

    wandb.finish()  # or the next run of a multirun logs into this one


def _csv(logger: LoggerConfig, run_dir: Path, run_name: str) -> Logger:
    from dcgan.csv_log import ContinuingCSVLogger

    return ContinuingCSVLogger(save_dir=str(run_dir), name="csv", version="")


def _tensorboard(logger: LoggerConfig, run_dir: Path, run_name: str) -> Logger:
    from lightning.pytorch.loggers import TensorBoardLogger

    return TensorBoardLogger(save_dir=str(run_dir), name="tensorboard", version="")


LOGGERS: Registry[LoggerKind] = Registry(
    "where metrics and grids go besides the run folder",
    key="logger.name",
    wandb=LoggerKind(_wandb, check=_check_wandb, finish=_finish_wandb),
    csv=LoggerKind(_csv),
    tensorboard=LoggerKind(_tensorboard),
    none=LoggerKind(_nothing),  # sample PNGs and checkpoints are still written
)


@dataclass
class LoggerConfig:
    """The `logger.*` keys."""

    name: str = key("wandb", "where metrics and grids go besides the run folder", choices=LOGGERS)
    project: str = key("dcgan", "W&B project")
    offline: bool = key(True, "false after `wandb login`")
    entity: str | None = key(None, "W&B user or team; null: the login's default")
    group: str | None = key(None, "W&B group; null: the sweep folder's name in a multirun")


def check_logger(logger: LoggerConfig) -> None:
    """The chosen logger's own check (an unknown name is left to `config.validate`)."""
    kind = LOGGERS.get(logger.get("name"))
    if kind is not None:
        kind.check(logger)
