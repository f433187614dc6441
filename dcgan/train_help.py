"""`dcgan-train --help`: the config groups and every key, generated from the schema.

Each key's meaning is the comment written beside (or above) its field in the schema
(`dcgan/config.py`, a trick's `Config`), its default the composed default config, and its
choices or rule what `config.validate` says when the key is given a value that cannot work: the
registries and rules are read where they are written, never copied here. `--hydra-help` keeps
Hydra's own help.
"""

from __future__ import annotations

import dataclasses
import inspect
import io
import re
import tokenize
from pathlib import Path
from typing import Any

from dcgan.train_args import CONFIG_DIR, groups

USAGE = """\
python -m dcgan.train [group=option ...] [key=value ...]   train one run (also: dcgan-train)
python -m dcgan.train -m key=a,b [key=c,d ...]             a sweep: one run per combination
python -m dcgan.train data=digits experiment=tiny          a first run, offline, on the CPU
  --cfg job: print the composed config without training; --hydra-help: Hydra's own help
  every group and key: docs/config-reference.md; a list takes brackets: augment.policy=[color]"""

_FIELD = re.compile(r"^\s+(\w+)\s*:")
_PROBE_TEXT = "\u2047"  # no registry holds this name
_PROBE_NUMBERS = (-2, 10**12)


def _comments(cls: type) -> dict[str, str]:
    """Field name -> the comment beside it, or else the comment lines right above it."""
    try:
        source = inspect.getsource(cls)
    except (OSError, TypeError):
        return {}
    beside: dict[int, str] = {}
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type == tokenize.COMMENT:
            beside[tok.start[0]] = tok.string.lstrip("#").strip()
    found: dict[str, str] = {}
    above: list[str] = []
    for number, line in enumerate(source.splitlines(), start=1):
        text = line.strip()
        if text.startswith("#"):
            above.append(beside.get(number, ""))
            continue
        match = _FIELD.match(line)
        if match and not text.startswith(("def ", "class ", "@")):
            found.setdefault(match.group(1), beside.get(number) or " ".join(above))
        above = []
    return found


def schema_comments(cls: type, prefix: str = "") -> dict[str, str]:
    """Full key -> one-line meaning, for every field of the dataclass `cls` and those below."""
    out: dict[str, str] = {}
    own: dict[str, str] = {}
    for klass in reversed(cls.__mro__):  # a subclass's comment wins
        own.update(_comments(klass))
    for spec in dataclasses.fields(cls):
        key = f"{prefix}{spec.name}"
        if own.get(spec.name):
            out[key] = own[spec.name]
        kind = spec.type if isinstance(spec.type, type) else None
        if kind is None and spec.default_factory is not dataclasses.MISSING:
            kind = type(spec.default_factory())
        if kind is not None and dataclasses.is_dataclass(kind):
            out.update(schema_comments(kind, f"{key}."))
    return out


def _leaves(node: Any, prefix: str = "") -> list[tuple[str, Any]]:
    from omegaconf import DictConfig

    out = []
    for key in node:
        value = node._get_node(key)
        full = f"{prefix}{key}"
        if isinstance(value, DictConfig):
            out += _leaves(value, f"{full}.")
        else:
            out.append((full, value))
    return out


def _shown(value: Any) -> str:
    from omegaconf import OmegaConf

    if OmegaConf.is_config(value):
        value = OmegaConf.to_container(value)
    if value is None:
        return "null"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, list):
        return "[" + ",".join(_shown(v) for v in value) + "]"
    return str(value)


def _rule(cfg: Any, key: str, node: Any) -> str:
    """What `config.validate` says `key` takes: its choices, or its rule; '' when nothing."""
    from omegaconf import ListConfig, OmegaConf
    from omegaconf.nodes import AnyNode, BooleanNode, FloatNode, IntegerNode, StringNode

    from dcgan.config import ConfigError, validate

    if isinstance(node, BooleanNode):
        return ""
    if isinstance(node, (StringNode, AnyNode)):
        probes: tuple[Any, ...] = (_PROBE_TEXT,)
    elif isinstance(node, (IntegerNode, FloatNode)):
        probes = _PROBE_NUMBERS
    elif isinstance(node, ListConfig):
        probes = ([_PROBE_TEXT],)
    else:
        return ""
    saved = OmegaConf.select(cfg, key)
    saved = OmegaConf.to_container(saved) if OmegaConf.is_config(saved) else saved
    try:
        for probe in probes:
            try:
                OmegaConf.update(cfg, key, probe, merge=False)
                validate(cfg)
            except ConfigError as err:
                if err.key == key and err.rule and isinstance(node, ListConfig):
                    return err.rule
                if err.key == key and err.choices:
                    return "one of: " + ", ".join(_shown(c) for c in err.choices)
                if err.key == key and err.rule:
                    return err.rule
            except Exception:  # noqa: BLE001 (a probe that breaks elsewhere teaches nothing)
                continue
    finally:
        OmegaConf.update(cfg, key, saved, merge=False)
    return ""


def key_rows(cfg: Any) -> list[tuple[str, str, str]]:
    """(key, default, meaning with its choices or rule) for every key of a composed config; what
    `--help` prints and `docs/config-reference.md` lists (`dcgan.config_doc`)."""
    from dcgan.config import TrainConfig

    comments = schema_comments(TrainConfig)
    rows = []
    for key, node in _leaves(cfg):
        meaning = comments.get(key, "")
        rule = _rule(cfg, key, node)
        if rule and rule not in meaning:
            meaning = f"{meaning} ({rule})" if meaning else rule
        rows.append((key, _shown(node._value()), meaning))
    return rows


def help_text(config_dir: Path = CONFIG_DIR) -> str:
    """The usage, the config groups with their options, then every key with default and meaning."""
    from hydra import compose, initialize_config_dir
    from omegaconf import OmegaConf

    from dcgan.config import register_configs

    register_configs()
    with initialize_config_dir(config_dir=str(config_dir), version_base="1.3"):
        full = compose("train", return_hydra_config=True)
        cfg = compose("train")
    chosen = OmegaConf.to_container(full.hydra.runtime.choices)
    lines = [USAGE, "", "config groups (group=option; * the default):"]
    options = groups(config_dir)
    width = max(len(name) for name in options) + 2
    for name, names in options.items():
        marked = [f"{o}*" if chosen.get(name) == o else o for o in names]
        lines.append(f"  {name:<{width}}{', '.join(marked)}")
    rows = [(f"{key}={default}", meaning) for key, default, meaning in key_rows(cfg)]
    width = min(max(len(shown) for shown, _ in rows) + 2, 44)
    lines += ["", "keys (key=value; defaults shown, with the options above):"]
    for shown, meaning in rows:
        pad = f"  {shown:<{width}}" if len(shown) < width else f"  {shown}\n  {'':<{width}}"
        lines.append(f"{pad}{meaning}".rstrip())
    return "\n".join(lines)
