#!/usr/bin/env bash
# Which trick helps on Fashion-MNIST? The base run and every ganhacks trick alone
# (configs/sweep/ganhacks.yaml: one setting per preset of configs/trick/) x 3 seeds at 32 px,
# then the report over seeds: per setting the mean, sd, 95% interval, the difference to
# trick=none and a verdict.
#   scripts/ganhacks_seeds.sh                          # the budget the pilot run recommends
#   STEPS=500 SEEDS=0,1 scripts/ganhacks_seeds.sh      # a quick look (not a verdict)
#   scripts/ganhacks_seeds.sh trainer.accelerator=gpu  # extra arguments go to dcgan.train
# A run that fails is recorded as failed and counted apart in the report; the others still run.
set -euo pipefail

PYTHON=${PYTHON:-python}
STEPS=${STEPS:-3000}       # iterations per run: about twice where the base run's SWD stops falling fast
SEEDS=${SEEDS:-0,1,2}      # seeds per setting
WIDTH=${WIDTH:-16}         # model.ngf and model.ndf
BATCH=${BATCH:-64}         # data.batch_size
EVERY=${EVERY:-250}        # iterations between SWD evaluations (the curves of the plot)
SAMPLES=${SAMPLES:-256}    # images per periodic evaluation
FINAL=${FINAL:-2048}       # images of the end-of-run evaluation that the report compares
DIR=${DIR:-outputs/multirun/ganhacks_seeds/$(date +%Y-%m-%d_%H-%M-%S)}

status=0
"$PYTHON" -m dcgan.train sweep=ganhacks seed="$SEEDS" data=fashion_mnist data.cache=true \
    image_size=32 model.ngf="$WIDTH" model.ndf="$WIDTH" data.batch_size="$BATCH" \
    trainer.max_steps="$STEPS" trainer.enable_progress_bar=false \
    callbacks.metrics.every_n_steps="$EVERY" callbacks.metrics.num_samples="$SAMPLES" \
    callbacks.metrics.final_num_samples="$FINAL" \
    callbacks.samples.every_n_steps="$STEPS" callbacks.checkpoint.every_n_steps="$STEPS" \
    hydra.sweep.dir="$DIR" "$@" || status=$?
"$PYTHON" -m dcgan.report "$DIR"
exit "$status"
