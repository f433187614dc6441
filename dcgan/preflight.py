"""Everything a run can check before it makes a folder, a logger or a W&B run.

`check_run` is called by the Hydra callback `Preflight` before Hydra creates the run folder (so
a refused run leaves nothing behind), and again by `train()` for callers of the API. The cheap
checks (output folder, data folder, W&B login) come first; none imports torch (the GPU check
does, for a GPU only), so a missing `pics/` folder is reported within about a second.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Any

from hydra.experimental.callback import Callback
from omegaconf import DictConfig, OmegaConf

from dcgan import ctrl_c
from dcgan.atomic import OutputError
from dcgan.config import ConfigError, validate
from dcgan.data.files import DataError, check_batch_fits, check_source
from dcgan.loggers import check_logger
from dcgan.run.folder import check_writable
from dcgan.run.resume import check_resume
from dcgan.trainer_config import check_accelerator
from dcgan.tricks import holdout_count

# Hydra's default launcher: it composes and runs every job of a sweep in this process
BASIC_LAUNCHER = "hydra._internal.core_plugins.basic_launcher.BasicLauncher"


def check_run(cfg: DictConfig, run_dir: str | Path) -> str | None:
    """The checkpoint to resume from (None: a new run), once everything is checked, cheap first."""
    check_writable(run_dir)
    count = check_source(cfg.data)
    if cfg.model.conditional:  # the classes, from the folder names: a loose image is refused
        from dcgan.data.labels import class_names_of

        class_names_of(cfg.data.source, cfg.data.root)
    check_logger(cfg.logger)
    validate(cfg)
    check_accelerator(cfg.trainer.accelerator, cfg.trainer.devices)
    check_batch_fits(cfg.data, count, holdout_count(cfg))  # too large a batch fails after decoding
    return check_resume(cfg, Path(run_dir))


def refuse(err: BaseException) -> None:
    """Print the one line and stop with exit status 2."""
    sys.stderr.write(f"error: {err}\n")
    raise SystemExit(2)


class Preflight(Callback):
    """Runs `check_run` before Hydra makes the run folder; a sweep checks its folder only."""

    def on_run_start(self, config: DictConfig, **kwargs: Any) -> None:
        logging.disable(logging.WARNING)  # train() says the same again once logging is set up
        try:
            check_run(config, OmegaConf.select(config, "hydra.run.dir"))
        except (ConfigError, DataError, OutputError) as err:
            refuse(err)
        finally:
            logging.disable(logging.NOTSET)

    def on_multirun_start(self, config: DictConfig, **kwargs: Any) -> None:
        if OmegaConf.select(config, "hydra.launcher._target_") != BASIC_LAUNCHER:
            ctrl_c.honour()  # the jobs run elsewhere: Ctrl-C ends the sweep from here
        try:
            check_writable(OmegaConf.select(config, "hydra.sweep.dir"), "hydra.sweep.dir")
        except OutputError as err:
            refuse(err)

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        ctrl_c.honour()  # a signal held after the last job ends the sweep as interrupted
