"""Only dcgan/run/folder.py spells the file names of a run folder; everything else asks it.

The check reads each module's string literals with `ast` (f-strings joined, `{}` where a value
goes), leaving out docstrings and comments: prose may name a file, code may not. A name used in
a path join (`run_dir / "checkpoints"`) counts as well.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "dcgan"
OWNER = PACKAGE / "run" / "folder.py"

# A run folder's names as code would write them; never a W&B key or a config key.
SPELLED = re.compile(
    r"[\w*{}]\.ckpt\b"  # last.ckpt, best.ckpt, iter_{}.ckpt, *.ckpt
    r"|\bnan_iter|\biter_\{|iter_\S*\.png"
    r"|metrics\.json|config\.yaml|overrides\.yaml|progress\.gif|\.hydra\b"
    r"|(^|/)(checkpoints|samples)/"
)
FOLDERS = {"checkpoints", "samples", ".hydra"}  # bare names: only in a path join
# The same words for folders that are not a run's.
NOT_A_RUN = {("dcgan/metrics/inception.py", "checkpoints")}  # torch hub's weights folder


def _documentation(tree: ast.AST) -> set[int]:
    """ids of the string literals that are prose: docstrings and the like, and the help of a
    declared key (`key(default, "help", ...)`, as --help and the reference show it)."""
    prose = {
        id(node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Expr) and isinstance(node.value, (ast.Constant, ast.JoinedStr))
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) in ("key", "node"):
            prose |= {id(arg) for arg in node.args[1:2]}
            prose |= {id(kw.value) for kw in node.keywords if kw.arg == "help"}
    return prose


def _text(node: ast.AST) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(_text(v) or "{}" for v in node.values)
    return None


def spelled_names(source: str) -> list[tuple[int, str]]:
    """(line, literal) for every literal of `source` that spells a run folder's file name."""
    tree = ast.parse(source)
    skip = _documentation(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            skip |= {id(v) for v in node.values}  # judged whole, with its values
        if id(node) in skip:
            continue
        text = _text(node)
        if text is not None and SPELLED.search(text):
            found.append((node.lineno, text))
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
            joined = _text(node.right)
            if joined in FOLDERS:
                found.append((node.lineno, joined))
    return sorted(set(found))


def test_no_module_but_the_run_folder_spells_a_file_name_of_a_run() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}:{line}: {text!r}"
        for path in sorted(PACKAGE.rglob("*.py"))
        if path != OWNER
        for line, text in spelled_names(path.read_text(encoding="utf-8"))
        if (str(path.relative_to(ROOT)), text) not in NOT_A_RUN
    ]
    assert not offenders, "ask dcgan.run.RunFolder instead:\n" + "\n".join(offenders)


def test_the_owner_spells_them() -> None:
    """The check would see the names where they are written (so it is not blind)."""
    assert spelled_names(OWNER.read_text(encoding="utf-8"))


def test_the_check_finds_each_way_of_spelling_one() -> None:
    source = '''
"""A docstring may name last.ckpt and metrics.json."""
a = run_dir / "checkpoints" / "last.ckpt"
b = f"nan_iter_{it:06d}.ckpt"
c = run_dir / "samples"
d = path / ".hydra" / "config.yaml"
e = "outputs/<date>/<time>/checkpoints/*.ckpt"
f = dict(key="samples")  # a logger's key, not a file
g = "give the path of a .ckpt file"
h = key(3, "a key's help may name last.ckpt")
i = other(3, "but not another call's argument: last.ckpt")
'''
    lines = [line for line, _ in spelled_names(source)]
    assert lines == [3, 3, 4, 5, 6, 6, 7, 11]
