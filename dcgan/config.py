"""Typed schema of the run config, and the range checks that run before anything is built.

Hydra merges every YAML file into these dataclasses, so a misspelt key or a wrong type stops at
composition with the key's name. `validate` then checks values and registry names, so that a bad
value stops at start with the key, the value and the valid choices.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from hydra.core.config_store import ConfigStore
from omegaconf import DictConfig


class ConfigError(ValueError):
    """A config value that cannot work; the message names the key, the value and the fix."""


@dataclass
class DataConfig:
    source: str = "folder"
    root: str | None = "pics"
    channels: int = 3
    batch_size: int = 64
    num_workers: int = 0
    split: str = "train"
    hflip: bool = False
    max_pixels: int = 178_956_970
    cache: bool = False
    cache_dir: str | None = None


@dataclass
class ModelConfig:
    ngf: int = 64
    ndf: int = 64
    max_width_mult: int = 8
    minibatch_std: bool = False


@dataclass
class ActivationConfig:
    generator: str = "relu"
    discriminator: str = "leaky_relu"
    negative_slope: float = 0.2


@dataclass
class InitConfig:
    name: str = "normal"


@dataclass
class NetOptimizerConfig:
    name: str = "adam"
    lr: float = 2e-4
    betas: list[float] = field(default_factory=lambda: [0.5, 0.999])
    momentum: float = 0.0
    weight_decay: float = 0.0
    eps: float = 1e-8
    alpha: float = 0.99
    nesterov: bool = False


@dataclass
class OptimizerConfig:
    generator: NetOptimizerConfig = field(default_factory=NetOptimizerConfig)
    discriminator: NetOptimizerConfig = field(default_factory=NetOptimizerConfig)


@dataclass
class DropoutConfig:
    p: float = 0.5
    generator: bool = False
    discriminator: bool = False
    at_generation: bool = True


@dataclass
class PoolingConfig:
    name: str = "strided"


@dataclass
class NormConfig:
    generator: str = "batch"
    discriminator: str = "batch"
    spectral: bool = False


@dataclass
class LossConfig:
    name: str = "nonsaturating"
    label_smoothing: float = 0.0
    label_flip: float = 0.0
    gp_weight: float = 0.0


@dataclass
class NoiseConfig:
    name: str = "uniform"


@dataclass
class UpsampleConfig:
    name: str = "transposed"


@dataclass
class DBatchConfig:
    name: str = "separate"


@dataclass
class InstanceNoiseConfig:
    std: float = 0.0
    decay_steps: int = 0


@dataclass
class ReplayConfig:
    size: int = 0
    p: float = 0.5


@dataclass
class EmaConfig:
    decay: float = 0.0


@dataclass
class TrainerConfig:
    accelerator: str = "auto"
    devices: Any = 1
    strategy: str = "auto"
    num_nodes: int = 1
    precision: str = "auto"
    memory_format: str = "auto"
    max_steps: int = 10_000
    max_epochs: int | None = None
    log_every_n_steps: int = 50
    enable_progress_bar: bool = True
    deterministic: bool = False
    benchmark: bool | None = None


@dataclass
class LoggerConfig:
    name: str = "wandb"
    project: str = "dcgan"
    offline: bool = True
    entity: str | None = None
    group: str | None = None


@dataclass
class SamplesConfig:
    every_n_steps: int = 500
    num_samples: int = 64
    nrow: int = 8


@dataclass
class CheckpointConfig:
    every_n_steps: int = 1000
    keep: int | None = 3


@dataclass
class MetricsConfig:
    every_n_steps: int = 500
    num_samples: int = 256
    final_num_samples: int | None = 2048
    monitor: str = "swd"
    inception_weights: str | None = None
    seed: int = 0


@dataclass
class HealthConfig:
    every_n_steps: int = 100
    d_wins_below: float = 0.02
    d_wins_patience: int = 200
    collapse_below: float = 0.05
    stop_on_nan: bool = True


@dataclass
class CallbacksConfig:
    samples: SamplesConfig = field(default_factory=SamplesConfig)
    checkpoint: CheckpointConfig = field(default_factory=CheckpointConfig)
    metrics: MetricsConfig = field(default_factory=MetricsConfig)
    health: HealthConfig = field(default_factory=HealthConfig)


@dataclass
class TrainConfig:
    seed: int = 0
    image_size: int = 64
    latent_dim: int = 100
    d_steps: int = 1
    g_steps: int = 1
    ckpt_path: str | None = None
    resume: str | None = None
    data: DataConfig = field(default_factory=DataConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    activation: ActivationConfig = field(default_factory=ActivationConfig)
    init: InitConfig = field(default_factory=InitConfig)
    optimizer: OptimizerConfig = field(default_factory=OptimizerConfig)
    dropout: DropoutConfig = field(default_factory=DropoutConfig)
    pooling: PoolingConfig = field(default_factory=PoolingConfig)
    norm: NormConfig = field(default_factory=NormConfig)
    loss: LossConfig = field(default_factory=LossConfig)
    noise: NoiseConfig = field(default_factory=NoiseConfig)
    trainer: TrainerConfig = field(default_factory=TrainerConfig)
    logger: LoggerConfig = field(default_factory=LoggerConfig)
    callbacks: CallbacksConfig = field(default_factory=CallbacksConfig)
    upsample: UpsampleConfig = field(default_factory=UpsampleConfig)
    d_batch: DBatchConfig = field(default_factory=DBatchConfig)
    instance_noise: InstanceNoiseConfig = field(default_factory=InstanceNoiseConfig)
    replay: ReplayConfig = field(default_factory=ReplayConfig)
    ema: EmaConfig = field(default_factory=EmaConfig)


def register_configs() -> None:
    """Make the schema known to Hydra under the name that train.yaml lists first."""
    ConfigStore.instance().store(name="train_schema", node=TrainConfig)


def _choose(key: str, value: Any, choices: Any) -> None:
    if value not in choices:
        valid = ", ".join(str(c) for c in sorted(choices, key=str))
        raise ConfigError(f"{key}={value!r} is not a valid choice; choose one of: {valid}")


def _check(ok: bool, key: str, value: Any, rule: str) -> None:
    if not ok:
        raise ConfigError(f"{key}={value!r} is invalid: {rule}")


def validate(cfg: DictConfig) -> None:
    """Stop before anything is built when a value cannot work, naming the key and the fix."""
    from dcgan import losses, nets, optim, precision, tricks

    sizes = [s for s in nets.IMAGE_SIZES if s >= 16]
    _check(
        cfg.image_size in sizes,
        "image_size",
        cfg.image_size,
        f"use a power of two: {', '.join(map(str, sizes))}",
    )
    _check(cfg.latent_dim >= 1, "latent_dim", cfg.latent_dim, "must be >= 1")
    _check(cfg.d_steps >= 1, "d_steps", cfg.d_steps, "must be >= 1")
    _check(cfg.g_steps >= 1, "g_steps", cfg.g_steps, "must be >= 1")
    _choose("resume", cfg.get("resume"), (None, "auto"))

    _choose("data.source", cfg.data.source, ("folder", "digits", "fashion_mnist"))
    _choose("data.channels", cfg.data.channels, (1, 3))
    _check(cfg.data.batch_size >= 1, "data.batch_size", cfg.data.batch_size, "must be >= 1")
    _check(cfg.data.num_workers >= 0, "data.num_workers", cfg.data.num_workers, "must be >= 0")
    _choose("data.split", cfg.data.split, ("train", "test", "all"))

    _check(cfg.model.ngf >= 1, "model.ngf", cfg.model.ngf, "must be >= 1")
    _check(cfg.model.ndf >= 1, "model.ndf", cfg.model.ndf, "must be >= 1")
    _choose("upsample.name", cfg.upsample.name, nets.UPSAMPLINGS)
    _choose("activation.generator", cfg.activation.generator, nets.ACTIVATIONS)
    _choose("activation.discriminator", cfg.activation.discriminator, nets.ACTIVATIONS)
    _check(
        cfg.activation.negative_slope >= 0,
        "activation.negative_slope",
        cfg.activation.negative_slope,
        "must be >= 0",
    )
    _choose("init.name", cfg.init.name, nets.INITS)
    _choose("pooling.name", cfg.pooling.name, nets.POOLINGS)
    _choose("norm.generator", cfg.norm.generator, nets.NORMS)
    _choose("norm.discriminator", cfg.norm.discriminator, nets.NORMS)
    _choose("noise.name", cfg.noise.name, ("uniform", "normal"))
    _check(0 <= cfg.dropout.p < 1, "dropout.p", cfg.dropout.p, "must satisfy 0 <= p < 1")

    for net in ("generator", "discriminator"):
        opt = cfg.optimizer[net]
        _choose(f"optimizer.{net}.name", opt.name, optim.OPTIMIZERS)
        _check(opt.lr > 0, f"optimizer.{net}.lr", opt.lr, "must be > 0")
        _check(
            len(opt.betas) == 2 and all(0 <= b < 1 for b in opt.betas),
            f"optimizer.{net}.betas",
            list(opt.betas),
            "give two numbers in [0, 1), e.g. [0.5, 0.999]",
        )
        _check(opt.momentum >= 0, f"optimizer.{net}.momentum", opt.momentum, "must be >= 0")
        _check(
            opt.weight_decay >= 0, f"optimizer.{net}.weight_decay", opt.weight_decay, "must be >= 0"
        )

    loss = cfg.loss
    _choose("loss.name", loss.name, losses.LOSSES)
    _check(
        0 <= loss.label_smoothing < 0.5,
        "loss.label_smoothing",
        loss.label_smoothing,
        "must satisfy 0 <= s < 0.5 (the real target becomes 1 - s)",
    )
    _check(
        loss.label_smoothing == 0 or loss.name not in ("hinge", "wgan"),
        "loss.label_smoothing",
        loss.label_smoothing,
        f"label smoothing is not defined for loss={loss.name}; set it to 0",
    )
    _check(0 <= loss.label_flip < 0.5, "loss.label_flip", loss.label_flip, "must be in [0, 0.5)")
    _check(loss.gp_weight >= 0, "loss.gp_weight", loss.gp_weight, "must be >= 0")

    _choose("d_batch.name", cfg.d_batch.name, tricks.D_BATCHES)
    noise = cfg.instance_noise
    _check(noise.std >= 0, "instance_noise.std", noise.std, "must be >= 0 (0 = off)")
    _check(
        noise.decay_steps >= 0,
        "instance_noise.decay_steps",
        noise.decay_steps,
        "must be >= 0 (iterations to reach 0; 0 = no decay)",
    )
    _check(cfg.replay.size >= 0, "replay.size", cfg.replay.size, "must be >= 0 (0 = off)")
    _check(0 <= cfg.replay.p <= 1, "replay.p", cfg.replay.p, "must be in [0, 1]")
    _check(0 <= cfg.ema.decay < 1, "ema.decay", cfg.ema.decay, "must be in [0, 1) (0 = off)")

    trainer = cfg.trainer
    _check(
        trainer.max_steps == -1 or trainer.max_steps >= 1,
        "trainer.max_steps",
        trainer.max_steps,
        "must be >= 1 (iterations), or -1 to stop by trainer.max_epochs",
    )
    _check(
        trainer.log_every_n_steps >= 1,
        "trainer.log_every_n_steps",
        trainer.log_every_n_steps,
        "must be >= 1",
    )
    _choose("trainer.precision", trainer.precision, precision.PRECISIONS)
    _choose("trainer.memory_format", trainer.memory_format, precision.MEMORY_FORMATS)
    _choose("logger.name", cfg.logger.name, ("wandb", "csv", "tensorboard", "none"))
    samples, ckpt = cfg.callbacks.samples, cfg.callbacks.checkpoint
    _check(
        samples.every_n_steps >= 1,
        "callbacks.samples.every_n_steps",
        samples.every_n_steps,
        "must be >= 1",
    )
    _check(
        samples.num_samples >= 1,
        "callbacks.samples.num_samples",
        samples.num_samples,
        "must be >= 1",
    )
    _check(
        ckpt.every_n_steps >= 1,
        "callbacks.checkpoint.every_n_steps",
        ckpt.every_n_steps,
        "must be >= 1",
    )
    _check(
        ckpt.keep is None or ckpt.keep >= 0,
        "callbacks.checkpoint.keep",
        ckpt.keep,
        "must be >= 0, or null to keep all",
    )
    _validate_more(cfg)
    _validate_metrics_and_health(cfg.callbacks)


def _validate_more(cfg: DictConfig) -> None:
    """The remaining values a command line can set to something that fails later, or silently."""
    _check(0 <= cfg.seed < 2**32, "seed", cfg.seed, "must be in [0, 2**32 - 1] (NumPy's range)")
    _check(cfg.model.max_width_mult >= 1, "model.max_width_mult", cfg.model.max_width_mult, ">= 1")
    for net in ("generator", "discriminator"):
        opt = cfg.optimizer[net]
        _check(math.isfinite(opt.lr), f"optimizer.{net}.lr", opt.lr, "must be a finite number")
        _check(opt.eps > 0, f"optimizer.{net}.eps", opt.eps, "must be > 0")
        _check(0 <= opt.alpha < 1, f"optimizer.{net}.alpha", opt.alpha, "must be in [0, 1)")
    _check(
        math.isfinite(cfg.loss.gp_weight), "loss.gp_weight", cfg.loss.gp_weight, "must be finite"
    )
    max_epochs = cfg.trainer.max_epochs
    _check(
        max_epochs is None or max_epochs == -1 or max_epochs >= 1,
        "trainer.max_epochs",
        max_epochs,
        "must be >= 1, -1 (no limit) or null",
    )
    nrow = cfg.callbacks.samples.nrow
    _check(nrow >= 1, "callbacks.samples.nrow", nrow, "must be >= 1")


def _validate_metrics_and_health(callbacks: DictConfig) -> None:
    """Range checks of callbacks.metrics and callbacks.health."""
    from dcgan.callbacks.metrics import MONITORS

    metrics, health = callbacks.metrics, callbacks.health
    for key, value in (
        ("callbacks.metrics.every_n_steps", metrics.every_n_steps),
        ("callbacks.health.every_n_steps", health.every_n_steps),
        ("callbacks.health.d_wins_patience", health.d_wins_patience),
    ):
        _check(value >= 1, key, value, "must be >= 1")
    _check(
        metrics.num_samples >= 2,
        "callbacks.metrics.num_samples",
        metrics.num_samples,
        "must be >= 2 (SWD compares two sets of images)",
    )
    _check(
        metrics.final_num_samples is None or metrics.final_num_samples >= 2,
        "callbacks.metrics.final_num_samples",
        metrics.final_num_samples,
        "must be >= 2, or null for callbacks.metrics.num_samples",
    )
    _choose("callbacks.metrics.monitor", metrics.monitor, MONITORS)
    _check(
        metrics.monitor == "swd" or metrics.inception_weights is not None,
        "callbacks.metrics.monitor",
        metrics.monitor,
        "needs callbacks.metrics.inception_weights=<local Inception .pth>; or monitor swd",
    )
    _check(
        0 <= health.d_wins_below < 1,
        "callbacks.health.d_wins_below",
        health.d_wins_below,
        "must be in [0, 1) (a mean D(G(z)))",
    )
    _check(
        health.collapse_below >= 0,
        "callbacks.health.collapse_below",
        health.collapse_below,
        "must be >= 0",
    )
