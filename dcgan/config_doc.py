"""`dcgan-train --help` and the config reference, docs/config-reference.md, from the declarations.

    python -m dcgan.config_doc            # rewrite docs/config-reference.md
    python -m dcgan.config_doc --check    # exit 1 when it is stale

Nothing in either is written by hand: every key of the run config with the value a run starts
from (the composed default config) and its meaning, choices or rule (its field's declaration,
`dcgan.checks.key`), every config group with its options (`configs/<group>/*.yaml`, each described
by its leading comment) and, in the reference, every registry's names.
"""

from __future__ import annotations

import sys
from itertools import takewhile
from pathlib import Path
from typing import Any

from omegaconf import OmegaConf

from dcgan.checks import Registry, leaves, shown
from dcgan.cli import table
from dcgan.train_args import CONFIG_DIR, compose_train, groups

ROOT = Path(__file__).resolve().parents[1]
OUTPUT = ROOT / "docs" / "config-reference.md"
USAGE = """\
python -m dcgan.train [group=option ...] [key=value ...]   train one run (also: dcgan-train)
python -m dcgan.train -m key=a,b [key=c,d ...]             a sweep: one run per combination
python -m dcgan.train data=digits experiment=tiny          a first run, offline, on the CPU
  --cfg job: print the composed config without training; --hydra-help: Hydra's own help
  every group and key: docs/config-reference.md; a list takes brackets: augment.policy=[color]"""


def key_rows(cfg: Any) -> list[tuple[str, str, str]]:
    """(key, default as `cfg` holds it, meaning with its choices or rule) for every declared key:
    what `--help` prints and docs/config-reference.md lists."""
    from dcgan.config import TrainConfig

    rows = []
    for key, leaf in leaves(TrainConfig).items():
        default, rule = OmegaConf.select(cfg, key), leaf.rule_text()
        default = OmegaConf.to_container(default) if OmegaConf.is_config(default) else default
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
    lines = takewhile(lambda line: line.startswith("#"), path.read_text().splitlines())
    words = (line[1:] for line in lines if not line[1:].startswith("   "))
    return " ".join(w.strip() for w in words if w.strip() and not w.strip().startswith("@package"))


def registries() -> list[Registry]:
    """Every registry a key of the run config chooses from, then those reached otherwise."""
    from dcgan.config import TrainConfig
    from dcgan.metrics.registry import METRICS
    from dcgan.nets.layers import IMAGE_SIZES
    from dcgan.tricks.base import TRICKS

    declared = [leaf.meta.get("choices") for leaf in leaves(TrainConfig).values()]
    declared += [IMAGE_SIZES, TRICKS, METRICS]  # a rule's, the trick nodes', the monitor's
    return list({id(r): r for r in declared if isinstance(r, Registry)}.values())


def registry_rows() -> list[str]:
    """The reference's lines of the registries, by file in the order they are defined: each
    one's name and what it registers, its file and its names."""
    rows = []
    for registry in registries():
        module = sys.modules[registry.module]
        place, name = next((i, n) for i, (n, v) in enumerate(vars(module).items()) if v is registry)
        where = Path(module.__file__).relative_to(ROOT)
        note = registry.note
        names = [f"`{n}` ({note(e)})" if note else f"`{n}`" for n, e in registry.items()]
        rows.append(
            (str(where), place, f"| `{name}`: {registry.what} | `{where}` | {', '.join(names)} |")
        )
    return [row for *_, row in sorted(rows)]


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
    lines += [f"| `{k}` | `{_one_line(d)}` | {_one_line(m)} |" for k, d, m in key_rows(cfg)]
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
            name = f"**`{option}`**" if defaults.get(group) == option else f"`{option}`"
            text = _one_line(option_comment(CONFIG_DIR / group / f"{option}.yaml"))
            lines.append(f"| `{group}=` | {name} | {text} |")
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
    lines += registry_rows()
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
    if "--check" not in argv:
        from dcgan.atomic import write_text_atomic

        write_text_atomic(OUTPUT, text)
        print(f"wrote {OUTPUT}")
    elif not OUTPUT.is_file() or OUTPUT.read_text() != text:
        print(f"{OUTPUT} is stale: run python -m dcgan.config_doc", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
