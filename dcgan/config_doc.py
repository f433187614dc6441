"""The config reference, docs/config-reference.md: from the schema, the registries and configs/.

    python -m dcgan.config_doc            # rewrite docs/config-reference.md
    python -m dcgan.config_doc --check    # exit 1 when it is stale

Nothing in it is written by hand: every key of the run config with its default, type and one-line
meaning (the comment beside its field in `dcgan/config.py`, or in a trick's `Config` in
`dcgan/tricks/`), the names a key accepts (asked of `config.validate`, so they are the names it
enforces), every config group with its options (`configs/<group>/*.yaml`, each described by its
leading comment) and every registry's names. `key_docs` is the part a command line can reuse.
"""

from __future__ import annotations

import ast
import dataclasses
import importlib
import inspect
import io
import re
import sys
import tokenize
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CONFIG_DIR = Path(__file__).resolve().parent / "configs"
OUTPUT = ROOT / "docs" / "config-reference.md"
# Registries a name is chosen from: (module, attribute, what it names).
REGISTRIES = (
    ("dcgan.nets.layers", "ACTIVATIONS", "activations of G and D"),
    ("dcgan.nets.layers", "NORMS", "normalisation layers"),
    ("dcgan.nets.layers", "POOLINGS", "how D halves the resolution"),
    ("dcgan.nets.layers", "UPSAMPLINGS", "how G doubles the resolution"),
    ("dcgan.nets.layers", "INITS", "weight initialisations"),
    ("dcgan.nets.layers", "IMAGE_SIZES", "image sizes"),
    ("dcgan.nets.conditional", "CONDITIONS", "how a class enters G and D"),
    ("dcgan.nets.conditional", "FAKE_LABELS", "classes of the fakes in training"),
    ("dcgan.losses", "LOSSES", "GAN objectives"),
    ("dcgan.noise", "PRIORS", "latent priors"),
    ("dcgan.optim", "OPTIMIZERS", "optimizers"),
    ("dcgan.tricks.base", "TRICKS", "stateful tricks (a node of keys each)"),
    ("dcgan.tricks.d_batch", "D_BATCHES", "how D sees real and fake batches"),
    ("dcgan.augment.ops", "POLICIES", "augmentation operations"),
    ("dcgan.augment.ada", "SIGNALS", "what ADA's probability follows"),
    ("dcgan.tricks.ema", "BN_MODES", "BatchNorm statistics of the EMA generator"),
    ("dcgan.metrics.registry", "METRICS", "image-quality metrics"),
    ("dcgan.data.files", "SOURCES", "image sources"),
    ("dcgan.precision", "PRECISIONS", "Trainer precisions"),
    ("dcgan.precision", "MEMORY_FORMATS", "memory formats of the weights"),
)
_PROBE = "\x00?"  # a name no registry has: validate answers with the names it takes


@dataclass(frozen=True)
class KeyDoc:
    """One key of the run config: its dotted name, default, type and one-line meaning."""

    key: str
    default: Any
    type: str
    meaning: str


@cache
def _comments(path: str) -> tuple[dict[int, str], set[int]]:
    """Every comment of a source file by line, and the lines that hold nothing but a comment."""
    text = Path(path).read_text()
    found, alone = {}, set()
    lines = text.splitlines()
    for tok in tokenize.generate_tokens(io.StringIO(text).readline):
        if tok.type == tokenize.COMMENT:
            row, col = tok.start
            found[row] = tok.string.lstrip("#").strip()
            if not lines[row - 1][:col].strip():
                alone.add(row)
    return found, alone


def field_comments(cls: type) -> dict[str, str]:
    """The comment of each field of a dataclass: the one at the end of its line, else the comment
    lines right above it (joined)."""
    path = inspect.getsourcefile(cls)
    if path is None:
        return {}
    tree = ast.parse(Path(path).read_text())
    node = next(
        (n for n in ast.walk(tree) if isinstance(n, ast.ClassDef) and n.name == cls.__name__),
        None,
    )
    if node is None:
        return {}
    comments, alone = _comments(path)
    out = {}
    for stmt in node.body:
        if not (isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name)):
            continue
        end = stmt.end_lineno or stmt.lineno
        text = comments.get(end) if end not in alone else None
        if not text:
            above, row = [], stmt.lineno - 1
            while row in alone:
                above.insert(0, comments[row])
                row -= 1
            text = " ".join(above)
        out[stmt.target.id] = text or ""
    return out


def _owner(cls: type, name: str) -> type:
    """The class of `cls`'s MRO whose own source declares field `name`."""
    for klass in cls.__mro__:
        if name in klass.__dict__.get("__annotations__", {}) and inspect.getsourcefile(klass):
            try:
                inspect.getsource(klass)
            except (OSError, TypeError):
                continue
            return klass
    return cls


def _type_text(cls: type, name: str) -> str:
    for klass in cls.__mro__:
        hint = klass.__dict__.get("__annotations__", {}).get(name)
        if hint is not None:
            return hint if isinstance(hint, str) else getattr(hint, "__name__", str(hint))
    return ""


def _default(spec: dataclasses.Field) -> Any:
    if spec.default is not dataclasses.MISSING:
        return spec.default
    if spec.default_factory is not dataclasses.MISSING:
        return spec.default_factory()
    return dataclasses.MISSING


def key_docs(schema: type | None = None, prefix: str = "") -> list[KeyDoc]:
    """Every leaf key of the schema (the run config by default) in its order, with its meaning and
    the schema's default (`run_defaults` has what a run starts from)."""
    if schema is None:
        from dcgan.config import TrainConfig

        schema = TrainConfig
    out = []
    for spec in dataclasses.fields(schema):
        value = _default(spec)
        key = f"{prefix}{spec.name}"
        if dataclasses.is_dataclass(value):
            out += key_docs(type(value), f"{key}.")
            continue
        owner = _owner(schema, spec.name)
        meaning = field_comments(owner).get(spec.name, "")
        out.append(KeyDoc(key, value, _type_text(schema, spec.name), meaning))
    return out


def run_defaults() -> Any:
    """The config a run starts from: the schema under configs/train.yaml and its default options."""
    from hydra import compose, initialize_config_dir

    from dcgan.config import register_configs

    register_configs()
    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
        return compose("train")


def show(value: Any) -> str:
    """A value as a command line writes it: null, true, [a, b], 0.0002."""
    if value is dataclasses.MISSING:
        return "(required)"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, list | tuple):
        return "[" + ", ".join(show(v) for v in value) + "]"
    return str(value)


def accepted_names(keys: list[KeyDoc]) -> dict[str, list[str]]:
    """For each key that takes a name, the names `config.validate` accepts for it."""
    from omegaconf import OmegaConf

    from dcgan.config import ConfigError, TrainConfig, validate

    base = OmegaConf.structured(TrainConfig)
    out: dict[str, list[str]] = {}
    for doc in keys:
        if not isinstance(doc.default, str | type(None)) or "str" not in doc.type:
            continue
        cfg = base.copy()
        OmegaConf.update(cfg, doc.key, _PROBE)
        try:
            validate(cfg)
        except ConfigError as err:
            text = str(err)
            match = re.match(rf"{re.escape(doc.key)}=.*choose one of: (.*)$", text)
            if match:
                names = [n.strip() for n in match.group(1).split(",")]
                out[doc.key] = ["null" if n == "None" else n for n in names]
    return out


def _one_line(text: str) -> str:
    return text.replace("|", "\\|").strip()


def option_comment(path: Path) -> str:
    """An option file's description: its leading comment, up to an example command or blank."""
    words = []
    for line in path.read_text().splitlines():
        if not line.startswith("#"):
            break
        body = line[1:]
        if body.strip().startswith("@package") or body.startswith("   "):
            continue
        words.append(body.strip())
    return " ".join(w for w in words if w)


def group_defaults() -> dict[str, str | None]:
    """Each group's option in train.yaml's defaults list (None: no option unless asked)."""
    import yaml

    listed = yaml.safe_load((CONFIG_DIR / "train.yaml").read_text())["defaults"]
    out = {}
    for item in listed:
        if isinstance(item, dict):
            out.update(item)
    return out


def groups() -> dict[str, list[str]]:
    """Every group (a folder of option files under configs/) and its options, Hydra's included."""
    found = {}
    for folder in sorted(p for p in CONFIG_DIR.rglob("*") if p.is_dir()):
        options = sorted(f.stem for f in folder.glob("*.yaml"))
        if options:
            found[folder.relative_to(CONFIG_DIR).as_posix()] = options
    return found


def _registry_names(module: str, attr: str) -> str:
    registry = getattr(importlib.import_module(module), attr)
    if attr == "METRICS":
        parts = []
        for name, metric in registry.items():
            notes = ["higher is better" if metric.higher_is_better else "lower is better"]
            if metric.inception:
                notes.append("Inception weights")
            parts.append(f"`{name}` ({', '.join(notes)})")
        return ", ".join(parts)
    return ", ".join(f"`{show(name)}`" for name in registry)


def render() -> str:
    """The whole reference as Markdown."""
    from omegaconf import OmegaConf

    keys = key_docs()
    names = accepted_names(keys)
    defaults = group_defaults()
    start = run_defaults()
    lines = [
        "# Config reference",
        "",
        "Written by `python -m dcgan.config_doc` from the schema (`dcgan/config.py` and the",
        "tricks' `Config` in `dcgan/tricks/`), the registries and `configs/`; do not edit it by",
        "hand. `tests/test_docs.py` fails while it is stale. How the groups and tricks work:",
        "[Training](training.md).",
        "",
        "## Keys",
        "",
        "Every key of a run, set on the command line as `key=value` (`data.batch_size=32`), with",
        "the value a run starts from: the schema's default, or the value `configs/train.yaml` and",
        "its default options set (then the schema's default follows in brackets).",
        "",
        "| key | default | type | meaning |",
        "|---|---|---|---|",
    ]
    for doc in keys:
        meaning = doc.meaning
        if doc.key in names:
            listed = ", ".join(names[doc.key])
            meaning = f"{meaning} (one of: {listed})" if meaning else f"one of: {listed}"
        value = OmegaConf.select(start, doc.key, default=doc.default)
        if OmegaConf.is_config(value):
            value = OmegaConf.to_container(value)
        shown = f"`{_one_line(show(value))}`"
        if show(value) != show(doc.default):
            shown += f" (`{_one_line(show(doc.default))}`)"
        lines.append(f"| `{doc.key}` | {shown} | `{_one_line(doc.type)}` | {_one_line(meaning)} |")
    lines += [
        "",
        "## Groups",
        "",
        "A group is a folder of `configs/`; `group=option` picks one file, which sets only what",
        "that option changes. **Bold**: the option a run starts from (`configs/train.yaml`).",
        "",
        "| group | option | what it does |",
        "|---|---|---|",
    ]
    for group, options in groups().items():
        for option in options:
            chosen = defaults.get(group) == option
            shown = f"**`{option}`**" if chosen else f"`{option}`"
            text = option_comment(CONFIG_DIR / group / f"{option}.yaml")
            lines.append(f"| `{group}=` | {shown} | {_one_line(text)} |")
    lines += [
        "",
        "## Registries",
        "",
        "The names a key can take are registered once, in these; a new entry is known to the",
        "checks, the error messages and this page (see [Architecture](architecture.md)).",
        "",
        "| registry | in | names |",
        "|---|---|---|",
    ]
    for module, attr, what in REGISTRIES:
        where = "dcgan/" + module.removeprefix("dcgan.").replace(".", "/")
        if not (ROOT / f"{where}.py").is_file():
            where += "/__init__"
        names_text = _registry_names(module, attr)
        lines.append(f"| `{attr}`: {what} | `{where}.py` | {names_text} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Rewrite the reference; with --check, exit 1 when the file differs from what it would be."""
    argv = sys.argv[1:] if argv is None else argv
    text = render()
    if "--check" in argv:
        if not OUTPUT.is_file() or OUTPUT.read_text() != text:
            print(f"{OUTPUT} is stale: run python -m dcgan.config_doc", file=sys.stderr)
            return 1
        return 0
    from dcgan.atomic import write_text_atomic

    write_text_atomic(OUTPUT, text)
    print(f"wrote {OUTPUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
