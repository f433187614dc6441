#!/usr/bin/env bash
# The recipe search of the README: which combination of tricks beats the 2015 DCGAN recipe on
# Fashion-MNIST at 32 px, at the recommended budget. Every run of one seed shares that seed's data
# order, fixed noise and initial weights of the layers it has in common with the others (pairing),
# so the report compares settings seed by seed.
#   base: the 2015 recipe (experiment=dcgan_paper), seeds 0-3
#   grid: every combination of D's normalisation (BatchNorm, spectral norm) and the loss
#         (non-saturating, hinge), all with the ramped-up EMA of G, seeds 0-2 (4 settings)
#   more: seed 4 of the base, seeds 3 and 4 of the settings named in MORE (";"-separated)
#   next: the settings named in NEXT (";"-separated, e.g. the grid's best with one more trick),
#         seeds 0-2
#   STEPS=20 EVERY=10 SAMPLES=64 PHASES=base scripts/recipe_study.sh   # a check that it runs
#   scripts/recipe_study.sh                                            # the study
#   scripts/recipe_study.sh trainer=gpu hydra.launcher.n_jobs=8        # on a GPU machine
# The same command again continues: finished runs end at once, killed ones resume from their
# last checkpoint (resume=auto in a fixed folder). Extra arguments go to every run.
set -euo pipefail

PYTHON=${PYTHON:-python}
STEPS=${STEPS:-3000}      # iterations per run: the recommended budget
EVERY=${EVERY:-250}       # iterations between SWD evaluations (the late-window score's points)
SAMPLES=${SAMPLES:-1024}  # images per periodic evaluation
FINAL=${FINAL:-2048}      # images of the end-of-run evaluation
PHASES=${PHASES:-base grid}
MORE=${MORE:-"norm=batch loss=nonsaturating upsample=transposed"}
NEXT=${NEXT:-}
DIR=${DIR:-outputs/study/recipe_fmnist32}
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}

common=(data=fashion_mnist data.cache=true image_size=32 model.ngf=16 model.ndf=16
    data.batch_size=64 trainer.max_steps="$STEPS" trainer.enable_progress_bar=false
    callbacks.metrics.every_n_steps="$EVERY" callbacks.metrics.num_samples="$SAMPLES"
    callbacks.metrics.final_num_samples="$FINAL" callbacks.samples.every_n_steps=500
    callbacks.checkpoint.every_n_steps=500 logger=csv resume=auto
    hydra/launcher=parallel hydra.launcher.n_jobs=2 hydra.sweep.dir="$DIR")

status=0
for phase in $PHASES; do
    case "$phase" in
    base)
        "$PYTHON" -m dcgan.train -m seed=0,1,2,3 experiment=dcgan_paper "${common[@]}" \
            'hydra.sweep.subdir=base_${hydra.job.num}' "$@" || status=$?
        ;;
    grid)
        "$PYTHON" -m dcgan.train -m seed=0,1,2 norm=batch,spectral loss=nonsaturating,hinge \
            upsample=transposed ema.kimg=10 "${common[@]}" \
            'hydra.sweep.subdir=grid_${hydra.job.num}' "$@" || status=$?
        ;;
    more)
        "$PYTHON" -m dcgan.train -m seed=4 experiment=dcgan_paper "${common[@]}" \
            'hydra.sweep.subdir=base_more_${hydra.job.num}' "$@" || status=$?
        i=0
        IFS=';' read -ra settings <<<"$MORE"
        for setting in "${settings[@]}"; do
            # shellcheck disable=SC2086
            "$PYTHON" -m dcgan.train -m seed=3,4 $setting ema.kimg=10 "${common[@]}" \
                "hydra.sweep.subdir=more${i}_\${hydra.job.num}" "$@" || status=$?
            i=$((i + 1))
        done
        ;;
    next)
        i=0
        IFS=';' read -ra settings <<<"$NEXT"
        for setting in "${settings[@]}"; do
            # shellcheck disable=SC2086
            "$PYTHON" -m dcgan.train -m seed=0,1,2 $setting ema.kimg=10 "${common[@]}" \
                "hydra.sweep.subdir=next${i}_\${hydra.job.num}" "$@" || status=$?
            i=$((i + 1))
        done
        ;;
    *) echo "unknown phase $phase (base, grid, more, next)" >&2; exit 2 ;;
    esac
done
"$PYTHON" -m dcgan.report "$DIR" || true
exit "$status"
