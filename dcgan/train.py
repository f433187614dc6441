"""Train a DCGAN: `python -m dcgan.train data.root=pics optimizer=sgd_adam pooling=avg ...`."""

from __future__ import annotations

import logging
import shlex
import sys
from pathlib import Path

import hydra
import lightning as L
from hydra.core.hydra_config import HydraConfig
from lightning.pytorch.utilities.exceptions import SIGTERMException
from omegaconf import DictConfig, OmegaConf

from dcgan.build import (
    build_callbacks,
    build_datamodule,
    build_loggers,
    build_module,
    build_trainer,
)
from dcgan.callbacks import OutputError, StopOnSignal, TrainingInterrupted
from dcgan.config import ConfigError, register_configs, validate
from dcgan.data import DataError
from dcgan.resume import check_compatible, resolve

log = logging.getLogger(__name__)

register_configs()


def _run_identity() -> tuple[Path, str]:
    hc = HydraConfig.get()
    run_dir = Path(hc.runtime.output_dir)
    return run_dir, hc.job.override_dirname or run_dir.name


def train(cfg: DictConfig, run_dir: str | Path | None = None) -> float | None:
    """Build data, model, loggers and Trainer from `cfg`, fit, and return the metric to minimise.

    `run_dir` defaults to Hydra's output folder of the current run.
    """
    validate(cfg)
    if run_dir is None:
        run_dir, run_name = _run_identity()
    else:
        run_dir = Path(run_dir)
        run_name = run_dir.name
    saved = run_dir / ".hydra" / "config.yaml"
    try:
        run_dir.mkdir(parents=True, exist_ok=True)
        if not saved.exists():  # the CLI has written it already; API callers get it here
            saved.parent.mkdir(exist_ok=True)
            OmegaConf.save(cfg, saved)
    except OSError as err:
        raise OutputError(
            f"cannot write into the run folder {run_dir}: {err.strerror or err}; choose a "
            "writable folder with hydra.run.dir=..."
        ) from err
    ckpt_path = cfg.ckpt_path
    if ckpt_path is not None and not Path(ckpt_path).is_file():
        raise ConfigError(
            f"ckpt_path={ckpt_path!r} is not a file (resolved to "
            f"{Path(ckpt_path).resolve()}); give the path of a .ckpt to resume"
        )
    ckpt_path = resolve(cfg.get("resume"), ckpt_path, run_dir)

    L.seed_everything(cfg.seed, workers=True, verbose=False)
    datamodule = build_datamodule(cfg.data, cfg.image_size)
    module = build_module(cfg)
    if ckpt_path is not None:
        check_compatible(ckpt_path, module.hparams)  # before any logger or file is made
    loggers = build_loggers(cfg.logger, run_dir, run_name)
    callbacks = build_callbacks(cfg.callbacks, run_dir)
    trainer = build_trainer(cfg.trainer, module.steps_per_iteration, loggers, callbacks, run_dir)
    stopper = next(c for c in callbacks if isinstance(c, StopOnSignal))
    try:
        # weights_only: resuming never runs code from the file
        trainer.fit(module, datamodule=datamodule, ckpt_path=ckpt_path, weights_only=True)
    except SIGTERMException:  # Lightning's own stop; the checkpoint callback saved last.ckpt
        stopper.received = stopper.received or "SIGTERM"
    finally:
        if cfg.logger.name == "wandb":
            import wandb

            wandb.finish()  # or the next run of a multirun logs into this one
    if stopper.received:
        raise TrainingInterrupted(
            stopper.received, module.iteration, run_dir / "checkpoints" / "last.ckpt"
        )
    log.info("finished at iteration %d; run folder: %s", module.iteration, run_dir)
    return None


def resume_command(run_dir: Path) -> str:
    """The command line that continues this run in its own folder."""
    try:
        task = list(HydraConfig.get().overrides.task)
    except ValueError:  # called through the API, not the CLI
        task = []
    dropped = ("resume=", "ckpt_path=", "hydra.run.dir=", "+resume=", "+ckpt_path=")
    kept = [o for o in task if not o.startswith(dropped)]
    args = [*kept, "resume=auto", f"hydra.run.dir={run_dir}"]
    return " ".join(["python -m dcgan.train", *map(shlex.quote, args)])


@hydra.main(version_base="1.3", config_path="configs", config_name="train")
def main(cfg: DictConfig) -> float | None:
    """The command-line entry point: a bad value or folder ends with one clear line."""
    try:
        return train(cfg)
    except (ConfigError, DataError, OutputError) as err:
        print(f"error: {err}", file=sys.stderr)
        raise SystemExit(2) from None
    except TrainingInterrupted as stop:
        print(
            f"{stop}\nresume with:\n  {resume_command(stop.checkpoint.parents[1])}", file=sys.stderr
        )
        raise SystemExit(stop.exit_code) from None


if __name__ == "__main__":
    main()
