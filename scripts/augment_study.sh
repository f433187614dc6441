#!/usr/bin/env bash
# The small-set study (docs/studies/small-sets.md): Fashion-MNIST at 32 px, the first 100 and 1,000
# images and all 60,000 (the "do no harm" arm), augment=none,diffaugment,ada,ada_rt, three seeds
# each (36 runs), the same iteration budget; SWD is measured against the whole training split, so a
# G that only reproduces its N images does not win. Then the comparison report goes into the sweep
# folder; `python -m dcgan.report <dir> ...` can also compare the runs of one set at a time.
#   STEPS=20 EVERY=10 SAMPLES=256 scripts/augment_study.sh   # a check that it runs: minutes
#   LIMITS=100,1000 scripts/augment_study.sh              # the small sets only (24 runs)
#   scripts/augment_study.sh                              # the study (its time: docs/studies/)
#   scripts/augment_study.sh trainer=gpu hydra/launcher=parallel hydra.launcher.n_jobs=6
# Extra arguments are passed to dcgan.train as overrides. A run that fails is recorded as failed
# (and listed last in the report); the others still run.
set -euo pipefail

PYTHON=${PYTHON:-python}
STEPS=${STEPS:-3000}       # iterations per run: long enough for D to memorise 100 and 1,000 images
WIDTH=${WIDTH:-16}         # model.ngf and model.ndf
EVERY=${EVERY:-500}        # iterations between metric evaluations and sample grids
SAMPLES=${SAMPLES:-512}    # real (of all 60,000) and generated images compared each time
LIMITS=${LIMITS:-100,1000,null}  # data.limit: the small sets, and all images
SEEDS=${SEEDS:-0,1,2}
AUGMENTS=${AUGMENTS:-none,diffaugment,ada,ada_rt}
DIR=${DIR:-outputs/multirun/augment_study/$(date +%Y-%m-%d_%H-%M-%S)}

status=0
"$PYTHON" -m dcgan.train -m data=fashion_mnist data.limit="$LIMITS" \
    augment="$AUGMENTS" seed="$SEEDS" \
    image_size=32 model.ngf="$WIDTH" model.ndf="$WIDTH" \
    trainer.max_steps="$STEPS" trainer.log_every_n_steps=10 trainer.enable_progress_bar=false \
    callbacks.metrics.every_n_steps="$EVERY" callbacks.metrics.num_samples="$SAMPLES" \
    callbacks.samples.every_n_steps="$EVERY" callbacks.checkpoint.every_n_steps="$STEPS" \
    data.cache=true logger=csv hydra.sweep.dir="$DIR" "$@" || status=$?
"$PYTHON" -m dcgan.report "$DIR"
exit "$status"
