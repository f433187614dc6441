"""The README and docs/ tell the truth: links lead somewhere, commands run, counts add up.

Every relative link of README.md, docs/*.md and docs/studies/*.md points to an existing file (and
heading, where it names one); every command of their ```bash blocks uses keys that exist: a
training command is composed by Hydra as `dcgan.train` would compose it, the other tools' keys
are parsed by their own key=value schemas; the run counts their comments state are the counts
of the sweep; the config reference is what `python -m dcgan.config_doc` writes today.
"""

from __future__ import annotations

import math
import re
import shlex
from functools import cache
from pathlib import Path

import pytest
import yaml

from dcgan import config_doc

ROOT = Path(__file__).resolve().parents[1]
CONFIGS = ROOT / "configs"
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
PAGES += sorted((ROOT / "docs" / "studies").glob("*.md"))
TOOLS = {
    "dcgan.train": "train",
    "dcgan-train": "train",
    "dcgan.generate": "generate",
    "dcgan-generate": "generate",
    "dcgan.report": "report",
    "dcgan-report": "report",
    "dcgan.race": "race",
    "dcgan-race": "race",
}
PLACEHOLDER = re.compile(r"<[^>]*>|\.\.\.")
FENCE = re.compile(r"^\s*```")


def _name(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


# --- the text of a page ------------------------------------------------------------------------


def _prose(text: str) -> str:
    """A page without its fenced code blocks and inline code (links live in the rest)."""
    out, fenced = [], False
    for line in text.splitlines():
        if FENCE.match(line):
            fenced = not fenced
            continue
        if not fenced:
            out.append(re.sub(r"`[^`]*`", "", line))
    return "\n".join(out)


def _bash_blocks(text: str) -> list[str]:
    """The body of every ```bash block."""
    blocks, body, inside = [], [], False
    for line in text.splitlines():
        if FENCE.match(line):
            if inside:
                blocks.append("\n".join(body))
                inside, body = False, []
            elif line.strip() == "```bash":
                inside = True
            continue
        if inside:
            body.append(line)
    return blocks


def _commands(block: str) -> list[tuple[str, str]]:
    """(command, its trailing comment) of a bash block, continuation lines joined."""
    joined = re.sub(r"\\\n\s*", " ", block)
    out = []
    for line in joined.splitlines():
        code, _, comment = line.partition(" #")
        if code.strip() and not code.lstrip().startswith("#"):
            out.append((code.strip(), comment.strip()))
    return out


@cache
def anchors(path: Path) -> set[str]:
    """GitHub's anchors of a page's headings: lower case, punctuation dropped, spaces to '-'."""
    seen: dict[str, int] = {}
    found = set()
    fenced = False
    for line in path.read_text().splitlines():
        if FENCE.match(line):
            fenced = not fenced
        if fenced or not re.match(r"#{1,6} ", line):
            continue
        title = line.lstrip("#").strip().replace("`", "").lower()
        slug = re.sub(r"[^\w\- ]", "", title).replace(" ", "-")
        n = seen.get(slug, 0)
        seen[slug] = n + 1
        found.add(slug if n == 0 else f"{slug}-{n}")
    return found


def links(path: Path) -> list[str]:
    """Every link and image target of a page that is not a web address."""
    found = re.findall(r"\]\(([^)\s]+)\)", _prose(path.read_text()))
    return [t for t in found if not re.match(r"[a-z]+:", t)]


# --- links -------------------------------------------------------------------------------------


def test_the_pages_are_found() -> None:
    assert {"README.md", "docs/training.md", "docs/compare.md"} <= {_name(p) for p in PAGES}
    assert (ROOT / "docs" / "studies" / "recipe.md").read_text().startswith("# The recipe search")


@pytest.mark.parametrize("page", PAGES, ids=_name)
def test_every_relative_link_leads_to_a_file_and_heading(page: Path) -> None:
    broken = []
    for target in links(page):
        file, _, anchor = target.partition("#")
        dest = (page.parent / file).resolve() if file else page
        if not dest.exists():
            broken.append(f"{target}: no file {dest.relative_to(ROOT)}")
        elif anchor and dest.suffix == ".md" and anchor not in anchors(dest):
            broken.append(f"{target}: no heading #{anchor} in {_name(dest)}")
    assert not broken, f"{_name(page)}: " + "; ".join(broken)


def test_every_docs_page_is_linked_from_the_readme_or_docs() -> None:
    linked = set()
    for page in PAGES:
        for target in links(page):
            file = target.partition("#")[0]
            if file:
                linked.add((page.parent / file).resolve())
    orphans = [_name(p) for p in PAGES[1:] if p.resolve() not in linked]
    assert not orphans, f"no page links to {orphans}"


# --- commands ----------------------------------------------------------------------------------


def _words(command: str) -> list[str]:
    """A command's words as the shell splits them; a `<placeholder>` stays one word."""
    return shlex.split(re.sub(r"<[^>]*>", "<x>", command))


def _tool(words: list[str]) -> tuple[str | None, list[str]]:
    """The tool a command runs and its arguments (environment variables and srun dropped)."""
    while words and re.match(r"^[A-Z_][A-Z0-9_]*=", words[0]):
        words = words[1:]
    if words[:1] == ["srun"]:
        words = words[1:]
    if len(words) >= 3 and words[0] in ("python", "python3") and words[1] == "-m":
        return TOOLS.get(words[2]), words[3:]
    if words and words[0] in TOOLS:
        return TOOLS[words[0]], words[1:]
    return None, words


def _script(words: list[str]) -> str | None:
    """The scripts/ file a command runs, if any."""
    for word in words[:2]:
        if word.startswith("scripts/"):
            return word
    return None


def all_commands() -> list[tuple[str, str, str]]:
    """(page, command, comment) of every command in a bash block."""
    return [
        (_name(page), command, comment)
        for page in PAGES
        for block in _bash_blocks(page.read_text())
        for command, comment in _commands(block)
    ]


def _train_args(args: list[str]) -> list[str] | None:
    """A training command's overrides to compose, or None when Hydra does something else."""
    from dcgan.train_args import split_args

    overrides, _, hands_off = split_args(args)
    if hands_off:
        return None
    return [
        a
        for a in overrides
        if not a.startswith(("hydra.", "hydra/")) and not PLACEHOLDER.search(a.partition("=")[2])
    ]


@cache
def _schema():  # noqa: ANN202
    from dcgan.train_args import Schema

    return Schema(CONFIGS)


@cache
def _compose(overrides: tuple[str, ...]):  # noqa: ANN202
    from hydra import compose, initialize_config_dir

    from dcgan.config import register_configs

    register_configs()
    with initialize_config_dir(config_dir=str(CONFIGS), version_base="1.3"):
        return compose("train", overrides=list(overrides))


def check_train(args: list[str]) -> None:
    """Raise when a key or group option is unknown or a value does not compose."""
    from dcgan.cli import CliError
    from dcgan.train_args import override_problems, sweep_samples

    overrides = _train_args(args)
    if overrides is None:
        return
    found = override_problems(overrides, _schema())
    if found:
        raise CliError("; ".join(found))
    for job in sweep_samples(overrides):
        _compose(tuple(job))


def _check_keys(schema: type, args: list[str], positional: bool) -> None:
    """Every key=value of a tool's command is a key of its schema; its values parse."""
    import dataclasses

    from dcgan.cli import CliError, _name, parse

    names = {_name(f) for f in dataclasses.fields(schema)}
    plain = [a for a in args if not a.startswith("-")]
    if set(args) & {"-h", "--help", "help"}:
        return
    loose = [a for a in plain if "=" not in a]
    assert len(loose) <= int(positional), f"arguments without key=: {loose}"
    unknown = [a.partition("=")[0] for a in plain if "=" in a and a.partition("=")[0] not in names]
    assert not unknown, f"unknown keys {unknown}; keys: {sorted(names)}"
    if not any(PLACEHOLDER.search(a) for a in plain):
        try:
            parse(schema, plain, positional="sweep_dir" if positional else None)
        except CliError as err:
            raise AssertionError(str(err)) from None


def check_command(command: str) -> None:
    """Raise when a documented command names a key, option or script that does not exist."""
    words = _words(command)
    script = _script(words)
    if script is not None:
        assert (ROOT / script).is_file(), f"no {script}"
        return
    tool, args = _tool(words)
    if tool == "train":
        check_train(args)
    elif tool == "generate":
        from dcgan.generate import GenerateConfig

        _check_keys(GenerateConfig, args, positional=False)
    elif tool == "report":
        from dcgan.report.cli import ReportConfig

        _check_keys(ReportConfig, args, positional=True)
    elif tool == "race":
        from dcgan.race.command import split

        if set(args) & {"-h", "--help", "help"}:
            return
        cmd = split(args)  # the race's keys: parsed by its own schema
        check_train(["-m", *cmd.train_args])


COMMANDS = all_commands()


def test_the_docs_hold_commands_of_every_tool() -> None:
    tools = {_tool(_words(c))[0] for _, c, _ in COMMANDS}
    assert {"train", "generate", "report", "race"} <= tools


@pytest.mark.parametrize(
    "page,command", [(p, c) for p, c, _ in COMMANDS], ids=lambda v: v[:60] if "/" not in v else v
)
def test_every_documented_command_uses_keys_that_exist(page: str, command: str) -> None:
    try:
        check_command(command)
    except Exception as err:  # noqa: BLE001 (every failure names the page and command)
        pytest.fail(f"{page}: `{command}`: {type(err).__name__}: {err}")


def test_the_checker_refuses_what_does_not_exist() -> None:
    for bad in (
        "python -m dcgan.train optimiser=adam",
        "python -m dcgan.train activation=swish",
        "python -m dcgan.train -m trick=ema,emma",
        "python -m dcgan.train d_steps=1.5",
        "python -m dcgan.generate ckpt=x.ckpt nn=4",
        "python -m dcgan.generate ckpt=x.ckpt format=gif",
        "python -m dcgan.report outputs/x scores=best",
        "python -m dcgan.race trick=none,ema race.seed=3",
        "scripts/no_such_study.sh",
    ):
        with pytest.raises(Exception):  # noqa: B017 (each tool refuses in its own way)
            check_command(bad)
    check_command("python -m dcgan.train -m trick=ema,none hydra/launcher=parallel data.root=<x>")


def _table_keys(page: str, section: str, pattern: str) -> set[str]:
    """The keys in the first cell of a table's rows, in one section of a page."""
    text = (ROOT / "docs" / page).read_text().split(f"## {section}", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(rf"^\| `({pattern})=?` \|", text, re.M))


def test_the_key_tables_list_each_tools_keys() -> None:
    import dataclasses

    from dcgan.cli import _name
    from dcgan.generate import GenerateConfig
    from dcgan.race.command import RaceConfig
    from dcgan.report.cli import ReportConfig

    def keys(schema: type) -> set[str]:
        return {_name(f) for f in dataclasses.fields(schema)}

    assert _table_keys("generate.md", "Keys", r"[a-z_]+") == keys(GenerateConfig)
    report = _table_keys("compare.md", "Comparing settings over seeds", r"[a-z_]+")
    assert report == keys(ReportConfig) - {"sweep_dir"}
    race = _table_keys("compare.md", "Racing settings", r"(?:race|budget)\.[a-z_]+")
    assert race == keys(RaceConfig)


# --- counts ------------------------------------------------------------------------------------


def _values(override: str) -> list[str]:
    """The values a sweep override (`a,b`, `glob(*)` of a group) runs."""
    key, _, value = override.partition("=")
    if value.strip() == "glob(*)":
        return sorted(p.stem for p in (CONFIGS / key).glob("*.yaml"))
    return value.split(",")


def sweep_size(args: list[str]) -> tuple[int, int]:
    """(settings, seeds) of a training sweep: its swept values and those of its sweep= preset."""
    swept: dict[str, list[str]] = {}
    for arg in args:
        key, _, value = arg.partition("=")
        if key == "sweep":
            preset = yaml.safe_load((CONFIGS / "sweep" / f"{value}.yaml").read_text())
            for k, v in preset["hydra"]["sweeper"]["params"].items():
                swept.setdefault(k, _values(f"{k}={v}"))
        elif "=" in arg and not key.startswith("hydra") and "," in value and "[" not in value:
            swept[key] = _values(arg)
    seeds = len(swept.pop("seed", ["0"]))
    return math.prod(len(v) for v in swept.values()), seeds


def test_stated_run_counts_are_the_sweeps() -> None:
    checked = 0
    for page, command, comment in COMMANDS:
        tool, args = _tool(_words(command))
        if tool != "train":
            continue
        settings, seeds = sweep_size(args)
        runs = re.search(r"\((\d+) runs\)", comment)
        grid = re.search(r"(\d+) settings x (\d+) seeds", comment)
        if runs:
            assert int(runs.group(1)) == settings * seeds, f"{page}: {command} # {comment}"
            checked += 1
        if grid:
            assert (int(grid.group(1)), int(grid.group(2))) == (settings, seeds), (page, command)
            checked += 1
    assert checked >= 3


def test_the_trick_sweep_is_one_run_per_preset() -> None:
    presets = len(list((CONFIGS / "trick").glob("*.yaml")))
    assert sweep_size(["sweep=ganhacks"]) == (presets, 1)
    assert sweep_size(["sweep=tricks", "seed=0,1,2"]) == (16, 3)


# --- the groups table and the config reference -------------------------------------------------


def test_the_groups_table_lists_every_option() -> None:
    text = (ROOT / "docs" / "training.md").read_text()
    text = text.split("## Config groups", 1)[1].split("\n## ", 1)[0]
    rows = {
        m.group(1): {o.strip("*` ") for o in m.group(2).split(",")}
        for m in re.finditer(r"^\| `([a-z_]+)=` \| ([^|]+) \|", text, re.M)
    }
    groups = config_doc.groups()
    missing = [g for g in groups if not g.startswith("hydra") and g not in rows]
    assert not missing, f"docs/training.md has no row for the groups {missing}"
    for group, listed in rows.items():
        assert listed == set(groups[group]), f"the {group}= row lists {sorted(listed)}"


def test_every_option_has_a_meaning() -> None:
    for group, options in config_doc.groups().items():
        for option in options:
            path = CONFIGS / group / f"{option}.yaml"
            assert config_doc.option_comment(path), f"{_name(path)} has no leading comment"


def test_the_config_reference_is_current() -> None:
    written = (ROOT / "docs" / "config-reference.md").read_text()
    assert written == config_doc.render(), "stale: run python -m dcgan.config_doc"
