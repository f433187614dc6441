"""The config reference, docs/config-reference.md: from the schema, the registries and configs/.

    python -m dcgan.config_doc            # rewrite docs/config-reference.md
    python -m dcgan.config_doc --check    # exit 1 when it is stale

Nothing in it is written by hand: every key of the run config with the value a run starts from
and its meaning, with its choices or rule, as `dcgan-train --help` says them (`train_help.key_rows`:
each field's declaration and the composed defaults), every config group with its options
(`configs/<group>/*.yaml`, each described by its leading comment) and every registry's names.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from typing import Any

from dcgan.train_args import CONFIG_DIR, compose_train, groups

ROOT = Path(__file__).resolve().parents[1]
OUTPUT = ROOT / "docs" / "config-reference.md"
# Registries a name is chosen from: (module, attribute, what it names).
REGISTRIES = (
    ("dcgan.nets.layers", "ACTIVATIONS", "activations of G and D"),
    ("dcgan.nets.layers", "NORMS", "normalisation layers"),
    ("dcgan.nets.layers", "POOLINGS", "how D halves the resolution"),
    ("dcgan.nets.layers", "UPSAMPLINGS", "how G doubles the resolution"),
    ("dcgan.nets.layers", "INITS", "weight initialisations"),
    ("dcgan.nets.layers", "IMAGE_SIZES", "image sizes"),
    ("dcgan.nets.layers", "CONDITIONS", "how a class enters G and D"),
    ("dcgan.nets.layers", "FAKE_LABELS", "classes of the fakes in training"),
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
    ("dcgan.loggers", "LOGGERS", "where metrics and grids go besides the run folder"),
)


def run_config() -> Any:
    """The config a run starts from: the schema under configs/train.yaml and its default options."""
    return compose_train()


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
    return ", ".join(f"`{name}`" for name in registry)


def render() -> str:
    """The whole reference as Markdown."""
    from dcgan.train_help import key_rows

    defaults = group_defaults()
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
        "the value a run starts from (the schema's, or what `configs/train.yaml` sets) and its",
        "meaning, choices or rule: what `python -m dcgan.train --help` prints.",
        "",
        "| key | default | meaning |",
        "|---|---|---|",
    ]
    for key, default, meaning in key_rows(run_config()):
        lines.append(f"| `{key}` | `{_one_line(default)}` | {_one_line(meaning)} |")
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
    for group, options in groups(hydra=True).items():
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
    if set(argv) - {"--check"}:  # --help and anything unknown: say what it does, write nothing
        print(
            f"python -m dcgan.config_doc [--check]: rewrite {OUTPUT} from the schema; --check: "
            "exit 1 when it is stale"
        )
        return 0 if set(argv) & {"-h", "--help"} else 2
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
