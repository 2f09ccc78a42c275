# SPDX-License-Identifier: GPL-2.0-or-later
# procs.sh: process helpers for the test scripts (POSIX sh; source it).
# Every wait is bounded; processes are stopped by PID, never by name.

# wait_gone PID SECS: waits up to SECS for PID to exit; 1 if it did not.
# A zombie still answers kill -0; it has exited all the same.
wait_gone() {
    _wg_i=0
    while kill -0 "$1" 2>/dev/null; do
        [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" = Z ] && return 0
        [ "$_wg_i" -ge $(($2 * 10)) ] && return 1
        sleep 0.1
        _wg_i=$((_wg_i + 1))
    done
    return 0
}

# alive PID: running, not a zombie.
alive() {
    kill -0 "$1" 2>/dev/null && [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" != Z ]
}

# stop_pid PID [SECS]: SIGTERM, SIGKILL after SECS (default STOP_TIMEOUT_S,
# else 20), then reaps it.  An empty PID is fine.
stop_pid() {
    [ -n "$1" ] || return 0
    kill -TERM "$1" 2>/dev/null
    wait_gone "$1" "${2:-${STOP_TIMEOUT_S:-20}}" || kill -KILL "$1" 2>/dev/null
    wait "$1" 2>/dev/null
}
