"""Generate from a trained model: `python -m dcgan.generate ckpt=... n=64 out=gen/ seed=0`.

Keys follow the same key=value style as the other tools (`dcgan.cli`): `--help` lists them with
their defaults. Arguments, the checkpoint path and the output folder are checked before torch is
imported, so a refusal takes a fraction of a second; no Hydra output folders appear around the
generated files.
"""

from __future__ import annotations

import logging
import math
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from dcgan import cli
from dcgan.atomic import OutputError, unwritable
from dcgan.checks import ConfigError
from dcgan.cli import CliError, error_lines, help_text, key, show
from dcgan.export import EXPORTS
from dcgan.image_files import FORMATS
from dcgan.run import EMA_CHOICES, CheckpointError, find_checkpoint
from dcgan.run.folder import INSIDE

if TYPE_CHECKING:
    import torch

    from dcgan.run.generator import SavedGenerator

log = logging.getLogger(__name__)

GRID_MAX = 64  # grid.png shows the first images only, so a 50,000-image run stays bounded
GRID_COLUMNS = 16  # per_class: grid.png shows the first images of each class
USAGE = "python -m dcgan.generate ckpt=PATH [key=value ...]   (or: dcgan-generate PATH ...)"


@dataclass
class GenerateConfig:
    ckpt: str = key(help=f"a .ckpt file, or a run folder (uses its {INSIDE.last_ckpt})")
    n: int = key(
        64, "images to write (with interpolate: walks)", check=lambda v: v >= 1, rule="must be >= 1"
    )
    out: str = key("gen", "output folder; existing files are never replaced unless overwrite=true")
    seed: int = key(
        0,
        "same seed, same images; image i of a seed does not depend on n",
        check=lambda v: v >= 0,
        rule="must be >= 0",
    )
    batch_size: int = key(
        256,
        "images per forward pass (memory holds one batch)",
        check=lambda v: v >= 1,
        rule="must be >= 1",
    )
    device: str = key("auto", "auto (cuda when available), cpu, cuda, cuda:1, mps")
    format: str = key(
        "png", "png or jpg, for the separate images (grids are always PNG)", choices=FORMATS
    )
    interpolate: int = key(
        0,
        "K >= 2: n latent walks of K steps -> walk.png and walk.gif",
        check=lambda v: v == 0 or v >= 2,
        rule="must be 0 (no walk) or the number of steps of a walk, >= 2",
    )
    export: str | None = key(
        None, "onnx or torchscript: write G as a file instead of images", choices=(None, *EXPORTS)
    )
    dropout_at_generation: bool | None = key(
        None, "null: as trained; true/false: keep G's dropout on/off"
    )
    ema: str = key(
        "auto",
        "auto: the EMA generator when the checkpoint has one; true; false",
        choices=EMA_CHOICES,
    )
    truncation: float | None = key(
        None,
        "draw z nearer the prior's centre: more typical images, less variety; normal prior: "
        "entries beyond +-t drawn again (t > 0), uniform: z scaled by t (0 < t <= 1); null: off",
        check=lambda v: v is None or v > 0,
        rule="must be > 0 (or null: off)",
    )
    overwrite: bool = key(False, "true: replace files of an earlier run in out")
    class_: str | None = key(
        None,
        "a conditional model: the class to generate (name or index); null cycles through the "
        "classes (image i gets class i mod K)",
        name="class",
    )
    per_class: bool = key(
        False,
        "a conditional model: n images of every class, grid.png one row each; with "
        "interpolate: walks across classes, each with one fixed z",
    )


def parse(argv: list[str]) -> GenerateConfig:
    """key=value arguments -> the checked keys of this tool (see `dcgan.cli`)."""
    cfg = cli.parse(GenerateConfig, argv, positional="ckpt")
    check_export(cfg)
    return cfg


def check_export(cfg: GenerateConfig) -> None:
    """An export writes G itself: keys that choose images to write would be silently ignored."""
    if not cfg.export:
        return
    given = [
        f"{name}={value}"
        for name, value, default in (
            ("class", cfg.class_, None),
            ("per_class", str(cfg.per_class).lower(), "false"),
            ("interpolate", cfg.interpolate, 0),
        )
        if value != default
    ]
    if given:
        raise CliError(
            f"{given[0]} does not go with export={cfg.export}: an export writes the generator, "
            "not images (a conditional one takes the class as its input `class`); leave "
            f"{given[0].split('=')[0]}= out"
        )


def check_out(cfg: GenerateConfig) -> Path:
    """The output folder, refused in one line when it is a file, under a file, or read-only."""
    out = Path(cfg.out)
    if out.exists() and not out.is_dir():
        raise OutputError(
            f"out={cfg.out!r} is a file, not a folder: choose a folder for the images"
        )
    for parent in out.parents:
        if parent.exists() and not parent.is_dir():
            raise OutputError(
                f"out={cfg.out!r} goes through {str(parent)!r}, which is a file: choose another out"
            )
    reason = unwritable(out)
    if reason:
        raise OutputError(f"cannot write into out={cfg.out!r}: {reason}")
    refuse_existing(cfg, planned_files(cfg, out))
    return out


def refuse_existing(cfg: GenerateConfig, planned: list[Path]) -> None:
    """Files of an earlier run in `out` are replaced only with overwrite=true."""
    existing = [p for p in planned if p.exists()]
    if existing and not cfg.overwrite:
        raise OutputError(
            f"out={cfg.out!r} already holds {len(existing)} of the files this run writes "
            f"(e.g. {existing[0].name}); choose another out, or pass overwrite=true"
        )


def pick_device(name: str) -> torch.device:
    """`auto` means the GPU when there is one; anything else must be a device torch knows."""
    import torch

    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        device = torch.device(name)
    except RuntimeError as err:
        raise CliError(f"device={name} is invalid: {err}") from None
    if device.type == "cuda" and not torch.cuda.is_available():
        raise CliError(f"device={name} is invalid: no CUDA device here; use device=cpu")
    return device


def image_name(i: int, n: int, fmt: str, label: str = "") -> str:
    """Zero-padded so that files sort in generation order; per_class: `<class>_<i>`."""
    return f"{label}{'_' if label else ''}{i:0{max(6, len(str(n - 1)))}d}.{fmt}"


def image_names(cfg: GenerateConfig, names: list[str]) -> list[str]:
    """The separate images' file names: per_class names each with its class and its index in it."""
    if not cfg.per_class:
        return [image_name(i, cfg.n, cfg.format) for i in range(cfg.n)]
    safe = [file_label(name) for name in names]
    return [image_name(i, cfg.n, cfg.format, label) for label in safe for i in range(cfg.n)]


def file_label(name: str) -> str:
    """A class name fit for a file name: path separators and control characters become `-`."""
    return "".join("-" if c in "/\\:" or not c.isprintable() else c for c in name) or "-"


def planned_files(cfg: GenerateConfig, out: Path, names: list[str] | None = None) -> list[Path]:
    """Every file this run will write, checked up front so that nothing is replaced by surprise."""
    if cfg.export:
        name = EXPORTS[cfg.export]
        return [out / name, out / f"{name}.json"]
    if cfg.interpolate:
        return [out / "walk.png", out / "walk.gif"]
    return [out / "grid.png"] + [out / name for name in image_names(cfg, names or [])]


def check_saved(cfg: GenerateConfig) -> list[str]:
    """The checkpoint's class names (none: unconditional), with `class=`, `per_class=` and
    `truncation=` checked against its saved values before Lightning is imported or a net built."""
    from dcgan.noise import check_truncation
    from dcgan.run.saved_values import saved_hparams

    saved = saved_hparams(cfg.ckpt)
    noise = saved.get("noise") or {}  # a node today; the first format saved the name alone
    check_truncation(
        cfg.truncation, noise if isinstance(noise, str) else noise.get("name", "uniform")
    )
    conditional = bool((saved.get("model") or {}).get("conditional"))
    names = [str(name) for name in saved.get("class_names") or []] if conditional else []
    if (cfg.class_ is not None or cfg.per_class) and not names:
        name = "class" if cfg.class_ is not None else "per_class"
        raise ConfigError(f"{name}= needs a class-conditional model; {cfg.ckpt} is unconditional")
    if cfg.class_ is not None:
        pick_class(cfg.class_, names)
    return names


def pick_class(value: str, names: list[str]) -> int:
    """A class by name (any letter case) or index; a wrong one gets the list."""
    lowered = [name.lower() for name in names]
    if value.lower() in lowered:
        return lowered.index(value.lower())
    if value.isdigit() and int(value) < len(names):
        return int(value)
    plain = names == [str(i) for i in range(len(names))]  # digits: the index is the name
    listed = ", ".join(name if plain else f"{i}={name}" for i, name in enumerate(names))
    raise ConfigError(f"class={value} is not a class of this model; choices: {listed}")


def image_labels(
    cfg: GenerateConfig, names: list[str], count: int, per: int = 1
) -> torch.Tensor | None:
    """The class of each of `count` images (in groups of `per`): asked-for, or cycling."""
    import torch

    if not names:
        return None
    if cfg.class_ is not None:
        return torch.full((count,), pick_class(cfg.class_, names), dtype=torch.long)
    return (torch.arange(count) // per) % len(names)


def class_walks(walks: int, steps: int, classes: int) -> torch.Tensor:
    """Class weights [walks * steps, K]: walk j blends class j mod K into the next, linearly."""
    import torch

    t = torch.linspace(0, 1, steps)
    rows = []
    for j in range(walks):
        a, b = torch.zeros(classes), torch.zeros(classes)
        a[j % classes], b[(j + 1) % classes] = 1, 1
        rows.append(a * (1 - t[:, None]) + b * t[:, None])
    return torch.cat(rows)


def write_images(gan: SavedGenerator, cfg: GenerateConfig, out: Path, device: torch.device) -> None:
    """n separate images plus grid.png of the first GRID_MAX, streamed batch by batch.

    per_class: n images of each class (class after class, image i of every class from the same
    noise) and grid.png with one row per class.
    """
    import torch
    from tqdm import tqdm

    from dcgan import sampling
    from dcgan.image_files import grid, save_image

    hp, names = gan.cfg, list(gan.cfg.class_names) if gan.conditional else []
    total, cols = cfg.n, None
    labels = image_labels(cfg, names, cfg.n)
    if cfg.per_class:
        total, cols = cfg.n * len(names), min(cfg.n, GRID_COLUMNS)
        labels = torch.arange(len(names)).repeat_interleave(cfg.n)
    kept, files = [], image_names(cfg, names)
    batches = sampling.stream(
        gan.generator,
        lambda idx: sampling.image_noise(
            cfg.seed, [i % cfg.n for i in idx], hp.latent_dim, hp.noise.name, cfg.truncation
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
                save_image(image, out / files[start + j], cfg.format)
            if cols is not None:
                kept += [im for j, im in enumerate(images) if (start + j) % cfg.n < cols]
            elif start < GRID_MAX:
                kept.append(images[: GRID_MAX - start])
            bar.update(len(images))
    if cols is not None:
        save_image(grid(torch.stack(kept), nrow=cols), out / "grid.png")
    else:
        save_image(grid(torch.cat(kept)), out / "grid.png")


def write_walk(gan: SavedGenerator, cfg: GenerateConfig, out: Path, device: torch.device) -> None:
    """walk.png (one row per walk) and walk.gif (all walks stepping together, there and back)."""
    import torch
    from tqdm import tqdm

    from dcgan import sampling
    from dcgan.image_files import grid, save_gif, save_image, to_pil

    hp, steps = gan.cfg, cfg.interpolate
    z = sampling.walk_noise(cfg.seed, cfg.n, steps, hp.latent_dim, hp.noise.name, cfg.truncation)
    names = list(hp.class_names) if gan.conditional else []
    labels = image_labels(cfg, names, len(z), per=steps)  # a walk stays within one class
    if cfg.per_class:  # walk j: image j's noise held, from class j mod K to the next class
        z = sampling.image_noise(
            cfg.seed, range(cfg.n), hp.latent_dim, hp.noise.name, cfg.truncation
        )
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


def run(cfg: GenerateConfig) -> list[Path]:
    """Load the checkpoint, then write images, a walk, or an export; return the files written."""
    check_export(cfg)
    out = check_out(cfg)
    names = check_saved(cfg)  # from the file's saved values: before Lightning or the net
    refuse_existing(cfg, planned_files(cfg, out, names))  # per_class: n images of each class
    device = pick_device(cfg.device)
    from dcgan.export import export
    from dcgan.noise import PRIORS
    from dcgan.run.generator import load_generator  # torch: seconds, so once all is checked

    gan = load_generator(cfg.ckpt, ema=cfg.ema)
    hp = gan.cfg
    planned = planned_files(cfg, out, names)
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
        if cfg.truncation is not None:  # z is drawn by the user of the file: say how
            info["truncation"] = cfg.truncation
            info["truncation_rule"] = PRIORS.lookup(hp.noise.name).truncation_rule.format(
                t=cfg.truncation
            )
        export(gan.generator, cfg.export, out, info)
        return planned
    gan.generator.to(device)
    (write_walk if cfg.interpolate else write_images)(gan, cfg, out, device)
    return planned


def main(argv: list[str] | None = None) -> int:
    """The command line: one clear line on bad input, exit status 2."""
    argv = sys.argv[1:] if argv is None else argv
    if {"-h", "--help", "help"} & set(argv):
        show(help_text(GenerateConfig, USAGE))
        return 0
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    try:
        cfg = parse(argv)
        find_checkpoint(cfg.ckpt)  # the checkpoint first: without it nothing else matters
        check_out(cfg)
        written = run(cfg)  # the heavy imports start here
    except (CliError, ConfigError, CheckpointError, OutputError) as err:
        print(error_lines(err), end="", file=sys.stderr)
        return 2
    print(f"wrote {len(written)} files to {cfg.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
