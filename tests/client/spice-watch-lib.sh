# SPDX-License-Identifier: GPL-2.0-or-later
# spice-watch-lib.sh: talking to spice-watch.py from a bash test (source it).
# The caller runs spice-watch.py as coprocess W and defines die MESSAGE;
# it sets PY (a python3 with json), dir (where watch.log goes) and
# REPLY_TIMEOUT_S.  Every line spice-watch.py prints is kept in
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
