"""`dcgan-train --help`: the config groups and every key, generated from the declarations.

Each key's meaning, choices and rule are what its field declares (`dcgan.checks.key`, in
`dcgan/config.py` and a trick's `Config`), its default the composed default config (what
`configs/train.yaml` sets over the schema): read where they are written, never copied here.
`--hydra-help` keeps Hydra's own help.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dcgan.checks import leaves, shown
from dcgan.train_args import CONFIG_DIR, compose_train, groups

USAGE = """\
python -m dcgan.train [group=option ...] [key=value ...]   train one run (also: dcgan-train)
python -m dcgan.train -m key=a,b [key=c,d ...]             a sweep: one run per combination
python -m dcgan.train data=digits experiment=tiny          a first run, offline, on the CPU
  --cfg job: print the composed config without training; --hydra-help: Hydra's own help
  every group and key: docs/config-reference.md; a list takes brackets: augment.policy=[color]"""


def key_rows(cfg: Any) -> list[tuple[str, str, str]]:
    """(key, default, meaning with its choices or rule) for every declared key, the default as
    `cfg` (the composed default config) holds it; what `--help` prints and
    `docs/config-reference.md` lists (`dcgan.config_doc`)."""
    from omegaconf import OmegaConf

    from dcgan.config import TrainConfig

    rows = []
    for key, leaf in leaves(TrainConfig).items():
        default = OmegaConf.select(cfg, key)
        default = OmegaConf.to_container(default) if OmegaConf.is_config(default) else default
        rule = leaf.rule_text()
        rows.append((key, shown(default), f"{leaf.help} ({rule})" if rule else leaf.help))
    return rows


def help_text(config_dir: Path = CONFIG_DIR) -> str:
    """The usage, the config groups with their options, then every key with default and meaning."""
    from omegaconf import OmegaConf

    full = compose_train([], config_dir, hydra=True)
    chosen = OmegaConf.to_container(full.hydra.runtime.choices)
    cfg = compose_train([], config_dir)
    lines = [USAGE, "", "config groups (group=option; * the default):"]
    options = groups(config_dir)
    width = max(len(name) for name in options) + 2
    for name, names in options.items():
        marked = [f"{o}*" if chosen.get(name) == o else o for o in names]
        lines.append(f"  {name:<{width}}{', '.join(marked)}")
    rows = [(f"{key}={default}", meaning) for key, default, meaning in key_rows(cfg)]
    width = min(max(len(text) for text, _ in rows) + 2, 44)
    lines += ["", "keys (key=value; defaults shown, with the options above):"]
    for text, meaning in rows:
        pad = f"  {text:<{width}}" if len(text) < width else f"  {text}\n  {'':<{width}}"
        lines.append(f"{pad}{meaning}".rstrip())
    return "\n".join(lines)
