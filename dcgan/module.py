"""The GAN as a LightningModule: owns the D/G update schedule, asks nets and losses for the rest.

One *iteration* is `d_steps` D updates, each on a fresh real batch, then `g_steps` G updates, each
on fresh noise. Lightning calls `training_step` once per real batch, so an iteration spans
`d_steps` calls, and Lightning's `global_step` counts every optimizer step: `d_steps + g_steps`
per iteration. Everything user-facing (logs, file names, `trainer.max_steps` in our config) counts
iterations; `steps_per_iteration` converts.

The module is built from one plain mapping shaped like the run config (`config.ModuleConfig`:
`model`, `activation`, `loss`, one node per trick, ...), which is also its `hyper_parameters`,
so a checkpoint alone rebuilds it.

A conditional model (`model.conditional`) gets (images, classes) batches; G and D take the
classes, the fakes' classes are drawn by `model.fake_labels`, and its hyper-parameters hold the
data's `class_names` and `class_counts`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import lightning as L
import torch
from omegaconf import OmegaConf
from torch import Tensor

from dcgan import losses, sampling
from dcgan.config import typed_module_config
from dcgan.data.order import settle_epoch
from dcgan.nets import (
    Discriminator,
    Generator,
    fake_class_freq,
    init_weights,
    num_classes,
    paired_seed,
)
from dcgan.nets.config import NetConfig
from dcgan.noise import sample_noise
from dcgan.optim import make_optimizer
from dcgan.run.upgrade import upgrade_checkpoint, upgrade_hparams
from dcgan.tricks import TRICKS, DStep, Trick, config_of, discriminate, ordered

log = logging.getLogger(__name__)

GRID_CLASSES = 16  # sample grids of a conditional model show the first classes, one row each


def _grad_norm(params: Iterator[torch.nn.Parameter]) -> Tensor:
    params = list(params)
    grads = [p.grad for p in params if p.grad is not None]
    if not grads:  # on the parameters' device, so that ranks can average it
        return torch.zeros((), device=params[0].device if params else None)
    return torch.linalg.vector_norm(torch.stack(torch._foreach_norm(grads)))


class GAN(L.LightningModule):
    """DCGAN generator and discriminator trained with manual optimization."""

    def __init__(self, **config: Any) -> None:
        """`config`: the keys of `config.ModuleConfig`; any left out take the schema's default."""
        super().__init__()
        cfg = typed_module_config(upgrade_hparams(config))
        # Plain values only: a checkpoint alone rebuilds the model, and loads with weights_only.
        self.save_hyperparameters(OmegaConf.to_container(cfg))
        self.cfg = cfg
        self.automatic_optimization = False
        self.num_classes = num_classes(cfg)
        if cfg.model.conditional and self.num_classes == 0:
            raise ValueError("model.conditional=true needs the data's class_names (none given)")
        # Pairing: runs of two settings with one seed start the layers they share from the same
        # weights and sample from the same fixed noise, and building the nets leaves the global
        # stream as it was, so that what a seed fixes does not depend on the architecture.
        seed = torch.initial_seed()
        nets = OmegaConf.masked_copy(cfg, list(NetConfig.__annotations__))  # what G and D read
        with torch.random.fork_rng(devices=[]):
            self.generator = Generator(nets)
            self.discriminator = Discriminator(nets)
        act = cfg.activation
        init_weights(
            self.generator, cfg.init.name, act.negative_slope, act.generator, seed, "generator"
        )
        init_weights(
            self.discriminator,
            cfg.init.name,
            act.negative_slope,
            act.discriminator,
            seed,
            "discriminator",
        )
        self.loss = losses.LOSSES.lookup(cfg.loss.name)
        # Fixed noise for sample grids: a buffer, so it is saved and restored with the weights.
        self.register_buffer(
            "sample_z",
            sample_noise(
                cfg.num_samples,
                cfg.latent_dim,
                cfg.noise.name,
                generator=torch.Generator().manual_seed(paired_seed(seed, "sample_z")),
            ),
            persistent=True,
        )
        if self.num_classes:  # how often each class is drawn for the fakes (not saved: hparams)
            self.register_buffer("class_freq", fake_class_freq(cfg), persistent=False)
        self._fake_for_g: tuple[Tensor, Tensor | None] | None = None
        self._settle_on_save = True  # False while `saving_at_once`
        # Tricks that are on, in hook order; those off cost nothing.
        self.tricks: list[Trick] = []
        for name in ordered(TRICKS):
            trick_cfg = config_of(TRICKS[name], cfg[name])
            if TRICKS[name].enabled(trick_cfg):
                self.tricks.append(TRICKS[name](trick_cfg, self))

    def trick(self, name: str) -> Trick | None:
        """The trick of that name when it is on."""
        return next((t for t in self.tricks if t.name == name), None)

    def describe(self) -> str:
        """One line for the console: the parameter counts of G and D and the size of the weights."""
        nets = (self.generator, self.discriminator)
        g, d = (sum(p.numel() for p in net.parameters()) / 1e3 for net in nets)
        megabytes = sum(p.numel() * p.element_size() for p in self.parameters()) / 2**20
        return f"model: G {g:,.0f} K + D {d:,.0f} K parameters ({megabytes:.1f} MB)"

    # -- the iteration count ------------------------------------------------------------------
    @property
    def steps_per_iteration(self) -> int:
        """Optimizer steps (Lightning's global_step) taken by one iteration."""
        return self.hparams.d_steps + self.hparams.g_steps

    @property
    def iteration(self) -> int:
        """Completed iterations; derived from global_step, so it survives resume unchanged."""
        return self.global_step // self.steps_per_iteration

    def noise(
        self,
        n: int,
        generator: torch.Generator | None = None,
        device: torch.device | str | None = None,
    ) -> Tensor:
        """Draw `n` latent vectors from this model's prior (on its device unless told)."""
        device = self.device if device is None else device
        return sample_noise(n, self.cfg.latent_dim, self.cfg.noise.name, device, generator)

    @property
    def sampling_generator(self) -> torch.nn.Module:
        """The G that samples, metrics and generation use (a trick such as EMA may swap it)."""
        generator = self.generator
        for trick in self.tricks:
            generator = trick.sampling_generator(generator)
        return generator

    def forward(self, z: Tensor, y: Tensor | None = None) -> Tensor:
        """Generate images in [-1, 1] from latent vectors (of classes y when conditional)."""
        return self.generator(z) if y is None else self.generator(z, y)

    @property
    def conditional(self) -> bool:
        """Whether G and D take class labels."""
        return self.num_classes > 0

    def fake_labels(self, n: int, generator: torch.Generator | None = None) -> Tensor | None:
        """Classes for n fakes, drawn by `model.fake_labels`; None when unconditional."""
        if not self.num_classes:
            return None
        freq = self.class_freq if generator is None else self.class_freq.cpu()
        y = torch.multinomial(freq, n, replacement=True, generator=generator)
        return y.to(self.device)

    def sample(
        self, z: Tensor | None = None, seed: int = 0, y: Tensor | None = None, trained: bool = False
    ) -> Tensor:
        """Images of the sampling G in eval mode, dropout seeded: the same for the same weights.

        A conditional model without `y` draws fixed classes (seeded by `seed`) for the z.
        `trained`: of the G being trained, not the one the tricks sample with (EMA's average).
        """
        z = self.sample_z if z is None else z
        if self.num_classes and y is None:
            y = self.fake_labels(len(z), torch.Generator().manual_seed(seed))
        y = None if y is None else y.to(self.device)
        generator = self.generator if trained else self.sampling_generator
        return sampling.forward(generator, z.to(self.device), seed, y)

    def sample_per_class(self, nrow: int, seed: int = 0) -> Tensor:
        """One row of `nrow` images per class (the first GRID_CLASSES), a column sharing its z."""
        k = min(self.num_classes, GRID_CLASSES)
        z = self.sample_z[:nrow]
        y = torch.arange(k, device=self.device).repeat_interleave(len(z))
        return self.sample(z.repeat(k, 1), seed, y)

    # -- optimization -------------------------------------------------------------------------
    def configure_optimizers(self) -> list[torch.optim.Optimizer]:
        """D's optimizer first, then G's: each network gets its own choice and settings."""
        return [
            make_optimizer(
                self.discriminator.parameters(), self.hparams.optimizer["discriminator"]
            ),
            make_optimizer(self.generator.parameters(), self.hparams.optimizer["generator"]),
        ]

    def _d_step(
        self, real: Tensor, real_y: Tensor | None, opt: Any, keep_fake: bool, norms: bool
    ) -> dict[str, Tensor]:
        cfg = self.cfg.loss
        batch = real.shape[0]
        z = self.noise(batch)
        fake_y = self.fake_labels(batch)
        if keep_fake:  # the last D step's fakes feed the first G step: one G forward saved
            fake = self(z, fake_y)
            self._fake_for_g = (fake, fake_y)
        else:
            with torch.no_grad():
                fake = self(z, fake_y)
        fake = fake.detach()
        for trick in self.tricks:
            real, fake = trick.d_inputs(real, fake)
        real_logits, fake_logits = discriminate(
            self.discriminator, real, fake, self.cfg.d_batch.name, real_y, fake_y
        )
        flip = None
        if cfg.label_flip > 0:
            flip = torch.rand(batch, device=real.device) < cfg.label_flip
        loss = losses.d_loss(
            self.loss.name,
            real_logits,
            fake_logits,
            real_target=1.0 - cfg.label_smoothing,
            flip_mask=flip,
        )
        if self.loss.penalty is not None and cfg.gp_weight > 0:
            critic = self.discriminator
            if real_y is not None:  # the interpolates are scored as the real images' classes
                critic = lambda x: self.discriminator(x, real_y)  # noqa: E731
            loss = loss + cfg.gp_weight * self.loss.penalty(critic, real, fake)
        seen = DStep(real, fake, real_logits, fake_logits, real_y, fake_y)
        for trick in self.tricks:
            penalty = trick.d_penalty(seen)
            if penalty is not None:
                loss = loss + penalty
        opt.zero_grad(set_to_none=True)
        self.manual_backward(loss)
        real_logits, fake_logits = real_logits.detach(), fake_logits.detach()
        stats = {
            "d_loss": loss.detach(),
            "d_x": losses.probability(real_logits).mean(),
            "d_g_z": losses.probability(fake_logits).mean(),
        }
        if norms:
            stats["grad_norm_d"] = _grad_norm(self.discriminator.parameters())
        opt.step()
        for trick in self.tricks:
            trick.after_d_step(real_logits, fake_logits)
        return stats

    def _g_step(self, batch: int, opt: Any, norms: bool) -> dict[str, Tensor]:
        kept = self._fake_for_g
        self._fake_for_g = None
        if kept is None:
            fake_y = self.fake_labels(batch)
            fake = self(self.noise(batch), fake_y)
        else:
            fake, fake_y = kept
        for trick in self.tricks:
            fake = trick.g_input(fake)
        # D's weights need no gradient here: skipping them saves a third of D's backward.
        self.discriminator.requires_grad_(False)
        try:
            logits = (
                self.discriminator(fake) if fake_y is None else self.discriminator(fake, fake_y)
            )
            logits = logits.float()
            for trick in self.tricks:
                logits = trick.g_logits(logits)
            loss = self.loss.g(logits)
            opt.zero_grad(set_to_none=True)
            self.manual_backward(loss)
        finally:
            self.discriminator.requires_grad_(True)
        stats = {"g_loss": loss.detach()}
        if norms:
            stats["grad_norm_g"] = _grad_norm(self.generator.parameters())
        opt.step()
        for trick in self.tricks:
            trick.after_g_step()
        return stats

    def training_step(self, batch: Tensor | tuple[Tensor, Tensor], batch_idx: int) -> None:
        """One D update on this real batch; after the last D update of an iteration, G's turn.

        A conditional model's batch is (images, classes).
        """
        batch, real_y = batch if isinstance(batch, (tuple, list)) else (batch, None)
        opt_d, opt_g = self.optimizers()
        hp = self.hparams
        last_d = self.global_step % self.steps_per_iteration == hp.d_steps - 1
        # Gradient norms cost a pass over all weights: only on iterations that reach the loggers.
        to_log = (self.iteration + 1) % hp.log_every_n_steps == 0
        stats = self._d_step(batch, real_y, opt_d, keep_fake=last_d, norms=to_log and last_d)
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
            metrics.update({f"{trick.name}/{k}": v for k, v in trick.log_values().items()})
        for logger in self.loggers:  # log_metrics is rank-zero only
            logger.log_metrics(metrics, step=self.iteration)

    # -- checkpoint ---------------------------------------------------------------------------
    @contextmanager
    def saving_at_once(self) -> Iterator[None]:
        """Saves in this block leave what the tricks derive as it is (a stop's: no time to measure
        EMA's statistics before a SIGKILL); each trick's state says it is stale."""
        self._settle_on_save = False
        try:
            yield
        finally:
            self._settle_on_save = True

    def on_save_checkpoint(self, checkpoint: dict[str, Any]) -> None:
        """Each trick's state (e.g. the replay buffer) under `tricks.<name>`, for a resumed run."""
        weights = checkpoint.get("state_dict")
        for trick in self.tricks if self._settle_on_save else ():
            settled = trick.settle()  # weights a trick derives (EMA's statistics), as of now
            if weights is not None:
                weights.update(settled)
        states = {t.name: t.state_dict() for t in self.tricks}
        checkpoint["tricks"] = {k: v for k, v in states.items() if v is not None}

    def on_load_checkpoint(self, checkpoint: dict[str, Any]) -> None:
        """Accept checkpoints of any earlier format and with other tricks on or off."""
        upgrade_checkpoint(checkpoint)
        settle_epoch(checkpoint)  # a resume at an epoch's end trains the next epoch in full
        state = checkpoint.get("state_dict", {})
        for trick in self.tricks:
            trick.load_weights(state)
            trick.load_state_dict(checkpoint["tricks"].get(trick.name))
        own = {key.split(".")[0] for key in self.state_dict()}
        for key in [k for k in state if k.split(".")[0] not in own]:  # a trick now off
            del state[key]
