#!/usr/bin/env bash
# The recipe at the default width (docs/studies/width64.md): Fashion-MNIST at 32 px, ngf=ndf=64,
# batch 64, the budgets users run: 2 epochs (1,874 iterations) and longer. Each setting is one
# `-m` sweep over SEEDS into DIR/<setting>_<seed>; runs of one seed share the data order, the fixed
# noise and the initial weights of the layers they have in common (pairing by seed).
#   paper    the 2015 recipe (experiment=dcgan_paper)
#   default  the default the study started from: the average of G, ramped, without R1 (r1.gamma=0)
#   r1       the default plus lazy R1 (trick=r1): what a user gets with no options today
#   full     the average at its full half-life from the start (ema.rampup=null), without R1
#   <trick>  the study's default plus trick=<trick> (bcr, lecam, topk, ...): any preset name
#   full+<trick>  the full-half-life average plus trick=<trick>
# Checkpoints are kept every EVERY iterations (2 epochs = 2 x 937), so the feature distance
# (scripts/fashion_fd.py) scores each budget from the same runs. Two settings run at a time, one
# thread each (JOBS=2); another SEEDS list can run beside it. The same command again continues:
# finished runs end at once, stopped ones resume from their last checkpoint; a larger STEPS
# trains finished runs further.
#   SETTINGS="paper default" scripts/width_study.sh          # 2 epochs, seeds 0-4
#   STEPS=10000 SETTINGS="paper default" scripts/width_study.sh   # the same runs, to 10,000
#   python scripts/fashion_fd.py DIR --iterations 1874 10000 --baseline paper
# DATA=icons runs the same settings on the RGB folder instead: the 823 icons of Debian's
# oxygen-icon-theme at 64 px, 5,000 iterations, checkpoints every 1,000, scored by the runs' own
# SWD (python -m dcgan.report DIR score=final, and until=1000 ...).
#   DATA=icons SETTINGS="paper r1" scripts/width_study.sh
# Extra arguments go to every run.
set -euo pipefail

PYTHON=${PYTHON:-python}
SEEDS=${SEEDS:-0,1,2,3,4}
SETTINGS=${SETTINGS:-"paper default"}
case "${DATA:-fmnist}" in
fmnist)
    STEPS=${STEPS:-1874} EVERY=${EVERY:-937} DIR=${DIR:-outputs/study/width64_fmnist32}
    data=(data=fashion_mnist image_size=32) ;;
icons)
    STEPS=${STEPS:-5000} EVERY=${EVERY:-1000} DIR=${DIR:-outputs/study/width64_icons64}
    data=(data=folder data.root=/usr/share/icons/oxygen/base/64x64 data.channels=3 image_size=64) ;;
*) echo "DATA is fmnist or icons" >&2 && exit 2 ;;
esac
mkdir -p "$(dirname "$DIR")"
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}

common=("${data[@]}" data.cache=true model.ngf=64 model.ndf=64
    data.batch_size=64 trainer.max_steps="$STEPS" trainer.enable_progress_bar=false
    callbacks.metrics.every_n_steps="$EVERY" callbacks.samples.every_n_steps="$EVERY"
    callbacks.checkpoint.every_n_steps="$EVERY" callbacks.checkpoint.keep=null
    logger=csv resume=auto hydra.sweep.dir="$DIR")

overrides() {  # a setting's name -> its overrides, one a line
    local name=$1
    case "$name" in
    paper) echo experiment=dcgan_paper ;;
    default) echo r1.gamma=0 ;;
    r1) echo trick=r1 ;;
    full) echo ema.rampup=null && echo r1.gamma=0 ;;
    full+*) echo ema.rampup=null && echo r1.gamma=0 && echo "trick=${name#full+}" ;;
    *) echo r1.gamma=0 && echo "trick=$name" ;;
    esac
}

setting() {
    local name=$1
    mapfile -t own < <(overrides "$name")
    shift
    "$PYTHON" -m dcgan.train -m seed="$SEEDS" "${own[@]}" "$@" "${common[@]}" \
        "hydra.sweep.subdir=${name}_\${seed}"
}

logged() { # one setting, its output in a log beside DIR
    setting "$@" >"$DIR.$1.${SEEDS//,/}.log" 2>&1
}

source "$(dirname "$0")/jobs.sh"
each_setting logged "$@"
