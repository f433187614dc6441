#!/usr/bin/env bash
# The recipe search (docs/studies/recipe.md): which combination of tricks beats the 2015 DCGAN
# recipe on Fashion-MNIST at 32 px at the recommended budget (3,000 iterations). Runs of one seed
# share that seed's data order, fixed noise and the initial weights of the layers they have in
# common (pairing), so the report compares settings seed by seed. Settings, in the order run:
#   base    the 2015 recipe (experiment=dcgan_paper), seeds 0-4
#   ema2    the same with the ramped EMA of G (ema.kimg=10 ema.rampup=0.05), seeds 0-4: the
#           first averaged default (ema2, snh, tricks and ttur all ramp at 0.05, as they ran)
#   ramp    the same with the faster ramp (ema.rampup=0.02), seeds $SEEDS (0-9): the default
#   snh     + spectral norm and hinge loss in D (SN-GAN's standard CNN), seeds 0-1
#   tricks  + nearest resize-convs, label flips (0.05) and minibatch std: the tricks that ranked
#           best alone in the ganhacks study, together, seeds 0-4
#   pairs   base and ema2 again, seeds $SEEDS (5-9), one seed of each in turn (pairs finish
#           together): more seeds, or a longer budget in a folder of its own, e.g.
#           STEPS=12000 EVERY=500 SEEDS="0 1 2" SETTINGS=pairs DIR=outputs/study/recipe_fmnist32_x4
#   ttur    ema2 with TTUR (D's learning rate 4x G's: optimizer=ttur), seeds 0-4
#   STEPS=20 EVERY=10 SAMPLES=64 FINAL=64 SETTINGS=base scripts/recipe_study.sh   # a quick check
#   scripts/recipe_study.sh                                  # the study; then the report below
#   scripts/recipe_study.sh trainer=gpu hydra/launcher=parallel hydra.launcher.n_jobs=8
# Two settings run at a time here, one job each (JOBS=2). The same command again continues:
# finished runs end at once, killed ones resume from their last checkpoint (resume=auto).
# Extra arguments go to every run. Then:
#   python -m dcgan.report outputs/study/recipe_fmnist32 score=final   # base: the first setting
set -euo pipefail

PYTHON=${PYTHON:-python}
STEPS=${STEPS:-3000}      # iterations per run: the recommended budget
EVERY=${EVERY:-250}       # iterations between SWD evaluations (the curves, the late score)
SAMPLES=${SAMPLES:-1024}  # images per periodic evaluation
FINAL=${FINAL:-2048}      # images of the end-of-run evaluation
SETTINGS=${SETTINGS:-"base ema2 snh tricks"}
DIR=${DIR:-outputs/study/recipe_fmnist32}
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}

common=(data=fashion_mnist data.cache=true image_size=32 model.ngf=16 model.ndf=16
    data.batch_size=64 trainer.max_steps="$STEPS" trainer.enable_progress_bar=false
    callbacks.metrics.every_n_steps="$EVERY" callbacks.metrics.num_samples="$SAMPLES"
    callbacks.metrics.final_num_samples="$FINAL" callbacks.samples.every_n_steps=500
    callbacks.checkpoint.every_n_steps=500 logger=csv resume=auto hydra.sweep.dir="$DIR")

ema2=(ema.kimg=10 ema.rampup=0.05)  # the average as these settings ran (0.02 is the default now)

setting() {  # one setting's runs, one after another: prefix, then its overrides
    local prefix=$1
    shift
    "$PYTHON" -m dcgan.train -m "$@" "${common[@]}" "hydra.sweep.subdir=${prefix}_\${hydra.job.num}"
}
run() {
    case "$1" in
    base) setting base seed=0,1,2,3 experiment=dcgan_paper &&
        setting base_more seed=4 experiment=dcgan_paper ;;
    ema2) setting ema2 seed=0,1,2,3,4 experiment=dcgan_paper "${ema2[@]}" ;;
    snh) setting snh seed=0,1 experiment=dcgan_paper "${ema2[@]}" norm=spectral loss=hinge ;;
    tricks) setting tricks seed=0,1,2,3,4 experiment=dcgan_paper "${ema2[@]}" \
        upsample=nearest_conv loss.label_flip=0.05 model.minibatch_std=true ;;
    pairs | more) for s in ${SEEDS:-5 6 7 8 9}; do
        setting "base_s$s" seed="$s" experiment=dcgan_paper &&
            setting "ema2_s$s" seed="$s" experiment=dcgan_paper "${ema2[@]}" || return
    done ;;
    ttur) setting ttur seed=0,1,2,3,4 experiment=dcgan_paper "${ema2[@]}" optimizer=ttur ;;
    ramp) setting ramp seed="$(echo ${SEEDS:-0 1 2 3 4 5 6 7 8 9} | tr ' ' ,)" \
        experiment=dcgan_paper ema.kimg=10 ema.rampup=0.02 ;;
    *) echo "unknown setting $1 (base, ema2, snh, tricks, pairs, ttur, ramp)" >&2; return 2 ;;
    esac
}

source "$(dirname "$0")/jobs.sh"
status=0
each_setting run "$@" || status=$?
"$PYTHON" -m dcgan.report "$DIR" score=final || true  # the first setting (base) is the baseline
exit "$status"
