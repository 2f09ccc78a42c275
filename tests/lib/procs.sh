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

# wait_ready_port FILE PID SECS: waits up to SECS for the line
# "SERVER-READY port=N" that PID writes into FILE, and prints N.  Returns 1
# if PID exited first, 2 if SECS passed.
wait_ready_port() {
    _wr_i=0
    while :; do
        _wr_port=$(sed -n 's/^SERVER-READY port=\([0-9][0-9]*\)$/\1/p' "$1")
        [ -n "$_wr_port" ] && { echo "$_wr_port"; return 0; }
        kill -0 "$2" 2>/dev/null || return 1
        [ "$_wr_i" -ge $(($3 * 10)) ] && return 2
        sleep 0.1
        _wr_i=$((_wr_i + 1))
    done
}

# start_xvfb FIRST LAST SCREEN LOG SECS: starts Xvfb (output to LOG) on the
# first display number in FIRST..LAST that has no socket and no lock file,
# and waits up to SECS until it accepts connections.  Sets xvfb_pid and
# xvfb_display; returns 0, or 1 with xvfb_error saying why (xvfb_pid set if
# it started).  Ready is when Xvfb writes its display number to -displayfd:
# its socket file exists from bind(), before listen(), so a client that
# only waited for the file could be refused.
start_xvfb() {
    xvfb_display=
    xvfb_pid=
    for _sx_n in $(seq "$1" "$2"); do
        if [ ! -e "/tmp/.X11-unix/X$_sx_n" ] && [ ! -e "/tmp/.X$_sx_n-lock" ]; then
            xvfb_display=$_sx_n
            break
        fi
    done
    [ -n "$xvfb_display" ] || { xvfb_error="no free X display number in $1..$2"; return 1; }
    _sx_ready="$4.ready"
    rm -f "$_sx_ready"
    Xvfb ":$xvfb_display" -screen 0 "$3" -nolisten tcp -displayfd 3 >"$4" 2>&1 3>"$_sx_ready" &
    xvfb_pid=$!
    _sx_i=0
    until [ -s "$_sx_ready" ]; do
        alive "$xvfb_pid" || { xvfb_error="Xvfb :$xvfb_display exited (display taken?)"; return 1; }
        if [ "$_sx_i" -ge $(($5 * 10)) ]; then
            xvfb_error="Xvfb :$xvfb_display not up within ${5}s"
            return 1
        fi
        sleep 0.1
        _sx_i=$((_sx_i + 1))
    done
}
