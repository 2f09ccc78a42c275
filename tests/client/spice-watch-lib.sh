# SPDX-License-Identifier: GPL-2.0-or-later
# spice-watch-lib.sh: talking to spice-watch.py from a bash test (source it).
# The caller runs spice-watch.py as coprocess W and defines die MESSAGE;
# it sets PY (a python3 with json), dir (where watch.log goes) and
# REPLY_TIMEOUT_S (scene_start also prog and READY_TIMEOUT_S, watch_start
# WATCH and WATCH_LIFETIME_S).  Every line spice-watch.py prints is kept in
# $dir/watch.log.

# field JSON PATH: prints a value of a JSON line (dotted path; strings bare).
field() {
    printf '%s' "$1" | "$PY" -c '
import json, sys
v = json.load(sys.stdin)
for k in sys.argv[1].split("."):
    v = v[k] if isinstance(v, dict) else v[int(k)]
print(v if isinstance(v, str) else json.dumps(v))' "$2"
}

# ask CMD-JSON: sends one command and sets REPLY_LINE to its reply, bounded
# by REPLY_TIMEOUT_S; events read on the way are logged only.
ask() {
    local line deadline left
    printf '%s\n' "$1" >&"${W[1]}" || die "spice-watch.py is gone (sending $1)"
    deadline=$((SECONDS + REPLY_TIMEOUT_S))
    while :; do
        left=$((deadline - SECONDS))
        [ "$left" -gt 0 ] || die "no reply to $1 within ${REPLY_TIMEOUT_S}s"
        IFS= read -r -t "$left" line <&"${W[0]}" || die "no reply to $1 (spice-watch.py exited?)"
        printf '%s\n' "$line" >> "$dir/watch.log"
        case $line in *'"cmd": '*) REPLY_LINE=$line; return 0 ;; esac
    done
}

# ask_ok CMD-JSON: ask, and the reply must say "ok": true.
ask_ok() {
    ask "$1"
    [ "$(field "$REPLY_LINE" ok)" = true ] || die "$1 -> $REPLY_LINE"
}

# wait_event REGEX SECS: reads lines until an event matching REGEX.
wait_event() {
    local line deadline=$((SECONDS + $2)) left
    while :; do
        left=$((deadline - SECONDS))
        [ "$left" -gt 0 ] || die "no event matching $1 within $2 s"
        IFS= read -r -t "$left" line <&"${W[0]}" || die "no event matching $1 (spice-watch.py exited?)"
        printf '%s\n' "$line" >> "$dir/watch.log"
        [[ $line =~ $1 ]] && return 0
    done
}

expect() { # expect LABEL GOT WANT
    [ "$2" = "$3" ] || die "$1: got $2, want $3"
}

# watch_need_gi: skips (exit 77, or fails when S3D_REQUIRE_PEERS=1 or
# CI=true) unless $PY has spice-gtk's GObject bindings.
watch_need_gi() {
    "$PY" -c 'import gi; gi.require_version("SpiceClientGLib", "2.0")
from gi.repository import SpiceClientGLib' 2>/dev/null && return 0
    local why="spice-gtk GObject bindings missing for $PY (Debian python3-gi gir1.2-spiceclientglib-2.0)"
    if [ "${S3D_REQUIRE_PEERS:-0}" = 1 ] || [ "${CI:-}" = true ]; then die "$why (peers required)"; fi
    echo "SKIP: $why"
    exit 77
}

# scene_start ARGS...: starts "$prog" ARGS in the background (server_pid; its
# output in $dir/server.out and .err) and waits, at most READY_TIMEOUT_S,
# for its "SERVER-READY port=N" line; sets port.
scene_start() {
    local i=0
    "$prog" "$@" >"$dir/server.out" 2>"$dir/server.err" &
    server_pid=$!
    while :; do
        port=$(sed -n 's/^SERVER-READY port=\([0-9][0-9]*\)$/\1/p' "$dir/server.out")
        [ -n "$port" ] && return 0
        kill -0 "$server_pid" 2>/dev/null || die "server exited before SERVER-READY"
        [ "$i" -ge $((READY_TIMEOUT_S * 10)) ] && die "no SERVER-READY within ${READY_TIMEOUT_S}s"
        sleep 0.1
        i=$((i + 1))
    done
}

# watch_start: runs spice-watch.py ($WATCH) on $port as coprocess W
# (watch_pid), without a display, for at most WATCH_LIFETIME_S.
watch_start() {
    coproc W { exec env -u DISPLAY -u WAYLAND_DISPLAY "$PY" "$WATCH" --port "$port" \
        --lifetime "$WATCH_LIFETIME_S" 2>"$dir/watch.err"; }
    watch_pid=$W_PID
}
