#!/usr/bin/env bash
# Train every combination of the original project's tricks (configs/sweep/tricks.yaml) on the
# digits, then write the comparison report into the sweep folder.
#   scripts/ablate_tricks.sh                                      # CPU, tiny budget: minutes
#   STEPS=5000 SIZE=64 WIDTH=64 EVERY=500 SAMPLES=1024 scripts/ablate_tricks.sh trainer=gpu
# Extra arguments are passed to dcgan.train as overrides. A run that fails is recorded as failed
# (and listed last in the report); the others still run.
set -euo pipefail

PYTHON=${PYTHON:-python}
STEPS=${STEPS:-100}      # iterations per run
SIZE=${SIZE:-32}         # image size (px)
WIDTH=${WIDTH:-16}       # model.ngf and model.ndf
EVERY=${EVERY:-25}       # iterations between metric evaluations
SAMPLES=${SAMPLES:-256}  # images compared at each evaluation
DIR=${DIR:-outputs/multirun/ablate_tricks/$(date +%Y-%m-%d_%H-%M-%S)}

status=0
"$PYTHON" -m dcgan.train -m sweep=tricks data=digits experiment=tiny \
    image_size="$SIZE" model.ngf="$WIDTH" model.ndf="$WIDTH" \
    trainer.max_steps="$STEPS" trainer.enable_progress_bar=false \
    callbacks.metrics.every_n_steps="$EVERY" callbacks.metrics.num_samples="$SAMPLES" \
    callbacks.samples.every_n_steps="$STEPS" callbacks.checkpoint.every_n_steps="$STEPS" \
    logger=csv hydra.sweep.dir="$DIR" "$@" || status=$?
"$PYTHON" -m dcgan.report "$DIR"
exit "$status"
