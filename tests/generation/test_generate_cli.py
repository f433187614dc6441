"""`python -m dcgan.generate` on real checkpoints: files, sizes, seeds, dropout, walks, errors."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from dcgan.checks import ConfigError
from dcgan.generate import main
from tests.tiny import heavy_imports

PAD, SIZE = 2, 16


def _pixels(path: Path) -> np.ndarray:
    with Image.open(path) as image:
        return np.asarray(image).astype(int)


def _tile(picture: np.ndarray, row: int, col: int) -> np.ndarray:
    y, x = PAD + row * (SIZE + PAD), PAD + col * (SIZE + PAD)
    return picture[y : y + SIZE, x : x + SIZE]


def _images(folder: Path, ext: str = "png") -> list[Path]:
    return sorted(folder.glob(f"0*.{ext}"))


def test_images_and_grid_through_the_real_cli(
    plain_ckpt: Path, tmp_path: Path, generate_cli
) -> None:
    res = generate_cli(
        f"ckpt={plain_ckpt}", "n=10", "out=gen/", "seed=0", "batch_size=4", cwd=tmp_path
    )
    assert res.returncode == 0, res.stderr[-2000:]
    assert "wrote 11 files to gen/" in res.stdout
    files = _images(tmp_path / "gen")
    assert [p.name for p in files] == [f"{i:06d}.png" for i in range(10)]
    for path in files:
        with Image.open(path) as image:
            assert image.format == "PNG" and image.mode == "L" and image.size == (SIZE, SIZE)
    grid = _pixels(tmp_path / "gen" / "grid.png")
    cols, rows = 4, 3  # 10 images on a square-ish grid
    assert grid.shape[:2] == (rows * (SIZE + PAD) + PAD, cols * (SIZE + PAD) + PAD)
    for i, path in enumerate(files):
        assert np.array_equal(_tile(grid, i // cols, i % cols), _pixels(path))

    # the same seed gives the same bytes; another batch size the same pictures
    assert main([f"ckpt={plain_ckpt}", "n=10", f"out={tmp_path / 'again'}", "batch_size=4"]) == 0
    for path in files:
        assert (tmp_path / "again" / path.name).read_bytes() == path.read_bytes()
    assert main([f"ckpt={plain_ckpt}", "n=12", f"out={tmp_path / 'b3'}", "batch_size=3"]) == 0
    for path in files:
        assert np.abs(_pixels(tmp_path / "b3" / path.name) - _pixels(path)).max() <= 1
    # another seed, other pictures
    assert main([f"ckpt={plain_ckpt}", "n=10", f"out={tmp_path / 's1'}", "seed=1"]) == 0
    for path in files:
        assert not np.array_equal(_pixels(tmp_path / "s1" / path.name), _pixels(path))


def test_nothing_is_replaced_without_overwrite(plain_ckpt: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "gen"
    assert main([f"ckpt={plain_ckpt}", "n=2", f"out={out}"]) == 0
    before = (out / "000000.png").read_bytes()
    assert main([f"ckpt={plain_ckpt}", "n=2", f"out={out}", "seed=5"]) == 2
    assert "already holds 3 of the files" in capsys.readouterr().err
    assert (out / "000000.png").read_bytes() == before
    assert main([f"ckpt={plain_ckpt}", "n=2", f"out={out}", "seed=5", "overwrite=true"]) == 0
    assert (out / "000000.png").read_bytes() != before
    assert not list(out.glob(".*tmp"))


def test_jpeg_and_a_run_folder_as_ckpt(plain_run: Path, tmp_path: Path) -> None:
    assert main([f"ckpt={plain_run}", "n=3", f"out={tmp_path}", "format=jpg", "device=cpu"]) == 0
    files = _images(tmp_path, "jpg")
    assert len(files) == 3
    for path in files:
        with Image.open(path) as image:
            assert image.format == "JPEG" and image.size == (SIZE, SIZE)
    assert (tmp_path / "grid.png").is_file()


def test_dropout_stays_on_as_trained_unless_turned_off(dropout_ckpt: Path, tmp_path: Path) -> None:
    def gen(name: str, *extra: str) -> list[np.ndarray]:
        assert main([f"ckpt={dropout_ckpt}", "n=6", f"out={tmp_path / name}", *extra]) == 0
        return [_pixels(p) for p in _images(tmp_path / name)]

    on, on_again = gen("on"), gen("on_again", "dropout_at_generation=true")
    off, off_one_by_one = (
        gen("off", "dropout_at_generation=false"),
        gen("off1", "dropout_at_generation=false", "batch_size=1"),
    )
    assert all(np.array_equal(a, b) for a, b in zip(on, on_again, strict=True))
    assert all(not np.array_equal(a, b) for a, b in zip(on, off, strict=True))
    # without dropout, G is a pure function of z: batching does not change a picture
    assert all(np.abs(a - b).max() <= 1 for a, b in zip(off, off_one_by_one, strict=True))


@pytest.mark.parametrize("which", ["plain", "dropout"])
def test_walk_ends_are_the_pure_samples(
    which: str, plain_ckpt: Path, dropout_ckpt: Path, tmp_path: Path, generate_cli
) -> None:
    ckpt, pairs, steps = {"plain": plain_ckpt, "dropout": dropout_ckpt}[which], 2, 5
    off = ["dropout_at_generation=false"] if which == "dropout" else []
    if which == "plain":  # the real CLI once; the normal-noise (slerp) case in-process
        res = generate_cli(
            f"ckpt={ckpt}", f"n={pairs}", "out=walk/", f"interpolate={steps}", cwd=tmp_path
        )
        assert res.returncode == 0, res.stderr[-2000:]
    else:
        assert (
            main(
                [
                    f"ckpt={ckpt}",
                    f"n={pairs}",
                    f"out={tmp_path / 'walk'}",
                    f"interpolate={steps}",
                    *off,
                ]
            )
            == 0
        )
    assert main([f"ckpt={ckpt}", f"n={2 * pairs}", f"out={tmp_path / 'pure'}", *off]) == 0
    walk = _pixels(tmp_path / "walk" / "walk.png")
    assert walk.shape[:2] == (pairs * (SIZE + PAD) + PAD, steps * (SIZE + PAD) + PAD)
    pure = [_pixels(p) for p in _images(tmp_path / "pure")]
    for j in range(pairs):
        assert np.abs(_tile(walk, j, 0) - pure[2 * j]).max() <= 1
        assert np.abs(_tile(walk, j, steps - 1) - pure[2 * j + 1]).max() <= 1
        assert not np.array_equal(_tile(walk, j, 2), _tile(walk, j, 0))
    with Image.open(tmp_path / "walk" / "walk.gif") as gif:
        assert gif.n_frames == 2 * steps - 2 and gif.info["loop"] == 0
        side = math.ceil(math.sqrt(pairs))
        rows = math.ceil(pairs / side)
        assert gif.size == (side * (SIZE + PAD) + PAD, rows * (SIZE + PAD) + PAD)


def test_bad_input_is_one_clear_line(
    plain_ckpt: Path, tmp_path: Path, generate_cli, capsys
) -> None:
    res = generate_cli("ckpt=missing.ckpt", "n=4", cwd=tmp_path)
    assert res.returncode == 2
    assert res.stderr.startswith("error: checkpoint 'missing.ckpt' does not exist")
    assert "Traceback" not in res.stderr and not (tmp_path / "gen").exists()

    cut = tmp_path / "cut.ckpt"
    cut.write_bytes(plain_ckpt.read_bytes()[:3000])
    text = tmp_path / "readme.txt"
    text.write_text("hello\n")
    fake = tmp_path / "fake.ckpt"
    fake.write_text("a text file, renamed\n")
    cases = {
        f"ckpt={fake}": "fake.ckpt' is not a checkpoint of this project (not a PyTorch file)",
        f"ckpt={cut}": "cut.ckpt' is truncated or damaged (PytorchStreamReader failed reading "
        "zip archive: failed finding central directory): give a .ckpt that training wrote",
        f"ckpt={text}": "readme.txt' is not a checkpoint of this project (not a PyTorch file)",
        "n=4": "give ckpt=...: a .ckpt file, or a run folder (uses its",
        f"ckpt={plain_ckpt} nn=4": "unknown key nn; did you mean n?",
        f"ckpt={plain_ckpt} n=many": "n=many is invalid: give a whole number",
        f"ckpt={plain_ckpt} n=0": "n=0 is invalid",
        f"ckpt={plain_ckpt} format=gif": "format=gif is invalid; choices: png, jpg",
        f"ckpt={plain_ckpt} interpolate=1": "interpolate=1 is invalid",
        f"ckpt={plain_ckpt} export=tflite": "export=tflite is invalid",
        f"ckpt={plain_ckpt} ema=maybe": "ema=maybe is invalid",
        f"ckpt={plain_ckpt} ema=true": "has no EMA generator weights",
        f"ckpt={plain_ckpt} device=toaster": "device=toaster is invalid",
    }
    for args, message in cases.items():
        assert main([*args.split(), f"out={tmp_path / 'never'}"]) == 2, args
        err = capsys.readouterr().err
        assert err.startswith("error: ") and message in err, (args, err)
        assert "torch.save" not in err and len(err.strip().splitlines()) == 1, (args, err)
    assert not (tmp_path / "never").exists()


def test_bad_out_is_one_line_before_torch_is_imported(plain_ckpt: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "a_file"
    blocker.write_text("kept")
    probe = (
        "import sys; from dcgan.generate import main; "
        "code = main(sys.argv[1:]); print('torch' in sys.modules); sys.exit(code)"
    )
    cases = {
        f"out={blocker}": f"error: out={str(blocker)!r} is a file, not a folder",
        f"out={blocker / 'gen'}": f"goes through {str(blocker)!r}, which is a file",
        "n=0": "error: n=0 is invalid: must be >= 1",
        # an export writes G itself: a key that picks images would be ignored
        "export=onnx class=3": "error: class=3 does not go with export=onnx: an export writes "
        "the generator, not images (a conditional one takes the class as its input `class`); "
        "leave class= out",
        "export=torchscript per_class=true": "per_class=true does not go with export=torchscript",
        "export=onnx interpolate=5": "interpolate=5 does not go with export=onnx",
    }
    for arg, message in cases.items():
        res = subprocess.run(
            [sys.executable, "-c", probe, f"ckpt={plain_ckpt}", *arg.split()],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert res.returncode == 2, (arg, res.stderr)
        assert res.stderr.startswith("error: ") and message in res.stderr, res.stderr
        assert len(res.stderr.splitlines()) == 1, res.stderr
        assert res.stdout.strip() == "False", f"{arg}: torch was imported before the refusal"
    assert blocker.read_text() == "kept"


def test_every_wrong_value_is_named_at_once(tmp_path: Path, capsys) -> None:
    """As train does: a line each, the checkpoint's first, each value as typed."""
    assert main(["truncation=-1", "n=0", "batch_size=0", f"out={tmp_path / 'never'}"]) == 2
    assert capsys.readouterr().err.splitlines() == [
        "error: give ckpt=...: a .ckpt file, or a run folder (uses its checkpoints/last.ckpt)",
        "error: n=0 is invalid: must be >= 1",
        "error: batch_size=0 is invalid: must be >= 1",
        "error: truncation=-1 is invalid: must be > 0 (or null: off)",
    ]
    assert not (tmp_path / "never").exists()


def test_help_lists_the_keys(capsys) -> None:
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for key in (
        "ckpt=...",
        "interpolate=0",
        "export=null",
        "dropout_at_generation=null",
        "ema=auto",
    ):
        assert key in out


def test_the_checkpoint_is_checked_first_and_may_come_alone(
    plain_ckpt: Path, tmp_path: Path, capsys
) -> None:
    """A missing checkpoint is the news even where out= already holds files; the checkpoint
    may be given alone, as report takes its folder; a folder without last.ckpt names its files."""
    out = tmp_path / "gen"
    out.mkdir()
    (out / "grid.png").write_bytes(b"an earlier run")
    assert main(["ckpt=missing.ckpt", f"out={out}"]) == 2
    assert "checkpoint 'missing.ckpt' does not exist" in capsys.readouterr().err
    assert main([str(plain_ckpt), "n=0"]) == 2  # read as ckpt=...: the next key is the news
    assert "error: n=0 is invalid" in capsys.readouterr().err
    folder = tmp_path / "checkpoints"
    folder.mkdir()
    (folder / "nan_iter_000001.ckpt").write_bytes(plain_ckpt.read_bytes())
    assert main([f"ckpt={folder}", f"out={tmp_path / 'x'}"]) == 2
    assert "without checkpoints/last.ckpt (it holds nan_iter_000001.ckpt)" in (
        capsys.readouterr().err
    )


def test_a_wrong_class_lists_the_classes_as_they_are_written() -> None:
    from dcgan.generate import pick_class

    with pytest.raises(ConfigError, match=r"choices: 0, 1, 2, 3, 4, 5, 6, 7, 8, 9$"):
        pick_class("sneaker", [str(d) for d in range(10)])
    with pytest.raises(ConfigError, match=r"choices: 0=dark, 1=bright$"):
        pick_class("grey", ["dark", "bright"])


def test_a_wrong_class_is_refused_from_the_saved_names_before_torch(
    plain_ckpt: Path, tmp_path: Path
) -> None:
    """`class=hexagon` is answered from the checkpoint's class names: no net, no torch."""
    import torch

    ckpt = torch.load(plain_ckpt, map_location="cpu", weights_only=True)
    ckpt["hyper_parameters"]["model"]["conditional"] = True
    ckpt["hyper_parameters"]["class_names"] = ["dark", "bright"]
    labelled = tmp_path / "labelled.ckpt"
    torch.save(ckpt, labelled)
    cases = {
        f"ckpt={labelled} class=hexagon": "error: class=hexagon is not a class of this model; "
        "choices: 0=dark, 1=bright\n",
        f"ckpt={labelled} class=5": "error: class=5 is not a class of this model; "
        "choices: 0=dark, 1=bright\n",
        f"ckpt={plain_ckpt} per_class=true": "error: per_class= needs a class-conditional model; "
        f"{plain_ckpt} is unconditional\n",
    }
    probe = (  # the three commands in one fresh interpreter: torch is imported once
        "import contextlib, io, json, sys\n"
        "from dcgan.generate import main\n"
        "out = []\n"
        "for argv in json.loads(sys.argv[1]):\n"
        "    err = io.StringIO()\n"
        "    with contextlib.redirect_stderr(err):\n"
        "        out.append([main(argv), err.getvalue()])\n"
        "print(json.dumps([out, sorted({'torch', 'lightning'} & set(sys.modules))]))\n"
    )
    argvs = [[*args.split(), f"out={tmp_path / 'gen'}"] for args in cases]
    res = subprocess.run(
        [sys.executable, "-c", probe, json.dumps(argvs)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    answers, heavy = json.loads(res.stdout.strip().splitlines()[-1])
    for (code, err), message in zip(answers, cases.values(), strict=True):
        assert (code, err) == (2, message)
    assert heavy == [], f"{heavy} imported before the refusal"  # the saved values, read plain
    assert not (tmp_path / "gen").exists()


def test_generating_loads_neither_lightning_nor_torchvision(
    plain_ckpt: Path, tmp_path: Path
) -> None:
    """G alone is rebuilt from the checkpoint: the training module's Lightning (10 of the 14 s
    of a generate on a 2-core machine) and torchvision (4 s, for a grid) are not imported."""
    watch = ("torch", "lightning", "torchvision")
    argv = [f"ckpt={plain_ckpt}", "n=4", f"out={tmp_path / 'gen'}"]
    assert heavy_imports("dcgan.generate:main", argv, cwd=tmp_path, watch=watch) == (0, ["torch"])
    assert (tmp_path / "gen" / "grid.png").is_file()
