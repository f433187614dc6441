"""An exponential moving average of G's weights: smoother samples than the last G step gives.

The average's half-life is counted in images, with stylegan2-ada's two knobs (`ema_kimg`,
`ema_rampup`): it reaches `ema.kimg` thousand images once `ema.rampup` x the images seen does, as
there (0.02 by default: after 500,000 images for `ema.kimg=10`). On the way it grows with the
square of the images seen, not linearly:
`half_life = kimg x min(1, (rampup x seen / kimg)^2)`. While G still improves fast, an average is
as good as G only if it lags by little: the linear ramp (half-life = rampup x seen) lagged by ~36
iterations at iteration 500 and scored 14% worse than G there (docs/studies/recipe.md); the square
keeps the early half-life a fraction of that and reaches the same one later. stylegan2-ada's
rampup of 0.05 still lagged G on an RGB icon set up to 2,000 iterations; 0.02 takes most of that
lag out, with no difference shown on Fashion-MNIST (the recipe study). Per G step of B
images the decay is `0.5 ** (B / half_life)`, so the keys hold at any batch size and budget.

BatchNorm statistics of the average (`ema.bn`): `recompute` (default) measures them on the
averaged weights' own activations (`torch.optim.swa_utils.update_bn` over fixed noise) whenever
the average is used after it changed: the running statistics of the last G step belong to the
last G's weights, not to the average. `copy` takes G's, as before. `recompute_bn` is that
measure, a function of the averaged weights alone; a stop's checkpoint is written without it (it
takes a minute on a small CPU, past the 10 s before a container's SIGKILL) and says `stale` in its
trick state, and whatever uses that average later (a resume, `dcgan.run.generator`) measures first.

`ema.decay` > 0 is the earlier fixed decay per G step (no ramp-up, statistics copied), kept so
that older configs and checkpoints mean what they meant; it takes the place of the half-life.
"""

from __future__ import annotations

import copy
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from dcgan.checks import Registry, above, at_least, key, within
from dcgan.noise import sample_noise
from dcgan.tricks.base import Trick, register

if TYPE_CHECKING:
    import torch
    from torch import Tensor, nn

log = logging.getLogger(__name__)

PREFIX = "generator_ema."  # its weights in the module's state dict
BN_MODES = Registry("BatchNorm statistics of the EMA generator", ("recompute", "copy"))
BN_SEED = 2**31 - 7  # their own stream: the training stream is never touched
BN_BATCH = 64  # images a batch when the training batch is not known yet


def ema_copy(model: nn.Module) -> nn.Module:
    """A frozen copy to average into: no gradients, so no optimizer or grad norm ever sees it."""
    ema = copy.deepcopy(model)
    ema.requires_grad_(False)
    return ema


def ema_update(ema: nn.Module, model: nn.Module, decay: float, copy_buffers: bool = True) -> None:
    """ema = decay * ema + (1 - decay) * model for weights; buffers copied when asked."""
    import torch

    ema_params, params = list(ema.parameters()), list(model.parameters())
    if len(ema_params) != len(params):
        raise ValueError(f"EMA copy has {len(ema_params)} weights, the model {len(params)}")
    with torch.no_grad():
        torch._foreach_lerp_(ema_params, [p.detach() for p in params], 1.0 - decay)
        if copy_buffers:
            for ema_buf, buf in zip(ema.buffers(), model.buffers(), strict=True):
                ema_buf.copy_(buf)


def half_life(images_seen: float, kimg: float, rampup: float | None) -> float:
    """Images: kimg thousand, reached along a parabola once rampup x seen reaches it."""
    full = kimg * 1000.0
    if rampup is None or full <= 0:
        return full
    return full * min(1.0, (rampup * images_seen / full) ** 2)


def ramped_decay(batch: int, images_seen: float, kimg: float, rampup: float | None) -> float:
    """The decay for one G step of `batch` images, from the half-life at `images_seen`."""
    return 0.5 ** (batch / max(half_life(images_seen, kimg, rampup), 1e-8))


def _conditioned(generator: nn.Module) -> nn.Module:
    """G seen by update_bn, which hands one input a batch: a dict of noise and classes."""
    from torch import nn

    class Conditioned(nn.Module):  # defined here: this module loads without torch
        def __init__(self, generator: nn.Module) -> None:
            super().__init__()
            self.generator = generator

        def forward(self, batch: dict[str, Tensor]) -> Tensor:
            y = batch.get("y")
            return self.generator(batch["z"]) if y is None else self.generator(batch["z"], y)

    return Conditioned(generator)


def recompute_bn(
    generator: nn.Module,
    *,
    latent_dim: int,
    prior: str,
    class_freq: Tensor | None,
    images: int,
    batch: int,
    device: torch.device,
) -> None:
    """Measure G's BatchNorm statistics on its own activations: the average's, wherever it is used.

    The one procedure for training and for a checkpoint's readers: `images` fixed noise vectors
    (and classes drawn by `class_freq`) from BN_SEED's stream, in batches of `batch` (the
    training batch of one rank), on a float32 copy in one memory layout (training may hold the
    weights in channels_last: other roundings), without autocast, G's dropout seeded: the
    statistics depend on the weights alone. No random stream of the caller moves.
    """
    import torch
    from torch.optim.swa_utils import update_bn

    stream = torch.Generator().manual_seed(BN_SEED)
    size = max(1, min(batch or BN_BATCH, images))
    batches = []
    for start in range(0, images, size):
        n = min(size, images - start)
        z = sample_noise(n, latent_dim, prior, "cpu", stream).to(device)
        if class_freq is None:
            batches.append({"z": z})
        else:
            y = torch.multinomial(class_freq.cpu(), n, replacement=True, generator=stream)
            batches.append({"z": z, "y": y.to(device)})
    measured = copy.deepcopy(generator).float().to(memory_format=torch.contiguous_format)
    devices = [device.index or 0] if device.type == "cuda" else []
    with (
        torch.no_grad(),
        torch.autocast(device.type, enabled=False),
        torch.random.fork_rng(devices=devices),
    ):
        torch.random.default_generator.manual_seed(BN_SEED)  # G's dropout
        if devices:
            with torch.cuda.device(devices[0]):
                torch.cuda.manual_seed(BN_SEED)
        update_bn(batches, _conditioned(measured))
        for mine, its in zip(generator.buffers(), measured.buffers(), strict=True):
            mine.copy_(its)


@dataclass
class EmaConfig:
    kimg: float = key(
        10.0,
        "half-life of the average in thousands of images; 0 = off",
        rule=at_least(0),
    )
    rampup: float | None = key(
        0.02,
        "the half-life is reached at kimg / rampup images; null: at once",
        rule=above(0),
    )
    bn: str = key(
        "recompute",
        "BatchNorm statistics of the average: recompute or copy (G's)",
        choices=BN_MODES,
    )
    # On Fashion-MNIST 512 left enough sampling noise to cost SWD (20.2 against 17.3 with 4096,
    # docs/studies/recipe.md); fewer make each refresh cheaper (a large G on a CPU) at that price.
    bn_images: int = key(
        4096, "fixed noise vectors the recomputed statistics are measured on", rule=at_least(1)
    )
    decay: float = key(
        0.0,
        "> 0: this fixed decay per G step instead of the half-life (no ramp-up)",
        rule=within(0, 1),
    )


@register
class Ema(Trick):
    """The average lives on the GAN as `generator_ema` (saved as `generator_ema.*` weights)."""

    name = "ema"
    Config = EmaConfig

    @classmethod
    def enabled(cls, cfg: EmaConfig) -> bool:
        """On when a half-life (kimg) or a fixed decay is given."""
        return cfg.kimg > 0 or cfg.decay > 0

    def __init__(self, cfg: EmaConfig, gan: nn.Module) -> None:
        super().__init__(cfg, gan)
        gan.generator_ema = ema_copy(gan.generator)  # a submodule: device moves and saving
        self.images_seen = 0.0  # real images D has seen (all ranks): what the ramp-up follows
        self.batch = 0  # images of the last G step (all ranks)
        self.rank_batch = 0  # ... of this rank: the batch the statistics are measured in
        self.stale = False  # the average moved since its statistics were measured

    @property
    def recompute(self) -> bool:
        """Whether the average's BatchNorm statistics are measured on its own weights."""
        return self.cfg.decay == 0 and self.cfg.bn == "recompute"

    def after_d_step(self, real_logits: Tensor, fake_logits: Tensor) -> None:
        """Count the images seen, on every rank alike."""
        trainer = getattr(self.gan, "_trainer", None)
        ranks = trainer.world_size if trainer is not None else 1
        self.rank_batch = real_logits.shape[0]
        self.batch = self.rank_batch * ranks
        self.images_seen += self.batch

    def decay(self) -> float:
        """The decay of this G step."""
        if self.cfg.decay > 0:
            return self.cfg.decay
        return ramped_decay(self.batch, self.images_seen, self.cfg.kimg, self.cfg.rampup)

    def after_g_step(self) -> None:
        """Average G's new weights in."""
        gan = self.gan
        ema_update(gan.generator_ema, gan.generator, self.decay(), not self.recompute)
        self.stale = self.recompute

    def sampling_generator(self, generator: nn.Module) -> nn.Module:
        """Grids, metrics and generation use the average, its statistics measured first."""
        self.settle()
        return self.gan.generator_ema

    def settle(self) -> dict[str, Tensor]:
        """Measure the average's BatchNorm statistics when it moved; its entries to save."""
        ema = self.gan.generator_ema
        if self.stale:
            gan = self.gan
            recompute_bn(
                ema,
                latent_dim=gan.cfg.latent_dim,
                prior=gan.cfg.noise.name,
                class_freq=getattr(gan, "class_freq", None),
                images=self.cfg.bn_images,
                batch=self.rank_batch,
                device=gan.device,
            )
            self.stale = False
        return {PREFIX + k: v for k, v in ema.state_dict().items()}

    def state_dict(self) -> Any:
        """The images seen (the ramp-up continues where it was after a resume), and whether the
        saved statistics are stale (a stop's checkpoint, written without measuring them)."""
        return {
            "images_seen": self.images_seen,
            "batch": self.batch,
            "rank_batch": self.rank_batch,
            "stale": self.stale,
        }

    def load_state_dict(self, state: Any) -> None:
        """A checkpoint without it (an older one, or EMA newly on) ramps up from 0 images."""
        if state:
            self.images_seen = float(state.get("images_seen", 0.0))
            self.batch = int(state.get("batch", 0))
            self.rank_batch = int(state.get("rank_batch", 0))
            self.stale = bool(state.get("stale", False))  # older checkpoints: measured

    def load_weights(self, state_dict: dict[str, Tensor]) -> None:
        """A checkpoint without the average starts it from its G."""
        if any(k.startswith(PREFIX) for k in state_dict):
            return
        log.info("checkpoint has no EMA weights: the EMA starts from its generator")
        for name in [k for k in state_dict if k.startswith("generator.")]:
            state_dict[PREFIX + name.removeprefix("generator.")] = state_dict[name].clone()
