"""`dcgan-train --help` and the config reference, docs/config-reference.md, from the declarations.

    python -m dcgan.config_doc            # rewrite docs/config-reference.md
    python -m dcgan.config_doc --check    # exit 1 when it is stale

Nothing in either is written by hand: every key of the run config with the value a run starts
from (the composed default config) and its meaning, choices or rule (its field's declaration,
`dcgan.checks.key`), every config group with its options (`configs/<group>/*.yaml`, each described
by its leading comment) and, in the reference, every registry's names. `--hydra-help` keeps
Hydra's own help.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from typing import Any

from omegaconf import OmegaConf

from dcgan.checks import leaves, shown
from dcgan.cli import table
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
    cfg = compose_train([], config_dir, hydra=True)
    chosen = OmegaConf.to_container(cfg.hydra.runtime.choices)
    options = [
        (name, ", ".join(f"{o}*" if chosen.get(name) == o else o for o in names))
        for name, names in groups(config_dir).items()
    ]
    keys = [(f"{key}={default}", meaning) for key, default, meaning in key_rows(cfg)]
    groups_head = "config groups (group=option; * the default):"
    lines = [USAGE, "", groups_head, *table(options, cap=99)]  # a group name is never wrapped
    lines += ["", "keys (key=value; defaults shown, with the options above):", *table(keys)]
    return "\n".join(lines)


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
    cfg = compose_train(hydra=True)
    defaults = OmegaConf.to_container(cfg.hydra.runtime.choices)
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
    for key, default, meaning in key_rows(cfg):
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
