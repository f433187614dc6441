"""A wheel must carry the configs: `pip install .` (not only -e) has to train."""

from __future__ import annotations

import importlib
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_wheel_contains_every_config(tmp_path: Path) -> None:
    pytest.importorskip("setuptools")
    res = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert res.returncode == 0, res.stderr[-2000:]
    (wheel,) = tmp_path.glob("dcgan-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {
        "dcgan/configs/" + p.relative_to(ROOT / "configs").as_posix()
        for p in (ROOT / "configs").rglob("*.yaml")
    }
    assert expected and expected <= names, sorted(expected - names)

    entry_points = (
        zipfile.ZipFile(wheel)
        .read(next(n for n in names if n.endswith(".dist-info/entry_points.txt")))
        .decode()
    )
    scripts = dict(
        (part.strip() for part in line.split("=", 1))
        for line in entry_points.split("[console_scripts]", 1)[1].strip().splitlines()
        if "=" in line and not line.startswith("[")
    )
    assert scripts == {
        "dcgan-train": "dcgan.train:main",
        "dcgan-generate": "dcgan.generate:main",
        "dcgan-report": "dcgan.report:main",
        "dcgan-race": "dcgan.race:main",
    }
    for target in scripts.values():  # each names a function that exists
        module, function = target.split(":")
        assert callable(getattr(importlib.import_module(module), function))


def test_console_script_finds_the_configs(tmp_path: Path) -> None:
    """`dcgan-train` (not `python -m`) composes the config: Hydra finds the configs folder."""
    script = Path(sys.executable).parent / "dcgan-train"
    if not script.is_file():
        pytest.skip("the project is not installed with its console scripts in this environment")
    res = subprocess.run(
        [str(script), "--cfg", "job", "data=digits", "image_size=32"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert res.returncode == 0, res.stderr[-2000:]
    assert "image_size: 32" in res.stdout and "source: digits" in res.stdout
