"""Everything a run can check before it makes a folder, a logger or a W&B run.

`check_run` is called by the Hydra callback `Preflight` before Hydra creates the run folder (so
a refused run leaves nothing behind), and again by `train()` for callers of the API. The cheap
checks (output folder, data folder, W&B login) come first and import nothing heavy, so a
missing `pics/` folder is reported within about a second.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Any

from hydra.experimental.callback import Callback
from omegaconf import DictConfig, OmegaConf

from dcgan import ctrl_c
from dcgan.atomic import OutputError, unwritable
from dcgan.config import ConfigError
from dcgan.data.files import DataError, check_batch_size, check_source, held_out
from dcgan.loggers import check_logger
from dcgan.run.sweep import in_multirun

# Hydra's default launcher: it composes and runs every job of a sweep in this process
BASIC_LAUNCHER = "hydra._internal.core_plugins.basic_launcher.BasicLauncher"

log = logging.getLogger(__name__)


def check_output(folder: str | Path, key: str = "hydra.run.dir") -> None:
    """The run folder (or the nearest folder above it that exists) must take files."""
    reason = unwritable(folder)
    if reason:
        raise OutputError(
            f"cannot write into the output folder {folder} ({reason}): "
            f"choose a writable folder with {key}=..."
        )


def check_run(cfg: DictConfig, run_dir: str | Path) -> str | None:
    """Check output folder, data, logger, config values and the resume checkpoint, cheap first.

    Returns the checkpoint to resume from (None for a new run).
    """
    check_output(run_dir)
    data = cfg.data
    count = check_source(
        data.source, data.root, data.split, data.channels, data.max_pixels, data.download
    )
    if cfg.model.conditional:  # the classes, from the folder names: a loose image is refused
        from dcgan.data.labels import class_names_of

        class_names_of(data.source, data.root)
    check_logger(cfg.logger)

    from dcgan.config import validate  # imports torch (the registries): after the cheap checks

    validate(cfg)
    check_accelerator(cfg.trainer)
    if count is not None:  # at most this many images: a batch larger fails after decoding
        check_images_fit(cfg, count)
    return check_resume(cfg, Path(run_dir))


def check_accelerator(trainer: DictConfig) -> None:
    """A GPU asked for must be here: Lightning would stop later with a traceback."""
    accelerator, devices = trainer.accelerator, trainer.devices
    if accelerator not in ("gpu", "cuda", "mps"):
        return  # torch is not imported for cpu and auto: the run's first line comes sooner
    import torch

    if accelerator in ("gpu", "cuda"):
        count = torch.cuda.device_count() if torch.cuda.is_available() else 0
        if count == 0:
            raise ConfigError(
                f"trainer.accelerator={accelerator}, but torch sees no CUDA GPU here; use "
                "trainer.accelerator=auto (a GPU when there is one) or cpu"
            )
        if isinstance(devices, int) and devices > count:
            raise ConfigError(
                f"trainer.devices={devices}, but torch sees {count} CUDA GPU(s) here; use "
                f"trainer.devices={count} or fewer (-1: all)"
            )
    if accelerator == "mps" and not torch.backends.mps.is_available():
        raise ConfigError(
            "trainer.accelerator=mps, but torch sees no Apple GPU here; use "
            "trainer.accelerator=auto or cpu"
        )


def check_images_fit(cfg: DictConfig, count: int) -> None:
    """data.batch_size against the images a run can have at most (limit and held out)."""
    from dcgan.tricks import holdout_count

    data = cfg.data
    images = count if data.limit is None else min(count, data.limit)
    held = held_out(images, holdout_count(cfg))
    check_batch_size(data.batch_size, images - held, data.source, data.root, data.limit, held)


def check_resume(cfg: DictConfig, run_dir: Path) -> str | None:
    """The checkpoint to resume from, once it is known to fit the model of this config."""
    ckpt_path = cfg.get("ckpt_path")
    if ckpt_path is None and cfg.get("resume") is None:
        return None  # a new run: nothing to load (and Lightning need not be imported)
    from dcgan.run import find_checkpoint
    from dcgan.run.resume import changed_values, check_compatible, resolve, saved_values

    if ckpt_path is not None:
        ckpt_path = str(find_checkpoint(ckpt_path))  # a file, or a run folder's last.ckpt
    ckpt_path = resolve(cfg.get("resume"), ckpt_path, run_dir, in_multirun())
    if ckpt_path is not None:
        hparams = module_values(cfg)
        ckpt = check_compatible(ckpt_path, hparams)
        steps = hparams["d_steps"] + hparams["g_steps"]
        how = "resume=auto: " if cfg.get("resume") == "auto" else ""
        it = ckpt["global_step"] // steps
        log.info("%sresuming from %s at iteration %d", how, ckpt_path, it)
        changed = changed_values(saved_values(ckpt, ckpt_path), hparams)
        if changed:  # e.g. a default changed since the checkpoint was written
            log.warning(
                "training goes on with the config's values where the checkpoint's differ "
                "(set them back to continue the same recipe): %s",
                "; ".join(changed),
            )
    return ckpt_path


def module_values(cfg: DictConfig) -> dict[str, Any]:
    """The values the GAN of `cfg` is built from, as its checkpoint saves them; nothing built.

    A conditional model takes its classes from the folder names: no image is decoded here.
    """
    from dcgan.config import module_config, typed_module_config

    names = None
    if cfg.model.conditional:
        from dcgan.data.labels import class_names_of

        names = class_names_of(cfg.data.source, cfg.data.root)
    return OmegaConf.to_container(typed_module_config(module_config(cfg, names)))


def refuse(err: BaseException) -> None:
    """Print the one line and stop with exit status 2."""
    sys.stderr.write(f"error: {err}\n")
    raise SystemExit(2)


class Preflight(Callback):
    """Runs `check_run` before Hydra makes the run folder; a sweep checks its folder only."""

    def on_run_start(self, config: DictConfig, **kwargs: Any) -> None:
        run_dir = OmegaConf.select(config, "hydra.run.dir")
        logging.disable(logging.WARNING)  # train() says the same again once logging is set up
        try:
            check_run(config, run_dir)
        except (ConfigError, DataError, OutputError) as err:
            refuse(err)
        finally:
            logging.disable(logging.NOTSET)

    def on_multirun_start(self, config: DictConfig, **kwargs: Any) -> None:
        if OmegaConf.select(config, "hydra.launcher._target_") != BASIC_LAUNCHER:
            ctrl_c.honour()  # the jobs run elsewhere: Ctrl-C ends the sweep from here
        try:
            check_output(OmegaConf.select(config, "hydra.sweep.dir"), "hydra.sweep.dir")
        except OutputError as err:
            refuse(err)

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        ctrl_c.honour()  # a signal held after the last job ends the sweep as interrupted
