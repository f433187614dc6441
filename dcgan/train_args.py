"""The command line of `dcgan.train`, checked before Hydra reads it: one line and exit 2.

Hydra alone answers a misspelt group with advice to append it (`+optimiser=adam`), a wrong type
with a multi-line report and exit 1, an unquoted space with a lexer error. Here every argument's
key is looked up in the schema's declarations (`dcgan.checks.key`) and `configs/`, its value held
against the declared type, choices and rule: every wrong one at once, a line each, with the
nearest valid names, before Hydra makes a folder or anything slow loads.
"""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path
from typing import Any

from dcgan.checks import Leaf, fits, groups_of, leaves
from dcgan.cli import CliError, closest, error_lines

CONFIG_DIR = Path(__file__).resolve().parent / "configs"
# Hydra's flags followed by a value (not an override); with those in _HANDS_OFF Hydra does
# something else than a run, or reads another config: left to Hydra.
_FLAGS_WITH_VALUE = {"-cn", "--config-name", "-cp", "--config-path", "-cd", "--config-dir", "-p"}
_FLAGS_WITH_VALUE |= {"--package", "-c", "--cfg", "-i", "--info", "-sc", "--shell-completion"}
_FLAGS_WITH_VALUE |= {"--experimental-rerun"}
_HANDS_OFF = _FLAGS_WITH_VALUE - {"-p", "--package", "-c", "--cfg"}
_HANDS_OFF |= {"-h", "--help", "--hydra-help", "--version"}
QUOTE_HINT = (  # Hydra reads a value itself: spaces pass, non-ASCII letters and its signs do not
    "quote the value inside the argument too, e.g. \"data.root='bilder/größe'\": non-ASCII "
    "letters and = ( ) [ ] { } ' \" ~ # & ; ! ^ need it, spaces do not (see README: Paths)"
)
# Hydra's flags that do one thing instead of running: with -m, Hydra raises a traceback.
_ONE_RUN_FLAGS = dict.fromkeys(("--cfg", "-c"), "prints one run's config")
_ONE_RUN_FLAGS |= dict.fromkeys(("--info", "-i"), "prints one run's information")
_ONE_RUN_FLAGS |= dict.fromkeys(("--shell-completion", "-sc"), "sets up shell completion")
SPLIT_HINT = (  # an argument without `=`: the shell split a value at a space
    'if it belongs to the value before it, put the whole argument in quotes, e.g. "data.root=my '
    'pics" (see README: Paths)'
)


def _flags_and_overrides(argv: list[str]) -> tuple[list[str], list[str]]:
    """Hydra's flags with their values, and the overrides, each in the order given."""
    flags: list[str] = []
    overrides: list[str] = []
    args = iter(argv)
    for arg in args:
        (flags if arg.startswith("-") else overrides).append(arg)
        value = next(args, None) if arg in _FLAGS_WITH_VALUE else None
        if value is not None:  # the value of -i/--info may be left out: then an override follows
            (overrides if arg in ("-i", "--info") and "=" in value else flags).append(value)
    return flags, overrides


def split_args(argv: list[str]) -> tuple[list[str], bool, bool]:
    """(overrides, multirun?, hands off?) from the raw arguments."""
    flags, overrides = _flags_and_overrides(argv)
    multirun = bool({"-m", "--multirun"} & set(flags))
    return overrides, multirun, any(f.split("=", 1)[0] in _HANDS_OFF for f in flags)


def groups(config_dir: Path = CONFIG_DIR, hydra: bool = False) -> dict[str, list[str]]:
    """Each config group (a folder of YAML files) and its options; Hydra's own when asked."""
    found: dict[str, list[str]] = {}
    for folder in sorted(p for p in config_dir.rglob("*") if p.is_dir()):
        options = sorted(f.stem for f in folder.glob("*.yaml"))
        name = folder.relative_to(config_dir).as_posix()
        if options and (hydra or not name.startswith("hydra")):
            found[name] = options
    return found


def _values(override) -> list[Any]:  # noqa: ANN001 (Hydra's Override)
    """The values an override asks for: a sweep's choices or range, or the one value."""
    from hydra.core.override_parser.types import ChoiceSweep, RangeSweep

    value = override.value()
    if isinstance(value, ChoiceSweep):
        return list(value.list)
    if isinstance(value, RangeSweep):
        return list(override.sweep_iterator())
    return [value] if not override.is_sweep_override() else []


def warn_repeats(overrides: list[str], known_groups: dict[str, list[str]]) -> None:
    """A group given twice: Hydra keeps the last silently (`trick=a trick=b` is b alone); say so.
    A key given twice is left alone: scripts append overrides to a base and mean the last."""
    seen: dict[str, str] = {}
    for arg in overrides:
        key, sep, value = arg.partition("=")
        if sep and key in known_groups and seen.setdefault(key, arg) != arg:
            both = f"{seen[key].partition('=')[2]},{value}"
            sys.stderr.write(
                f"warning: {key} is given twice ({seen[key]}, {arg}): only {arg} counts; for "
                f"both, write {key}=[{both}]\n"
            )
            seen[key] = arg


class Schema:
    """The run config's declared keys and groups of keys, and the config groups of configs/."""

    def __init__(self, config_dir: Path = CONFIG_DIR) -> None:
        from dcgan.config import TrainConfig

        self.config_dir = config_dir
        self.leaves = leaves(TrainConfig)
        self.nodes = set(groups_of(TrainConfig))
        self.groups = groups(config_dir)

    def key_problem(self, key: str) -> str | None:
        """Why `key` is neither a declared key nor a group, or None."""
        parts = key.split(".")
        for depth, part in enumerate(parts, start=1):
            name, here = ".".join(parts[:depth]), ".".join(parts[: depth - 1])
            if name in self.leaves:
                return None  # a free-form value (devices) may hold more: Hydra judges it
            if name in self.nodes or (depth == 1 and name in self.groups):
                continue
            known = [*self.leaves, *self.nodes, *([] if here else self.groups)]
            below = {k.split(".")[depth - 1] for k in known if k.startswith(f"{here}.") or not here}
            where = f": {part} is not a key under {here}" if here else ""
            return f"unknown key {key}{where}; " + closest(part, below, "choices")
        return None

    def group_value(self, group: str, value: str) -> str | None:
        """Why `value` is not an option of `group` (with the keys that take it), or None."""
        if value in self.groups[group] or value == "null":
            return None
        under = {n: leaf for n, leaf in self.leaves.items() if n.startswith(f"{group}.")}
        takers = [f"{n}={value}" for n, leaf in under.items() if value in (leaf.choices() or ())]
        line = f"{group}={value} is not an option of group {group}; "
        return line + closest(value, self.groups[group], "choices", near=takers)


def type_problem(leaf: Leaf, value: Any, text: str) -> str | None:
    """Why `value` (written `text` by the user) does not fit the key's declared type, or None."""
    if fits(leaf.kind, value, quoted=True):
        return None
    rule, choices = leaf.rule_text(), leaf.choices()
    said = f" (rule: {rule})" if rule else ""
    if not leaf.is_list():  # the type's words, then its choices or rule
        return f"{leaf.problem(value, text)}{f' ({rule})' if choices is not None else said}"
    items = [i.strip() for i in text.strip("[]").split(",") if i.strip()]
    listed = ",".join(items)
    line = f"{leaf.name}={text} is not a list: write it in brackets, {leaf.name}=[{listed}]"
    if not choices:
        return line + said
    unknown, line = [i for i in items if i not in choices], f"{line}; {leaf.name} takes {rule}"
    return f"{line} ({', '.join(unknown)} is none of them)" if unknown else line


def override_problems(overrides: list[str], schema: Schema) -> list[str]:
    """A line for each override whose key, group option or value type cannot work."""
    from hydra.core.override_parser.overrides_parser import OverridesParser
    from hydra.errors import OverrideParseException

    parser = OverridesParser.create()
    found = []
    for arg in overrides:
        if "=" not in arg:
            raise CliError(f"argument {arg!r} is not key=value; {SPLIT_HINT}")
        try:
            (override,) = parser.parse_overrides([arg])
        except OverrideParseException:
            raise CliError(f"cannot read {arg!r}: " + QUOTE_HINT) from None
        key = override.key_or_group
        if override.is_delete() or override.is_add() or key.startswith("hydra"):
            continue  # +key, ++key, ~key and Hydra's own keys: Hydra decides
        values = _values(override)
        if key in schema.groups:
            found += [schema.group_value(key, v) for v in values if isinstance(v, str)]
            continue
        leaf, text = schema.leaves.get(key), arg.partition("=")[2]
        if leaf is None:
            found.append(schema.key_problem(key))
            continue
        if leaf.is_list() and override.is_sweep_override() and not isinstance(values[0], list):
            values = [None if text == "null" else text]  # `color,cutout`: meant as a list
        written = [text] if len(values) == 1 else [str(v) for v in values]
        wrong = (type_problem(leaf, v, w) for v, w in zip(values, written, strict=True))
        found.append(next((line for line in wrong if line), None))  # a sweep's first wrong one
    return [line for line in found if line is not None]


def sweep_samples(overrides: list[str]) -> list[list[str]]:
    """Job override lists that together hold every swept value once (the others at their first;
    no sweep: the one job), written as Hydra's basic sweeper writes them; glob sweeps
    (`trick=glob(*)`) pick group options, which `override_problems` has checked: left out."""
    from hydra.core.override_parser.overrides_parser import OverridesParser
    from hydra.core.override_parser.types import Glob, IntervalSweep

    parsed = OverridesParser.create().parse_overrides(overrides)
    fixed = [o.input_line for o in parsed if not o.is_sweep_override()]
    sweeps = [  # an interval (optuna's search, no list) by its middle
        [f"{o.get_key_element()}={(span.start + span.end) / 2}"]
        if isinstance(span := o.value(), IntervalSweep)
        else [f"{o.get_key_element()}={v}" for v in o.sweep_string_iterator()]
        for o in parsed
        if o.is_sweep_override() and not isinstance(o.value(), Glob)
    ]
    firsts = [values[0] for values in sweeps if values]
    jobs = [
        [*fixed, *firsts[:i], value, *firsts[i + 1 :]]
        for i, values in enumerate(sweeps)
        for value in (values[1:] if i else values)
    ]
    return jobs or [fixed]


def compose_train(
    overrides: list[str] = (), config_dir: Path = CONFIG_DIR, hydra: bool = False
) -> Any:
    """The run config of `overrides` as Hydra composes it (`hydra`: with Hydra's own node)."""
    from hydra import compose, initialize_config_dir

    from dcgan.config import register_configs

    register_configs()
    with initialize_config_dir(config_dir=str(config_dir), version_base="1.3"):
        return compose("train", overrides=list(overrides), return_hydra_config=hydra)


def rule_problems(overrides: list[str], schema: Schema, multirun: bool, beside: bool) -> list[str]:
    """Every value that breaks a rule, of the run or of each of a sweep (several without -m only
    where a `sweep=` preset asks); `beside` arguments that cannot be read, the declared rules the
    readable ones break (the rules of several keys need them all)."""
    from hydra.core.override_parser.overrides_parser import OverridesParser
    from hydra.core.override_parser.types import IntervalSweep
    from hydra.types import RunMode

    from dcgan.checks import problems as declared
    from dcgan.config import TrainConfig, problems

    if beside:
        overrides = [o for o in overrides if not override_problems([o], schema)]
    parsed = OverridesParser.create().parse_overrides(overrides)
    swept = [o.input_line for o in parsed if o.is_sweep_override()]
    found: list[str] = []
    for i, job in enumerate(sweep_samples(overrides)[: 1 if beside else None]):
        typed = {k.lstrip("+"): v for k, _, v in (o.partition("=") for o in job)}
        try:
            cfg = compose_train(job, schema.config_dir, hydra=i == 0 and not beside)
        except Exception as err:  # noqa: BLE001 (every composition failure is reported)
            raise CliError(str(err.__cause__ or err).strip().splitlines()[0]) from None
        if i == 0 and swept and not (beside or multirun) and cfg.hydra.mode != RunMode.MULTIRUN:
            raise CliError(_several_values(swept[0], schema))
        searched = [o.input_line for o in parsed if isinstance(o.value(), IntervalSweep)]
        searched = searched if i == 0 and not beside else []
        if searched and cfg.hydra.sweeper._target_.endswith(".BasicSweeper"):  # else a traceback
            raise CliError(f"{searched[0]} is searched, not listed: add hydra/sweeper=optuna")
        errors = declared(cfg, TrainConfig, typed=typed) if beside else problems(cfg, typed)
        found += [str(e) for e in errors if str(e) not in found]
    return found


def _several_values(arg: str, schema: Schema) -> str:
    """`arg` asks for several runs: add -m; for a text key (`data.root=a,b`), or quote it."""
    line = f"{arg} gives several values: add -m for one run each (python -m dcgan.train -m ...)"
    key, _, text = arg.partition("=")
    leaf = schema.leaves.get(key)
    if leaf is None or leaf.kind_words() != "text" or leaf.choices() is not None:
        return line
    return f"{line}, or quote it as one value: \"{key}='{text}'\""


def check_train_args(argv: list[str], config_dir: Path = CONFIG_DIR) -> list[str]:
    """The arguments in Hydra's order, once none is wrong; else exit 2 with a line for each
    misspelt key or group, unreadable value, value of the wrong type and broken rule."""
    overrides, multirun, hands_off = split_args(argv)
    flags = _flags_and_overrides(argv)[0]
    one_run = [f for f in flags if f.split("=", 1)[0] in _ONE_RUN_FLAGS]
    # Hydra's own overrides are not checked; its sweeper is composed with (an interval needs it)
    plain = [o for o in overrides if not o.lstrip("+~").startswith("hydra") or "sweeper=" in o]
    try:
        if multirun and one_run:
            what = _ONE_RUN_FLAGS[one_run[0].split("=", 1)[0]]
            raise CliError(f"{one_run[0]} {what}: leave -m out")
        if overrides and not hands_off:
            schema = Schema(config_dir)
            warn_repeats(overrides, schema.groups)
            found = override_problems(overrides, schema)
            if found:  # beside them, the rules that the readable ones break, where they compose
                with contextlib.suppress(Exception):
                    found += rule_problems(plain, schema, multirun, beside=True)
            else:
                found = rule_problems(plain, schema, multirun, beside=False)
            if found:
                raise CliError("\n".join(found))
    except CliError as err:
        sys.stderr.write(error_lines(err))
        raise SystemExit(2) from None
    return [*flags, *overrides]  # Hydra's parser refuses overrides on both sides of a flag
