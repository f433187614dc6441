"""Image quality in training: every registered metric that can run (dcgan/metrics), best.ckpt."""

from __future__ import annotations

import logging
import math
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import lightning as L
import torch
from torch import Tensor

from dcgan.callbacks.checkpoint import save_checkpoint
from dcgan.callbacks.every import due, last_iteration
from dcgan.checks import ConfigError, choose
from dcgan.metrics import InceptionMetrics, keys, locate_weights
from dcgan.metrics.per_class import per_class_scores
from dcgan.metrics.registry import (
    METRICS,
    Images,
    headline_only,
    labels,
    monitors,
    ordered,
    score_all,
)
from dcgan.metrics.run_scores import SCORES, late_mean
from dcgan.run import RunFolder
from dcgan.run.sweep import says_sweep_notes

if TYPE_CHECKING:
    import numpy as np

    from dcgan.callbacks.config import MetricsConfig

log = logging.getLogger(__name__)


class ImageMetrics(L.Callback):
    """Every `every_n_steps` iterations and at the end, score G's samples against real images.

    The same `num_samples` real images and latent vectors (drawn from `seed`) are used at every
    evaluation, so the history of a run, and runs with the same seed, are comparable. Samples
    come from `pl_module.sample`, so whatever generator the module samples with is measured.
    The end of the run is scored on `final_num_samples` images (a superset of the periodic ones):
    the number that sweeps compare, where SWD's own noise must be small next to seed-to-seed spread.
    A stop before the last iteration (a signal: `trainer.should_stop`) measures nothing: the
    history of a run is the same whether or not it was stopped, and a resume makes the
    evaluation that was due where it stopped.
    `config` is `callbacks.metrics`: the schema's `MetricsConfig`, the one place of its defaults.
    """

    def __init__(self, run_dir: str | Path, config: MetricsConfig, batch_size: int = 64) -> None:
        choose("callbacks.metrics.monitor", config.monitor, monitors())
        choose("callbacks.metrics.objective", config.objective, SCORES)
        self.run = RunFolder(run_dir)
        self.every_n_steps = config.every_n_steps
        self.num_samples = config.num_samples
        self.final_num_samples = config.final_num_samples or config.num_samples
        self.monitor = config.monitor
        self.objective_name = config.objective
        self.inception_weights = config.inception_weights
        self.seed = config.seed
        self.batch_size = batch_size
        self.history: list[dict[str, float]] = []
        self.best: dict[str, Any] | None = None
        self.final_scores: dict[str, float] | None = None  # the end-of-run evaluation
        self._inception: InceptionMetrics | None = None
        self._real: Tensor | None = None
        self._z: Tensor | None = None
        self._last_eval = -1
        self.busy_s = 0.0  # seconds spent evaluating: not training time (callbacks.clock)

    @property
    def best_path(self) -> Path:
        return self.run.best_ckpt

    @property
    def final(self) -> float | None:
        """The monitored metric at the end of the run (what a sweeper minimises)."""
        if self.final_scores is not None:
            return self.final_scores.get(self.monitor)
        return self.history[-1].get(self.monitor) if self.history else None

    @property
    def objective(self) -> float | None:
        """What train() returns for a sweeper to minimise: the run's final, best or late score
        of the monitored metric, as the report computes them."""
        if self.objective_name == "late":
            return late_mean(self.history, self.monitor)
        if self.objective_name == "best":
            return self.best["value"] if self.best else None
        return self.final

    def state_dict(self) -> dict[str, Any]:
        """The history and best so far travel in each checkpoint: a resume continues them."""
        return {"history": list(self.history), "best": self.best}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Take the history and best of the checkpoint a run resumes from."""
        self.history = list(state_dict.get("history", []))
        self.best = state_dict.get("best")
        if self.history:
            self._last_eval = int(self.history[-1]["iteration"])

    def on_train_start(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        self._prepare(trainer, pl_module)
        resumed_at_due = due(pl_module, self.every_n_steps, self._last_eval)
        if resumed_at_due and not trainer.should_stop:  # the evaluation a stop left out
            self.evaluate(trainer, pl_module)

    def on_fit_end(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        """A run resumed at its end (Lightning then trains and ends nothing) whose end-of-run
        evaluation a signal cut short: make it now."""
        if self._real is not None or self._end_measured(trainer, pl_module):
            return
        self._prepare(trainer, pl_module)
        if pl_module.iteration != self._last_eval:
            self.evaluate(trainer, pl_module)
        self._measure_end(trainer, pl_module)

    def _end_measured(self, trainer: L.Trainer, pl_module: L.LightningModule) -> bool:
        """Whether metrics.json holds the end-of-run scores of this iteration: a periodic row
        (its num_samples the periodic set's) stands for them only where the sets are the same."""
        scores = self.run.read_info().get("metrics") or {}
        if scores.get("iteration") != pl_module.iteration:
            return False
        if self.final_num_samples == self.num_samples:
            return True
        final_size = min(self.final_num_samples, len(self._source_images(trainer)))
        return scores.get("num_samples") == final_size

    def _prepare(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        """The fixed real images and noise, and the Inception network when it can run."""
        self._real, self._z = self._fixed_sets(trainer, pl_module, self.num_samples)
        path, reason = locate_weights(self.inception_weights)
        if reason is None:
            self._inception = InceptionMetrics(path)
        elif METRICS[self.monitor].inception:
            raise ConfigError(
                f"callbacks.metrics.monitor={self.monitor} needs Inception weights, but {reason}"
            )
        elif says_sweep_notes():  # the same for every job of a sweep: said once
            off = [m for m in ordered() if m.inception]
            on = [m for m in ordered() if not m.inception]
            log.warning("%s are off: %s; measuring %s only", labels(off), reason, labels(on))

    def _fixed_sets(
        self, trainer: L.Trainer, pl_module: L.LightningModule, size: int
    ) -> tuple[Tensor, Tensor]:
        """`size` real images and as many latent vectors, the same for every call with that size."""
        real = self._real_images(trainer, size)
        gen = torch.Generator().manual_seed(self.seed)
        return real, pl_module.noise(len(real), gen, device="cpu")

    def _real_images(self, trainer: L.Trainer, size: int) -> Tensor:
        """A fixed random subset of the source's images, [-1, 1] floats on the CPU.

        With `data.limit` the reference is the whole source, not the N images trained on, so a
        G that only reproduces those N does not score as the best one.
        """
        images = self._source_images(trainer)
        n = min(size, len(images))
        if n < size:
            log.warning("metrics: only %d real images; using %d samples, not %d", n, n, size)
        gen = torch.Generator().manual_seed(self.seed)
        idx = torch.randperm(len(images), generator=gen)[:n].sort().values.numpy()
        return torch.from_numpy(images[idx]).float().div(127.5).sub(1)

    @staticmethod
    def _source_images(trainer: L.Trainer) -> np.ndarray:
        """The decoded images the real sets are drawn from (`_real_images`)."""
        images = getattr(trainer.datamodule, "reference_images", None)
        if images is None:
            images = getattr(trainer.datamodule, "images", None)
        if images is None:
            raise RuntimeError("ImageMetrics needs a datamodule with a decoded `images` array")
        return images

    def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx) -> None:  # noqa: ANN001
        if trainer.should_stop:  # stopping on a signal: last.ckpt first, nothing measured
            return
        last = last_iteration(trainer, pl_module) and pl_module.iteration != self._last_eval
        if last or due(pl_module, self.every_n_steps, self._last_eval):
            # the history ends at the last iteration, in the state last.ckpt is written with
            started = time.perf_counter()
            self.evaluate(trainer, pl_module)
            self.busy_s += time.perf_counter() - started

    def on_train_end(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        if trainer.should_stop:  # a stop, not the end: a resume measures what is due
            return
        if pl_module.iteration != self._last_eval:  # a resumed run that had not measured its end
            self.evaluate(trainer, pl_module)
        self._measure_end(trainer, pl_module)

    def _measure_end(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        """The end-of-run scores: more images, and each class of a conditional model."""
        if self.final_num_samples != self.num_samples:
            self.evaluate_final(trainer, pl_module)
        if getattr(pl_module, "conditional", False):
            self.evaluate_classes(trainer, pl_module)

    def _score(self, pl_module: L.LightningModule, real: Tensor, z: Tensor) -> dict[str, float]:
        """Every metric that can run, of G's samples from `z` against `real`."""
        fake = torch.cat(
            [
                pl_module.sample(zb.to(pl_module.device), seed=self.seed).cpu()
                for zb in z.split(self.batch_size)
            ]
        )
        return self._compare(pl_module, real, fake)

    def _compare(
        self, pl_module: L.LightningModule, real: Tensor, fake: Tensor
    ) -> dict[str, float]:
        return score_all(Images(real, fake, self.seed, pl_module.device, self._inception))

    def evaluate_final(self, trainer: L.Trainer, pl_module: L.LightningModule) -> dict[str, float]:
        """Score the end of the run on `final_num_samples` images; logged as `final/<metric>`."""
        it = pl_module.iteration
        real, z = self._fixed_sets(trainer, pl_module, self.final_num_samples)
        scores = self._score(pl_module, real, z)
        for logger in trainer.loggers:
            logger.log_metrics({keys.logged(k, keys.FINAL): v for k, v in scores.items()}, step=it)
        self.final_scores = {"iteration": it, "num_samples": len(real), **scores}
        log.info(
            "end of run, %d images: %s",
            len(real),
            ", ".join(f"{k}={v:.4g}" for k, v in scores.items()),
        )
        if trainer.is_global_zero:
            self.write(pl_module)
        return scores

    def evaluate_classes(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        """A conditional model, at the end: the headline metrics of each class, logged as
        `metrics/<metric>_class/<name>` and written to metrics.json as `<metric>_per_class`."""
        data = trainer.datamodule
        images, labels = data.reference_images, data.reference_labels  # all of the source
        if images is None or labels is None:
            images, labels = data.images, data.labels
        scores = per_class_scores(
            pl_module,
            images,
            labels,
            data.class_names,
            self.num_samples,
            lambda real, fake: headline_only(self._compare(pl_module, real, fake)),
            self.seed,
        )
        for logger in trainer.loggers:
            logger.log_metrics(
                {keys.logged_per_class(m, k): v for m, by in scores.items() for k, v in by.items()},
                step=pl_module.iteration,
            )
        for metric, by_class in scores.items():
            log.info(
                "%s per class: %s", metric, ", ".join(f"{k}={v:.4g}" for k, v in by_class.items())
            )
        if trainer.is_global_zero:
            fields = {keys.per_class_field(m): by for m, by in scores.items()}
            self.run.update_info(**fields)

    def evaluate(self, trainer: L.Trainer, pl_module: L.LightningModule) -> dict[str, float]:
        """Score now, log at step = iteration, keep best.ckpt, update metrics.json."""
        it = pl_module.iteration
        self._last_eval = it
        scores = self._score(pl_module, self._real, self._z)
        for logger in trainer.loggers:
            logger.log_metrics({keys.logged(k): v for k, v in scores.items()}, step=it)
        # the images actually compared: fewer than num_samples where the source has fewer
        self.history.append({"iteration": it, "num_samples": len(self._real), **scores})
        value = scores[self.monitor]
        if math.isfinite(value) and (self.best is None or value < self.best["value"]):
            self.best = {"metric": self.monitor, "value": value, "iteration": it}
            self._save_best(trainer)
        log.info("iteration %d: %s", it, ", ".join(f"{k}={v:.4g}" for k, v in scores.items()))
        if trainer.is_global_zero:
            self.write(pl_module)
        return scores

    def _save_best(self, trainer: L.Trainer) -> None:
        save_checkpoint(trainer, self.best_path)

    def write(self, pl_module: L.LightningModule) -> None:
        """Latest and best metrics and the history into metrics.json (time and speed: RunClock)."""
        self.run.update_info(
            monitor=self.monitor,
            metrics=self.final_scores or (self.history[-1] if self.history else {}),
            best=self.best,
            history=self.history,
            iterations=pl_module.iteration,
        )
