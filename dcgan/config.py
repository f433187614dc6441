"""The schema of the run config (every default and type, written once) and its value checks.

Hydra merges every YAML file into these dataclasses, so a misspelt key or a wrong type stops at
composition with the key's name; the YAML group files only hold what their choice changes.
`validate` then checks values against the registries (nets, losses, tricks, metrics, data
sources), so a bad value stops at start with the key, the value and the valid choices.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, make_dataclass
from typing import Any

from hydra.core.config_store import ConfigStore
from omegaconf import MISSING, DictConfig, OmegaConf

from dcgan.checks import ConfigError, check, choose
from dcgan.data.files import MAX_PIXELS, check_data
from dcgan.loggers import LOGGERS
from dcgan.metrics.registry import METRICS, monitors
from dcgan.metrics.run_scores import SCORES
from dcgan.tricks import D_BATCHES, TRICKS

__all__ = [
    "MUST_MATCH",
    "ConfigError",
    "TrainConfig",
    "module_config",
    "register_configs",
    "validate",
]

# Field metadata of a value that shapes the weights, the fixed sample batch or the iteration
# count: a resume from a checkpoint saved with another value is refused (`dcgan.resume`). A node
# so marked must match whole; a field inside a node (or a trick's Config) can be marked alone.
MUST_MATCH = {"resume": "must_match"}


@dataclass
class DataConfig:
    source: str = "folder"  # folder, digits, or a set by name: cifar10, mnist, celeba, ...
    # the image folder (any depth), or a named set's folder (null: ~/.cache/dcgan/datasets)
    root: str | None = "pics"
    download: bool = False  # a named set missing from data.root: fetch it there once (network)
    channels: int = 3  # 3 (RGB) or 1 (greyscale)
    batch_size: int = 64  # real images per D step
    num_workers: int = 0  # 0 is fastest: images are decoded once at start and kept as uint8
    split: str = "train"  # a named set's train or test part, or all
    hflip: bool = False  # random horizontal flips
    max_pixels: int = MAX_PIXELS  # larger images are skipped as decompression bombs
    cache: bool = False  # true: decode once into a uint8 .npy, memory-mapped by later runs
    cache_dir: str | None = None  # null: $XDG_CACHE_HOME/dcgan (~/.cache/dcgan)
    limit: int | None = None  # N: only the first N images (after decoding), e.g. a small-set study


@dataclass
class ModelConfig:
    ngf: int = 64  # G's base width: channels of its last block (doubling toward z)
    ndf: int = 64  # D's base width: channels of its first block (doubling toward the logit)
    max_width_mult: int = 8  # widest block = 8 x base width, also at 128 and 256 px
    minibatch_std: bool = False  # a minibatch standard-deviation feature before D's last layer
    conditional: bool = False  # true: learn the data's classes and generate the one asked for
    condition: str = "concat"  # concat (one-hot label in) or projection (cBN + projection D)
    fake_labels: str = "data"  # classes of the fakes in training: data (its frequencies), uniform


@dataclass
class ActivationConfig:
    generator: str = "relu"  # G's activation (its output is always tanh)
    discriminator: str = "leaky_relu"  # D's activation
    negative_slope: float = 0.2  # slope of every leaky_relu


@dataclass
class InitConfig:
    name: str = "normal"  # weight initialisation of G and D


@dataclass
class NetOptimizerConfig:
    name: str = "adam"  # the optimizer of this network
    lr: float = 2e-4  # learning rate
    # adam, adamw: decay rates of the moment estimates
    betas: list[float] = field(default_factory=lambda: [0.5, 0.999])
    momentum: float = 0.0  # sgd, rmsprop: momentum
    weight_decay: float = 0.0  # L2 penalty (adamw: decoupled weight decay)
    eps: float = 1e-8  # adam, adamw, rmsprop: added to the denominator for stability
    alpha: float = 0.99  # rmsprop: smoothing constant
    nesterov: bool = False  # sgd: Nesterov momentum


@dataclass
class OptimizerConfig:
    generator: NetOptimizerConfig = field(default_factory=NetOptimizerConfig)
    discriminator: NetOptimizerConfig = field(default_factory=NetOptimizerConfig)


@dataclass
class DropoutConfig:
    p: float = 0.5  # probability of zeroing an activation where dropout is on
    generator: bool = False  # dropout in G (the original DCGAN project's trick)
    discriminator: bool = False  # dropout in D
    at_generation: bool = True  # keep G's dropout on in sample grids and generation


@dataclass
class PoolingConfig:
    name: str = "strided"  # how D halves the image size


@dataclass
class NormConfig:
    generator: str = "batch"  # G's normalisation layer
    discriminator: str = "batch"  # D's normalisation layer
    spectral: bool = False  # spectral normalisation of D's weights


@dataclass
class LossConfig:
    name: str = "nonsaturating"  # the GAN loss
    label_smoothing: float = 0.0  # one-sided: the real target becomes 1 - label_smoothing
    label_flip: float = 0.0  # probability of swapping real/fake labels for D
    gp_weight: float = 0.0  # weight of the gradient penalty (wgan_gp: 10)


@dataclass
class NoiseConfig:
    name: str = "uniform"  # the prior of z


@dataclass
class UpsampleConfig:
    name: str = "transposed"  # how G doubles the image size


@dataclass
class DBatchConfig:
    name: str = "separate"  # D's batches: reals and fakes apart, or mixed in one


@dataclass
class TrainerConfig:
    accelerator: str = "auto"  # auto (a GPU when there is one), cpu, gpu, mps
    devices: Any = 1  # how many devices (or which), as Lightning takes it
    strategy: str = "auto"  # auto, or ddp for several devices (trainer=ddp)
    num_nodes: int = 1  # machines of a multi-node run
    precision: str = "auto"  # bf16-mixed / 16-mixed where the hardware is fast at it, else 32-true
    memory_format: str = "auto"  # channels_last where it speeds convolutions up; or contiguous
    max_steps: int = 10_000  # iterations (README: "Steps and iterations")
    # passes over the data; the run ends at whichever limit comes first
    max_epochs: int | None = None
    log_every_n_steps: int = 50  # iterations between logged losses and gradient norms
    enable_progress_bar: bool = True  # the iteration bar on the console
    deterministic: bool = False  # deterministic algorithms: the same numbers on every run
    benchmark: bool | None = None  # cuDNN's algorithm search; null: Lightning's choice


@dataclass
class LoggerConfig:
    name: str = "wandb"  # where metrics and grids go besides the run folder
    project: str = "dcgan"  # W&B project
    offline: bool = True  # false after `wandb login`
    entity: str | None = None  # W&B user or team; null: the login's default
    group: str | None = None  # W&B group; null: the sweep folder's name in a multirun


@dataclass
class SamplesConfig:
    every_n_steps: int = 500  # iterations between sample grids (PNG under samples/ and logger)
    num_samples: int = 64  # size of the fixed noise batch
    nrow: int = 8  # images per row of a grid


@dataclass
class CheckpointConfig:
    every_n_steps: int = 1000  # iterations between periodic checkpoints (last.ckpt kept current)
    keep: int | None = 3  # periodic checkpoints kept; null keeps all


@dataclass
class MetricsConfig:
    # iterations between image-quality evaluations (and one at the end): one on 1024 images
    # costs about 30 training iterations (32 px, width 16), ~6% of the training time at 500
    every_n_steps: int = 500
    # generated and real images compared each time (the same ones): on 1024, SWD's own noise is
    # about a third of the seed-to-seed variance of a late score; on 256, three quarters
    # (docs/compare.md, "Is the metric fit for comparing?")
    num_samples: int = 1024
    # the end-of-run evaluation: SWD's own noise on 2048 images is about half the spread
    # between seeds of one final value; null: num_samples
    final_num_samples: int | None = 2048
    # picks checkpoints/best.ckpt, and train() returns it: a lower-is-better metric of dcgan/metrics
    monitor: str = "swd"
    # what train() returns to a sweeper (optuna): final, the monitor at the end of the run; best,
    # its best periodic value; late, the mean of its periodic values over the last 40% of the run
    # (the report's scores; late has the least seed-to-seed noise, docs/studies/race.md)
    objective: str = "final"
    # auto: torch-fidelity's cached Inception weights, else one download attempt; or a local
    # .pth (weights-inception-2015-12-05-6726825d.pth); null: FID, KID and IS off
    inception_weights: str | None = "auto"
    seed: int = 0  # fixes the real subset, the latent vectors and SWD's random directions


@dataclass
class HealthConfig:
    every_n_steps: int = 100  # iterations between sample-diversity checks
    d_wins_below: float = 0.02  # warn when mean D(G(z)) stays below this ...
    d_wins_patience: int = 200  # ... for this many iterations
    collapse_below: float = 0.05  # warn when fixed-noise samples differ by less than this a pixel
    stop_on_nan: bool = True  # a NaN/inf loss saves checkpoints/nan_iter_NNNNNN.ckpt and stops


@dataclass
class CallbacksConfig:
    samples: SamplesConfig = field(default_factory=SamplesConfig)
    checkpoint: CheckpointConfig = field(default_factory=CheckpointConfig)
    metrics: MetricsConfig = field(default_factory=MetricsConfig)
    health: HealthConfig = field(default_factory=HealthConfig)


@dataclass
class _GANFields:
    image_size: int = field(default=64, metadata=MUST_MATCH)  # 16, 32, 64, 128, 256 or 512
    latent_dim: int = field(default=100, metadata=MUST_MATCH)  # length of z
    # D updates per iteration, each on a fresh real batch
    d_steps: int = field(default=1, metadata=MUST_MATCH)
    # G updates per iteration, each on fresh noise
    g_steps: int = field(default=1, metadata=MUST_MATCH)
    model: ModelConfig = field(default_factory=ModelConfig, metadata=MUST_MATCH)
    activation: ActivationConfig = field(default_factory=ActivationConfig, metadata=MUST_MATCH)
    init: InitConfig = field(default_factory=InitConfig)
    optimizer: OptimizerConfig = field(default_factory=OptimizerConfig)
    dropout: DropoutConfig = field(default_factory=DropoutConfig)
    pooling: PoolingConfig = field(default_factory=PoolingConfig, metadata=MUST_MATCH)
    norm: NormConfig = field(default_factory=NormConfig, metadata=MUST_MATCH)
    upsample: UpsampleConfig = field(default_factory=UpsampleConfig, metadata=MUST_MATCH)
    loss: LossConfig = field(default_factory=LossConfig)
    noise: NoiseConfig = field(default_factory=NoiseConfig, metadata=MUST_MATCH)
    d_batch: DBatchConfig = field(default_factory=DBatchConfig)


# What the GAN module is built from and a checkpoint stores: the fields above, plus one node per
# registered trick at the top level (`ema.decay`, `replay.size`, ...), with that trick's defaults.
GANConfig = make_dataclass(
    "GANConfig",
    [(name, cls.Config, field(default_factory=cls.Config)) for name, cls in TRICKS.items()],
    bases=(_GANFields,),
)


@dataclass
class ModuleConfig(GANConfig):
    """GANConfig plus the three values the module takes from other groups."""

    channels: int = field(default=MISSING, metadata=MUST_MATCH)  # data.channels
    num_samples: int = field(default=MISSING, metadata=MUST_MATCH)  # callbacks.samples.num_samples
    log_every_n_steps: int = MISSING  # trainer.log_every_n_steps
    # the data's classes (conditional)
    class_names: list[str] = field(default_factory=list, metadata=MUST_MATCH)
    class_counts: list[int] = field(default_factory=list)  # images per class (fake labels)


@dataclass
class TrainConfig(GANConfig):
    seed: int = 0
    ckpt_path: str | None = None  # resume from this checkpoint (a new run folder is written)
    resume: str | None = None  # auto: continue the newest good checkpoint of this run folder
    data: DataConfig = field(default_factory=DataConfig)
    trainer: TrainerConfig = field(default_factory=TrainerConfig)
    logger: LoggerConfig = field(default_factory=LoggerConfig)
    callbacks: CallbacksConfig = field(default_factory=CallbacksConfig)


def register_configs() -> None:
    """Make the schema known to Hydra under the name that train.yaml lists first."""
    ConfigStore.instance().store(name="train_schema", node=TrainConfig)


def module_config(
    cfg: DictConfig, class_names: list[str] | None = None, class_counts: list[int] | None = None
) -> dict[str, Any]:
    """The part of a run config the GAN module is built from, as plain values.

    A conditional model also takes the data's class names and counts (known once it is loaded).
    """
    out = {f.name: _plain(cfg[f.name]) for f in fields(GANConfig)}
    out["channels"] = cfg.data.channels
    out["num_samples"] = cfg.callbacks.samples.num_samples
    out["log_every_n_steps"] = cfg.trainer.log_every_n_steps
    if cfg.model.conditional:
        out["class_names"] = list(class_names or [])
        out["class_counts"] = list(class_counts or [])
    return out


def typed_module_config(values: dict[str, Any]) -> DictConfig:
    """Module values checked against the schema, with its defaults for any key not given."""
    return OmegaConf.merge(OmegaConf.structured(ModuleConfig), values)


def _plain(node: Any) -> Any:
    return OmegaConf.to_container(node, resolve=True) if OmegaConf.is_config(node) else node


def validate(cfg: DictConfig) -> None:
    """Stop before anything is built when a value cannot work, naming the key and the fix."""
    choose("resume", cfg.get("resume"), (None, "auto"))
    check_data(**cfg.data)
    _validate_module(cfg)
    _validate_run(cfg)
    _validate_more(cfg)
    _validate_metrics_and_health(cfg.callbacks)


def _validate_module(cfg: DictConfig) -> None:
    """What the GAN module is built from: ranges, and names read from the registries."""
    from dcgan import losses, nets, noise, optim

    nets.check_image_size(cfg.image_size)
    check(cfg.latent_dim >= 1, "latent_dim", cfg.latent_dim, "must be >= 1")
    check(cfg.d_steps >= 1, "d_steps", cfg.d_steps, "must be >= 1")
    check(cfg.g_steps >= 1, "g_steps", cfg.g_steps, "must be >= 1")

    check(cfg.model.ngf >= 1, "model.ngf", cfg.model.ngf, "must be >= 1")
    check(cfg.model.ndf >= 1, "model.ndf", cfg.model.ndf, "must be >= 1")
    choose("model.condition", cfg.model.condition, nets.CONDITIONS)
    choose("model.fake_labels", cfg.model.fake_labels, nets.FAKE_LABELS)
    check(
        not (cfg.model.conditional and cfg.replay.size > 0),
        "replay.size",
        cfg.replay.size,
        "must be 0 with model.conditional=true (stored fakes keep no class)",
    )
    choose("upsample.name", cfg.upsample.name, nets.UPSAMPLINGS)
    choose("activation.generator", cfg.activation.generator, nets.ACTIVATIONS)
    choose("activation.discriminator", cfg.activation.discriminator, nets.ACTIVATIONS)
    check(
        cfg.activation.negative_slope >= 0,
        "activation.negative_slope",
        cfg.activation.negative_slope,
        "must be >= 0",
    )
    choose("init.name", cfg.init.name, nets.INITS)
    choose("pooling.name", cfg.pooling.name, nets.POOLINGS)
    choose("norm.generator", cfg.norm.generator, nets.NORMS)
    choose("norm.discriminator", cfg.norm.discriminator, nets.NORMS)
    choose("noise.name", cfg.noise.name, noise.PRIORS)
    nets.check_dropout(cfg.dropout.p)

    for net in ("generator", "discriminator"):
        optim.check_optimizer(f"optimizer.{net}", cfg.optimizer[net])
    losses.check_loss(cfg.loss)
    choose("d_batch.name", cfg.d_batch.name, D_BATCHES)
    for name, trick in TRICKS.items():
        trick.check(cfg[name], lambda key, name=name: f"{name}.{key}")


def _validate_run(cfg: DictConfig) -> None:
    """The Trainer, the logger and the callbacks' schedules."""
    from dcgan import precision

    trainer = cfg.trainer
    check(
        trainer.max_steps == -1 or trainer.max_steps >= 1,
        "trainer.max_steps",
        trainer.max_steps,
        "must be >= 1 (iterations), or -1 to stop by trainer.max_epochs",
    )
    check(
        trainer.max_steps != -1 or trainer.max_epochs is not None,
        "trainer.max_steps",
        trainer.max_steps,
        "-1 needs trainer.max_epochs=N to end the run; or set trainer.max_steps=N (iterations)",
    )
    check(
        trainer.log_every_n_steps >= 1,
        "trainer.log_every_n_steps",
        trainer.log_every_n_steps,
        "must be >= 1",
    )
    choose("trainer.precision", trainer.precision, precision.PRECISIONS)
    choose("trainer.memory_format", trainer.memory_format, precision.MEMORY_FORMATS)
    choose("logger.name", cfg.logger.name, LOGGERS)
    samples, ckpt = cfg.callbacks.samples, cfg.callbacks.checkpoint
    check(
        samples.every_n_steps >= 1,
        "callbacks.samples.every_n_steps",
        samples.every_n_steps,
        "must be >= 1",
    )
    check(
        samples.num_samples >= 1,
        "callbacks.samples.num_samples",
        samples.num_samples,
        "must be >= 1",
    )
    check(
        ckpt.every_n_steps >= 1,
        "callbacks.checkpoint.every_n_steps",
        ckpt.every_n_steps,
        "must be >= 1",
    )
    check(
        ckpt.keep is None or ckpt.keep >= 0,
        "callbacks.checkpoint.keep",
        ckpt.keep,
        "must be >= 0, or null to keep all",
    )


def _validate_more(cfg: DictConfig) -> None:
    """The remaining values a command line can set to something that fails later, or silently."""
    check(0 <= cfg.seed < 2**32, "seed", cfg.seed, "must be in [0, 2**32 - 1] (NumPy's range)")
    check(cfg.model.max_width_mult >= 1, "model.max_width_mult", cfg.model.max_width_mult, ">= 1")
    max_epochs = cfg.trainer.max_epochs
    check(
        max_epochs is None or max_epochs == -1 or max_epochs >= 1,
        "trainer.max_epochs",
        max_epochs,
        "must be >= 1, -1 (no limit) or null",
    )
    nrow = cfg.callbacks.samples.nrow
    check(nrow >= 1, "callbacks.samples.nrow", nrow, "must be >= 1")


def _validate_metrics_and_health(callbacks: DictConfig) -> None:
    """Range checks of callbacks.metrics and callbacks.health."""
    metrics, health = callbacks.metrics, callbacks.health
    for key, value in (
        ("callbacks.metrics.every_n_steps", metrics.every_n_steps),
        ("callbacks.health.every_n_steps", health.every_n_steps),
        ("callbacks.health.d_wins_patience", health.d_wins_patience),
    ):
        check(value >= 1, key, value, "must be >= 1")
    check(
        metrics.num_samples >= 2,
        "callbacks.metrics.num_samples",
        metrics.num_samples,
        "must be >= 2 (SWD compares two sets of images)",
    )
    check(
        metrics.final_num_samples is None or metrics.final_num_samples >= 2,
        "callbacks.metrics.final_num_samples",
        metrics.final_num_samples,
        "must be >= 2, or null for callbacks.metrics.num_samples",
    )
    choose("callbacks.metrics.monitor", metrics.monitor, monitors())
    choose("callbacks.metrics.objective", metrics.objective, SCORES)
    free = " or ".join(m for m in monitors() if not METRICS[m].inception)
    check(
        not METRICS[metrics.monitor].inception or metrics.inception_weights is not None,
        "callbacks.metrics.monitor",
        metrics.monitor,
        "needs callbacks.metrics.inception_weights=auto or a local Inception .pth; "
        f"or monitor {free}",
    )
    check(
        0 <= health.d_wins_below < 1,
        "callbacks.health.d_wins_below",
        health.d_wins_below,
        "must be in [0, 1) (a mean D(G(z)))",
    )
    check(
        health.collapse_below >= 0,
        "callbacks.health.collapse_below",
        health.collapse_below,
        "must be >= 0",
    )
