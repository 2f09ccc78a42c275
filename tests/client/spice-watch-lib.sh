# SPDX-License-Identifier: GPL-2.0-or-later
# spice-watch-lib.sh: talking to spice-watch.py from a bash test (source it
# after tests/lib/procs.sh).
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

# connect_picture LABEL PPM: connects, waits for the primary and a quiet
# second (WAIT_S each), snapshots it into PPM; the picture must not be
# blank (two colours at least, as SeaBIOS's text on black).
connect_picture() {
    local colours
    ask "{\"cmd\":\"connect\",\"timeout\":$WAIT_S}"
    [ "$(field "$REPLY_LINE" ok)" = true ] || die "$1: connect failed: $REPLY_LINE"
    ask "{\"cmd\":\"wait-primary\",\"timeout\":$WAIT_S}"
    [ "$(field "$REPLY_LINE" ok)" = true ] || die "$1: no primary surface: $REPLY_LINE"
    ask "{\"cmd\":\"wait-idle\",\"ms\":1000,\"timeout\":$WAIT_S}"
    ask "{\"cmd\":\"snapshot\",\"path\":\"$2\"}"
    [ "$(field "$REPLY_LINE" ok)" = true ] || die "$1: snapshot failed: $REPLY_LINE"
    colours=$("$PY" - "$2" <<'PYEOF'
import sys
data = open(sys.argv[1], "rb").read()
parts = data.split(b"\n", 3)   # P6, "W H", 255, pixels
pix = parts[3]
print(len({pix[i:i + 3] for i in range(0, len(pix), 3)}))
PYEOF
    ) || die "$1: cannot read the snapshot"
    [ "$colours" -ge 2 ] || die "$1: the picture is blank ($colours colour)"
    echo "$1: $(field "$REPLY_LINE" width)x$(field "$REPLY_LINE" height), $colours colours"
}

expect() { # expect LABEL GOT WANT
    [ "$2" = "$3" ] || die "$1: got $2, want $3"
}

# dump_logs [LINES]: prints the server's and spice-watch.py's logs in $dir
# that are not empty (their last LINES lines; whole by default).
dump_logs() {
    for f in "$dir"/server.out "$dir"/server.err "$dir"/watch.log "$dir"/watch.err; do
        [ -s "$f" ] && { echo "--- $f"; tail -n "${1:-+1}" "$f"; }
    done
}

# scene_start ARGS...: starts "$prog" ARGS in the background (server_pid; its
# output in $dir/server.out and .err) and waits, at most READY_TIMEOUT_S,
# for its "SERVER-READY port=N" line (wait_ready_port, tests/lib/procs.sh);
# sets port.
scene_start() {
    "$prog" "$@" >"$dir/server.out" 2>"$dir/server.err" &
    server_pid=$!
    port=$(wait_ready_port "$dir/server.out" "$server_pid" "$READY_TIMEOUT_S") ||
        die "no SERVER-READY within ${READY_TIMEOUT_S}s (or the server exited before it)"
}

# watch_start: runs spice-watch.py ($WATCH) on $port as coprocess W
# (watch_pid), without a display, for at most WATCH_LIFETIME_S.
watch_start() {
    coproc W { exec env -u DISPLAY -u WAYLAND_DISPLAY "$PY" "$WATCH" --port "$port" \
        --lifetime "$WATCH_LIFETIME_S" 2>"$dir/watch.err"; }
    watch_pid=$W_PID
}

# watch_quit: asks spice-watch.py (coprocess W, watch_pid) to quit, waits 5 s
# at most, then kills it.
watch_quit() {
    local i
    ask '{"cmd":"quit"}'
    for i in $(seq 50); do kill -0 "$watch_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$watch_pid" 2>/dev/null
    wait "$watch_pid" 2>/dev/null
    watch_pid=
}
