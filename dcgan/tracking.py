"""What a run tells W&B so that a dashboard can group a sweep's runs by setting, over seeds.

Every run of a multirun shares one W&B `group` (the sweep folder's name, or `logger.group`), has
`job_type` "sweep" (or "train" for a single run), and is tagged with the overrides of the keys
the sweep varies (seed and paths left out; a single run: all its overrides). Its config holds the
whole resolved config under `cfg`, each config-group choice under its own name (`trick: ema`,
`pooling: avg`) and `setting`, those tags as one string. At the end its summary holds the final
and best metric and the run's status.
"""

from __future__ import annotations

import functools
import logging
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from dcgan.run import RunFolder

if TYPE_CHECKING:
    from lightning.pytorch.loggers import WandbLogger
    from omegaconf import DictConfig

# Lightning, OmegaConf and the metrics load where they are used: the report reads which overrides
# form a setting from here, and answers a wrong folder or argument without them.

log = logging.getLogger(__name__)

MAX_TAG = 64  # W&B refuses longer tags
PATH_KEYS = ("root", "dir", "path", "file", "weights")  # keys whose values are paths, not settings
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def is_seed_override(override: str) -> bool:
    """`seed=3` (also `+seed=3`, `++seed=3`): what varies between the runs of one setting."""
    return override.lstrip("+").split("=", 1)[0] == "seed"


def is_path_override(override: str) -> bool:
    """Overrides that name a file or folder: where a run reads or writes, not what it does."""
    key, _, value = override.lstrip("+~").partition("=")
    last = key.rsplit(".", 1)[-1]
    return key.startswith(("hydra.", "hydra/")) or last.endswith(PATH_KEYS) or "/" in value


def setting_overrides(overrides: list[str]) -> list[str]:
    """The overrides that define a setting: all but the seed and paths, in the given order."""
    return [o for o in overrides if not is_seed_override(o) and not is_path_override(o)]


def _key(override: str) -> str:
    return override.lstrip("+~").split("=", 1)[0]


def swept_keys(sweep_dir: Path, sweeper_params: set[str]) -> set[str]:
    """Keys a multirun varies: the sweeper's `params` and the command line's lists and ranges."""
    from hydra.core.override_parser.overrides_parser import OverridesParser

    keys = set(sweeper_params)
    saved = sweep_dir / "multirun.yaml"  # Hydra writes the sweep's own command line there
    try:
        task = ((yaml.safe_load(saved.read_text()) or {}).get("hydra") or {})["overrides"]["task"]
        parsed = OverridesParser.create().parse_overrides([str(o) for o in task or []])
    except (OSError, KeyError, TypeError, yaml.YAMLError, ValueError) as err:
        log.debug("no command-line sweep keys from %s: %s", saved, err)
        return keys
    return keys | {o.key_or_group for o in parsed if o.is_sweep_override()}


def sweep_group_name(sweep_dir: str | Path) -> str:
    """The folder's name; `<date>_<time>` for Hydra's default `multirun/<date>/<time>` layout."""
    path = Path(sweep_dir)
    if _DATE.match(path.parent.name):
        return f"{path.parent.name}_{path.name}"
    return path.name


def _hydra_facts() -> tuple[Path | None, list[str], dict[str, Any]]:
    """The sweep folder (None: not a multirun), the setting's overrides, the group choices."""
    from hydra.core.hydra_config import HydraConfig
    from hydra.types import RunMode
    from omegaconf import OmegaConf

    try:
        hc = HydraConfig.get()
    except ValueError:  # called through the API, not the CLI
        return None, [], {}
    choices = {k: v for k, v in OmegaConf.to_container(hc.runtime.choices).items() if "/" not in k}
    choices.pop("train_schema", None)
    setting = setting_overrides([str(o) for o in hc.overrides.task])
    if hc.mode != RunMode.MULTIRUN:
        return None, setting, choices
    sweep_dir = Path(hc.sweep.dir)
    params = hc.sweeper.get("params") or {}  # a sweep config's grid; absent for some sweepers
    swept = swept_keys(sweep_dir, set(params.keys()))
    return sweep_dir, [o for o in setting if _key(o) in swept] if swept else setting, choices


def wandb_run_fields(logger: DictConfig, run_dir: Path) -> dict[str, Any]:
    """W&B `group`, `job_type`, `tags` and `config` of this run (arguments of `wandb.init`)."""
    sweep_dir, setting, choices = _hydra_facts()
    group = logger.get("group") or (sweep_group_name(sweep_dir) if sweep_dir else None)
    config = {
        **{k: v for k, v in choices.items() if v is not None},
        "setting": " ".join(setting) or "(base)",
        "cfg": RunFolder(run_dir).resolved_config(),
    }
    return {
        "group": group,
        "job_type": "sweep" if sweep_dir else "train",
        "tags": [t[:MAX_TAG] for t in setting],
        "config": config,
    }


def run_summary(run_dir: Path, lightning_status: str) -> dict[str, Any]:
    """Final and best metrics, iterations, speed and status from the run's metrics.json."""
    from dcgan.metrics import keys

    run = RunFolder(run_dir)
    info = run.read_info()
    summary: dict[str, Any] = {}
    for name, value in (info.get("metrics") or {}).items():
        if name != "iteration" and isinstance(value, (int, float)):
            summary[keys.logged(name, keys.FINAL)] = value
    best = info.get("best") or {}
    if best.get("value") is not None:
        summary[keys.logged(best["metric"], keys.BEST)] = best["value"]
        summary[keys.logged("iteration", keys.BEST)] = best.get("iteration")
    for key in ("iterations", "img_per_s", "train_time_s"):
        if info.get(key) is not None:
            summary[key] = info[key]
    status = "finished" if lightning_status in ("success", "finished") else "failed"
    trainer = run.resolved_config().get("trainer") or {}
    planned = trainer.get("max_steps", -1)
    by_epochs = trainer.get("max_epochs") not in (None, -1)  # may end before max_steps
    if status == "finished" and isinstance(planned, int) and planned > 0 and not by_epochs:
        if (info.get("iterations") or 0) < planned:
            status = "interrupted"  # stopped on a signal before its last iteration
    summary["status"] = status
    return summary


@functools.cache
def _logger_class() -> type[WandbLogger]:
    """Lightning's W&B logger that writes the run summary (final, best, status) when it ends."""
    from lightning.pytorch.loggers import WandbLogger
    from lightning.pytorch.utilities import rank_zero_only

    class SweepWandbLogger(WandbLogger):
        """Lightning's W&B logger that writes the run summary when it ends."""

        def __init__(self, run_dir: Path, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self._run_dir = Path(run_dir)
            getattr(self, "_wandb_init", {}).pop("anonymous", None)  # W&B: "has no effect"

        @rank_zero_only
        def log_hyperparams(self, params: Any, *args: Any, **kwargs: Any) -> None:
            """The module's hyper-parameters under `hparams`: top-level names are the choices."""
            super().log_hyperparams({"hparams": params}, *args, **kwargs)

        @rank_zero_only
        def finalize(self, status: str) -> None:
            """Summary first, then Lightning's own finalisation."""
            if self._experiment is not None:
                self._experiment.summary.update(run_summary(self._run_dir, status))
            super().finalize(status)

    return SweepWandbLogger


def wandb_logger(logger: DictConfig, run_dir: Path, run_name: str) -> WandbLogger:
    """The W&B logger of one run, with the fields that let a dashboard group a sweep."""
    return _logger_class()(
        run_dir,
        name=run_name,
        save_dir=str(run_dir),
        project=logger.project,
        entity=logger.entity,
        offline=logger.offline,
        log_model=False,
        **wandb_run_fields(logger, run_dir),
    )
