#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# test-upstream.sh: upstream spice-server 0.15.1's own tests against our
# libspice-server.so.1 (README.md).  Fetches Debian's `spice` source package
# with apt-get source, builds upstream's test programs (not its server),
# links each one that needs only the public API against our shared library
# and runs the ones tests.txt marks unit or demo.
#
# Environment: abs_top_builddir, abs_top_srcdir (set by make check),
#   S3D_UPSTREAM_DIR  where the source and build are cached
#                     (default $abs_top_builddir/tests/upstream/cache)
#   S3D_REQUIRE_PEERS 1 (or CI=true): no network / no spicy-screenshot fails
#                     instead of skipping
# Exit: 0 pass, 1 fail, 77 skip (automake).
set -u

DEB_VERSION=0.15.1-1
UNIT_TIMEOUT_S=120      # one upstream unit test (test-listen waits 50 s at most itself)
READY_TIMEOUT_S=30      # a demo's listening socket appears
SHOT_TIMEOUT_S=30       # spicy-screenshot connects, gets one frame, exits

top_build=${abs_top_builddir:?run from make check}
top_src=${abs_top_srcdir:?run from make check}
list=$top_src/tests/upstream/tests.txt
cache=${S3D_UPSTREAM_DIR:-$top_build/tests/upstream/cache}
ourlib=$top_build/server/.libs

. "$top_src/tests/lib/peers.sh"
. "$top_src/tests/lib/apt-source.sh"
[ -e "$ourlib/libspice-server.so.1" ] || fail "no $ourlib/libspice-server.so.1"
mkdir -p "$cache" || fail "mkdir $cache"
cache=$(cd "$cache" && pwd)

# ---- upstream's test programs, built once ---------------------------------
# Only what the tests need: spice-common's helper library, upstream's test
# support library (libtest.a: the fake QXL device, the GLib loop) and the
# test objects; upstream's event-loop.c goes with them, as upstream's own
# spice-server-replay links it beside the shared library.  Optional parts
# (GStreamer, Opus, LZ4, SASL, smartcard, the manual) are off.
build_upstream() {
    b=$cache/build
    # Built once; a list with more tests builds the new objects (make).
    [ -f "$b/.built" ] && [ "$b/.built" -nt "$list" ] && return 0
    if [ ! -f "$b/.configured" ]; then
        rm -rf "$b" && mkdir -p "$b"
        (cd "$b" && "$tree/configure" -C --disable-opus --disable-smartcard --disable-gstreamer \
            --without-sasl --disable-lz4 --enable-manual=no --disable-static) >"$b/configure.log" 2>&1 ||
            { tail -n 30 "$b/configure.log"; fail "upstream configure"; }
        touch "$b/.configured"
    fi
    objs=""
    for t in $(awk '$1 !~ /^#/ && ($2 == "unit" || $2 == "demo") { print $1 }' "$list"); do
        objs="$objs $t.o"
    done
    { make -j2 -C "$b/subprojects/spice-common/common" libspice-common.la &&
      make -C "$b/server" event-loop.lo &&
      make -j2 -C "$b/server/tests" libtest.a $objs; } >"$b/make.log" 2>&1 ||
        { tail -n 40 "$b/make.log"; fail "building upstream's tests"; }
    touch "$b/.built"
}

# Links upstream test $1 against our shared library (always redone: cheap,
# and our library may have changed).  Undefined symbols mean the test needs
# server internals: tests.txt must say so, so that is a failure here.
link_test() {
    b=$cache/build
    t=$1
    # shellcheck disable=SC2046
    g++ -o "$work/$t" "$b/server/tests/$t.o" "$b/server/tests/libtest.a" "$b/server/.libs/event-loop.o" \
        "$b/subprojects/spice-common/common/.libs/libspice-common.a" \
        -L"$ourlib" -Wl,-rpath,"$ourlib" -lspice-server \
        $(pkg-config --libs gio-unix-2.0 glib-2.0 pixman-1 openssl) -ljpeg -lz -lm -lpthread \
        >"$work/$t.link" 2>&1
}

# Our test build is sanitized: upstream's binaries are not, so ASan's
# runtime must come first in the process (LD_PRELOAD of the very libasan our
# library was linked with); UBSan's runtime loads as a plain dependency.
# That way upstream's tests run our library with its sanitizers on.
preload=$(ldd "$ourlib/libspice-server.so.1" | awk '$1 ~ /^libasan\.so/ { print $3 }')

run_unit() {
    t=$1; shift
    echo "== $t $*"
    (cd "$work" && env LD_PRELOAD="$preload" ASAN_OPTIONS="detect_leaks=1:abort_on_error=1" \
        timeout -s KILL "$UNIT_TIMEOUT_S" "./$t" "$@") >"$work/$t.log" 2>&1
    rc=$?
    grep -E '^(ok|not ok)' "$work/$t.log"
    [ $rc -eq 0 ] && return 0
    tail -c 3000 "$work/$t.log"
    echo "$t: exit status $rc"
    return 1
}

# Whether PPM file $1 holds more than one colour (a demo draws shapes).
ppm_has_picture() {
    python3 - "$1" <<'EOF'
import sys
d = open(sys.argv[1], 'rb').read()
parts, pos = [], 0
while len(parts) < 4:
    while d[pos:pos + 1].isspace():
        pos += 1
    end = pos
    while not d[end:end + 1].isspace():
        end += 1
    parts.append(d[pos:end]); pos = end
pix = d[pos + 1:]
sys.exit(0 if parts[0] == b'P6' and len(set(pix[i:i + 3] for i in range(0, len(pix), 3))) > 1 else 1)
EOF
}

run_demo() {
    t=$1
    blank_ok=${2:-}
    echo "== $t (demo)"
    (cd "$work" && exec env LD_PRELOAD="$preload" ASAN_OPTIONS="detect_leaks=0:abort_on_error=1" \
        "./$t") >"$work/$t.log" 2>&1 &
    pid=$!
    ports=""
    i=0
    while [ -z "$ports" ] && [ $i -lt $((READY_TIMEOUT_S * 10)) ]; do
        kill -0 $pid 2>/dev/null || break
        ports=$(ss -ltnpH 2>/dev/null | awk -v p="pid=$pid," 'index($0, p) { n = split($4, a, ":"); print a[n] }')
        [ -n "$ports" ] && [ "$t" = test-two-servers ] && [ "$(echo "$ports" | wc -l)" -lt 2 ] && ports=""
        [ -z "$ports" ] && sleep 0.1
        i=$((i + 1))
    done
    ok=0
    [ -n "$ports" ] || { echo "$t: no listening port within ${READY_TIMEOUT_S}s"; ok=1; }
    for port in $ports; do
        if [ "$blank_ok" = audio ]; then
            # A sound demo: a real client must hear it (client/spice-audio-watch.py).
            if timeout -s KILL $((SHOT_TIMEOUT_S + 10)) /usr/bin/python3 \
                "$top_src/tests/client/spice-audio-watch.py" --port "$port" \
                --timeout "$SHOT_TIMEOUT_S" >"$work/$t-$port.watch.log" 2>&1; then
                echo "$t: port $port: sound ok: $(tail -n 1 "$work/$t-$port.watch.log")"
            else
                cat "$work/$t-$port.watch.log"; echo "$t: port $port: no sound heard"; ok=1
            fi
            continue
        fi
        shot=$work/$t-$port.ppm
        rm -f "$shot"
        if ! timeout -s KILL "$SHOT_TIMEOUT_S" spicy-screenshot -h 127.0.0.1 -p "$port" -o "$shot" \
            >"$work/$t-$port.shot.log" 2>&1 || [ ! -s "$shot" ]; then
            cat "$work/$t-$port.shot.log"; echo "$t: no screenshot from port $port"; ok=1
        elif [ "$blank_ok" != blank-ok ] && ! ppm_has_picture "$shot"; then
            echo "$t: the picture from port $port is one colour"; ok=1
        else
            echo "$t: port $port: picture ok"
        fi
    done
    if ! kill -0 $pid 2>/dev/null; then
        echo "$t: exited before it was stopped"; ok=1
    fi
    kill -KILL $pid 2>/dev/null
    wait $pid 2>/dev/null
    # (The demos print a line per cursor poll: show the rest.)
    [ $ok -eq 0 ] || grep -v '^req_cursor_notification$' "$work/$t.log" | tail -n 30
    return $ok
}

command -v apt-get >/dev/null && command -v dpkg-source >/dev/null ||
    skip "apt-get / dpkg-source not installed (Debian packages apt, dpkg-dev)"
command -v spicy-screenshot >/dev/null || skip "spicy-screenshot not installed (spice-client-gtk)"
# The source package, fetched and unpacked once.
apt_source_need spice "$DEB_VERSION" "$cache/src"
tree=$apt_source_tree
build_upstream

work=$top_build/tests/upstream/work
rm -rf "$work" && mkdir -p "$work" || fail "mkdir $work"
# Which library the tests really load: ours, by the rpath above.
echo "our library: $(readlink -f "$ourlib/libspice-server.so.1"), preload: ${preload:-none}"

failed=""
passed=0
while read -r name kind args; do
    case "$name" in ''|'#'*) continue ;; esac
    case "$kind" in
    unit|demo)
        if ! link_test "$name"; then
            grep -o "undefined reference to \`[^']*'" "$work/$name.link" | sort -u | head -n 5
            echo "$name: does not link against the public API alone"
            failed="$failed $name"
            continue
        fi
        # The arguments are shell words (a GLib test path with a space is
        # written with a backslash); tests.txt is ours, not input.
        eval "set -- $args"
        if [ "$kind" = unit ]; then run_unit "$name" "$@"; else run_demo "$name" "$@"; fi
        if [ $? -eq 0 ]; then passed=$((passed + 1)); else failed="$failed $name"; fi
        ;;
    pending|differs|internal|noapi|broken) echo "-- $name: not run ($kind: $args)" ;;
    *) fail "tests.txt: unknown kind '$kind' for $name" ;;
    esac
done < "$list"

echo "upstream tests: $passed passed${failed:+, failed:$failed}"
[ -z "$failed" ]
