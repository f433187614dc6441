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
  class=null              a conditional model: the class to generate (name or index); null
                          cycles through the classes (image i gets class i mod K)
  per_class=false         a conditional model: n images of every class, grid.png one row each;
                          with interpolate: walks across classes, each with one fixed z
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
from torch import Tensor
from tqdm import tqdm

from dcgan import sampling
from dcgan.checkpoints import EMA_CHOICES, CheckpointError, load_gan
from dcgan.config import ConfigError
from dcgan.export import EXPORTS, export
from dcgan.image_files import FORMATS, grid, save_gif, save_image, to_pil
from dcgan.module import GAN

log = logging.getLogger(__name__)

GRID_MAX = 64  # grid.png shows the first images only, so a 50,000-image run stays bounded
GRID_COLUMNS = 16  # per_class: grid.png shows the first images of each class


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
    class_: str | None = None  # `class=` on the command line (a Python keyword)
    per_class: bool = False


def parse(argv: list[str]) -> DictConfig:
    """key=value arguments -> a validated config; unknown keys and wrong types stop here."""
    argv = [f"class_{a[len('class') :]}" if a.startswith("class=") else a for a in argv]
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


def planned_files(cfg: DictConfig, out: Path, classes: int = 0) -> list[Path]:
    """Every file this run will write, checked up front so that nothing is replaced by surprise."""
    if cfg.export:
        name = EXPORTS[cfg.export]
        return [out / name, out / f"{name}.json"]
    if cfg.interpolate:
        return [out / "walk.png", out / "walk.gif"]
    total = cfg.n * classes if cfg.per_class else cfg.n
    return [out / "grid.png"] + [out / image_name(i, total, cfg.format) for i in range(total)]


def pick_class(value: str, names: list[str]) -> int:
    """A class by name (any letter case) or index; a wrong one gets the list."""
    lowered = [name.lower() for name in names]
    if value.lower() in lowered:
        return lowered.index(value.lower())
    if value.isdigit() and int(value) < len(names):
        return int(value)
    listed = ", ".join(f"{i}={name}" for i, name in enumerate(names))
    raise ConfigError(f"class={value!r} is not a class of this model; choose one of: {listed}")


def image_labels(cfg: DictConfig, names: list[str], count: int, per: int = 1) -> Tensor | None:
    """The class of each of `count` images (in groups of `per`): asked-for, or cycling."""
    if not names:
        return None
    if cfg.class_ is not None:
        return torch.full((count,), pick_class(cfg.class_, names), dtype=torch.long)
    return (torch.arange(count) // per) % len(names)


def class_walks(walks: int, steps: int, classes: int) -> Tensor:
    """Class weights [walks * steps, K]: walk j blends class j mod K into the next, linearly."""
    t = torch.linspace(0, 1, steps)
    rows = []
    for j in range(walks):
        a, b = torch.zeros(classes), torch.zeros(classes)
        a[j % classes], b[(j + 1) % classes] = 1, 1
        rows.append(a * (1 - t[:, None]) + b * t[:, None])
    return torch.cat(rows)


def write_images(gan: GAN, cfg: DictConfig, out: Path, device: torch.device) -> None:
    """n separate images plus grid.png of the first GRID_MAX, streamed batch by batch.

    per_class: n images of each class (class after class, image i of every class from the same
    noise) and grid.png with one row per class.
    """
    hp, names = gan.cfg, list(gan.cfg.class_names) if gan.conditional else []
    total, cols = cfg.n, None
    labels = image_labels(cfg, names, cfg.n)
    if cfg.per_class:
        total, cols = cfg.n * len(names), min(cfg.n, GRID_COLUMNS)
        labels = torch.arange(len(names)).repeat_interleave(cfg.n)
    kept = []
    batches = sampling.stream(
        gan.generator,
        lambda idx: sampling.image_noise(
            cfg.seed, [i % cfg.n for i in idx], hp.latent_dim, hp.noise.name
        ),
        total,
        cfg.batch_size,
        cfg.seed,
        device,
        labels,
    )
    with tqdm(total=total, unit="image", disable=None) as bar:
        for start, images in batches:
            for j, image in enumerate(images):
                save_image(image, out / image_name(start + j, total, cfg.format), cfg.format)
            if cols is not None:
                kept += [im for j, im in enumerate(images) if (start + j) % cfg.n < cols]
            elif start < GRID_MAX:
                kept.append(images[: GRID_MAX - start])
            bar.update(len(images))
    if cols is not None:
        save_image(grid(torch.stack(kept), nrow=cols), out / "grid.png")
    else:
        save_image(grid(torch.cat(kept)), out / "grid.png")


def write_walk(gan: GAN, cfg: DictConfig, out: Path, device: torch.device) -> None:
    """walk.png (one row per walk) and walk.gif (all walks stepping together, there and back)."""
    hp, steps = gan.cfg, cfg.interpolate
    z = sampling.walk_noise(cfg.seed, cfg.n, steps, hp.latent_dim, hp.noise.name)
    names = list(hp.class_names) if gan.conditional else []
    labels = image_labels(cfg, names, len(z), per=steps)  # a walk stays within one class
    if cfg.per_class:  # walk j: image j's noise held, from class j mod K to the next class
        z = sampling.image_noise(cfg.seed, range(cfg.n), hp.latent_dim, hp.noise.name)
        z = z.repeat_interleave(steps, dim=0)
        labels = class_walks(cfg.n, steps, len(names))
    batches = sampling.stream(
        gan.generator,
        lambda idx: z[idx.start : idx.stop],
        len(z),
        cfg.batch_size,
        cfg.seed,
        device,
        labels,
    )
    images = torch.cat([b for _, b in tqdm(batches, unit="batch", disable=None)])
    save_image(grid(images, nrow=steps), out / "walk.png")
    by_step = images.reshape(cfg.n, steps, *images.shape[1:])
    frames = [to_pil(grid(by_step[:, k], nrow=math.ceil(math.sqrt(cfg.n)))) for k in range(steps)]
    save_gif(frames + frames[-2:0:-1], out / "walk.gif", ms=120, last_ms=120)


def run(cfg: DictConfig) -> list[Path]:
    """Load the checkpoint, then write images, a walk, or an export; return the files written."""
    out = Path(cfg.out)
    device = pick_device(cfg.device)
    gan = load_gan(cfg.ckpt, ema=cfg.ema)
    hp = gan.cfg
    if (cfg.class_ is not None or cfg.per_class) and not gan.conditional:
        key = "class" if cfg.class_ is not None else "per_class"
        raise ConfigError(f"{key}= needs a class-conditional model; {cfg.ckpt} is unconditional")
    if cfg.class_ is not None:
        pick_class(cfg.class_, list(hp.class_names))
    planned = planned_files(cfg, out, gan.num_classes)
    existing = [p for p in planned if p.exists()]
    if existing and not cfg.overwrite:
        raise ConfigError(
            f"out={cfg.out!r} already holds {len(existing)} of the files this run writes "
            f"(e.g. {existing[0].name}); choose another out, or pass overwrite=true"
        )
    dropout = (
        hp.dropout.at_generation if cfg.dropout_at_generation is None else cfg.dropout_at_generation
    )
    gan.generator.set_dropout_at_generation(bool(dropout))
    if gan.generator.has_dropout:
        log.info("G's dropout is %s at generation", "on" if dropout else "off")
    out.mkdir(parents=True, exist_ok=True)
    if cfg.export:
        info = {
            "latent_dim": hp.latent_dim,
            "noise": hp.noise.name,
            "image_size": hp.image_size,
            "channels": hp.channels,
            "dropout": bool(dropout and gan.generator.has_dropout),
        }
        if gan.conditional:
            info["classes"] = list(hp.class_names)
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
    except (ConfigError, CheckpointError, OmegaConfBaseException) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(f"wrote {len(written)} files to {cfg.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
