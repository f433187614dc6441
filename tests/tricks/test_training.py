"""Every trick composes with the rest and trains real iterations through a real Trainer."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import lightning as L
import pytest
import torch
import yaml
from hydra._internal.config_loader_impl import ConfigLoaderImpl
from hydra._internal.utils import create_config_search_path
from hydra.core.override_parser.overrides_parser import OverridesParser
from omegaconf import DictConfig

from dcgan.build import build_module, build_trainer, training_datamodule
from dcgan.config import validate
from dcgan.module import GAN
from dcgan.train import train

CONFIGS = Path(__file__).resolve().parents[2] / "configs"
TRICKS = sorted(p.stem for p in (CONFIGS / "trick").glob("*.yaml"))
# trained here; the rest train through their own groups (test_every_option_trains) or ALL_ON
TRAINED_ALONE = ["bilinear_conv", "instance_noise"]
ALL_ON = [
    "d_batch=mixed",
    "instance_noise.std=0.1",
    "instance_noise.decay_steps=1",
    "replay.size=12",
    "replay.p=0.5",
    "ema.decay=0.9",
    "model.minibatch_std=true",
    "optimizer=ttur",
    "upsample=nearest_conv",
    "loss.label_flip=0.1",
    "r1.gamma=1",
    "r1.r2_gamma=1",
    "bcr.real_weight=10",
    "bcr.fake_weight=10",
    "lecam.weight=0.3",
    "topk.min_frac=0.5",
    "topk.every=1",
]


def _ckpt(run_dir: Path) -> dict:
    return torch.load(run_dir / "checkpoints" / "last.ckpt", map_location="cpu", weights_only=True)


def _fit(cfg: DictConfig, tmp_path: Path, before_fit: Callable[[GAN], None] | None = None) -> GAN:
    """Fit the module that `train` would build, so a test can watch it with hooks."""
    L.seed_everything(cfg.seed, verbose=False)
    module = build_module(cfg)
    if before_fit is not None:
        before_fit(module)
    trainer = build_trainer(cfg.trainer, module.steps_per_iteration, [], [], tmp_path)
    trainer.fit(module, datamodule=training_datamodule(cfg))
    return module


def test_ganhacks_sweep_lists_every_trick() -> None:
    sweep = yaml.safe_load((CONFIGS / "sweep" / "ganhacks.yaml").read_text())
    param = sweep["hydra"]["sweeper"]["params"]["trick"]
    loader = ConfigLoaderImpl(config_search_path=create_config_search_path(str(CONFIGS)))
    (override,) = OverridesParser.create(config_loader=loader).parse_overrides([f"trick={param}"])
    listed = list(override.sweep_string_iterator())  # what Hydra's sweeper runs
    assert listed == TRICKS and "none" in listed


def test_every_trick_composes_and_reaches_the_module(make_cfg) -> None:
    paper = "experiment=dcgan_paper"  # every trick off (the default recipe has EMA on)
    base = dict(build_module(make_cfg(paper)).hparams)
    assert dict(build_module(make_cfg(paper, "trick=none")).hparams) == base
    for trick in TRICKS:
        cfg = make_cfg(paper, f"trick={trick}")
        validate(cfg)
        if trick != "none":
            assert dict(build_module(cfg).hparams) != base, f"trick={trick} changed nothing"
    # a trick goes on top of an experiment, even where both choose the same group
    on_recipe = make_cfg("experiment=ganhacks", "trick=ttur")
    assert on_recipe.optimizer.generator.lr == 1e-4 and on_recipe.pooling.name == "avg"


@pytest.mark.parametrize("trick", TRAINED_ALONE)
def test_trick_trains_alone(make_cfg, tmp_path: Path, trick: str) -> None:
    train(make_cfg(f"trick={trick}"), run_dir=tmp_path)
    ckpt = _ckpt(tmp_path)
    assert ckpt["global_step"] == 2 * 2
    assert all(
        torch.isfinite(v).all() for v in ckpt["state_dict"].values() if v.is_floating_point()
    )
    assert len(list((tmp_path / "samples").glob("iter_*.png"))) == 2


@pytest.mark.parametrize("loss", ["nonsaturating", "minimax", "lsgan", "hinge", "wgan_gp"])
def test_all_tricks_together_with_every_loss(make_cfg, tmp_path: Path, loss: str) -> None:
    smoothing = [] if loss in ("hinge", "wgan_gp") else ["loss.label_smoothing=0.1"]
    cfg = make_cfg(*ALL_ON, f"loss={loss}", *smoothing, "trainer.max_steps=3")
    train(cfg, run_dir=tmp_path)
    ckpt = _ckpt(tmp_path)
    assert ckpt["global_step"] == 3 * 2
    state = ckpt["state_dict"]
    assert any(k.startswith("generator_ema.") for k in state)
    assert ckpt["tricks"]["replay"].shape[0] == 12  # 3 batches of 8, capped at replay.size
    assert all(torch.isfinite(v).all() for v in state.values() if v.is_floating_point())


def test_ema_follows_the_decay_formula_after_one_step(make_cfg, tmp_path: Path) -> None:
    cfg = make_cfg("ema.decay=0.75", "trainer.max_steps=1")
    start: dict[str, torch.Tensor] = {}

    def remember(module: GAN) -> None:
        start.update({k: v.clone() for k, v in module.generator.state_dict().items()})
        ids = {id(p) for p in module.generator_ema.parameters()}
        opt_g = module.configure_optimizers()[1]
        assert not ids & {id(p) for g in opt_g.param_groups for p in g["params"]}

    module = _fit(cfg, tmp_path, remember)
    g, ema = module.generator.state_dict(), module.generator_ema.state_dict()
    weights = {n for n, _ in module.generator.named_parameters()}
    for name in g:
        if name in weights:  # ema = d * ema_0 + (1 - d) * G_1, and ema_0 = G_0
            torch.testing.assert_close(ema[name], 0.75 * start[name] + 0.25 * g[name])
            assert not torch.equal(ema[name], g[name])
        else:  # BatchNorm's running statistics are copied
            assert torch.equal(ema[name], g[name])
    assert all(p.grad is None and not p.requires_grad for p in module.generator_ema.parameters())
    # samples come from the EMA copy
    module.generator_ema.eval()
    with torch.random.fork_rng():
        torch.manual_seed(0)
        expected = module.generator_ema(module.sample_z)
    torch.testing.assert_close(module.sample(), expected)
    assert not torch.allclose(module.sample(), module.generator.eval()(module.sample_z))


def test_ema_is_saved_and_checkpoints_with_or_without_it_load(make_cfg, tmp_path: Path) -> None:
    plain, with_ema = tmp_path / "plain", tmp_path / "ema"
    train(make_cfg("trainer.max_steps=1"), run_dir=plain)
    last = plain / "checkpoints" / "last.ckpt"
    # resuming a run without EMA with EMA on starts the average from the generator
    train(make_cfg("trainer.max_steps=2", "ema.decay=0.5", f"ckpt_path={last}"), run_dir=with_ema)
    ckpt = _ckpt(with_ema)
    ema_keys = {k.removeprefix("generator_ema.") for k in ckpt["state_dict"] if "_ema." in k}
    g_keys = {k.removeprefix("generator.") for k in ckpt["state_dict"] if k.startswith("gen")}
    assert ema_keys and ema_keys <= g_keys
    assert ckpt["global_step"] == 2 * 2
    # an EMA checkpoint loads into a module without EMA (the copy is dropped) and back
    path = with_ema / "checkpoints" / "last.ckpt"
    off = GAN.load_from_checkpoint(path, map_location="cpu", weights_only=True, ema={"decay": 0.0})
    assert not hasattr(off, "generator_ema") and off.sampling_generator is off.generator
    on = GAN.load_from_checkpoint(path, map_location="cpu", weights_only=True)
    assert on.sampling_generator is on.generator_ema
    torch.testing.assert_close(
        on.generator_ema.state_dict(),
        {
            k.removeprefix("generator_ema."): v
            for k, v in ckpt["state_dict"].items()
            if "_ema." in k
        },
    )


def test_replay_buffer_is_restored_from_the_checkpoint(make_cfg, tmp_path: Path) -> None:
    train(make_cfg("replay.size=10", "replay.p=1.0"), run_dir=tmp_path)
    ckpt = _ckpt(tmp_path)
    module = GAN.load_from_checkpoint(
        tmp_path / "checkpoints" / "last.ckpt", map_location="cpu", weights_only=True
    )
    buffer = module.trick("replay").buffer
    assert len(buffer) == 10 and buffer.p == 1.0
    assert torch.equal(buffer.images, ckpt["tricks"]["replay"])


@pytest.mark.parametrize(("policy", "sizes"), [("separate", [8, 8, 8]), ("mixed", [16, 8])])
def test_d_batch_policy_sets_the_forward_passes(
    make_cfg, tmp_path: Path, policy: str, sizes: list[int]
) -> None:
    seen: list[int] = []

    def count(module: GAN) -> None:
        module.discriminator.register_forward_hook(lambda m, args, out: seen.append(len(out)))

    _fit(make_cfg(f"d_batch={policy}", "r1.gamma=0"), tmp_path, count)  # R1: a pass of its own
    assert seen == sizes * 2  # per iteration: D step (real, fake or both at once), then G step


def test_instance_noise_reaches_d_and_stops_at_decay_steps(make_cfg, tmp_path: Path) -> None:
    seen: list[tuple[int, float]] = []

    def watch(module: GAN) -> None:
        module.discriminator.register_forward_pre_hook(
            lambda m, args: seen.append((module.iteration, float(args[0].detach().abs().max())))
        )

    noise = ["instance_noise.std=5.0", "instance_noise.decay_steps=1"]
    cfg = make_cfg(*noise, "trainer.max_steps=3", "r1.gamma=0")  # R1's own pass on real images
    _fit(cfg, tmp_path, watch)
    assert [it for it, _ in seen] == [0, 0, 0, 1, 1, 1, 2, 2, 2]
    assert all(peak > 2 for it, peak in seen if it == 0)  # std 5: far outside [-1, 1]
    assert all(peak <= 1 for it, peak in seen if it >= 1)  # std 0 from decay_steps on


def test_minibatch_std_reaches_the_discriminator(make_cfg) -> None:
    on = build_module(make_cfg("model.minibatch_std=true")).discriminator
    off = build_module(make_cfg()).discriminator
    assert type(on.minibatch_std).__name__ == "MinibatchStd"
    assert type(off.minibatch_std).__name__ == "Identity"
    assert on.head.in_channels == off.head.in_channels + 1


def test_upsample_group_reaches_the_generator(make_cfg) -> None:
    kinds = {}
    for name in ("transposed", "nearest_conv", "bilinear_conv"):
        g = build_module(make_cfg(f"upsample={name}")).generator
        kinds[name] = {m.mode for m in g.modules() if isinstance(m, torch.nn.Upsample)}
        n_transposed = sum(isinstance(m, torch.nn.ConvTranspose2d) for m in g.modules())
        assert n_transposed == (3 if name == "transposed" else 1)  # 16 px: project + 2 ups
    assert kinds == {
        "transposed": set(),
        "nearest_conv": {"nearest"},
        "bilinear_conv": {"bilinear"},
    }


def test_ttur_rates(make_cfg) -> None:
    opt_d, opt_g = build_module(make_cfg("optimizer=ttur")).configure_optimizers()
    assert opt_d.param_groups[0]["lr"] == 4e-4 and opt_g.param_groups[0]["lr"] == 1e-4
    assert opt_d.param_groups[0]["betas"] == opt_g.param_groups[0]["betas"] == (0.5, 0.999)


@pytest.mark.parametrize(
    "accelerator",
    [
        "cpu",
        pytest.param(
            "gpu",
            marks=[
                pytest.mark.gpu,
                pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device"),
            ],
        ),
    ],
)
def test_all_tricks_in_mixed_precision(make_cfg, tmp_path: Path, accelerator: str) -> None:
    cfg = make_cfg(*ALL_ON, f"trainer.accelerator={accelerator}", "trainer.precision=bf16-mixed")
    train(cfg, run_dir=tmp_path)
    ckpt = _ckpt(tmp_path)
    assert ckpt["global_step"] == 2 * 2 and ckpt["tricks"]["replay"].shape[0] == 12
    assert all(
        torch.isfinite(v).all() for v in ckpt["state_dict"].values() if v.is_floating_point()
    )
