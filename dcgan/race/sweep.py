"""A race's sweep read as Hydra's basic sweeper reads it: its settings and what every run gets.

The grid comes from `sweep=` presets (`hydra.sweeper.params`) and the command line's lists,
ranges and globs, a key on the command line replacing the preset's, in the sweeper's order.
A setting is one combination of the swept values, as the `key=value` overrides Hydra gives a
job. The seed is the race's: a sweep or a value of `seed` is refused.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from dcgan.race.naming import run_name
from dcgan.train_args import CONFIG_DIR


class RaceError(ValueError):
    """A race that cannot start or continue as asked; the message says why and what to do."""


@dataclass(frozen=True)
class Setting:
    """One combination of the swept values: `trick=ema`, or `activation=relu pooling=avg`."""

    overrides: tuple[str, ...]  # key=value, in the sweep's key order

    @property
    def name(self) -> str:
        """How the race log and the console call it."""
        return " ".join(self.overrides)

    @property
    def values(self) -> dict[str, str]:
        """Each swept key and its value here."""
        return dict(o.split("=", 1) for o in self.overrides)

    def folder(self, seed: int) -> str:
        """The run folder's name for `seed`."""
        return run_name(self.overrides, seed)


@dataclass(frozen=True)
class Sweep:
    """The settings of a race, the swept keys and the overrides given to every run."""

    settings: tuple[Setting, ...]
    keys: tuple[str, ...]  # the swept keys, in order
    plain: tuple[str, ...]  # the user's other overrides (hydra.* and launcher ones included)

    def task_overrides(self) -> list[str]:
        """The plain overrides that change what a run trains (Hydra's own left out)."""
        return [o for o in self.plain if not is_hydra(o)]

    def task_keys(self) -> list[str]:
        """Keys of the plain overrides a run's config gets (not Hydra's own)."""
        from hydra.core.override_parser.overrides_parser import OverridesParser

        parsed = OverridesParser.create().parse_overrides(self.task_overrides())
        return [o.key_or_group for o in parsed]


def is_hydra(override: str) -> bool:
    """Overrides of Hydra itself (launcher, folders): they do not change what a run trains."""
    return override.lstrip("+~").startswith(("hydra.", "hydra/"))


def _sweeper(plain: list[str], config_dir: Path) -> tuple[str, dict[str, str], object]:
    """The sweeper's target and params that these overrides compose to, and Hydra's loader."""
    from hydra import compose, initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra
    from omegaconf import OmegaConf

    from dcgan.config import register_configs

    register_configs()
    with initialize_config_dir(config_dir=str(config_dir), version_base="1.3"):
        cfg = compose("train", overrides=plain, return_hydra_config=True)
        loader = GlobalHydra.instance().config_loader()
    sweeper = cfg.hydra.sweeper
    params = sweeper.get("params")
    params = OmegaConf.to_container(params, resolve=False) if params else {}
    return str(sweeper.get("_target_", "")), {str(k): str(v) for k, v in params.items()}, loader


def read_sweep(train_args: list[str], config_dir: Path = CONFIG_DIR) -> Sweep:
    """The settings of `train_args` (key=value overrides of dcgan.train), in the sweeper's order."""
    from hydra.core.override_parser.overrides_parser import OverridesParser

    parsed = OverridesParser.create().parse_overrides(train_args)
    plain = [o.input_line for o in parsed if not o.is_sweep_override()]
    for o in parsed:
        if o.key_or_group == "seed":
            raise RaceError(
                f"{o.input_line} is the race's to choose: leave seed out; race.seeds and "
                "race.step say how many seeds the settings get"
            )
    target, params, loader = _sweeper(plain, config_dir)
    if not target.endswith("BasicSweeper"):
        raise RaceError(f"a race runs Hydra's basic sweeper, not {target}: leave out that sweeper")
    lines = [f"{k}={v}" for k, v in params.items()] + train_args
    swept: OrderedDict[str, list[str] | None] = OrderedDict()  # None: a plain value
    for o in OverridesParser.create(config_loader=loader).parse_overrides(lines):
        key = o.get_key_element()
        if key.lstrip("+~") == "seed":
            raise RaceError(f"{o.input_line}: the race chooses the seeds; leave seed out")
        if not o.is_sweep_override():
            swept[key] = None
        elif o.is_discrete_sweep():
            swept[key] = [f"{key}={v}" for v in o.sweep_string_iterator()]
        else:
            raise RaceError(f"{o.input_line}: a race sweeps lists, ranges and globs, not intervals")
    grids = {k: v for k, v in swept.items() if v is not None}
    if not grids:
        raise RaceError(
            "nothing to race: give settings to compare, e.g. trick=none,ema or sweep=ganhacks"
        )
    for key, values in grids.items():
        if len(set(values)) != len(values):
            raise RaceError(f"{key} lists a value twice ({', '.join(values)}): give each once")
    combos: list[tuple[str, ...]] = [()]
    for values in grids.values():
        combos = [(*c, v) for c in combos for v in values]
    if len(combos) < 2:
        raise RaceError(f"one setting ({' '.join(combos[0])}) is no race: give two or more")
    return Sweep(tuple(Setting(c) for c in combos), tuple(grids), tuple(plain))
