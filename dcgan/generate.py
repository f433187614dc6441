"""Generate from a trained model: `python -m dcgan.generate ckpt=... n=64 out=gen/ seed=0`.

Keys are merged by OmegaConf into a typed schema: the same key=value style as training, a wrong
key or type stops with its name, and no Hydra output folders appear around the generated files.

  ckpt=PATH               a .ckpt file, or a run folder (uses its checkpoints/last.ckpt)
  n=64                    images to write (with interpolate: walks)
  out=gen                 output folder; existing files are never replaced unless overwrite=true
  seed=0                  same seed, same images; image i of a seed does not depend on n
  batch_size=256          images per forward pass (memory holds one batch)
  device=auto             auto (cuda when available), cpu, cuda, cuda:1, mps
  format=png              png or jpg, for the separate images (grids are always PNG)
  interpolate=0           K >= 2: n latent walks of K steps -> walk.png and walk.gif
  export=null             onnx or torchscript: write G as a file instead of images
  dropout_at_generation=  null: as trained; true/false: keep G's dropout on/off
  ema=auto                auto: the EMA generator when the checkpoint has one; true; false
"""

from __future__ import annotations

import logging
import math
import sys
from dataclasses import dataclass
from pathlib import Path

import torch
from omegaconf import MISSING, DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException
from tqdm import tqdm

from dcgan import sampling
from dcgan.atomic import OutputError
from dcgan.checkpoints import EMA_CHOICES, CheckpointError, load_gan
from dcgan.config import ConfigError
from dcgan.export import EXPORTS, export
from dcgan.image_files import FORMATS, grid, save_gif, save_image, to_pil
from dcgan.module import GAN

log = logging.getLogger(__name__)

GRID_MAX = 64  # grid.png shows the first images only, so a 50,000-image run stays bounded


@dataclass
class GenerateConfig:
    ckpt: str = MISSING
    n: int = 64
    out: str = "gen"
    seed: int = 0
    batch_size: int = 256
    device: str = "auto"
    format: str = "png"
    interpolate: int = 0
    export: str | None = None
    dropout_at_generation: bool | None = None
    ema: str = "auto"
    overwrite: bool = False


def parse(argv: list[str]) -> DictConfig:
    """key=value arguments -> a validated config; unknown keys and wrong types stop here."""
    cfg = OmegaConf.merge(OmegaConf.structured(GenerateConfig), OmegaConf.from_dotlist(argv))
    if OmegaConf.is_missing(cfg, "ckpt"):
        raise ConfigError("ckpt is required: ckpt=outputs/<date>/<time>/checkpoints/last.ckpt")
    cfg.ema = cfg.ema.lower()
    checks = [
        (cfg.n >= 1, "n", cfg.n, "must be >= 1"),
        (cfg.seed >= 0, "seed", cfg.seed, "must be >= 0"),
        (cfg.batch_size >= 1, "batch_size", cfg.batch_size, "must be >= 1"),
        (cfg.format in FORMATS, "format", cfg.format, "choose one of: png, jpg"),
        (
            cfg.interpolate == 0 or cfg.interpolate >= 2,
            "interpolate",
            cfg.interpolate,
            "must be 0 (no walk) or the number of steps of a walk, >= 2",
        ),
        (
            cfg.export is None or cfg.export in EXPORTS,
            "export",
            cfg.export,
            "choose one of: onnx, torchscript",
        ),
        (cfg.ema in EMA_CHOICES, "ema", cfg.ema, "choose one of: auto, true, false"),
    ]
    for ok, key, value, rule in checks:
        if not ok:
            raise ConfigError(f"{key}={value!r} is invalid: {rule}")
    return cfg


def pick_device(name: str) -> torch.device:
    """`auto` means the GPU when there is one; anything else must be a device torch knows."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        device = torch.device(name)
    except RuntimeError as err:
        raise ConfigError(f"device={name!r} is invalid: {err}") from None
    if device.type == "cuda" and not torch.cuda.is_available():
        raise ConfigError(f"device={name!r} is invalid: no CUDA device here; use device=cpu")
    return device


def image_name(i: int, n: int, fmt: str) -> str:
    """Zero-padded so that files sort in generation order."""
    return f"{i:0{max(6, len(str(n - 1)))}d}.{fmt}"


def planned_files(cfg: DictConfig, out: Path) -> list[Path]:
    """Every file this run will write, checked up front so that nothing is replaced by surprise."""
    if cfg.export:
        name = EXPORTS[cfg.export]
        return [out / name, out / f"{name}.json"]
    if cfg.interpolate:
        return [out / "walk.png", out / "walk.gif"]
    return [out / "grid.png"] + [out / image_name(i, cfg.n, cfg.format) for i in range(cfg.n)]


def write_images(gan: GAN, cfg: DictConfig, out: Path, device: torch.device) -> None:
    """n separate images plus grid.png of the first GRID_MAX, streamed batch by batch."""
    hp = gan.hparams
    kept = []
    batches = sampling.stream(
        gan.generator,
        lambda idx: sampling.image_noise(cfg.seed, idx, hp.latent_dim, hp.noise),
        cfg.n,
        cfg.batch_size,
        cfg.seed,
        device,
    )
    with tqdm(total=cfg.n, unit="image", disable=None) as bar:
        for start, images in batches:
            for j, image in enumerate(images):
                save_image(image, out / image_name(start + j, cfg.n, cfg.format), cfg.format)
            if start < GRID_MAX:
                kept.append(images[: GRID_MAX - start])
            bar.update(len(images))
    save_image(grid(torch.cat(kept)), out / "grid.png")


def write_walk(gan: GAN, cfg: DictConfig, out: Path, device: torch.device) -> None:
    """walk.png (one row per walk) and walk.gif (all walks stepping together, there and back)."""
    hp, steps = gan.hparams, cfg.interpolate
    z = sampling.walk_noise(cfg.seed, cfg.n, steps, hp.latent_dim, hp.noise)
    batches = sampling.stream(
        gan.generator, lambda idx: z[idx.start : idx.stop], len(z), cfg.batch_size, cfg.seed, device
    )
    images = torch.cat([b for _, b in tqdm(batches, unit="batch", disable=None)])
    save_image(grid(images, nrow=steps), out / "walk.png")
    by_step = images.reshape(cfg.n, steps, *images.shape[1:])
    frames = [to_pil(grid(by_step[:, k], nrow=math.ceil(math.sqrt(cfg.n)))) for k in range(steps)]
    save_gif(frames + frames[-2:0:-1], out / "walk.gif", ms=120, last_ms=120)


def run(cfg: DictConfig) -> list[Path]:
    """Load the checkpoint, then write images, a walk, or an export; return the files written."""
    out = Path(cfg.out)
    planned = planned_files(cfg, out)
    existing = [p for p in planned if p.exists()]
    if existing and not cfg.overwrite:
        raise ConfigError(
            f"out={cfg.out!r} already holds {len(existing)} of the files this run writes "
            f"(e.g. {existing[0].name}); choose another out, or pass overwrite=true"
        )
    device = pick_device(cfg.device)
    gan = load_gan(cfg.ckpt, ema=cfg.ema)
    hp = gan.hparams
    dropout = (
        hp.dropout_at_generation if cfg.dropout_at_generation is None else cfg.dropout_at_generation
    )
    gan.generator.set_dropout_at_generation(bool(dropout))
    if gan.generator.has_dropout:
        log.info("G's dropout is %s at generation", "on" if dropout else "off")
    out.mkdir(parents=True, exist_ok=True)
    if cfg.export:
        info = {
            "latent_dim": hp.latent_dim,
            "noise": hp.noise,
            "image_size": hp.image_size,
            "channels": hp.channels,
            "dropout": bool(dropout and gan.generator.has_dropout),
        }
        export(gan.generator, cfg.export, out, info)
        return planned
    gan.generator.to(device)
    (write_walk if cfg.interpolate else write_images)(gan, cfg, out, device)
    return planned


def main(argv: list[str] | None = None) -> int:
    """The command line: one clear line on bad input, exit status 2."""
    argv = sys.argv[1:] if argv is None else argv
    if {"-h", "--help", "help"} & set(argv):
        print(__doc__)
        return 0
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    try:
        cfg = parse(argv)
        written = run(cfg)
    except (ConfigError, CheckpointError, OutputError, OmegaConfBaseException) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(f"wrote {len(written)} files to {cfg.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
