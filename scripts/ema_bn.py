"""Which BatchNorm statistics should G's average use? `python scripts/ema_bn.py RUN... -n 2048`.

For each finished run trained with `ema.kimg` (its `checkpoints/last.ckpt`), the end-of-run SWD
(the fixed real subset and latent vectors of `callbacks.metrics.seed`, as the run measures it) of:
- `raw`: the last G, with its own statistics;
- `copy`: the average's weights with the last G's statistics (`ema.bn=copy`);
- `recompute`: the average's weights with statistics measured on its own activations over 512
  fixed noise vectors (`ema.bn=recompute`, what the checkpoint holds);
- `recompute_4096`: the same measured over 4096 noise vectors (is 512 enough?).
Prints one line per run and the mean of each column.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import torch
from rescore import real_subset  # scripts/, the first entry of sys.path
from torch.optim.swa_utils import update_bn

from dcgan import sampling
from dcgan.metrics import sliced_wasserstein
from dcgan.run import read_checkpoint
from dcgan.run.load import load_gan
from dcgan.tricks.ema import PREFIX, _conditioned

STATS = ("running_mean", "running_var", "num_batches_tracked")


def _swd(gan, real: torch.Tensor, seed: int) -> float:
    z = gan.noise(len(real), torch.Generator().manual_seed(seed), device="cpu")
    fake = torch.cat([sampling.forward(gan.generator, zb, seed) for zb in z.split(256)])
    return float(sliced_wasserstein(real, fake, seed=seed)["swd"])


def score(run: Path, n: int, name: str = "last.ckpt") -> dict[str, float]:
    """SWD of the raw G and of the average under each choice of statistics."""
    path = run / "checkpoints" / name
    real, seed = real_subset(run, n)
    state = read_checkpoint(path)["state_dict"]
    out = {"raw": _swd(load_gan(path, ema=False), real, seed)}
    gan = load_gan(path, ema=True)  # its G holds the average, with the saved statistics
    out["recompute"] = _swd(gan, real, seed)
    g_stats = {
        k.removeprefix("generator."): v
        for k, v in state.items()
        if k.startswith("generator.") and k.endswith(STATS)
    }
    saved = {k: v.clone() for k, v in gan.generator.state_dict().items() if k.endswith(STATS)}
    gan.generator.load_state_dict(g_stats, strict=False)
    out["copy"] = _swd(gan, real, seed)
    gan.generator.load_state_dict(saved, strict=False)
    stream = torch.Generator().manual_seed(1)
    batches = [{"z": gan.noise(64, stream, device="cpu")} for _ in range(4096 // 64)]
    update_bn(batches, _conditioned(gan.generator))
    out["recompute_4096"] = _swd(gan, real, seed)
    return out


def main() -> None:
    """Score every finished EMA run given (run folders, or folders holding runs)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="+", type=Path)
    parser.add_argument("-n", type=int, default=2048, help="images of each set")
    parser.add_argument("--ckpt", default="last.ckpt", help="which checkpoint of each run")
    args = parser.parse_args()
    runs = []
    for folder in args.folders:
        runs += [folder] if (folder / ".hydra").is_dir() else sorted(folder.glob("*/"))
    rows = []
    for run in runs:
        last = run / "checkpoints" / args.ckpt
        if not last.is_file() or not any(
            k.startswith(PREFIX) for k in read_checkpoint(last)["state_dict"]
        ):
            continue
        row = score(run, args.n, args.ckpt)
        rows.append(row)
        print(run, " ".join(f"{k}={v:.2f}" for k, v in row.items()), flush=True)
    if rows:
        means = {k: sum(r[k] for r in rows) / len(rows) for k in rows[0]}
        print(f"mean over {len(rows)} runs:", " ".join(f"{k}={v:.2f}" for k, v in means.items()))


if __name__ == "__main__":
    main()
