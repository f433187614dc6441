"""The one shape of a stateful training trick: a small class with hooks, registered by name.

A trick `x` is one file `dcgan/tricks/x.py` (a `Trick` subclass with a `Config` dataclass and the
`@register` decorator) + one YAML `configs/trick/x.yaml` (the preset that switches it on for
`trick=x` and `sweep=ganhacks`) + one test. Its keys always live at the top level under its name,
`x.<key>` (`ema.decay`, `replay.size`, `augment.p`), with the defaults of its `Config` (off).

The GAN module calls the hooks of the tricks that are on, at fixed points of an iteration, in
order of their `order` (lower first; ties by name):

    D step:  fake = G(z)                      (detached)
             real, fake = trick.d_inputs(real, fake)
             real_logits, fake_logits = D(real), D(fake); D loss
             D loss += trick.d_penalty(DStep(real, fake, real_logits, fake_logits, ...))
             D optimizer step
             trick.after_d_step(real_logits, fake_logits)
    G step:  logits = trick.g_logits(D(trick.g_input(G(z))));  G loss; G optimizer step
             trick.after_g_step()
    logging: trick.log_values()  -> {"<name>/<key>": float} added to the logged metrics
    saving:  trick.settle()      -> module weights it derives, brought up to date (EMA's BN stats;
                                    not for a stop's save: the trick's state says what is stale)
             trick.state_dict()  -> checkpoint["tricks"][name]  (plain tensors/numbers only)
    loading: trick.load_state_dict(checkpoint["tricks"].get(name))

Around the module, the run asks every registered trick, on or off, with its own config node
(class-level hooks, like `enabled` and `check`):

    data:    Trick.holdout(cfg)             -> images the datamodule keeps out of training
             Trick.data_hint(cfg, n_images) -> one line logged at the start of a run, or None
    health:  Trick.health_remedy(cfg)       -> what the health warning suggests first when D
                                               wins outright, or None

Every hook defaults to "do nothing", so a trick implements only what it needs.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, is_dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from dcgan.checks import Registry

if TYPE_CHECKING:  # the schema reads TRICKS: registering a trick loads no torch
    from collections.abc import Callable, Iterator, Mapping

    import lightning as L
    from torch import Tensor, nn

TRICKS: Registry[type[Trick]] = Registry("stateful tricks (a node of keys each)")


@dataclass
class NoConfig:
    """A trick without keys."""


@dataclass(frozen=True)
class DStep:
    """What D's step saw and said, for `d_penalty`: the images D scored (after `d_inputs`),
    its logits on them with D's graph, and their classes when D is conditional."""

    real: Tensor
    fake: Tensor
    real_logits: Tensor
    fake_logits: Tensor
    real_y: Tensor | None = None
    fake_y: Tensor | None = None


class Trick:
    """Base class: a trick sees D's inputs and outputs and runs after each step; all hooks optional.

    `gan` is the LightningModule (for `gan.iteration`, `gan.device`, `gan.generator`); it is set
    before any hook runs. `gan.iteration` counts completed iterations (0 during the first; in
    `after_g_step` of the last G step it already includes the current one). `cfg` is the trick's
    own config node (`cfg.<name>`) as a `Config`.
    """

    name: ClassVar[str] = ""
    Config: ClassVar[type] = NoConfig
    order: ClassVar[int] = 0  # replay -10 (stores clean fakes), instance_noise 10 (what D sees)

    def __init__(self, cfg: Any, gan: L.LightningModule) -> None:
        self.cfg = cfg
        self.gan = gan

    # -- switched on? -----------------------------------------------------------------------
    @classmethod
    def enabled(cls, cfg: Any) -> bool:
        """Whether these values switch the trick on; off tricks are never built (zero cost)."""
        return True

    @classmethod
    def check(cls, cfg: Any, key: Callable[[str], str]) -> None:
        """Raise `ConfigError` for a value that cannot work; `key("p")` gives "<name>.p"."""

    # -- the run around the module: asked of every trick, on or off --------------------------
    @classmethod
    def holdout(cls, cfg: Any) -> int:
        """Images the datamodule keeps out of training for this trick to score D on; 0: none."""
        return 0

    @classmethod
    def data_hint(cls, cfg: Any, num_images: int) -> str | None:
        """A line for the start of a run on `num_images` training images; None: nothing to say."""
        return None

    @classmethod
    def health_remedy(cls, cfg: Any) -> str | None:
        """The first remedy the health warning names when D wins outright; None: none."""
        return None

    # -- hooks -------------------------------------------------------------------------------
    def d_inputs(self, real: Tensor, fake: Tensor) -> tuple[Tensor, Tensor]:
        """D's step: the real and (detached) fake batch just before D sees them."""
        return real, fake

    def g_input(self, fake: Tensor) -> Tensor:
        """G's step: the fake batch (with G's graph) just before D sees it."""
        return fake

    def d_penalty(self, seen: DStep) -> Tensor | None:
        """D's step: a term added to D's loss (None: nothing this step)."""
        return None

    def g_logits(self, logits: Tensor) -> Tensor:
        """G's step: D's float32 logits on the fakes [B], before G's loss averages them.

        A trick may return a subset (the samples G learns from) or reweighted logits.
        """
        return logits

    def after_d_step(self, real_logits: Tensor, fake_logits: Tensor) -> None:
        """After D's optimizer step, with D's (detached) logits on the real and fake batch."""

    def after_g_step(self) -> None:
        """After G's optimizer step."""

    def sampling_generator(self, generator: nn.Module) -> nn.Module:
        """The G that grids, metrics and generation use (EMA swaps in its average)."""
        return generator

    def log_values(self) -> dict[str, float]:
        """Values logged every logging step, as `<name>/<key>`."""
        return {}

    # -- checkpoint --------------------------------------------------------------------------
    def state_dict(self) -> Any:
        """What a resumed run needs besides the module's weights; None: nothing to save."""
        return None

    def load_state_dict(self, state: Any) -> None:
        """Restore what `state_dict` returned (None when the checkpoint had none)."""

    def settle(self) -> dict[str, Tensor]:
        """Bring weights the trick derives up to date before a save; the entries to store."""
        return {}

    def load_weights(self, state_dict: dict[str, Tensor]) -> None:
        """Adjust a checkpoint's module weights before they load (a trick that owns weights)."""


def register(cls: type[Trick]) -> type[Trick]:
    """Class decorator: make the trick known by its `name` to config, module, sweeps and docs."""
    if not is_dataclass(cls.Config):
        raise TypeError(f"{cls.__name__}.Config must be a dataclass")
    return TRICKS.register(cls)


def ordered(names: Any) -> list[str]:
    """Trick names in hook order."""
    return sorted(names, key=lambda n: (TRICKS[n].order, n))


def config_of(cls: type[Trick], node: Mapping[str, Any] | None) -> Any:
    """The trick's `Config` from a plain mapping (checkpoint hyper-parameters), defaults filled."""
    known = set(asdict(cls.Config()))
    return cls.Config(**{k: v for k, v in dict(node or {}).items() if k in known})


def _each(cfg: Mapping[str, Any]) -> Iterator[tuple[type[Trick], Any]]:
    """Every registered trick with its node of the run config, in hook order."""
    for name in ordered(TRICKS):
        yield TRICKS[name], cfg[name]


def holdout_count(cfg: Mapping[str, Any]) -> int:
    """Images the datamodule of a run keeps out of training: one set serves every trick."""
    return max((trick.holdout(node) for trick, node in _each(cfg)), default=0)


def data_hints(cfg: Mapping[str, Any], num_images: int) -> list[str]:
    """The tricks' lines for the start of a run on `num_images` training images."""
    hints = (trick.data_hint(node, num_images) for trick, node in _each(cfg))
    return [hint for hint in hints if hint is not None]


def health_remedies(cfg: Mapping[str, Any]) -> list[str]:
    """The tricks' first remedies for a D that wins outright."""
    remedies = (trick.health_remedy(node) for trick, node in _each(cfg))
    return [remedy for remedy in remedies if remedy is not None]
