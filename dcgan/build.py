"""Config -> objects. Each builder reads only the part of the config it needs."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

import lightning as L
from lightning.pytorch.loggers import Logger
from lightning.pytorch.utilities import rank_zero_only
from omegaconf import DictConfig

from dcgan.callbacks import (
    AtomicCheckpointIO,
    ChannelsLast,
    ImageMetrics,
    IterationCheckpoint,
    RandomState,
    RunClock,
    SampleGrid,
    StopOnSignal,
    TrainingHealth,
)
from dcgan.callbacks.progress import with_progress
from dcgan.config import module_config, plain
from dcgan.data import ImageDataModule
from dcgan.loggers import LOGGERS
from dcgan.module import GAN
from dcgan.precision import describe, resolve_channels_last, resolve_precision
from dcgan.run import RunTime

log = logging.getLogger(__name__)


def build_module(cfg: DictConfig, datamodule: ImageDataModule | None = None) -> GAN:
    """The GAN from its part of the run config (see `config.module_config`).

    A conditional model takes its classes from the data, which is loaded here for them.
    """
    if not cfg.model.conditional:
        return GAN(**module_config(cfg))
    if datamodule is None:
        raise ValueError("a conditional model is built with its datamodule (for its classes)")
    datamodule.setup("fit")
    return GAN(**module_config(cfg, datamodule.class_names, datamodule.class_counts))


def build_datamodule(
    data: DictConfig, image_size: int, labels: bool = False, holdout: int = 0
) -> ImageDataModule:
    """The image source named by `data.source`, decoded once at `image_size` (with labels), with
    `holdout` images kept out of training (for a trick to score D on)."""
    return ImageDataModule(data, image_size, labels=labels, holdout=holdout)


def training_datamodule(cfg: DictConfig) -> ImageDataModule:
    """The data a training run of `cfg` reads: with labels when conditional, and with the images
    its tricks keep out of training (`Trick.holdout`)."""
    from dcgan.tricks import holdout_count

    return build_datamodule(
        cfg.data, cfg.image_size, labels=cfg.model.conditional, holdout=holdout_count(cfg)
    )


def build_loggers(logger: DictConfig, run_dir: Path, run_name: str) -> list[Logger]:
    """The chosen logger (`loggers.LOGGERS`), writing inside the run folder."""
    built = LOGGERS.lookup(logger.name).build(logger, run_dir, run_name)
    return [] if built is None else [built]


def build_callbacks(
    callbacks: DictConfig,
    run_dir: Path,
    remedies: Sequence[str] = (),
    run_time: RunTime | None = None,
) -> list[L.Callback]:
    """Sample grids and iteration-named checkpoints inside the run folder; `remedies`: the
    tricks' advice when D wins (`tricks.health_remedies`); `run_time`: the wall time of this
    run's attempts (from train(), so that start-up counts too)."""
    return [
        # health first: a NaN stops the run before any checkpoint below can save NaN weights
        TrainingHealth(run_dir, callbacks.health, remedies),
        StopOnSignal(),  # before the measures: a stop saves last.ckpt first, they skip
        ImageMetrics(run_dir, callbacks.metrics),
        SampleGrid(run_dir, callbacks.samples),
        IterationCheckpoint(run_dir, callbacks.checkpoint),
        RandomState(),  # resumed runs draw the same numbers
        RunClock(run_dir, run_time),  # last: its iterations start once the others have started
    ]


def build_trainer(
    trainer: DictConfig,
    steps_per_iteration: int,
    loggers: list[Logger],
    callbacks: list[L.Callback],
    run_dir: Path,
) -> L.Trainer:
    """A Lightning Trainer whose max_steps is our iteration count times optimizer steps each."""
    kwargs = plain(trainer)
    if kwargs["max_steps"] > 0:
        kwargs["max_steps"] *= steps_per_iteration  # Lightning counts every optimizer step
    kwargs["log_every_n_steps"] = 1  # our module logs by iteration itself
    kwargs["precision"] = resolve_precision(kwargs["precision"], kwargs["accelerator"])
    memory_format = kwargs.pop("memory_format", "auto")
    channels_last = resolve_channels_last(memory_format, kwargs["precision"], kwargs["accelerator"])
    if rank_zero_only.rank == 0:
        log.info(describe(kwargs["precision"], channels_last, kwargs["accelerator"]))
    callbacks = [*callbacks, ChannelsLast()] if channels_last else callbacks
    return L.Trainer(
        **kwargs,
        logger=loggers or False,
        callbacks=with_progress(callbacks, kwargs["enable_progress_bar"]),
        default_root_dir=str(run_dir),
        plugins=[AtomicCheckpointIO()],  # every checkpoint through the one atomic-write helper
        enable_model_summary=False,  # dcgan.train logs the model size in one line
    )
