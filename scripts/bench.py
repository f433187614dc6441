"""Measure training speed, input-pipeline speed and memory; print `name=value` lines and a summary.

Throughput rounds alternate three runs in one process, so load from other processes hits them
alike: our real training iteration through the Lightning Trainer in fp32, a plain PyTorch loop of
the same networks and maths in fp32 (written here, the reference), and our default fast path
(`trainer.precision=auto`, `trainer.memory_format=auto`). Each run trains `--warmup` iterations,
then times `--iters` more; img/s counts real images through D per second.

    python scripts/bench.py --quick          # a few minutes on a 2-core CPU
    python scripts/bench.py --quick --threads 1   # on a CPU shared with other jobs
    python scripts/bench.py --device cuda    # on a GPU (scripts/gpu_check.sh runs this)
    python scripts/bench.py --rounds 0 --images 50 --batch 16   # data and memory passes only
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

if TYPE_CHECKING:  # torch, Lightning and the package load after the arguments: --help is instant
    import lightning as L
    import torch

MEMORY_BATCH = 128  # the memory pass's batch, unless --batch is smaller (fewer images)


def emit(name: str, value: object) -> None:
    """One `name=value` line, flushed so a killed run still shows what it measured."""
    if isinstance(value, float):
        value = f"{value:.5g}"
    print(f"{name}={value}", flush=True)


def write_jpegs(folder: Path, n: int, size: int) -> None:
    """Smooth colour fields with noise: decode like photos, not like pure noise."""
    import numpy as np
    from PIL import Image

    rng = np.random.default_rng(0)
    folder.mkdir(parents=True, exist_ok=True)
    yy, xx = np.mgrid[0:size, 0 : size + size // 4].astype(np.float32) / size
    for i in range(n):
        a, b, c = rng.uniform(0, 255, 3)
        base = np.stack([a * xx, b * yy, c * (1 - xx * yy)], axis=-1)
        noise = rng.normal(0, 12, base.shape)
        img = np.clip(base + noise, 0, 255).astype(np.uint8)
        Image.fromarray(img).save(folder / f"img{i:05d}.jpg", quality=90)


def compose_cfg(pics: Path, cache_dir: Path, args: argparse.Namespace, *overrides: str):
    """The real config, composed as the CLI composes it."""
    from hydra import compose, initialize_config_dir

    with initialize_config_dir(config_dir=str(ROOT / "configs"), version_base="1.3"):
        return compose(
            "train",
            overrides=[
                f"data.root={pics}",
                "data.cache=true",
                f"data.cache_dir={cache_dir}",
                f"data.batch_size={args.batch}",
                f"image_size={args.image_size}",
                f"model.ngf={args.width}",
                f"model.ndf={args.width}",
                f"trainer.accelerator={args.accelerator}",
                f"trainer.max_steps={args.warmup + args.iters}",
                "trainer.enable_progress_bar=false",
                "trainer.log_every_n_steps=50",
                "callbacks.samples.every_n_steps=1000000",
                "callbacks.checkpoint.every_n_steps=1000000",
                "logger=none",
                *overrides,
            ],
        )


def sync(device: torch.device) -> None:
    """Wait for queued GPU work, so a clock reading means the work is done."""
    if device.type == "cuda":
        import torch

        torch.cuda.synchronize(device)


class IterationClock:
    """Time iterations warmup+1 .. warmup+iters, record losses, and sample RSS at given marks."""

    def __init__(self, warmup: int, last: int = 0, rss_at: tuple[int, ...] = ()) -> None:
        self.warmup, self.last, self.rss_at = warmup, last, rss_at
        self.start = self.end = 0.0
        self.d_losses: list[float] = []
        self.g_losses: list[float] = []
        self.rss: dict[int, float] = {}

    def callback(self) -> L.Callback:
        """This clock as a Lightning callback, read at the end of each training batch."""
        import lightning as L

        clock = self

        class Hook(L.Callback):
            def on_train_batch_end(self, trainer, pl_module, *args) -> None:  # noqa: ANN001, ANN002
                clock.on_train_batch_end(trainer, pl_module)

        return Hook()

    def on_train_batch_end(self, trainer, pl_module) -> None:  # noqa: ANN001
        if pl_module.global_step % pl_module.steps_per_iteration:
            return  # mid-iteration
        it = pl_module.iteration
        metrics = trainer.callback_metrics
        self.d_losses.append(float(metrics["d_loss"]))
        self.g_losses.append(float(metrics["g_loss"]))
        if it == self.warmup:
            sync(pl_module.device)
            self.start = time.perf_counter()
        if it == self.last:
            sync(pl_module.device)
            self.end = time.perf_counter()
        if it in self.rss_at:
            self.rss[it] = rss_mb()


def run_ours(cfg, warmup: int, iters: int, rss_at: tuple[int, ...] = ()) -> IterationClock:
    """Our real path: config -> builders -> Lightning Trainer.fit, timed inside the fit."""
    import lightning as L

    from dcgan.build import build_callbacks, build_module, build_trainer, training_datamodule

    L.seed_everything(cfg.seed, workers=True, verbose=False)
    assert cfg.trainer.max_steps == warmup + iters
    datamodule = training_datamodule(cfg)
    module = build_module(cfg)
    clock = IterationClock(warmup, warmup + iters, rss_at)
    with tempfile.TemporaryDirectory() as run_dir:
        callbacks = [*build_callbacks(cfg.callbacks, Path(run_dir)), clock.callback()]
        trainer = build_trainer(
            cfg.trainer, module.steps_per_iteration, [], callbacks, Path(run_dir)
        )
        trainer.fit(module, datamodule=datamodule)
    return clock


def run_plain(cfg, warmup: int, iters: int, device: torch.device) -> IterationClock:
    """The reference: the same nets and losses in a bare fp32 PyTorch loop, no Lightning."""
    import numpy as np
    import torch
    import torch.nn.functional as F

    from dcgan.build import build_module
    from dcgan.config import DataConfig
    from dcgan.data import ImageDataModule

    torch.manual_seed(cfg.seed)
    module = build_module(cfg)  # same constructor and init: same starting weights
    gen, disc = module.generator.to(device), module.discriminator.to(device)
    adam = {"lr": 2e-4, "betas": (0.5, 0.999)}
    opt_g, opt_d = (
        torch.optim.Adam(gen.parameters(), **adam),
        torch.optim.Adam(disc.parameters(), **adam),
    )
    dm = ImageDataModule(
        DataConfig(
            root=cfg.data.root,
            batch_size=cfg.data.batch_size,
            cache=True,
            cache_dir=cfg.data.cache_dir,
        ),
        image_size=cfg.image_size,
    )
    dm.setup("fit")
    images = torch.from_numpy(np.asarray(dm.images))
    batch, latent = cfg.data.batch_size, cfg.latent_dim
    clock = IterationClock(warmup)
    order = torch.randperm(len(images))
    pos = 0
    for it in range(1, warmup + iters + 1):
        if pos + batch > len(order):
            order, pos = torch.randperm(len(images)), 0
        real = images[order[pos : pos + batch]].to(device).float().div_(127.5).sub_(1)
        pos += batch
        z = torch.rand(batch, latent, device=device) * 2 - 1
        fake = gen(z)
        real_logits, fake_logits = disc(real), disc(fake.detach())
        d_loss = F.binary_cross_entropy_with_logits(
            real_logits, torch.ones_like(real_logits)
        ) + F.binary_cross_entropy_with_logits(fake_logits, torch.zeros_like(fake_logits))
        opt_d.zero_grad(set_to_none=True)
        d_loss.backward()
        opt_d.step()
        disc.requires_grad_(False)
        out = disc(fake)
        g_loss = F.binary_cross_entropy_with_logits(out, torch.ones_like(out))
        opt_g.zero_grad(set_to_none=True)
        g_loss.backward()
        disc.requires_grad_(True)
        opt_g.step()
        clock.d_losses.append(d_loss.item())
        clock.g_losses.append(g_loss.item())
        if it == warmup:
            sync(device)
            clock.start = time.perf_counter()
    sync(device)
    clock.end = time.perf_counter()
    return clock


def img_per_s(clock: IterationClock, iters: int, batch: int) -> float:
    return iters * batch / (clock.end - clock.start)


def rss_mb() -> float:
    """Resident memory of this process now, in MiB."""
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def bench_memory(pics: Path, cache: Path, args: argparse.Namespace) -> dict[str, float]:
    """Peak RSS of a real run at batch 128 (--batch when smaller), and after N and 4N
    iterations."""
    n, batch = args.rss_iters, min(MEMORY_BATCH, args.batch)
    mem_args = argparse.Namespace(**{**vars(args), "batch": batch, "warmup": 0, "iters": 4 * n})
    cfg = compose_cfg(pics, cache, mem_args)
    clock = run_ours(cfg, warmup=0, iters=4 * n, rss_at=(n, 4 * n))
    out = {
        f"rss_peak_mb_batch{batch}": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        f"rss_mb_after_{n}_iters": clock.rss[n],
        f"rss_mb_after_{4 * n}_iters": clock.rss[4 * n],
    }
    out["rss_growth_mb"] = clock.rss[4 * n] - clock.rss[n]
    return out


def bench_data(pics: Path, cache: Path, args: argparse.Namespace) -> dict[str, float]:
    """Input pipeline alone: setup plus one epoch of uint8 batches, uncached vs cached."""
    import torch

    from dcgan.config import DataConfig
    from dcgan.data import ImageDataModule

    def one_pass(use_cache: bool) -> tuple[float, float]:
        start = time.perf_counter()
        dm = ImageDataModule(
            DataConfig(
                root=str(pics), batch_size=args.batch, cache=use_cache, cache_dir=str(cache)
            ),
            image_size=args.image_size,
        )
        dm.setup("fit")
        opened = time.perf_counter()
        seen = 0
        for batch in dm.train_dataloader():  # the uint8 batches a device receives
            seen += batch.shape[0]
        end = time.perf_counter()
        return opened - start, seen / (end - opened)

    decode_s, batches = one_pass(False)
    one_pass(True)  # builds the cache
    open_s, cached_batches = min(one_pass(True) for _ in range(3))
    n = args.images
    epoch = n // args.batch * args.batch
    dm = ImageDataModule(
        DataConfig(root=str(pics), batch_size=args.batch), image_size=args.image_size
    )
    uint8 = torch.zeros(args.batch, 3, args.image_size, args.image_size, dtype=torch.uint8)
    start = time.perf_counter()
    for _ in range(20):  # on a GPU this runs there, after the copy
        dm.on_after_batch_transfer(uint8, 0)
    return {
        "data_images": n,
        "data_decode_s": decode_s,
        "data_cache_open_s": open_s,
        "data_batches_img_s": cached_batches,
        "data_to_float_img_s": 20 * args.batch / (time.perf_counter() - start),
        # one epoch including the start-up: decode every time vs map the cache
        "data_uncached_img_s": epoch / (decode_s + epoch / batches),
        "data_cached_img_s": epoch / (open_s + epoch / cached_batches),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds and iterations")
    parser.add_argument("--device", default="auto", choices=("auto", "cpu", "cuda"))
    parser.add_argument("--image-size", type=int, default=64)
    parser.add_argument("--width", type=int, default=64, help="ngf = ndf")
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument(
        "--rounds", type=int, default=None, help="0: only the data and memory passes"
    )
    parser.add_argument("--iters", type=int, default=None, help="timed iterations per run")
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--rss-iters", type=int, default=None, help="N of the N vs 4N check")
    parser.add_argument("--images", type=int, default=None, help="JPEGs written for the data test")
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads")
    args = parser.parse_args()
    import torch

    from dcgan.config import register_configs
    from dcgan.console import quiet_libraries

    quiet_libraries()  # Lightning's start-up notes and its advertising tip
    if args.threads:
        torch.set_num_threads(args.threads)
    cuda = args.device == "cuda" or (args.device == "auto" and torch.cuda.is_available())
    args.accelerator = "gpu" if cuda else "cpu"
    device = torch.device("cuda" if cuda else "cpu")
    quick_or_gpu = args.quick or cuda
    args.rounds = (3 if args.quick else 5) if args.rounds is None else args.rounds
    args.iters = args.iters or (40 if cuda else 5 if args.quick else 10)
    args.rss_iters = args.rss_iters or (25 if cuda else 3 if args.quick else 10)
    args.images = args.images or (2000 if quick_or_gpu else 5000)
    register_configs()

    emit("device", torch.cuda.get_device_name(0) if cuda else "cpu")
    emit("torch_threads", torch.get_num_threads())
    emit("load_avg_start", os.getloadavg()[0])
    emit("config", f"{args.image_size}px ngf=ndf={args.width} batch={args.batch}")
    with tempfile.TemporaryDirectory() as tmp:
        pics, cache = Path(tmp) / "pics", Path(tmp) / "cache"
        write_jpegs(pics / "all", args.images, size=args.image_size + args.image_size // 2)
        data = bench_data(pics, cache, args)
        for name, value in data.items():
            emit(name, value)
        for name, value in bench_memory(pics, cache, args).items():
            emit(name, value)
        if args.rounds == 0:
            print(f"summary: data_cached_img_s={data['data_cached_img_s']:.0f}", flush=True)
            return

        fp32 = compose_cfg(
            pics, cache, args, "trainer.precision=32-true", "trainer.memory_format=contiguous"
        )
        fast = compose_cfg(pics, cache, args)
        speeds: dict[str, list[float]] = {"lightning_fp32": [], "plain_fp32": [], "fast": []}
        losses: dict[str, IterationClock] = {}
        for r in range(args.rounds):
            runs = [
                ("lightning_fp32", lambda: run_ours(fp32, args.warmup, args.iters)),
                ("plain_fp32", lambda: run_plain(fp32, args.warmup, args.iters, device)),
                ("fast", lambda: run_ours(fast, args.warmup, args.iters)),
            ]
            for name, run in runs[r % 3 :] + runs[: r % 3]:  # rotate who goes first
                clock = run()
                speeds[name].append(img_per_s(clock, args.iters, args.batch))
                losses[name] = clock
            emit(f"round_{r}", " ".join(f"{k}:{v[-1]:.1f}" for k, v in speeds.items()))

    for name, values in speeds.items():
        emit(f"{name}_img_s_median", statistics.median(values))
        emit(f"{name}_img_s_spread", (max(values) - min(values)) / statistics.median(values))
    for name, clock in losses.items():  # mean over the timed iterations of the last round
        emit(f"{name}_d_loss", statistics.mean(clock.d_losses[args.warmup :]))
        emit(f"{name}_g_loss", statistics.mean(clock.g_losses[args.warmup :]))
    ratios_l = [a / b for a, b in zip(speeds["lightning_fp32"], speeds["plain_fp32"], strict=True)]
    ratios_f = [a / b for a, b in zip(speeds["fast"], speeds["plain_fp32"], strict=True)]
    lightning_vs_plain, fast_vs_reference = statistics.median(ratios_l), statistics.median(ratios_f)
    emit("lightning_vs_plain_fp32", lightning_vs_plain)
    emit("lightning_vs_plain_fp32_range", f"{min(ratios_l):.3f}..{max(ratios_l):.3f}")
    emit("fast_vs_reference", fast_vs_reference)
    emit("fast_vs_reference_range", f"{min(ratios_f):.3f}..{max(ratios_f):.3f}")
    consumed = statistics.median(speeds["fast"])
    emit("fast_epoch_s_60k_images", 60_000 / consumed)
    data_vs_model = data["data_cached_img_s"] / consumed
    emit("data_cached_vs_model", data_vs_model)
    emit("load_avg_end", os.getloadavg()[0])
    print(
        f"summary: lightning_vs_plain_fp32={lightning_vs_plain:.3f} (target >= 0.97) "
        f"fast_vs_reference={fast_vs_reference:.2f} (target >= 1.8) "
        f"data_cached_img_s={data['data_cached_img_s']:.0f} "
        f"({data_vs_model:.0f}x what the model consumes) on {args.accelerator}",
        flush=True,
    )


if __name__ == "__main__":
    main()
