"""A Frechet distance in the features of a Fashion-MNIST classifier, for the studies' run folders.

    python scripts/fashion_fd.py outputs/study/width64_fmnist32 --iterations 1874 10000 \
        --baseline paper
    python scripts/fashion_fd.py --floor            # the classifier's accuracy and the floor only

SWD compares pixel statistics; it cannot tell whether the pictures look more like clothes. This
distance fits a Gaussian to the 128 features a small CNN computes before its last layer, once for
the 10,000 real test images and once for `--images` generated ones, and reports the Frechet
distance between them (lower is better), as FID does with Inception's. The CNN is trained on the
labelled training split (seeded: every invocation rebuilds the same one, cached in `--cache`);
its accuracy on the test split and the floor, `--images` real training images against the test
split, are printed with every table.

Each run folder (`<setting>_<n>/` with `checkpoints/iter_NNNNNN.ckpt` or `last.ckpt`) is scored at
each of `--iterations` with the generator that generation uses (the average of G when the run has
one), on the same noise for every run; the scores are cached in `<run>/fashion_fd.json`. A
conditional model generates `--images / 10` images per class, and the table adds how often the
classifier recognises the asked-for class. Settings are compared with the baseline paired by
seed, as `dcgan.report` does (95% t interval, Holm-corrected over the settings).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from scipy import linalg
from torch import Tensor, nn

sys.path.insert(0, str(Path(__file__).resolve().parent))
from conditional_study import as_float  # noqa: E402

from dcgan.data.labels import load_labeled  # noqa: E402
from dcgan.report.stats import compare, holm  # noqa: E402
from dcgan.run.load import load_gan  # noqa: E402

SIZE = 32
ROOT = "/usr/share/datasets/fashion-mnist"
NOISE_SEED = 12345  # the generated images' noise: the same for every run


class Classifier(nn.Module):
    """Three strided convolutions, a 128-unit hidden layer (the features) and the class layer."""

    def __init__(self) -> None:
        super().__init__()
        conv = [(1, 32, 2), (32, 64, 2), (64, 128, 2)]
        layers: list[nn.Module] = []
        for cin, cout, stride in conv:
            layers += [nn.Conv2d(cin, cout, 3, stride, 1), nn.BatchNorm2d(cout), nn.ReLU()]
        self.body = nn.Sequential(*layers, nn.Flatten(), nn.Linear(128 * 4 * 4, 128), nn.ReLU())
        self.head = nn.Linear(128, 10)

    def forward(self, x: Tensor) -> Tensor:
        return self.head(self.body(x))


def train_classifier(steps: int, root: str) -> Classifier:
    """Adam on the training split, horizontal flips as the only augmentation; seeded."""
    images, labels, _ = load_labeled("fashion_mnist", root, SIZE, 1, "train")
    x, y = as_float(images), torch.from_numpy(labels).long()
    torch.manual_seed(0)
    net = Classifier()
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=3e-3, total_steps=steps)
    gen = torch.Generator().manual_seed(0)
    for _ in range(steps):
        idx = torch.randint(len(x), (128,), generator=gen)
        batch = x[idx]
        flip = torch.rand(len(idx), generator=gen) < 0.5
        batch[flip] = batch[flip].flip(-1)
        loss = F.cross_entropy(net(batch), y[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
    return net.eval()


def load_classifier(cache: Path, steps: int, root: str) -> Classifier:
    """The cached classifier, trained once when the cache has none for these steps."""
    path = cache / f"fashion_classifier_{steps}.pt"
    if path.exists():
        net = Classifier()
        net.load_state_dict(torch.load(path, weights_only=True))
        return net.eval()
    net = train_classifier(steps, root)
    cache.mkdir(parents=True, exist_ok=True)
    torch.save(net.state_dict(), path)
    return net


@torch.no_grad()
def predict(net: Classifier, x: Tensor) -> Tensor:
    """The predicted class of each image, in batches."""
    return torch.cat([net(part).argmax(1) for part in x.split(500)])


@torch.no_grad()
def features(net: Classifier, x: Tensor) -> np.ndarray:
    """The 128 hidden features of each image, in batches."""
    return torch.cat([net.body(part) for part in x.split(500)]).double().numpy()


def gaussian(feats: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and covariance of the features."""
    return feats.mean(0), np.cov(feats, rowvar=False)


def frechet(a: tuple[np.ndarray, np.ndarray], b: tuple[np.ndarray, np.ndarray]) -> float:
    """||mu_a - mu_b||^2 + Tr(S_a + S_b - 2 (S_a S_b)^(1/2))."""
    (mu1, s1), (mu2, s2) = a, b
    eps = 1e-6 * np.eye(len(s1))  # features a ReLU keeps at 0 make a covariance singular
    root = linalg.sqrtm((s1 + eps) @ (s2 + eps)).real
    return float(((mu1 - mu2) ** 2).sum() + np.trace(s1 + s2 - 2 * root))


def generated(ckpt: Path, n: int) -> tuple[Tensor, Tensor | None]:
    """`n` images of the generator that generation uses, on fixed noise; their asked-for classes."""
    gan = load_gan(ckpt)
    z = gan.noise(n, torch.Generator().manual_seed(NOISE_SEED), device="cpu")
    y = torch.arange(10).repeat_interleave(n // 10) if gan.conditional else None
    parts = []
    with torch.no_grad():
        for start in range(0, len(z), 500):
            part_y = None if y is None else y[start : start + 500]
            parts.append(gan.sample(z[start : start + 500], seed=NOISE_SEED, y=part_y).cpu())
    return torch.cat(parts), y


def checkpoint_at(run: Path, iteration: int) -> Path | None:
    """The run's checkpoint of that iteration: a periodic one, or last.ckpt when it ended there."""
    periodic = run / "checkpoints" / f"iter_{iteration:06d}.ckpt"
    if periodic.exists():
        return periodic
    metrics = run / "metrics.json"
    last = run / "checkpoints" / "last.ckpt"
    if metrics.exists() and last.exists():
        if json.loads(metrics.read_text()).get("iterations") == iteration:
            return last
    return None


def score_run(run: Path, iterations: list[int], net: Classifier, real, n: int) -> dict[str, dict]:
    """{iteration: {fd, recognised?}} for each iteration the run has, cached in the folder."""
    cache = run / "fashion_fd.json"
    scores = json.loads(cache.read_text()) if cache.exists() else {}
    key = f"n{n}"
    for it in iterations:
        if str(it) in scores.get(key, {}):
            continue
        ckpt = checkpoint_at(run, it)
        if ckpt is None:
            continue
        images, asked = generated(ckpt, n)
        row = {"fd": frechet(gaussian(features(net, images)), real)}
        if asked is not None:
            row["recognised"] = float((predict(net, images) == asked).float().mean())
        scores.setdefault(key, {})[str(it)] = row
        cache.write_text(json.dumps(scores, indent=1) + "\n")
    return scores.get(key, {})


def seed_of(run: Path) -> int | None:
    """The run's seed from its saved config."""
    cfg = run / ".hydra" / "config.yaml"
    if not cfg.exists():
        return None
    found = re.search(r"^seed: (\d+)$", cfg.read_text(), re.M)
    return int(found.group(1)) if found else None


def table(sweep: Path, iterations: list[int], baseline: str, net, real, n: int) -> dict:
    """Per iteration and setting: mean FD over seeds, and the paired difference to the baseline."""
    by: dict[int, dict[str, dict[int, dict]]] = defaultdict(lambda: defaultdict(dict))
    for run in sorted(p for p in sweep.iterdir() if (p / "checkpoints").is_dir()):
        setting, seed = run.name.rsplit("_", 1)[0], seed_of(run)
        if seed is None:
            continue
        for it, row in score_run(run, iterations, net, real, n).items():
            by[int(it)][setting][seed] = row
    out = {}
    for it in iterations:
        settings = by.get(it, {})
        if baseline not in settings:
            continue
        base = {s: r["fd"] for s, r in settings[baseline].items()}
        rows, pvalues = {}, []
        for name, runs in sorted(settings.items()):
            fds = {s: r["fd"] for s, r in runs.items()}
            diff = None if name == baseline else compare(fds, base)
            rows[name] = {
                "seeds": sorted(fds),
                "fd": [fds[s] for s in sorted(fds)],
                "mean": float(np.mean(list(fds.values()))),
                "ratio": float(np.mean(list(fds.values())) / np.mean(list(base.values()))),
                "diff": None if diff is None else [diff.delta, diff.low, diff.high],
                "p": None if diff is None else diff.p,
            }
            rec = [r["recognised"] for r in runs.values() if "recognised" in r]
            if rec:
                rows[name]["recognised"] = float(np.mean(rec))
            pvalues.append(rows[name]["p"])
        for row, p in zip(rows.values(), holm(pvalues), strict=True):
            row["holm_p"] = p
        out[it] = rows
    return out


def print_table(results: dict, baseline: str) -> None:
    """One markdown table per iteration."""
    for it, rows in results.items():
        print(f"\niteration {it} (baseline {baseline})")
        head = "setting|seeds|FD mean (by seed)|x baseline|difference [95%]|Holm p|recognised"
        print("| " + head.replace("|", " | ") + " |")
        print("|---|---|---|---|---|---|---|")
        for name, r in rows.items():
            delta, low, high = r["diff"] or (None, None, None)
            diff = "-" if delta is None else f"{delta:+.2f}"
            if low is not None and high is not None:
                diff += f" [{low:+.2f}, {high:+.2f}]"
            p = "-" if r["holm_p"] is None else f"{r['holm_p']:.3f}"
            rec = f"{r['recognised']:.1%}" if "recognised" in r else "-"
            print(
                f"| {name} | {len(r['seeds'])} | {r['mean']:.2f} ("
                + ", ".join(f"{v:.1f}" for v in r["fd"])
                + f") | {r['ratio']:.2f} | "
                f"{diff} | {p} | {rec} |"
            )


def main() -> None:
    """Score the sweep folders given, print the tables and write fashion_fd.json beside them."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sweeps", nargs="*", type=Path, help="sweep folders of run folders")
    parser.add_argument("--iterations", nargs="+", type=int, default=[1874])
    parser.add_argument("--baseline", default="paper", help="the setting others are compared to")
    parser.add_argument("--images", type=int, default=5000, help="generated images per score")
    parser.add_argument("--classifier-steps", type=int, default=3000)
    parser.add_argument("--root", default=ROOT)
    parser.add_argument("--cache", type=Path, default=Path("outputs/fashion_fd"))
    parser.add_argument("--floor", action="store_true", help="print accuracy and floor only")
    args = parser.parse_args()
    torch.set_grad_enabled(True)
    net = load_classifier(args.cache, args.classifier_steps, args.root)
    test_images, test_labels, _ = load_labeled("fashion_mnist", args.root, SIZE, 1, "test")
    test_x = as_float(test_images)
    accuracy = float((predict(net, test_x) == torch.from_numpy(test_labels)).float().mean())
    real = gaussian(features(net, test_x))
    train_images, _, _ = load_labeled("fashion_mnist", args.root, SIZE, 1, "train")
    pick = np.random.default_rng(0).choice(len(train_images), args.images, replace=False)
    floor = frechet(gaussian(features(net, as_float(train_images[pick]))), real)
    print(
        f"classifier: {accuracy:.2%} on the 10,000 test images; floor (real {args.images} "
        f"training images against the test split): {floor:.3f}"
    )
    for sweep in args.sweeps:
        results = table(sweep, args.iterations, args.baseline, net, real, args.images)
        print_table(results, args.baseline)
        summary = {
            "accuracy": accuracy,
            "floor": floor,
            "images": args.images,
            "by_iteration": results,
        }
        (sweep / "fashion_fd.json").write_text(json.dumps(summary, indent=1) + "\n")


if __name__ == "__main__":
    main()
