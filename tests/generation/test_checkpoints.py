"""Checkpoint loading: rebuilt from the file alone, EMA weights chosen, bad files named."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest
import torch

from dcgan.run import CheckpointError, read_checkpoint
from dcgan.run.load import load_gan
from dcgan.sampling import forward


def _with_ema(ckpt: Path, out: Path, params_only: bool) -> dict[str, torch.Tensor]:
    """A real checkpoint plus perturbed generator_ema.* weights, as EMA training writes."""
    data = torch.load(ckpt, map_location="cpu", weights_only=True)
    gan = load_gan(ckpt)
    names = (
        {n for n, _ in gan.generator.named_parameters()}
        if params_only
        else set(gan.generator.state_dict())
    )
    gen = torch.Generator().manual_seed(0)
    ema = {}
    for name in names:
        value = data["state_dict"][f"generator.{name}"]
        if value.is_floating_point():
            value = value + 0.05 * torch.randn(value.shape, generator=gen)
        ema[name] = value
    data["state_dict"].update({f"generator_ema.{k}": v for k, v in ema.items()})
    data["hyper_parameters"]["ema"] = {"decay": 0.999}
    torch.save(data, out)
    return ema


def test_the_checkpoint_alone_rebuilds_the_model(plain_ckpt: Path, plain_run: Path) -> None:
    saved = torch.load(plain_ckpt, map_location="cpu", weights_only=True)["state_dict"]
    before = torch.get_rng_state()
    gan = load_gan(plain_ckpt)
    assert torch.equal(torch.get_rng_state(), before)  # building did not touch the caller's RNG
    assert not gan.training and gan.cfg.latent_dim == 8 and gan.cfg.noise.name == "uniform"
    for name, value in gan.state_dict().items():
        assert torch.equal(value, saved[name]), name
    assert torch.equal(
        load_gan(plain_run).generator.to_image[0].weight, saved["generator.to_image.0.weight"]
    )


@pytest.mark.parametrize("params_only", [False, True], ids=["all_weights", "parameters_only"])
def test_ema_weights_are_used_when_present(
    plain_ckpt: Path, tmp_path: Path, params_only: bool
) -> None:
    path = tmp_path / "ema.ckpt"
    ema = _with_ema(plain_ckpt, path, params_only)
    auto, raw = load_gan(path), load_gan(path, ema="false")
    forced = load_gan(path, ema=True)
    plain = load_gan(plain_ckpt)
    for name, value in auto.generator.state_dict().items():
        expected = ema.get(name, plain.generator.state_dict()[name])
        assert torch.equal(value, expected), name
        assert torch.equal(forced.generator.state_dict()[name], expected)
        assert torch.equal(raw.generator.state_dict()[name], plain.generator.state_dict()[name])
    z = auto.noise(4)
    assert not torch.allclose(forward(auto.generator, z, 0), forward(raw.generator, z, 0))


def test_ema_true_without_ema_weights_says_so(plain_ckpt: Path) -> None:
    with pytest.raises(CheckpointError, match=r"ema=true.*last\.ckpt.*no EMA generator weights"):
        load_gan(plain_ckpt, ema="true")
    with pytest.raises(CheckpointError, match="ema=sometimes is not"):
        load_gan(plain_ckpt, ema="sometimes")


def test_ema_weights_that_do_not_fit_are_named(plain_ckpt: Path, tmp_path: Path) -> None:
    data = torch.load(plain_ckpt, map_location="cpu", weights_only=True)
    data["state_dict"]["generator_ema.to_image.0.weight"] = torch.zeros(3, 3)
    torch.save(data, tmp_path / "bad_ema.ckpt")
    with pytest.raises(CheckpointError, match=r"bad_ema\.ckpt.*EMA weights"):
        load_gan(tmp_path / "bad_ema.ckpt")
    assert load_gan(tmp_path / "bad_ema.ckpt", ema="false").generator is not None


class _Exploit:
    """Unpickling this runs `Path.touch(marker)`: what a weights_only load must refuse."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):  # noqa: ANN204
        return (Path.touch, (self.marker,))


def test_bad_files_are_named(plain_ckpt: Path, tmp_path: Path) -> None:
    with pytest.raises(CheckpointError, match=r"'.*missing\.ckpt' does not exist"):
        load_gan(tmp_path / "missing.ckpt")
    with pytest.raises(CheckpointError, match="folder without checkpoints/last.ckpt"):
        load_gan(tmp_path)
    cut = tmp_path / "cut.ckpt"
    cut.write_bytes(plain_ckpt.read_bytes()[:2000])
    with pytest.raises(CheckpointError, match=r"cut\.ckpt' is truncated or damaged"):
        load_gan(cut)
    text = tmp_path / "notes.ckpt"
    text.write_text("not a checkpoint\n")
    with pytest.raises(CheckpointError, match=r"notes\.ckpt' is not a checkpoint of this project"):
        load_gan(text)
    torch.save({"state_dict": {}}, tmp_path / "partial.ckpt")
    with pytest.raises(CheckpointError, match=r"partial\.ckpt' is not a dcgan checkpoint.*hyper"):
        read_checkpoint(tmp_path / "partial.ckpt")
    torch.save([1, 2], tmp_path / "list.ckpt")
    with pytest.raises(CheckpointError, match=r"list\.ckpt' holds a list"):
        read_checkpoint(tmp_path / "list.ckpt")


def test_code_in_a_checkpoint_is_never_run(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    path = tmp_path / "evil.ckpt"
    torch.save({"hyper_parameters": _Exploit(marker), "state_dict": {}}, path)
    with pytest.raises(CheckpointError, match=r"evil\.ckpt' holds objects that are unsafe"):
        load_gan(path)
    assert not marker.exists()
    with path.open("wb") as f:  # a plain pickle, not a zip checkpoint
        pickle.dump(_Exploit(marker), f)
    with pytest.raises(CheckpointError, match=r"evil\.ckpt' is not a checkpoint of this project"):
        load_gan(path)
    assert not marker.exists()


def test_weights_that_do_not_match_the_hyper_parameters(plain_ckpt: Path, tmp_path: Path) -> None:
    data = torch.load(plain_ckpt, map_location="cpu", weights_only=True)
    data["hyper_parameters"]["model"]["ngf"] = 8
    torch.save(data, tmp_path / "wide.ckpt")
    with pytest.raises(CheckpointError, match=r"wide\.ckpt' does not match"):
        load_gan(tmp_path / "wide.ckpt")
    data["hyper_parameters"]["image_size"] = 48
    torch.save(data, tmp_path / "odd.ckpt")
    with pytest.raises(CheckpointError, match=r"odd\.ckpt' has hyper-parameters"):
        load_gan(tmp_path / "odd.ckpt")


def test_missing_weights_are_named(plain_ckpt: Path, tmp_path: Path) -> None:
    data = torch.load(plain_ckpt, map_location="cpu", weights_only=True)
    del data["state_dict"]["generator.to_image.0.bias"]
    torch.save(data, tmp_path / "holey.ckpt")
    with pytest.raises(
        CheckpointError, match=r"holey\.ckpt.*missing or unknown.*to_image\.0\.bias"
    ):
        load_gan(tmp_path / "holey.ckpt")
