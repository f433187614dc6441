"""Conditional vs unconditional DCGAN on Fashion-MNIST at the same budget: SWD and class accuracy.

    python scripts/conditional_study.py --iterations 3000 --width 16 --seeds 0,1,2   # the study's
    python scripts/conditional_study.py --iterations 20 --width 8 --per-class 50 \
        --classifier-steps 50 --seeds 0 --arms unconditional,projection,concat

Every model of `--arms` trains with the same config and iterations (32 px, greyscale), once per
seed: `unconditional`, and conditional with each `model.condition` named (projection, concat).
A small CNN trained on the real training split (its accuracy on the test split is printed as a
sanity check) then classifies `--per-class` generated images of each class: for a conditional
model, how often it recognises the asked-for class; for the unconditional one, how many classes
its samples cover. Extra `key=value` arguments go to every training run.
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from hydra import compose, initialize_config_dir
from torch import Tensor, nn

from dcgan.config import register_configs
from dcgan.data.labels import FASHION_MNIST_CLASSES, load_labeled
from dcgan.run.load import load_gan
from dcgan.train import train

CONFIGS = Path(__file__).resolve().parents[1] / "configs"
SIZE = 32


def classifier() -> nn.Module:
    """Three strided convs and a linear layer: ~90% test accuracy on Fashion-MNIST at 32 px."""
    return nn.Sequential(
        nn.Conv2d(1, 32, 3, 2, 1),
        nn.ReLU(),
        nn.Conv2d(32, 64, 3, 2, 1),
        nn.ReLU(),
        nn.Conv2d(64, 128, 3, 2, 1),
        nn.ReLU(),
        nn.Flatten(),
        nn.Linear(128 * 4 * 4, 10),
    )


def as_float(images: np.ndarray) -> Tensor:
    """uint8 [N, 1, S, S] -> float in [-1, 1], the generator's range."""
    return torch.from_numpy(np.ascontiguousarray(images)).float().div(127.5).sub(1)


def train_classifier(
    root: str, steps: int, device: torch.device
) -> tuple[nn.Module, float, dict[str, float]]:
    """A classifier fitted on the real training split; its accuracy on the test split, overall
    and per class (what the generated images' accuracy can be held against)."""
    images, labels, _ = load_labeled("fashion_mnist", root, SIZE, 1, "train")
    x, y = as_float(images), torch.from_numpy(labels)
    torch.manual_seed(0)  # the same classifier for every invocation
    net = classifier().to(device)
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    gen = torch.Generator().manual_seed(0)
    for _ in range(steps):
        idx = torch.randint(len(x), (128,), generator=gen)
        loss = F.cross_entropy(net(x[idx].to(device)), y[idx].to(device))
        opt.zero_grad()
        loss.backward()
        opt.step()
    test_images, test_labels, _ = load_labeled("fashion_mnist", root, SIZE, 1, "test")
    hits = predict(net, as_float(test_images), device) == torch.from_numpy(test_labels)
    per_class = {
        c: float(hits[torch.from_numpy(test_labels) == k].float().mean())
        for k, c in enumerate(FASHION_MNIST_CLASSES)
    }
    return net.eval(), float(hits.float().mean()), per_class


@torch.no_grad()
def predict(net: nn.Module, x: Tensor, device: torch.device) -> Tensor:
    """Predicted classes, in batches."""
    net.eval()
    out = [net(part.to(device)).argmax(1).cpu() for part in x.split(512)]
    net.train()
    return torch.cat(out)


def train_run(run_dir: Path, overrides: list[str]) -> dict:
    """Train one model; its metrics.json."""
    with initialize_config_dir(config_dir=str(CONFIGS), version_base="1.3"):
        cfg = compose("train", overrides=overrides)
    train(cfg, run_dir=run_dir)
    return json.loads((run_dir / "metrics.json").read_text())


def generated(ckpt: Path, per_class: int, device: torch.device) -> tuple[Tensor, Tensor | None]:
    """`per_class` images of each class (conditional), or 10 x `per_class` images; their classes."""
    gan = load_gan(ckpt).to(device)
    n = per_class * 10
    z = gan.noise(n, torch.Generator().manual_seed(1), device="cpu")
    y = torch.arange(10).repeat_interleave(per_class) if gan.conditional else None
    parts = []
    for start in range(0, n, 256):
        part_y = None if y is None else y[start : start + 256]
        parts.append(gan.sample(z[start : start + 256], seed=1, y=part_y).cpu())
    return torch.cat(parts), y


def main() -> None:
    """Train both models, score them, print a table and write study.json."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=5000)
    parser.add_argument("--width", type=int, default=64, help="model.ngf and model.ndf")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--per-class", type=int, default=1000, help="generated images per class")
    parser.add_argument("--classifier-steps", type=int, default=2000)
    parser.add_argument("--seeds", default="0", help="comma-separated seeds, one run each")
    parser.add_argument(
        "--arms",
        default="unconditional,projection",
        help="models to train: unconditional and/or model.condition choices (projection, concat)",
    )
    parser.add_argument("--root", default="/usr/share/datasets/fashion-mnist")
    parser.add_argument("--out", type=Path, default=Path("study"))
    parser.add_argument("overrides", nargs="*", help="key=value for both training runs")
    args = parser.parse_args()
    register_configs()
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    net, test_accuracy, test_per_class = train_classifier(args.root, args.classifier_steps, device)
    print(f"classifier: {test_accuracy:.1%} on the real test split")
    common = [
        "data=fashion_mnist",
        f"data.root={args.root}",
        f"image_size={SIZE}",
        f"model.ngf={args.width}",
        f"model.ndf={args.width}",
        f"data.batch_size={args.batch_size}",
        f"trainer.max_steps={args.iterations}",
        "trainer.enable_progress_bar=false",
        "logger=csv",
        *args.overrides,
    ]
    arms = [
        (
            a,
            ["model.conditional=false"]
            if a == "unconditional"
            else ["model.conditional=true", f"model.condition={a}"],
        )
        for a in args.arms.split(",")
    ]
    runs: dict[str, list[dict]] = {name: [] for name, _ in arms}
    for seed in [int(s) for s in args.seeds.split(",")]:
        for name, arm in arms:
            run_dir = args.out / f"{name}_seed{seed}"
            metrics = train_run(run_dir, [*common, *arm, f"seed={seed}"])
            row = score(net, run_dir, metrics, args.per_class, device)
            runs[name].append({"seed": seed, **row})
            print(
                f"{name} seed {seed}: {json.dumps({k: v for k, v in row.items() if '_' not in k})}"
            )
    args.out.mkdir(parents=True, exist_ok=True)
    result = {
        "iterations": args.iterations,
        "width": args.width,
        "classifier_test_accuracy": test_accuracy,
        "classifier_test_accuracy_per_class": test_per_class,
        "summary": {name: summary(rows) for name, rows in runs.items()},
        "runs": runs,
    }
    (args.out / "study.json").write_text(json.dumps(result, indent=2) + "\n")
    print_table(result["summary"], len(next(iter(runs.values()))))


def score(net: nn.Module, run_dir: Path, metrics: dict, per_class: int, device) -> dict:
    """A trained model's SWD, the classes its samples cover and, conditional, their accuracy."""
    images, asked = generated(run_dir / "checkpoints" / "last.ckpt", per_class, device)
    predicted = predict(net, images, device)
    counts = torch.bincount(predicted, minlength=10).float()
    p = counts / counts.sum()
    row = {
        "swd": metrics["metrics"]["swd"],
        "covered": int((counts > 0).sum()),
        "entropy": max(0.0, float(-(p[p > 0] * p[p > 0].log2()).sum())),
    }
    if asked is not None:
        hits = predicted == asked
        row["accuracy"] = float(hits.float().mean())
        row["accuracy_per_class"] = {
            c: float(hits[asked == k].float().mean()) for k, c in enumerate(FASHION_MNIST_CLASSES)
        }
        row["swd_per_class"] = metrics.get("swd_per_class", {})
    return row


def summary(rows: list[dict]) -> dict:
    """Mean and sd over seeds of each number, and per class."""
    out = {}
    for key in ("swd", "accuracy", "entropy"):
        values = [r[key] for r in rows if key in r]
        if values:
            out[key] = {"mean": float(np.mean(values)), "sd": _sd(values), "values": values}
    for key in ("accuracy_per_class", "swd_per_class"):
        if rows and key in rows[0]:
            out[key] = {c: float(np.mean([r[key][c] for r in rows])) for c in rows[0][key]}
    return out


def _sd(values: list[float]) -> float:
    return float(np.std(values, ddof=1)) if len(values) > 1 else 0.0


def print_table(summary_rows: dict, seeds: int) -> None:
    """The table of docs/studies/conditional.md: mean (sd) over seeds."""
    print(
        f"| model ({seeds} seeds) | SWD | asked-for class recognised | "
        f"class entropy of samples (max {math.log2(10):.2f} bits) |"
    )
    print("|---|---|---|---|")
    for name, row in summary_rows.items():
        cells = []
        for key, fmt in (("swd", "{:.1f}"), ("accuracy", "{:.1%}"), ("entropy", "{:.2f}")):
            if key in row:
                mean, sd = row[key]["mean"], row[key]["sd"]
                cells.append(f"{fmt.format(mean)} (sd {fmt.format(sd)})")
            else:
                cells.append("-")
        print(f"| {name} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
