#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# stack.sh: one entry point for set-up, the demo and the tests.
#
#   ./stack.sh demo [ARGS]   install, build, start the stack with a demo guest
#   ./stack.sh demo --linux  the same with a Debian 12 guest under Debian's QEMU:
#                            our s3d_qxl.ko driver, the libdrm demo, our server
#   ./stack.sh test          install, build (sanitized), run the whole suite
#   ./stack.sh build         install and build only
#   ./stack.sh fuzz [SECONDS] each libFuzzer target for SECONDS (600), from
#                            the checked-in seeds and the build tree's corpus
#   ./stack.sh soak [N]      N (100) S3 cycles on QXL, then on virtio-gpu, with
#                            clients coming and going and connection storms;
#                            prints pixel checks, RSS and the leak verdict
#
# Run as root on Debian 12 (it installs Debian packages with apt-get), or as a
# user who already has the packages listed in DEBIAN_PACKAGES.
# Environment: BUILD_DIR (default build), SKIP_APT=1 to skip the install.
set -eu

top=$(cd "$(dirname "$0")" && pwd)
build=${BUILD_DIR:-$top/build}

# Every Debian package the build, the tests and the demo use.
DEBIAN_PACKAGES="autoconf automake libtool pkg-config make gcc clang libclang-rt-14-dev \
libspice-protocol-dev libspice-server-dev libglib2.0-dev libpixman-1-dev libssl-dev \
libsasl2-dev libsasl2-modules sasl2-bin \
liblz4-dev libopus-dev libxxhash-dev linux-libc-dev spice-client-gtk virt-viewer xvfb xauth \
qemu-system-x86 busybox-static python3 python3-gi gir1.2-spiceclientglib-2.0 console-setup-linux \
x11-apps socat linux-headers-amd64 libdrm-dev mmdebstrap e2fsprogs \
dpkg-dev g++ libjpeg-dev zlib1g-dev python3-six python3-pyparsing iproute2 qemu-utils"

install_packages() {
    [ "${SKIP_APT:-0}" = 1 ] && return 0
    missing=""
    for p in $DEBIAN_PACKAGES; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
    done
    if [ "$(id -u)" != 0 ]; then
        [ -z "$missing" ] && return 0
        echo "stack.sh: missing Debian packages:$missing (run as root, or install them)" >&2
        exit 1
    fi
    # Fresh lists every time, and linux-headers-amd64 brought up to them even
    # when installed: the test guests boot the kernel of these headers (our
    # module is built with them), and an older kernel ABI leaves Debian's
    # archive at each point release.
    # A fresh machine's own apt timers may hold the locks for a while.
    apt_get() { DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 "$@"; }
    apt_get update -qq || echo "stack.sh: apt-get update failed; using the lists as they are" >&2
    if [ -n "$missing" ]; then
        echo "stack.sh: installing$missing"
        apt_get install -y -qq --no-install-recommends $missing linux-headers-amd64 >/dev/null
    else
        apt_get install -y -qq --no-install-recommends linux-headers-amd64 >/dev/null ||
            echo "stack.sh: could not bring linux-headers-amd64 up to date; the guests boot" \
                "the installed headers' kernel" >&2
    fi
}

configure_and_build() {
    cfg_args="$*"
    # Its "installing ..." lines go to a log: CI pages show the output's start.
    (cd "$top" && [ -x configure ] && [ configure -nt configure.ac ] ||
        autoreconf -fi >autoreconf.log 2>&1 || { cat autoreconf.log >&2; exit 1; })
    mkdir -p "$build"
    cd "$build"
    # Reconfigure when the options change (e.g. a demo build after a test build).
    if [ ! -f config.status ] || [ "$(cat .stack-config 2>/dev/null)" != "$cfg_args" ]; then
        "$top/configure" $cfg_args >/dev/null
        echo "$cfg_args" > .stack-config
    fi
    make -j"$(nproc)" >/dev/null
}

# Debian's QEMU is not built with sanitizers, so it cannot load a sanitized
# libspice-server: the tests that run QEMU on our server use this plain build
# of the library (everything we run ourselves stays sanitized).
build_plain_server() {
    plain=${BUILD_PLAIN_DIR:-$top/build-plain}
    mkdir -p "$plain"
    (cd "$plain" && { [ -f config.status ] || "$top/configure" >/dev/null; } &&
        make -j"$(nproc)" -C spice >/dev/null && make -j"$(nproc)" -C server >/dev/null)
    S3D_SPICE_LIBDIR=$plain/server/.libs
    export S3D_SPICE_LIBDIR
}

# Turns automake's test-suite summary into the line CI reads.
summarize() {
    log=$1
    get() { sed -n "s/^# $1: *\([0-9]*\).*/\1/p" "$log" | awk '{s+=$1} END {print s+0}'; }
    pass=$(get PASS); fail=$(get FAIL); err=$(get ERROR); xpass=$(get XPASS); skip=$(get SKIP)
    echo "$pass passed, $((fail + err + xpass)) failed, $skip skipped"
}

cmd=${1:-help}
[ $# -gt 0 ] && shift
case "$cmd" in
build)
    install_packages
    configure_and_build --enable-sanitizers
    ;;
test)
    install_packages
    configure_and_build --enable-sanitizers
    build_plain_server
    # In CI a missing peer is a failure, never a skip.
    [ "${CI:-}" = true ] && export S3D_REQUIRE_PEERS=1
    # One line on the machine, first on a CI page: what a run here depends on.
    . "$top/tests/lib/guest-kernel.sh"
    ko=$build/guest-kms/linux/s3d_qxl.ko
    [ -f "$ko" ] || ko=
    echo "stack.sh: $(nproc) cores, $(df -Ph "$build" | awk 'NR == 2 { print $4 }') free disk;" \
        "test guests boot $(guest_kernel_pkg "$ko" 2>/dev/null || echo '(none found)')," \
        "module: ${ko:-not built}"
    cd "$build"
    status=0
    make -j"$(nproc)" check >check.out 2>&1 || status=$?
    # What failed comes first, with the tails of its logs, then the rest: a
    # CI page that shows only the start of the output still shows why.
    failed=$(sed -n 's/^\(FAIL\|ERROR\|XPASS\): //p' check.out)
    grep -E '^(FAIL|ERROR|XPASS):' check.out || true
    for t in $failed; do
        echo "---- $t.log"; tail -n 40 "tests/$t.log" 2>/dev/null || true
    done
    if [ $status -ne 0 ] && [ -z "$failed" ]; then
        echo "---- make check failed outside the tests; the end of its output:"
        tail -n 40 check.out
    fi
    grep -E '^(PASS|SKIP|XFAIL):' check.out || true
    # check.out holds one "# PASS: N" block per test folder; add them up.
    summarize check.out
    exit $status
    ;;
demo)
    install_packages
    # The demo runs unsanitized (a viewer session, not a test).
    build=${BUILD_DIR:-$top/build-demo}
    configure_and_build
    if [ "${1:-}" = --linux ]; then
        shift
        # Debian's QEMU loads this (unsanitized) build of our library.
        S3D_SPICE_LIBDIR=$build/server/.libs
        export S3D_SPICE_LIBDIR
        exec /usr/bin/python3 "$top/tests/linux/linux-demo.py" --cache "$build/tests/linux/guest" \
            --work "$build/linux-demo" --ko "$build/guest-kms/linux/s3d_qxl.ko" \
            --demo "$build/guest-kms/drm/s3d-drm-demo" --control "$build/s3d-control.sock" "$@"
    fi
    # Defaults: 127.0.0.1:5930, a control socket in the build tree; any
    # s3d-stack option may follow (--port, --addr, --suspend-cycle N, ...).
    exec "$build/qemu-hw-qxl/s3d-stack" --control "$build/s3d-control.sock" "$@"
    ;;
soak)
    n=${1:-100}
    case $n in ''|*[!0-9]*) echo "usage: ./stack.sh soak [CYCLES]"; exit 1 ;; esac
    install_packages
    configure_and_build --enable-sanitizers
    status=0
    for dev in qxl virtio-gpu; do
        echo "soak: $n cycles on $dev"
        ASAN_OPTIONS=detect_leaks=1 /usr/bin/python3 "$top/tests/s3/s3-suite.py" \
            --runner "$build/qemu-hw-qxl/s3d-stack" --watch "$top/tests/client/spice-watch.py" \
            --case soak --cycles "$n" --device "$dev" --report "$build/tests/s3-report/soak-$dev" \
            --title "S3 soak: $n cycles on $dev" || status=1
    done
    exit $status
    ;;
fuzz)
    # Long runs outside CI; the suite runs each target 60,000 executions.
    secs=${1:-600}
    case $secs in ''|*[!0-9]*) echo "usage: ./stack.sh fuzz [SECONDS]"; exit 1 ;; esac
    install_packages
    configure_and_build --enable-sanitizers
    cd "$build/tests"
    status=0
    for t in "$top"/tests/fuzz/fuzz-*.sh; do
        name=$(basename "$t" .sh)
        FUZZ_SECONDS=$secs S3D_REQUIRE_PEERS=1 make check TESTS="fuzz/$name.sh" >/dev/null 2>&1 ||
            status=1
        log=fuzz-build/$name.log
        execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
        cov=$(grep -o 'cov: [0-9]* ft: [0-9]*' "$log" | tail -n 1)
        found=$(ls fuzz-build/"$name"-crash-* fuzz-build/"$name"-leak-* fuzz-build/"$name"-timeout-* \
            2>/dev/null | wc -l)
        echo "$name: ${execs:-?} executions in ${secs} s, ${cov:-no coverage line}," \
            "$found findings (fuzz-build/$name-*), log $build/tests/$log"
    done
    exit $status
    ;;
*)
    sed -n '2,14p' "$0"
    exit 1
    ;;
esac
