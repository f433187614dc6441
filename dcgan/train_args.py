"""The command line of `dcgan.train`, checked before Hydra reads it: one line and exit 2.

Hydra alone answers a misspelt group with advice to append it (`+optimiser=adam`), a wrong
type with a multi-line report and exit 1, and an unquoted space with a lexer error. Here each
argument is parsed, its key or group is looked up in the composed default config and in
`configs/`, and the nearest valid names are offered.
"""

from __future__ import annotations

import difflib
import sys
from collections.abc import Iterable
from pathlib import Path

from omegaconf import DictConfig

CONFIG_DIR = Path(__file__).resolve().parent / "configs"
# Hydra flags followed by a value; the value is not an override.
_FLAGS_WITH_VALUE = {"-cn", "--config-name", "-cp", "--config-path", "-cd", "--config-dir"}
_FLAGS_WITH_VALUE |= {"-p", "--package", "-c", "--cfg", "-i", "--info", "-sc"}
_FLAGS_WITH_VALUE |= {"--shell-completion", "--experimental-rerun"}
# With these Hydra does something else than a run, or reads another config: leave it to Hydra.
_HANDS_OFF = {"-h", "--help", "--hydra-help", "--version", "-cn", "--config-name", "-cp"}
_HANDS_OFF |= {"--config-path", "-cd", "--config-dir", "-sc", "--shell-completion", "-i"}
_HANDS_OFF |= {"--info", "--experimental-rerun"}
# Hydra reads a value itself: spaces pass, but non-ASCII letters and its own signs need quotes.
QUOTE_HINT = (
    "quote the value inside the argument too, e.g. \"data.root='bilder/größe'\": non-ASCII "
    "letters and = ( ) [ ] { } ' \" ~ # & ; ! ^ need it, spaces do not (see README: Paths)"
)
SPLIT_HINT = 'put the whole argument in quotes, e.g. "data.root=my pics" (see README: Paths)'


class ArgumentError(ValueError):
    """A command-line argument that Hydra would refuse; the message names the fix."""


def split_args(argv: list[str]) -> tuple[list[str], bool, bool]:
    """(overrides, multirun?, hands off?) from the raw arguments."""
    overrides, multirun, hands_off, skip = [], False, False, False
    for arg in argv:
        if skip:
            skip = False
            continue
        flag = arg.split("=", 1)[0]
        if arg.startswith("-"):
            multirun |= arg in ("-m", "--multirun")
            hands_off |= flag in _HANDS_OFF
            skip = arg in _FLAGS_WITH_VALUE
            continue
        overrides.append(arg)
    return overrides, multirun, hands_off


def hydra_order(argv: list[str]) -> list[str]:
    """The arguments with Hydra's flags (and their values) first, then the overrides in order:
    Hydra's parser refuses overrides on both sides of a flag (`data=digits --cfg job seed=1`)."""
    flags: list[str] = []
    overrides: list[str] = []
    args = iter(argv)
    for arg in args:
        if not arg.startswith("-"):
            overrides.append(arg)
            continue
        flags.append(arg)
        if arg in _FLAGS_WITH_VALUE:
            value = next(args, None)
            optional = arg in ("-i", "--info")  # its value may be left out
            if value is not None and optional and "=" in value:
                overrides.append(value)
            elif value is not None:
                flags.append(value)
    return [*flags, *overrides]


def groups(config_dir: Path = CONFIG_DIR) -> dict[str, list[str]]:
    """Each config group (a folder of YAML files) and its options."""
    found: dict[str, list[str]] = {}
    for folder in sorted(p for p in config_dir.rglob("*") if p.is_dir()):
        options = sorted(f.stem for f in folder.glob("*.yaml"))
        name = folder.relative_to(config_dir).as_posix()
        if options and not name.startswith("hydra"):
            found[name] = options
    return found


def _closest(word: str, choices: Iterable[str]) -> str:
    choices = sorted(set(choices))
    near = difflib.get_close_matches(word, choices, n=3, cutoff=0.6)
    listed = ", ".join(choices)
    if near:
        return f"did you mean {' or '.join(repr(n) for n in near)}? choices: {listed}"
    return f"choices: {listed}"


def _values(override) -> list[str]:  # noqa: ANN001 (Hydra's Override)
    """The plain option names an override asks for (a sweep's list, or the one value)."""
    from hydra.core.override_parser.types import ChoiceSweep

    value = override.value()
    items = value.list if isinstance(value, ChoiceSweep) else [value]
    items = [i for item in items for i in (item if isinstance(item, list) else [item])]
    return [v for v in items if isinstance(v, str)]


def warn_repeats(overrides: list[str], known_groups: dict[str, list[str]]) -> None:
    """A group given twice: Hydra keeps the last silently (`trick=a trick=b` is b alone); say so.

    A key given twice is left alone: scripts append overrides to a base and mean the last.
    """
    seen: dict[str, str] = {}
    for arg in overrides:
        key, sep, value = arg.partition("=")
        if not sep or key not in known_groups:
            continue
        if key in seen and seen[key] != arg:
            both = f"{seen[key].partition('=')[2]},{value}"
            sys.stderr.write(
                f"warning: {key} is given twice ({seen[key]}, {arg}): only {arg} counts; for "
                f"both, write {key}=[{both}]\n"
            )
        seen[key] = arg


def check_key(key: str, defaults: DictConfig, known_groups: dict[str, list[str]]) -> None:
    """Raise ArgumentError when `key` is neither a config key nor a group."""
    node: object = defaults
    done: list[str] = []
    for part in key.split("."):
        if not isinstance(node, DictConfig):
            return  # below a free-form value: Hydra and the checks judge it
        if part not in node:
            here = ".".join(done)
            names = [k for k in node.keys() if isinstance(k, str)]
            if not done:
                names += list(known_groups)
            what = f"a key under {here!r}" if here else "a key or a group"
            raise ArgumentError(
                f"unknown key {key!r}: {part!r} is not {what}; {_closest(part, names)}"
            )
        node = node[part]
        done.append(part)


def check_overrides(overrides: list[str], defaults: DictConfig, config_dir: Path) -> None:
    """Raise ArgumentError for the first override that Hydra could not use as the user meant."""
    from hydra.core.override_parser.overrides_parser import OverridesParser
    from hydra.errors import OverrideParseException

    parser = OverridesParser.create()
    known = groups(config_dir)
    for arg in overrides:
        if "=" not in arg:
            raise ArgumentError(
                f"argument {arg!r} is not key=value; if it belongs to the value before it, "
                + SPLIT_HINT
            )
        try:
            (override,) = parser.parse_overrides([arg])
        except OverrideParseException:
            raise ArgumentError(f"cannot read {arg!r}: " + QUOTE_HINT) from None
        key = override.key_or_group
        if override.is_delete() or override.is_add() or key.startswith("hydra"):
            continue  # +key, ++key, ~key and Hydra's own keys: Hydra decides
        if key in known:
            for value in _values(override):
                if value not in known[key] and value != "null":
                    raise ArgumentError(
                        f"{key}={value!r} is not an option of group {key!r}; "
                        + _closest(value, known[key])
                    )
            continue
        check_key(key, defaults, known)


def sweep_samples(overrides: list[str]) -> list[list[str]]:
    """Job override lists that together hold every swept value once (the others at their first).

    A sweep's values are written `key=value` as Hydra's basic sweeper writes them; glob sweeps
    (`trick=glob(*)`) pick group options, which `check_overrides` has checked.
    """
    from hydra.core.override_parser.overrides_parser import OverridesParser
    from hydra.core.override_parser.types import Glob

    parsed = OverridesParser.create().parse_overrides(overrides)
    fixed = [o.input_line for o in parsed if not o.is_sweep_override()]
    sweeps = [
        [f"{o.get_key_element()}={v}" for v in o.sweep_string_iterator()]
        for o in parsed
        if o.is_sweep_override() and not isinstance(o.value(), Glob)
    ]
    firsts = [values[0] for values in sweeps if values]
    jobs = []
    for i, values in enumerate(sweeps):
        for value in values[1:] if i else values:
            jobs.append([*fixed, *firsts[:i], value, *firsts[i + 1 :]])
    return jobs


def _compose(overrides: list[str], config_dir: Path) -> DictConfig:
    from hydra import compose, initialize_config_dir

    from dcgan.config import register_configs

    register_configs()
    with initialize_config_dir(config_dir=str(config_dir), version_base="1.3"):
        return compose("train", overrides=overrides)


def _first_line(err: BaseException) -> str:
    """The useful line of a composition error: the cause's first line, plus the key."""
    cause = err.__cause__ or err
    lines = [line.strip() for line in str(cause).splitlines() if line.strip()]
    key = next((line for line in lines if line.startswith("full_key:")), "")
    head = lines[0] if lines else type(cause).__name__
    return f"{head} ({key})" if key and key not in head else head


# OmegaConf's words for a value of the wrong type, and what the key takes instead.
_KINDS = {
    "could not be converted to Integer": "a whole number",
    "could not be converted to Float": "a number",
    "is not a valid bool": "true or false",
    "is not a ListConfig": "a list",
}
# Values that break every range rule of a number key, tried to learn the rule (config.validate).
_PROBES = {"a whole number": ("-2", "1000000000000"), "a number": ("-2.0", "1e12")}


def _user_value(key: str, overrides: list[str]) -> str | None:
    """The value text the user wrote for `key` (the last override of it), if any."""
    for arg in reversed(overrides):
        name, sep, text = arg.partition("=")
        if sep and name.lstrip("+~") == key:
            return text
    return None


def rule_of(key: str, value: str, overrides: list[str], config_dir: Path = CONFIG_DIR):  # noqa: ANN201
    """The ConfigError `config.validate` raises for `key=value` (with the other `overrides`), or
    None: how a rule written once next to its registry or schema is found by its key."""
    from dcgan.config import ConfigError, validate

    others = [o for o in overrides if o.partition("=")[0].lstrip("+~") != key]
    try:
        cfg = _compose([*others, f"{key}={value}"], config_dir)
        validate(cfg)
    except ConfigError as err:
        return err if err.key == key else None
    except Exception:  # noqa: BLE001 (a probe that does not compose teaches nothing)
        return None
    return None


def explain(
    err: BaseException, given: list[str], job: list[str], config_dir: Path = CONFIG_DIR
) -> str:
    """One line for a composition error of `job`: a value of the wrong type names the key, the
    type it takes and its rule (from `config.validate`), quoting the value as `given` by the
    user; anything else: the library's first line."""
    from omegaconf.errors import ValidationError

    cause = err.__cause__ or err
    key = getattr(cause, "full_key", None)
    kind = next((k for text, k in _KINDS.items() if text in str(cause)), None)
    if not isinstance(cause, ValidationError) or not key or kind is None:
        return _first_line(err)
    # a list as the user wrote it (`color,cutout` is a sweep to Hydra); else the job's value
    text = _user_value(key, given if kind == "a list" else job)
    if text is None:
        text = str(getattr(cause, "value", ""))
    if kind == "a list":
        items = [item.strip() for item in text.strip("[]").split(",") if item.strip()]
        listed = f"[{','.join(items)}]"
        probe = rule_of(key, listed, job, config_dir) or rule_of(key, "[_]", job, config_dir)
        line = f"{key}={text} is not a list: write it in brackets, {key}={listed}"
        if probe is not None and probe.choices:
            unknown = [i for i in items if i not in probe.choices]
            line += f"; {key} takes a list of any of: {', '.join(map(str, probe.choices))}"
            if unknown:
                line += f" ({', '.join(map(repr, unknown))} is none of them)"
        elif probe is not None and probe.rule:
            line += f" (rule: {probe.rule})"
        return line
    line = f"{key}={text} is invalid: {key} takes {kind}"
    for value in _PROBES.get(kind, ()):
        probe = rule_of(key, value, job, config_dir)
        if probe is not None and probe.rule:
            return f"{line} (rule: {probe.rule})"
    return line


def check_sweep_mode(overrides: list[str], job: list[str], config_dir: Path) -> None:
    """Several values without -m: a sweep only when a `sweep=` preset asks for one."""
    from hydra import compose, initialize_config_dir
    from hydra.core.override_parser.overrides_parser import OverridesParser
    from hydra.types import RunMode
    from omegaconf import ListConfig, OmegaConf

    with initialize_config_dir(config_dir=str(config_dir), version_base="1.3"):
        mode = compose("train", overrides=job, return_hydra_config=True).hydra.mode
    if mode == RunMode.MULTIRUN:
        return
    parsed = OverridesParser.create().parse_overrides(overrides)
    swept = next(o.input_line for o in parsed if o.is_sweep_override())
    key, _, values = swept.partition("=")
    line = f"{swept} gives several values: add -m for one run each (python -m dcgan.train -m ...)"
    if isinstance(OmegaConf.select(_compose([], config_dir), key), ListConfig):
        line += f"; a list is written in brackets, {key}=[{values}]"
    raise ArgumentError(line)


def check_rules(jobs: list[list[str]], config_dir: Path = CONFIG_DIR) -> None:
    """Raise ArgumentError when a job's config breaks a rule of `config.validate`."""
    from dcgan.config import ConfigError, validate

    for job in jobs:
        try:
            validate(_compose(job, config_dir))
        except ConfigError as err:
            raise ArgumentError(str(err)) from None


def check_train_args(argv: list[str], config_dir: Path = CONFIG_DIR) -> None:
    """Exit 2 with one line when an argument is misspelt, unreadable or of the wrong type; a
    sweep also when one of its values breaks a rule (before its first job starts)."""
    overrides, multirun, hands_off = split_args(argv)
    if hands_off or not overrides:
        return
    plain = [o for o in overrides if not o.lstrip("+~").startswith("hydra")]
    try:
        warn_repeats(overrides, groups(config_dir))
        if not multirun:
            try:
                _compose(plain, config_dir)  # as Hydra will: types and values too
                return  # the rules: Preflight, before the run folder is made
            except Exception as err:  # noqa: BLE001 (every composition failure is reported)
                failure = err
                # a sweep value without -m: a `sweep=` preset may set hydra.mode=MULTIRUN, which
                # only Hydra knows; check the keys here and let Hydra judge the mode
                multirun = "Ambiguous value for argument" in str(err.__cause__ or err)
        check_overrides(overrides, _compose([], config_dir), config_dir)
        if not multirun:
            raise ArgumentError(explain(failure, plain, plain, config_dir))
        explicit = bool({"-m", "--multirun"} & set(argv))
        jobs = sweep_samples(plain) or [plain]
        for job in jobs:  # each swept value once: its type, its value
            try:
                _compose(job, config_dir)
            except Exception as err:  # noqa: BLE001 (every composition failure is reported)
                raise ArgumentError(explain(err, plain, job, config_dir)) from None
        if not explicit:
            check_sweep_mode(plain, jobs[0], config_dir)
        check_rules(jobs, config_dir)  # a rule broken by one value: no job starts
    except ArgumentError as err:
        sys.stderr.write(f"error: {err}\n")
        raise SystemExit(2) from None
