"""The schema of the run config (every default and type, written once) and its value checks.

Hydra merges every YAML file into these dataclasses, so a misspelt key or a wrong type stops at
composition with the key's name; the YAML group files only hold what their choice changes.
`validate` then checks values against the registries (nets, losses, tricks, metrics, data
sources), so a bad value stops at start with the key, the value and the valid choices.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields, make_dataclass
from typing import Any

from hydra.core.config_store import ConfigStore
from omegaconf import MISSING, DictConfig, OmegaConf

from dcgan.callbacks.config import CallbacksConfig
from dcgan.checks import (
    MUST_MATCH,
    ConfigError,
    Rule,
    at_least,
    check,
    key,
    node,
    raise_all,
)
from dcgan.checks import problems as declared_problems
from dcgan.data.files import DataConfig
from dcgan.loggers import LoggerConfig
from dcgan.losses import LossConfig, check_loss
from dcgan.metrics.registry import METRICS, monitors
from dcgan.nets.config import (
    ActivationConfig,
    DropoutConfig,
    InitConfig,
    ModelConfig,
    NormConfig,
    PoolingConfig,
    UpsampleConfig,
)
from dcgan.nets.layers import IMAGE_SIZE
from dcgan.noise import NoiseConfig
from dcgan.optim import OptimizerConfig
from dcgan.trainer_config import TrainerConfig
from dcgan.tricks import TRICKS
from dcgan.tricks.d_batch import DBatchConfig

__all__ = [
    "MUST_MATCH",
    "ConfigError",
    "TrainConfig",
    "module_config",
    "register_configs",
    "problems",
    "validate",
]


@dataclass
class _GANFields:
    image_size: int = key(
        64, "the side of the square images, in pixels", rule=IMAGE_SIZE, shapes=True
    )
    latent_dim: int = key(100, "length of z", rule=at_least(1), shapes=True)
    d_steps: int = key(
        1, "D updates per iteration, each on a fresh real batch", rule=at_least(1), shapes=True
    )
    g_steps: int = key(
        1, "G updates per iteration, each on fresh noise", rule=at_least(1), shapes=True
    )
    model: ModelConfig = node(ModelConfig, shapes=True)
    activation: ActivationConfig = node(ActivationConfig, shapes=True)
    init: InitConfig = node(InitConfig)
    optimizer: OptimizerConfig = node(OptimizerConfig)
    dropout: DropoutConfig = node(DropoutConfig)
    pooling: PoolingConfig = node(PoolingConfig, shapes=True)
    norm: NormConfig = node(NormConfig, shapes=True)
    upsample: UpsampleConfig = node(UpsampleConfig, shapes=True)
    loss: LossConfig = node(LossConfig)
    noise: NoiseConfig = node(NoiseConfig, shapes=True)
    d_batch: DBatchConfig = node(DBatchConfig)


# What the GAN module is built from and a checkpoint stores: the fields above, plus one node per
# registered trick at the top level (`ema.decay`, `replay.size`, ...), with that trick's defaults.
GANConfig = make_dataclass(
    "GANConfig",
    [(name, cls.Config, field(default_factory=cls.Config)) for name, cls in TRICKS.items()],
    bases=(_GANFields,),
)


@dataclass
class ModuleConfig(GANConfig):
    """GANConfig plus the values the module takes from other groups (`from`: the run config's
    key, which `module_config` copies) and the data's classes."""

    channels: int = field(default=MISSING, metadata={**MUST_MATCH, "from": "data.channels"})
    num_samples: int = field(
        default=MISSING, metadata={**MUST_MATCH, "from": "callbacks.samples.num_samples"}
    )
    log_every_n_steps: int = field(default=MISSING, metadata={"from": "trainer.log_every_n_steps"})
    # the data's classes (conditional)
    class_names: list[str] = field(default_factory=list, metadata=MUST_MATCH)
    class_counts: list[int] = field(default_factory=list)  # images per class (fake labels)


@dataclass
class TrainConfig(GANConfig):
    seed: int = key(
        0,
        "seeds weights, noise and data order",
        rule=Rule(lambda v: 0 <= v < 2**32, "must be in [0, 2**32 - 1] (NumPy's range)"),
    )
    ckpt_path: str | None = key(
        None, "resume from this checkpoint or run folder (a new run folder is written)"
    )
    resume: str | None = key(
        None, "auto: continue the newest good checkpoint of this run folder", choices=(None, "auto")
    )
    data: DataConfig = node(DataConfig)
    trainer: TrainerConfig = node(TrainerConfig)
    logger: LoggerConfig = node(LoggerConfig)
    callbacks: CallbacksConfig = node(CallbacksConfig)


def register_configs() -> None:
    """Make the schema known to Hydra under the name that train.yaml lists first."""
    ConfigStore.instance().store(name="train_schema", node=TrainConfig)


def module_config(
    cfg: DictConfig, class_names: list[str] | None = None, class_counts: list[int] | None = None
) -> dict[str, Any]:
    """The part of a run config the GAN module is built from, as plain values.

    A conditional model also takes the data's class names and counts (known once it is loaded).
    """
    out = {f.name: plain(cfg[f.name]) for f in fields(GANConfig)}
    taken = [f for f in fields(ModuleConfig) if "from" in f.metadata]
    out |= {f.name: OmegaConf.select(cfg, f.metadata["from"]) for f in taken}
    if cfg.model.conditional:
        out["class_names"] = list(class_names or [])
        out["class_counts"] = list(class_counts or [])
    return out


def typed_module_config(values: dict[str, Any]) -> DictConfig:
    """Module values checked against the schema, with its defaults for any key not given."""
    return OmegaConf.merge(OmegaConf.structured(ModuleConfig), values)


def plain(node: Any) -> Any:
    """A config node as plain Python values (resolved); anything else as it is."""
    return OmegaConf.to_container(node, resolve=True) if OmegaConf.is_config(node) else node


def validate(cfg: DictConfig) -> None:
    """Stop before anything is built when a value cannot work, naming every such key and its fix."""
    raise_all(problems(cfg))


def problems(cfg: DictConfig, typed: dict[str, str] | None = None) -> list[ConfigError]:
    """Every value of `cfg` that cannot work: declared rules first, then those of several keys;
    `typed`: the command line's values by key, shown as written."""
    found = declared_problems(cfg, TrainConfig, typed=typed)
    if found:  # the rules of several keys assume each value valid
        return found
    for rule in (_cross_rules, *(_trick_rule(name) for name in TRICKS)):
        try:
            rule(cfg)
        except ConfigError as err:
            found.append(err)
    return found


def _trick_rule(name: str) -> Callable[[DictConfig], None]:
    return lambda cfg: TRICKS[name].check(cfg[name], lambda key: f"{name}.{key}")


def _cross_rules(cfg: DictConfig) -> None:
    """The rules that involve several keys (each single key is checked by its declaration)."""
    check(
        not (cfg.model.conditional and cfg.replay.size > 0),
        "replay.size",
        cfg.replay.size,
        "must be 0 with model.conditional=true (stored fakes keep no class)",
    )
    check_loss(cfg.loss)
    check(
        cfg.trainer.max_steps != -1 or cfg.trainer.max_epochs is not None,
        "trainer.max_steps",
        cfg.trainer.max_steps,
        "-1 needs trainer.max_epochs=N to end the run; or set trainer.max_steps=N (iterations)",
    )
    metrics = cfg.callbacks.metrics
    free = " or ".join(m for m in monitors() if not METRICS[m].inception)
    check(
        not METRICS[metrics.monitor].inception or metrics.inception_weights is not None,
        "callbacks.metrics.monitor",
        metrics.monitor,
        "needs callbacks.metrics.inception_weights=auto or a local Inception .pth; "
        f"or monitor {free}",
    )
