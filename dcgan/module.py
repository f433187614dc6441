"""The GAN as a LightningModule: owns the D/G update schedule, asks nets and losses for the rest.

One *iteration* is `d_steps` D updates, each on a fresh real batch, then `g_steps` G updates, each
on fresh noise. Lightning calls `training_step` once per real batch, so an iteration spans
`d_steps` calls, and Lightning's `global_step` counts every optimizer step: `d_steps + g_steps`
per iteration. Everything user-facing (logs, file names, `trainer.max_steps` in our config) counts
iterations; `steps_per_iteration` converts.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from typing import Any

import lightning as L
import torch
from torch import Tensor

from dcgan import losses
from dcgan.nets import Discriminator, Generator, init_weights
from dcgan.optim import make_optimizer
from dcgan.tricks import (
    TRICKS,
    ReplayBuffer,
    add_instance_noise,
    discriminate,
    ema_copy,
    ema_update,
    instance_noise_std,
)
from dcgan.tricks.base import Trick, config_of

log = logging.getLogger(__name__)

NOISES = ("uniform", "normal")


def sample_noise(
    n: int,
    latent_dim: int,
    kind: str,
    device: torch.device | str | None = None,
    generator: torch.Generator | None = None,
) -> Tensor:
    """Draw the latent prior the model was trained with: U(-1, 1) or N(0, 1)."""
    if kind == "uniform":
        return torch.rand(n, latent_dim, device=device, generator=generator) * 2 - 1
    if kind == "normal":
        return torch.randn(n, latent_dim, device=device, generator=generator)
    raise ValueError(f"noise {kind!r} is unknown; choose one of: {', '.join(NOISES)}")


def _grad_norm(params: Iterator[torch.nn.Parameter]) -> Tensor:
    params = list(params)
    grads = [p.grad for p in params if p.grad is not None]
    if not grads:  # on the parameters' device, so that ranks can average it
        return torch.zeros((), device=params[0].device if params else None)
    return torch.linalg.vector_norm(torch.stack(torch._foreach_norm(grads)))


class GAN(L.LightningModule):
    """DCGAN generator and discriminator trained with manual optimization."""

    def __init__(
        self,
        image_size: int = 64,
        channels: int = 3,
        latent_dim: int = 100,
        noise: str = "uniform",
        generator: Mapping[str, Any] | None = None,
        discriminator: Mapping[str, Any] | None = None,
        init: str = "normal",
        optimizer: Mapping[str, Mapping[str, Any]] | None = None,
        loss: Mapping[str, Any] | None = None,
        d_steps: int = 1,
        g_steps: int = 1,
        num_samples: int = 64,
        log_every_n_steps: int = 50,
        dropout_at_generation: bool = True,
        d_batch: str = "separate",
        instance_noise_std: float = 0.0,
        instance_noise_decay_steps: int = 0,
        replay_size: int = 0,
        replay_p: float = 0.5,
        ema_decay: float = 0.0,
        augment: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__()
        # Plain values only: a checkpoint alone rebuilds the model, and loads with weights_only.
        self.save_hyperparameters()
        self.automatic_optimization = False
        generator, discriminator = dict(generator or {}), dict(discriminator or {})
        self.generator = Generator(
            latent_dim=latent_dim, image_size=image_size, channels=channels, **generator
        )
        self.discriminator = Discriminator(
            image_size=image_size, channels=channels, **discriminator
        )
        for net, opts in ((self.generator, generator), (self.discriminator, discriminator)):
            init_weights(net, init, opts.get("negative_slope", 0.2), opts.get("activation", "relu"))
        self.generator.set_dropout_at_generation(dropout_at_generation)
        self.loss_cfg = {
            "name": "nonsaturating",
            "label_smoothing": 0.0,
            "label_flip": 0.0,
            "gp_weight": 0.0,
            **(loss or {}),
        }
        self.optimizer_cfg = optimizer or {
            net: {"name": "adam", "lr": 2e-4, "betas": (0.5, 0.999)}
            for net in ("generator", "discriminator")
        }
        # Fixed noise for sample grids: a buffer, so it is saved and restored with the weights.
        self.register_buffer(
            "sample_z", sample_noise(num_samples, latent_dim, noise), persistent=True
        )
        self._fake_for_g: Tensor | None = None
        # Tricks (all off by default, so checkpoints without these hparams load unchanged).
        self.replay = ReplayBuffer(replay_size, replay_p)
        if ema_decay > 0:  # saved as generator_ema.*; not a parameter of G's optimizer
            self.generator_ema = ema_copy(self.generator)
        self.tricks: list[Trick] = []
        for name, values in (("augment", augment),):
            cls = TRICKS[name]
            trick_cfg = config_of(cls, values)
            if cls.enabled(trick_cfg):
                self.tricks.append(cls(trick_cfg, self))

    # -- the iteration count ------------------------------------------------------------------
    @property
    def steps_per_iteration(self) -> int:
        """Optimizer steps (Lightning's global_step) taken by one iteration."""
        return self.hparams.d_steps + self.hparams.g_steps

    @property
    def iteration(self) -> int:
        """Completed iterations; derived from global_step, so it survives resume unchanged."""
        return self.global_step // self.steps_per_iteration

    def noise(self, n: int, generator: torch.Generator | None = None) -> Tensor:
        """Draw `n` latent vectors from this model's prior on its device."""
        hp = self.hparams
        return sample_noise(n, hp.latent_dim, hp.noise, self.device, generator)

    @property
    def sampling_generator(self) -> torch.nn.Module:
        """The G that samples, metrics and generation use: the EMA copy when on, else G."""
        return self.generator_ema if self.hparams.ema_decay > 0 else self.generator

    def _instance_noise(self, images: Tensor) -> Tensor:
        hp = self.hparams
        std = instance_noise_std(
            hp.instance_noise_std, hp.instance_noise_decay_steps, self.iteration
        )
        return add_instance_noise(images, std)

    def forward(self, z: Tensor) -> Tensor:
        """Generate images in [-1, 1] from latent vectors."""
        return self.generator(z)

    @torch.no_grad()
    def sample(self, z: Tensor | None = None, seed: int = 0) -> Tensor:
        """Images from G in eval mode (BatchNorm running stats), reproducible for a given seed.

        G's dropout follows `dropout_at_generation`; its randomness is seeded, so the grid of
        the fixed noise changes only when the weights do.
        """
        z = self.sample_z if z is None else z
        generator = self.sampling_generator
        was_training = generator.training
        generator.eval()
        devices = [z.device.index or 0] if z.device.type == "cuda" else []
        try:
            with torch.random.fork_rng(devices=devices):
                torch.manual_seed(seed)
                images = generator(z.to(self.device)).float()
        finally:
            generator.train(was_training)
        return images

    # -- optimization -------------------------------------------------------------------------
    def configure_optimizers(self) -> list[torch.optim.Optimizer]:
        """D's optimizer first, then G's: each network gets its own choice and settings."""
        return [
            make_optimizer(self.discriminator.parameters(), self.optimizer_cfg["discriminator"]),
            make_optimizer(self.generator.parameters(), self.optimizer_cfg["generator"]),
        ]

    def _d_step(self, real: Tensor, opt: Any, keep_fake: bool, norms: bool) -> dict[str, Tensor]:
        cfg = self.loss_cfg
        batch = real.shape[0]
        z = self.noise(batch)
        if keep_fake:  # the last D step's fakes feed the first G step: one G forward saved
            fake = self.generator(z)
            self._fake_for_g = fake
        else:
            with torch.no_grad():
                fake = self.generator(z)
        fake = self.replay.mix(fake)  # detached; past fakes mixed in when replay is on
        real, fake = self._instance_noise(real), self._instance_noise(fake)
        for trick in self.tricks:
            real, fake = trick.d_inputs(real, fake)
        real_logits, fake_logits = discriminate(
            self.discriminator, real, fake, self.hparams.d_batch
        )
        flip = None
        if cfg["label_flip"] > 0:
            flip = torch.rand(batch, device=real.device) < cfg["label_flip"]
        loss = losses.d_loss(
            cfg["name"],
            real_logits,
            fake_logits,
            real_target=1.0 - cfg["label_smoothing"],
            flip_mask=flip,
        )
        if cfg["gp_weight"] > 0:
            loss = loss + cfg["gp_weight"] * losses.gradient_penalty(self.discriminator, real, fake)
        opt.zero_grad(set_to_none=True)
        self.manual_backward(loss)
        stats = {
            "d_loss": loss.detach(),
            "d_x": losses.probability(real_logits.detach()).mean(),
            "d_g_z": losses.probability(fake_logits.detach()).mean(),
        }
        if norms:
            stats["grad_norm_d"] = _grad_norm(self.discriminator.parameters())
        opt.step()
        for trick in self.tricks:
            trick.after_d_step(real_logits.detach(), fake_logits.detach())
        return stats

    def _g_step(self, batch: int, opt: Any, norms: bool) -> dict[str, Tensor]:
        fake = self._fake_for_g
        self._fake_for_g = None
        if fake is None:
            fake = self.generator(self.noise(batch))
        # D's weights need no gradient here: skipping them saves a third of D's backward.
        self.discriminator.requires_grad_(False)
        try:
            fake = self._instance_noise(fake)
            for trick in self.tricks:
                fake = trick.g_input(fake)
            logits = self.discriminator(fake)
            loss = losses.g_loss(self.loss_cfg["name"], logits)
            opt.zero_grad(set_to_none=True)
            self.manual_backward(loss)
        finally:
            self.discriminator.requires_grad_(True)
        stats = {"g_loss": loss.detach()}
        if norms:
            stats["grad_norm_g"] = _grad_norm(self.generator.parameters())
        opt.step()
        if self.hparams.ema_decay > 0:
            ema_update(self.generator_ema, self.generator, self.hparams.ema_decay)
        for trick in self.tricks:
            trick.after_g_step()
        return stats

    def training_step(self, batch: Tensor, batch_idx: int) -> None:
        """One D update on this real batch; after the last D update of an iteration, G's turn."""
        opt_d, opt_g = self.optimizers()
        hp = self.hparams
        last_d = self.global_step % self.steps_per_iteration == hp.d_steps - 1
        # Gradient norms cost a pass over all weights: only on iterations that reach the loggers.
        to_log = (self.iteration + 1) % hp.log_every_n_steps == 0
        stats = self._d_step(batch, opt_d, keep_fake=last_d, norms=to_log and last_d)
        self.log_dict(
            {k: stats[k] for k in ("d_loss", "d_x", "d_g_z")}, prog_bar=True, logger=False
        )
        if not last_d:
            return
        for _ in range(hp.g_steps):
            g_stats = self._g_step(batch.shape[0], opt_g, norms=to_log)
        stats.update(g_stats)
        self.log("g_loss", stats["g_loss"], prog_bar=True, logger=False)
        self.log("iteration", float(self.iteration), prog_bar=True, logger=False)
        if to_log:
            self._log_to_loggers(stats)

    def _log_to_loggers(self, stats: Mapping[str, Tensor]) -> None:
        if self.trainer.world_size > 1:  # one collective: every rank's batch counts, mean logged
            means = torch.stack([v.detach().float().to(self.device) for v in stats.values()])
            means = self.trainer.strategy.reduce(means, reduce_op="mean")
            stats = dict(zip(stats, means, strict=True))
        metrics = {k: float(v) for k, v in stats.items()}
        metrics["epoch"] = float(self.current_epoch)
        for trick in self.tricks:
            metrics.update({f"{trick.name}/{k}": float(v) for k, v in trick.log_values().items()})
        for logger in self.loggers:  # log_metrics is rank-zero only
            logger.log_metrics(metrics, step=self.iteration)

    # -- checkpoint ---------------------------------------------------------------------------
    def on_save_checkpoint(self, checkpoint: dict[str, Any]) -> None:
        """Keep the replay buffer with the weights, so a resumed run sees the same past fakes."""
        if self.replay.size > 0:
            checkpoint["replay_buffer"] = self.replay.state()
        checkpoint["tricks"] = {t.name: t.state_dict() for t in self.tricks}

    def on_load_checkpoint(self, checkpoint: dict[str, Any]) -> None:
        """Accept checkpoints written with EMA on or off: start EMA from G, or drop the copy."""
        self.replay.load(checkpoint.get("replay_buffer"))
        for trick in self.tricks:
            trick.load_state_dict(checkpoint.get("tricks", {}).get(trick.name))
        state = checkpoint.get("state_dict", {})
        has_ema = any(k.startswith("generator_ema.") for k in state)
        if self.hparams.ema_decay > 0 and not has_ema:
            log.info("checkpoint has no EMA weights: the EMA starts from its generator")
            for key in [k for k in state if k.startswith("generator.")]:
                state["generator_ema." + key.removeprefix("generator.")] = state[key].clone()
        elif self.hparams.ema_decay <= 0 and has_ema:
            for key in [k for k in state if k.startswith("generator_ema.")]:
                del state[key]
