"""The datasets known by name, read from tiny files in each one's own on-disk format."""

from __future__ import annotations

import pickle
import time
from pathlib import Path

import numpy as np
import pytest
import torch

from dcgan.data import DataError
from dcgan.data.labels import class_names_of, load_labeled
from dcgan.data.named import NAMED
from dcgan.data.named import idx as idx_sets
from dcgan.data.sources import load_images
from dcgan.train import train
from tests.data.named_files import WRITERS, N
from tests.tiny import run_module

FIRST_CLASS = {  # celeba has none
    "cifar10": "class0",  # as the tiny meta files name them
    "cifar100": "class0",
    "fashion_mnist": "t-shirt",
    "mnist": "0",
    "stl10": "airplane",
    "svhn": "0",
}


@pytest.fixture(scope="module")
def sets(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """<tmp>/<name>/ for every named set, each holding its tiny files."""
    base = tmp_path_factory.mktemp("named")
    for name, write in WRITERS.items():
        write(base / name)
    return base


def test_every_named_set_is_written_here() -> None:
    assert sorted(WRITERS) == sorted(NAMED)


def test_pixels_come_out_as_written(sets: Path) -> None:
    """At the native size each format gives back its pixels, upright, and its labels mapped
    to 0..K-1 (SVHN saves the digit 0 as 10, STL-10 counts from 1)."""
    batch = pickle.loads((sets / "cifar10" / "cifar-10-batches-py" / "test_batch").read_bytes())
    rows = batch[b"data"].reshape(-1, 3, 32, 32)
    assert np.array_equal(load_images("cifar10", str(sets / "cifar10"), 32, 3, "test"), rows)
    stl = np.fromfile(sets / "stl10" / "stl10_binary" / "test_X.bin", np.uint8)
    upright = stl.reshape(-1, 3, 96, 96).transpose(0, 1, 3, 2)  # saved column by column
    assert np.array_equal(load_images("stl10", str(sets / "stl10"), 96, 3, "test"), upright)
    from scipy.io import loadmat

    svhn = loadmat(sets / "svhn" / "test_32x32.mat")["X"].transpose(3, 2, 0, 1)
    assert np.array_equal(load_images("svhn", str(sets / "svhn"), 32, 3, "test"), svhn)
    grey = load_images("mnist", str(sets / "mnist"), 28, 1, "train")
    assert grey.shape == (N, 1, 28, 28)
    rgb = load_images("mnist", str(sets / "mnist"), 28, 3, "train")
    assert np.array_equal(rgb[:, :1], grey) and np.array_equal(rgb[:, 2:], grey)
    faces = load_images("celeba", str(sets / "celeba"), 16, 3, "all")
    assert faces.shape == (2 * N, 3, 16, 16)
    for name in ("svhn", "stl10", "mnist", "cifar100"):
        _, labels, names = load_labeled(name, str(sets / name), 8, 1, "all")
        assert labels.tolist() == [i % 3 for i in range(N)] * 2, name
        assert len(names) == (100 if name == "cifar100" else 10)


def test_fashion_mnist_falls_back_to_torchvisions_layout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without Debian's files, data.root=null is the datasets folder, in torchvision's layout."""
    monkeypatch.setattr(idx_sets, "FASHION_MNIST_ROOT", str(tmp_path / "not-installed"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert NAMED["fashion_mnist"].root(None) == tmp_path / "cache" / "dcgan" / "datasets"
    WRITERS["fashion_mnist"](NAMED["fashion_mnist"].root(None))
    assert load_images("fashion_mnist", None, 8, 1, "test").shape == (N, 1, 8, 8)
    with pytest.raises(DataError, match="CelebA has no classes"):
        class_names_of("celeba", None)


@pytest.mark.parametrize("name", sorted(WRITERS))
def test_each_named_set_trains(name: str, sets: Path, make_cfg, tmp_path: Path) -> None:
    """Two iterations from the tiny files; a set with classes trains a conditional model."""
    conditional = name != "celeba"
    cfg = make_cfg(
        f"data={name}",
        f"data.root={sets / name}",
        "data.batch_size=8",
        f"model.conditional={str(conditional).lower()}",
        "callbacks.samples.every_n_steps=2",
        "callbacks.checkpoint.every_n_steps=2",
    )
    train(cfg, run_dir=tmp_path)
    saved = torch.load(tmp_path / "checkpoints" / "last.ckpt", weights_only=True)
    names = saved["hyper_parameters"]["class_names"]
    assert names[:1] == ([FIRST_CLASS[name]] if conditional else [])
    assert saved["global_step"] == 4  # 2 iterations of one D and one G step


def test_a_set_that_is_not_there_is_one_line_at_once(tmp_path: Path) -> None:
    """Offline and without the files: exit 2 with where to put them, before any run folder."""
    start = time.perf_counter()
    res = run_module(
        "dcgan.train", "data=cifar10", f"data.root={tmp_path / 'data'}",
        f"hydra.run.dir={tmp_path / 'run'}", cwd=tmp_path,
    )  # fmt: skip
    took = time.perf_counter() - start
    assert res.returncode == 2, res.stderr[-2000:]
    assert res.stderr.startswith(
        f"error: data=cifar10: CIFAR-10 is not in data.root={tmp_path / 'data'} "
    ), res.stderr
    assert f"put cifar-10-batches-py/ (the python version, unpacked) in {tmp_path / 'data'}" in (
        res.stderr
    )
    assert "or add data.download=true to fetch it once (163 MB)" in res.stderr
    assert len(res.stderr.splitlines()) == 1 and "Traceback" not in res.stderr
    assert not (tmp_path / "run").exists() and not (tmp_path / "data").exists()
    print(f"refused in {took:.1f} s")


def test_a_download_that_fails_says_why_in_words(tmp_path: Path) -> None:
    """data.download=true with no way out (every request goes to a closed local port): one line
    that says why in words, not the exception's repr."""
    closed = {"https_proxy": "http://127.0.0.1:9", "http_proxy": "http://127.0.0.1:9"}
    res = run_module(
        "dcgan.train", "data=mnist", "data.download=true", f"data.root={tmp_path / 'data'}",
        f"hydra.run.dir={tmp_path / 'run'}", cwd=tmp_path, env={**closed, "no_proxy": ""},
    )  # fmt: skip
    assert res.returncode == 2, res.stderr[-2000:]
    assert res.stderr.startswith(
        f"error: data=mnist: cannot download MNIST into {tmp_path / 'data'} (connection refused); "
    ), res.stderr
    assert "urlopen" not in res.stderr and "Errno" not in res.stderr
    assert len(res.stderr.splitlines()) == 1 and not (tmp_path / "run").exists()


def test_no_network_is_said_in_words() -> None:
    import socket
    import urllib.error

    from dcgan.fetching import fetch_failure

    offline = urllib.error.URLError(socket.gaierror(-2, "Name or service not known"))
    assert fetch_failure(offline) == "no network: name or service not known"
