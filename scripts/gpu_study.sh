#!/usr/bin/env bash
# The default-width study (docs/studies/width64.md) on one GPU in about ten minutes: every
# (setting, seed) of scripts/width_study.sh as its own process, PARALLEL at a time (small models
# leave most of a large GPU idle, so several share it), first Fashion-MNIST to STEPS, then the
# RGB icons to ICON_STEPS, then the scores. Resumable like width_study.sh: the same command again
# continues what a stop cut short.
#   scripts/gpu_study.sh                                   # paper default r1, seeds 0-4
#   SETTINGS="paper r1 topk" PARALLEL=10 scripts/gpu_study.sh
# Extra arguments go to every run. ACCELERATOR=cpu OUT=/tmp/x STEPS=3 ICON_STEPS=2 tries it here.
set -euo pipefail

SETTINGS=${SETTINGS:-"paper default r1"}
SEEDS=${SEEDS:-"0 1 2 3 4"}
PARALLEL=${PARALLEL:-8}
STEPS=${STEPS:-10000}
ICON_STEPS=${ICON_STEPS:-5000}
PYTHON=${PYTHON:-python}
ACCELERATOR=${ACCELERATOR:-gpu}
OUT=${OUT:-outputs/study}
here=$(dirname "$0")

folder() { [ "$1" = fmnist ] && echo "$OUT/width64_fmnist32" || echo "$OUT/width64_icons64"; }

each_run() { # DATA STEPS: every setting and seed, PARALLEL processes at a time
    local data=$1 steps=$2 status=0 setting seed
    shift 2
    for setting in $SETTINGS; do
        for seed in $SEEDS; do
            while (($(jobs -rp | wc -l) >= PARALLEL)); do wait -n || status=$?; done
            DATA=$data STEPS=$steps SETTINGS=$setting SEEDS=$seed JOBS=1 OMP_NUM_THREADS=2 \
                DIR="$(folder "$data")" "$here/width_study.sh" trainer.accelerator="$ACCELERATOR" "$@" &
        done
    done
    while (($(jobs -rp | wc -l) > 0)); do wait -n || status=$?; done
    return "$status"
}

each_run fmnist "$STEPS" "$@"
each_run icons "$ICON_STEPS" "$@"
"$PYTHON" "$here/fashion_fd.py" "$(folder fmnist)" --iterations 937 1874 "$STEPS"
for until in 1000 2000 "$ICON_STEPS"; do
    "$PYTHON" -m dcgan.report "$(folder icons)" score=final until="$until" \
        baseline=experiment=dcgan_paper
done
