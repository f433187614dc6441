# Sourced by the study scripts: `each_setting FUNCTION ARGS...` runs `FUNCTION <name> ARGS...`
# for every name in $SETTINGS, $JOBS of them at a time (2: one a core), and returns the last
# non-zero exit status of any of them.
each_setting() {
    local fn=$1 status=0 name pid
    shift
    local pids=()
    for name in $SETTINGS; do
        "$fn" "$name" "$@" &
        pids+=($!)
        if ((${#pids[@]} >= ${JOBS:-2})); then
            wait "${pids[0]}" || status=$?
            pids=("${pids[@]:1}")
        fi
    done
    for pid in "${pids[@]}"; do wait "$pid" || status=$?; done
    return "$status"
}
