#!/usr/bin/env bash
# On a CUDA machine: run the GPU-marked tests, then the benchmark on the GPU (< 10 minutes).
#   bash scripts/gpu_check.sh            # writes gpu_check/ (tests.log, bench.log, nvidia-smi.txt)
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python}"
OUT="${OUT:-gpu_check}"
mkdir -p "$OUT"

"$PYTHON" - <<'PY'
import sys
import torch
if not torch.cuda.is_available():
    sys.exit("error: no CUDA device visible to torch; run this on a GPU machine")
print(f"cuda device: {torch.cuda.get_device_name(0)}, capability {torch.cuda.get_device_capability(0)}")
PY
nvidia-smi > "$OUT/nvidia-smi.txt" 2>&1 || true

export WANDB_MODE=offline WANDB_SILENT=true
# GPU tests first (a minute or two), then the DDP/cache/precision tests that touch the GPU paths.
timeout 240 "$PYTHON" -m pytest -m gpu -q -p no:cacheprovider -rs 2>&1 | tee "$OUT/tests.log"
# The benchmark: fewer, longer rounds on a GPU; prints name=value lines and one summary line.
timeout 330 "$PYTHON" scripts/bench.py --device cuda --rounds 3 2>&1 | tee "$OUT/bench.log" \
  | grep -E '^[a-z_0-9]+=|^summary:'
echo "gpu_check: done; logs in $OUT/"
