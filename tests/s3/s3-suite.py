#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""s3-suite.py: the S3 suite.  The stack runner (s3d-stack) with its demo
guest, a real spice-gtk client connected to it, and suspend/wake cycles
driven through the runner's control socket.

Cases (--case):
  cycles       the client stays connected through N cycles; after each wake
               its picture equals the one before the suspend and the one the
               demo says it drew, pixel for pixel; every few cycles the guest
               leaves 20 frames in flight when the suspend starts; after each
               cycle the driver's books and the device's counts are back to
               their baseline and the device's S3 audit is clean.
  reconnect    a client that disconnects during sleep and reconnects after
               wake, and one that first connects after wake, see the picture.
  sleep_picture  (our server) a client connected through S3 keeps the last
               picture while the guest sleeps, one connecting then gets it,
               and after the wake both get the new one with no surface
               destroy or create.
  faults       drivers that break the sequence (skip FLUSH_RELEASE, destroy
               before flush) are reported with a clear error, in bounded time.
  soak         the cycles case, while other clients connect and go during
               sleep and wake and a connection storm comes every 10 cycles;
               the runner's RSS is sampled, LeakSanitizer runs at its exit
               (./stack.sh soak N; not part of make check).

Writes an HTML report with the before/after screenshots of every cycle in
--report (a folder in the build tree).  Exit 0 if every check held, 1 if
not, 77 when the spice-gtk bindings are missing (unless S3D_REQUIRE_PEERS=1).
"""
import argparse
import contextlib
import glob
import html
import os
import shutil
import socket
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import s3lib  # noqa: E402

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("CHECK failed: " + what, flush=True)
    return cond


class Report:
    """One row per cycle or case, each with a good/bad flag, and a summary
    line at the top: how many rows were good and, over the S3 cycles, the
    median suspend and resume times the runner measured."""

    def __init__(self, folder, title):
        self.folder = folder
        os.makedirs(folder, exist_ok=True)
        self.title = title
        self.rows = []

    def add(self, label, images, good, verdict, suspend_ms=None, resume_ms=None):
        """good: whether the row passed its checks; verdict: what to show
        (words and timings), never compared with anything."""
        names = []
        for tag, ppm in images:
            png = "%s-%s.png" % (label, tag)
            s3lib.ppm_to_png(ppm, os.path.join(self.folder, png))
            names.append((tag, png))
        self.rows.append({"label": label, "images": names, "good": bool(good),
                          "verdict": verdict, "suspend_ms": suspend_ms, "resume_ms": resume_ms})

    def summary(self):
        cycles = [r for r in self.rows if r["suspend_ms"] is not None]
        if cycles:
            good = sum(r["good"] for r in cycles)
            suspend = statistics.median(r["suspend_ms"] for r in cycles)
            resume = statistics.median(r["resume_ms"] for r in cycles)
            return ("%d of %d cycles identical and clean; median suspend %.1f ms, "
                    "median resume %.1f ms" % (good, len(cycles), suspend, resume))
        good = sum(r["good"] for r in self.rows)
        return "%d of %d checks good" % (good, len(self.rows))

    def all_good(self):
        return all(r["good"] for r in self.rows)

    def write(self):
        out = ["<!doctype html><meta charset=utf-8><title>%s</title>" % html.escape(self.title),
               "<style>img{width:320px;border:1px solid #888} td{padding:4px;"
               "vertical-align:top} .good{color:#070} .bad{color:#b00}</style>",
               "<h1>%s</h1>" % html.escape(self.title),
               "<p class=%s>%s</p><table>" % ("good" if self.all_good() else "bad",
                                              html.escape(self.summary()))]
        for r in self.rows:
            cells = "".join("<td>%s<br><img src='%s'></td>" % (html.escape(t), html.escape(p))
                            for t, p in r["images"])
            out.append("<tr><td class=%s>%s<br>%s</td>%s</tr>"
                       % ("good" if r["good"] else "bad", html.escape(r["label"]),
                          html.escape(r["verdict"]), cells))
        out.append("</table>")
        with open(os.path.join(self.folder, "index.html"), "w") as f:
            f.write("\n".join(out))


def resumed(runner, what, timeout=30):
    """Waits for the wake's outcome; a RESUME_FAILED (or any other event
    name) is a failure."""
    ev = runner.wait_event(["RESUMED", "RESUME_FAILED"], timeout=timeout)
    return check(ev["event"] == "RESUMED", "%s: %s" % (what, ev))


def client_picture(watch, path, timeout=30):
    """The client's picture once it stopped changing."""
    r = watch.cmd("wait-idle", ms=300, timeout=timeout)
    check(r.get("ok"), "client: picture never settled: %s" % r)
    r = watch.cmd("snapshot", path=path)
    check(r.get("ok"), "client: no picture: %s" % r)
    return r.get("ok")


def expected_picture(runner, path):
    runner.execute("screendump", path=path)
    ev = runner.wait_event(["SCREENDUMP"], timeout=20)
    check("error" not in ev["data"], "screendump: %s" % ev["data"])


def settled_picture(runner, watch, path, timeout=30):
    """The client's picture once it shows the demo's last frame (the demo
    must be paused): waits for that event, with a deadline, rather than
    taking the first quiet spell, which a loaded machine can put before
    the last frame reaches the client.  A client that never gets there
    (a picture lost in S3) fails the check at the deadline."""
    expect = path + "-expected.ppm"
    expected_picture(runner, expect)
    deadline = time.monotonic() + timeout
    while True:
        client_picture(watch, path)
        bad, first = s3lib.compare_ppm(path, expect)
        if bad == 0 or time.monotonic() > deadline:
            return check(bad == 0, "the client never showed the demo's last frame: %d pixels "
                         "differ, first at %s" % (bad, first))


def same(a, b, what):
    bad, first = s3lib.compare_ppm(a, b)
    check(bad == 0, "%s: %d pixels differ, first at %s" % (what, bad, first))
    return bad == 0


def baseline_of(st):
    """What must not drift from cycle to cycle while the guest runs (the
    driver's command memory is checked where it must be empty: in S3)."""
    dev = st["device"]
    return {"surfaces": st["guest"]["surfaces"],
            "device_errors": dev.get("guest_bugs", dev.get("driver_errors")),
            "failures": st["failures"]}


def one_cycle(runner, watch, work, n, in_flight, report, base, lib, asleep=None, waking=None):
    """One suspend/wake cycle with every check; asleep() runs while the
    machine sleeps, waking() right after the wake is asked for (soak)."""
    tag = "cycle%03d" % n
    failures_before = len(failures)
    before = os.path.join(work, tag + "-before.ppm")
    after = os.path.join(work, tag + "-after.ppm")
    expect = os.path.join(work, tag + "-expected.ppm")
    wst = watch.cmd("status")
    creates, destroys = wst["primary_creates"], wst["primary_destroys"]
    cursor_sets = wst["cursor_sets"]
    resources_before = runner.status()["device"].get("resource_creates")
    frames = 0
    if in_flight:
        runner.execute("cont")
        frames = 20
    else:
        settled_picture(runner, watch, before)
    t0 = time.monotonic()
    runner.execute("suspend", frames_before=frames)
    st = runner.wait_power("suspended", timeout=30)
    # Asleep: the driver gave every command back, the device released all.
    check(st["guest"]["commands_outstanding"] == 0,
          "%s: %d commands outstanding in S3" % (tag, st["guest"]["commands_outstanding"]))
    dev = st["device"]
    if dev["type"] == "qxl":
        # (virtio-gpu keeps its resources' backing pages through S3 on purpose)
        check(st["guest"]["device_allocations"] == 0,
              "%s: %d driver allocations left in device memory in S3"
              % (tag, st["guest"]["device_allocations"]))
        check(dev["commands"] + dev["cursor_commands"] == dev["releases"],
              "%s: device popped %d commands, server released %d"
              % (tag, dev["commands"] + dev["cursor_commands"], dev["releases"]))
        check(dev["s3_unflushed_releases"] == 0 and dev["s3_ring_commands"] == 0
              and dev["destroys_before_flush"] == 0,
              "%s: S3 audit: %s" % (tag, dev["last_problem"]))
    else:
        check(dev["driver_errors"] == 0 and dev["cmd_errors"] == 0,
              "%s: virtio-gpu errors: %s" % (tag, dev))
    if asleep:
        asleep()
    runner.execute("wake")
    if waking:
        waking()
    resumed(runner, tag)
    runner.execute("pause")
    secs = time.monotonic() - t0
    if dev["type"] == "qxl" and lib == "debian":
        # QXL on spice-server: DESTROY_ALL_SURFACES takes the primary; the
        # thaw recreates it.
        r = watch.cmd("wait-primary", creates=creates + 1, timeout=30)
        check(r.get("ok"), "%s: the client got no new primary after wake: %s" % (tag, r))
    settled_picture(runner, watch, after)
    if dev["type"] == "qxl":
        # The thaw restores the cursor: the client must take it, which
        # spice-gtk only does after a CURSOR_INIT that follows the reset.
        wst = watch.cmd("status")
        check(wst["cursor_sets"] > cursor_sets, "%s: the client's cursor channel took no "
              "cursor after wake (%d sets before, %d after)" % (tag, cursor_sets,
                                                                 wst["cursor_sets"]))
    if dev["type"] != "qxl" or lib == "ours":
        # virtio-gpu with freeze_mode: the reset keeps the scanout; QXL on
        # our server: the server keeps the last picture and the thaw's
        # primary of the same size continues it.  Either way the viewer's
        # surface is never destroyed.
        wst = watch.cmd("status")
        new_creates = wst["primary_creates"] - creates if dev["type"] == "qxl" else 0
        check(wst["primary_destroys"] == destroys and new_creates == 0,
              "%s: the client lost its surface (%d destroys, %d creates)"
              % (tag, wst["primary_destroys"] - destroys, new_creates))
    if dev["type"] != "qxl":
        now = runner.status()["device"]["resource_creates"]
        check(now == resources_before, "%s: %d resources created across the cycle"
              % (tag, now - resources_before))
    expected_picture(runner, expect)
    st = runner.status()
    check(baseline_of(st) == base, "%s: books %s, baseline %s" % (tag, baseline_of(st), base))
    ok = same(after, expect, tag + ": client after wake vs the demo's picture")
    if not in_flight:
        ok = same(before, after, tag + ": client before suspend vs after wake") and ok
        images = [("before", before), ("after", after)]
    else:
        images = [("expected", expect), ("after", after)]
    watch_status = watch.cmd("status")
    check(watch_status["connected"], "%s: the client was disconnected" % tag)
    failed = len(failures) - failures_before
    report.add(tag, images, failed == 0, ("same" if ok else "DIFFERENT")
               + (" (20 frames in flight)" if in_flight else "") + ", %.2f s" % secs
               + (", %d checks failed" % failed if failed else ""),
               suspend_ms=st["last_suspend_ms"], resume_ms=st["last_resume_ms"])
    if failed == 0:
        # The report has its PNGs; a good cycle's screen dumps (five of
        # 2.3 MB) would fill the disk over a 1000-cycle soak.
        for ppm in glob.glob(os.path.join(work, glob.escape(tag) + "-*.ppm*")):
            os.unlink(ppm)
    return failed == 0


def mapped_spice_server(pid):
    with open("/proc/%d/maps" % pid) as f:
        for line in f:
            if "libspice-server.so" in line:
                return line.split()[-1]
    return None


def start_pair(args, work, extra=()):
    port = s3lib.free_port()
    runner = s3lib.Runner(args.runner, work, port, list(extra) + ["--device", args.device])
    lib = mapped_spice_server(runner.proc.pid)
    print("libspice-server in s3d-stack: %s" % lib, flush=True)
    if args.expect_lib == "debian":
        check(lib is not None and lib.startswith("/usr/lib/"), "not Debian's library: %s" % lib)
    else:
        check(lib is not None and "/server/.libs/" in lib, "not our library: %s" % lib)
    # The client outlives the run: 15 s a cycle is several times what a
    # cycle takes on a loaded machine (a 1000-cycle soak runs for an hour).
    lifetime = max(1500, 600 + 15 * getattr(args, "cycles", 1))
    watch = s3lib.Watcher(args.watch, port, os.path.join(work, "watch-%d.log" % port),
                          lifetime=lifetime)
    r = watch.cmd("wait-primary", creates=1, timeout=60)
    if not r.get("ok"):
        raise RuntimeError("client never saw the primary: %s" % r)
    return runner, watch


@contextlib.contextmanager
def running_pair(args, work, stopped_badly="s3d-stack did not exit cleanly"):
    """start_pair, and at the end (whatever happened) the watcher stopped and
    the runner's exit status checked."""
    runner, watch = start_pair(args, work)
    try:
        yield runner, watch
    finally:
        watch.stop()
        check(runner.stop() == 0, stopped_badly)


def run_cycles(args, work, report, runner, watch, after=None, **hooks):
    """Pauses the demo and runs --cycles S3 cycles (every fifth with commands
    in flight), calling after(n) when cycle n is done; stops at the first
    failure unless --keep-going.  Checks the runner counted every cycle and
    returns its status.  hooks go to one_cycle (asleep, waking)."""
    runner.execute("pause")
    base = baseline_of(runner.status())
    for n in range(1, args.cycles + 1):
        one_cycle(runner, watch, work, n, in_flight=(n % 5 == 0), report=report, base=base,
                  lib=args.expect_lib, **hooks)
        if after:
            after(n)
        if failures and not args.keep_going:
            break
    st = runner.status()
    check(st["cycles"] == args.cycles, "%d cycles completed, want %d"
          % (st["cycles"], args.cycles))
    return st


def case_cycles(args, work, report):
    with running_pair(args, work) as (runner, watch):
        st = run_cycles(args, work, report, runner, watch)
        closes = watch.cmd("status")["channel_closes"]
        check(closes == 0, "the client saw %d channel closes" % closes)
        print("cycles: %d, last suspend %.1f ms, last resume %.1f ms, device resets %d"
              % (st["cycles"], st["last_suspend_ms"], st["last_resume_ms"],
                 st["device"]["resets"]), flush=True)


def case_reconnect(args, work, report):
    runner, watch = start_pair(args, work)
    late = None
    try:
        runner.execute("pause")
        failures_before = len(failures)
        before = os.path.join(work, "reconnect-before.ppm")
        settled_picture(runner, watch, before)
        runner.execute("suspend")
        runner.wait_power("suspended")
        watch.cmd("disconnect")
        runner.execute("wake")
        resumed(runner, "reconnect: wake")
        r = watch.cmd("connect", timeout=30)
        check(r.get("ok"), "reconnect: %s" % r)
        r = watch.cmd("wait-primary", creates=1, timeout=30)
        after = os.path.join(work, "reconnect-after.ppm")
        settled_picture(runner, watch, after)
        ok = same(before, after, "reconnected client vs before the suspend")
        report.add("reconnect", [("before", before), ("after", after)],
                   len(failures) == failures_before, "same" if ok else "DIFFERENT")
        failures_before = len(failures)
        # A client that first connects after a cycle.
        runner.execute("suspend")
        runner.wait_power("suspended")
        runner.execute("wake")
        resumed(runner, "late client: wake")
        late = s3lib.Watcher(args.watch, runner.port, os.path.join(work, "late.log"))
        r = late.cmd("wait-primary", creates=1, timeout=60)
        check(r.get("ok"), "late client: %s" % r)
        first = os.path.join(work, "late-client.ppm")
        settled_picture(runner, late, first)
        ok = same(before, first, "client connecting after wake vs before the suspend")
        report.add("late-client", [("before", before), ("first-picture", first)],
                   len(failures) == failures_before, "same" if ok else "DIFFERENT")
    finally:
        if late:
            late.stop()
        watch.stop()
        check(runner.stop() == 0, "s3d-stack did not exit cleanly")


def shows(watch, want, path, what, timeout=30):
    """Waits, with a deadline, until the client's settled picture equals
    `want`: a client that just connected may settle before its first frame
    arrived on a loaded machine.  Fails the check at the deadline."""
    deadline = time.monotonic() + timeout
    while True:
        r = watch.cmd("wait-idle", ms=300, timeout=timeout)
        r = watch.cmd("snapshot", path=path)
        bad, first = s3lib.compare_ppm(want, path) if r.get("ok") else (-1, r)
        if bad == 0 or time.monotonic() > deadline:
            return check(bad == 0, "%s: %s pixels differ, first at %s" % (what, bad, first))
        time.sleep(0.1)


def new_picture(runner, watch, old, path, timeout=30):
    """Lets the demo run until the client shows a picture other than `old`
    (bounded), pauses it, and waits for its last frame on the client."""
    runner.execute("cont")
    deadline = time.monotonic() + timeout
    while True:
        r = watch.cmd("snapshot", path=path)
        if r.get("ok") and s3lib.compare_ppm(old, path)[0] != 0:
            break
        if time.monotonic() > deadline:
            runner.execute("pause")
            return check(False, "the demo drew nothing new within %d s" % timeout)
        time.sleep(0.05)
    runner.execute("pause")
    return settled_picture(runner, watch, path)


def case_sleep_picture(args, work, report):
    """The last picture while the guest sleeps (our server only): the QXL
    guest destroys its primary on the way into S3, yet the client connected
    through the cycle keeps the picture (no surface destroy), one that
    connects while the guest sleeps gets it, and after the wake the thaw's
    primary of the same size just continues (no destroy or create) and
    shows the new picture."""
    runner, watch = start_pair(args, work)
    late = None
    try:
        runner.execute("pause")
        fb = len(failures)
        before = os.path.join(work, "sleep-before.ppm")
        settled_picture(runner, watch, before)
        st0 = watch.cmd("status")
        runner.execute("suspend")
        runner.wait_power("suspended", timeout=30)
        kept = os.path.join(work, "sleep-connected.ppm")
        ok = shows(watch, before, kept, "client connected through the suspend, asleep, vs before")
        st1 = watch.cmd("status")
        ok = check(st1["primary_destroys"] == st0["primary_destroys"] and st1["connected"],
                   "the connected client lost its surface in S3: %s" % st1) and ok
        report.add("connected-through", [("before", before), ("asleep", kept)],
                   len(failures) == fb, "same" if ok else "DIFFERENT")
        # This server takes one client at a time (a second kicks the
        # first): the first leaves, a new one connects while asleep.
        fb = len(failures)
        watch.cmd("disconnect")
        late = s3lib.Watcher(args.watch, runner.port, os.path.join(work, "sleep-late.log"))
        r = late.cmd("wait-primary", creates=1, timeout=60)
        check(r.get("ok"), "client connecting in S3 got no picture: %s" % r)
        first = os.path.join(work, "sleep-late.ppm")
        ok = shows(late, before, first, "client connecting while asleep vs before the suspend")
        report.add("connects-asleep", [("before", before), ("asleep", first)],
                   len(failures) == fb, "same" if ok else "DIFFERENT")
        fb = len(failures)
        ls0 = late.cmd("status")
        runner.execute("wake")
        resumed(runner, "sleep-picture: wake")
        after = os.path.join(work, "sleep-after.ppm")
        new_picture(runner, late, before, after)
        ls1 = late.cmd("status")
        check(ls1["primary_destroys"] == ls0["primary_destroys"]
              and ls1["primary_creates"] == ls0["primary_creates"],
              "after the wake the client got %d destroys and %d creates (same size: none)"
              % (ls1["primary_destroys"] - ls0["primary_destroys"],
                 ls1["primary_creates"] - ls0["primary_creates"]))
        late.stop()
        late = None
        r = watch.cmd("connect", timeout=30)
        check(r.get("ok"), "the first client cannot connect again: %s" % r)
        again = os.path.join(work, "sleep-after-first.ppm")
        settled_picture(runner, watch, again)
        ok = same(after, again, "both clients after the wake")
        report.add("after-wake", [("before", before), ("after", after)],
                   len(failures) == fb, "new picture on both" if ok else "DIFFERENT")
    finally:
        if late:
            late.stop()
        watch.stop()
        check(runner.stop() == 0, "s3d-stack did not exit cleanly")


def case_faults(args, work, report):
    # Skipping FLUSH_RELEASE: the freeze fails with a clear error in bounded
    # time, the suspend is aborted, the stack keeps running.
    runner, watch = start_pair(args, work, ["--fault", "skip-flush-release"])
    try:
        t0 = time.monotonic()
        runner.execute("suspend")
        ev = runner.wait_event(["SUSPEND_FAILED", "RESUMED"], timeout=20)
        secs = time.monotonic() - t0
        check(ev["event"] == "SUSPEND_FAILED", "skip-flush-release: %s" % ev)
        err = ev["data"].get("error", "")
        print("skip-flush-release reported in %.1f s: %s" % (secs, err), flush=True)
        ok = check("FLUSH_RELEASE" in err, "skip-flush-release: unclear error: %r" % err)
        st = runner.status()
        ok = check(st["failures"] >= 1 and st["power"] == "running",
                   "after the failed freeze: %s" % st) and ok
        report.add("fault-skip-flush-release", [], ev["event"] == "SUSPEND_FAILED" and ok,
                   "reported: " + err)
    except (s3lib.Timeout, RuntimeError, EOFError) as e:
        runner.diagnose("skip-flush-release: %s: %s" % (type(e).__name__, e))
        raise
    finally:
        watch.stop()
        check(runner.stop() == 0, "s3d-stack did not exit cleanly")
    # Destroying before flushing: the device's audit names it.
    runner, watch = start_pair(args, work, ["--fault", "destroy-before-flush"])
    try:
        runner.execute("suspend", frames_before=5)
        st = wait_asleep(runner, timeout=20)
        problem = st["device"]["last_problem"]
        print("destroy-before-flush reported: %s" % problem, flush=True)
        ok = check(st["device"]["destroys_before_flush"] > 0 and "flushed" in problem,
                   "destroy-before-flush not reported: %s" % st["device"])
        runner.execute("wake")
        ok = resumed(runner, "destroy-before-flush: wake") and ok
        report.add("fault-destroy-before-flush", [], ok, "reported: " + problem)
    except (s3lib.Timeout, RuntimeError, EOFError) as e:
        runner.diagnose("destroy-before-flush: %s: %s" % (type(e).__name__, e))
        raise
    finally:
        watch.stop()
        check(runner.stop() == 0, "s3d-stack did not exit cleanly")


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def connection_storm(port, n=40):
    """n connections at once that stop mid-link or send garbage, then go."""
    socks = []
    for i in range(n):
        try:
            s = socket.create_connection(("127.0.0.1", port), timeout=5)
        except OSError as e:
            check(False, "storm: connection %d refused: %s" % (i, e))
            break
        # Half of them a truncated link header ("REDQ", version), half junk.
        s.sendall(b"REDQ\x02\x00\x00\x00" if i % 2 else os.urandom(24))
        socks.append(s)
    for s in socks:
        s.close()


def case_soak(args, work, report):
    """--cycles cycles with a client connected, while a second client
    connects and goes while the machine sleeps, a third while it wakes,
    and a connection storm every 10 cycles.  The runner's RSS is sampled
    after every cycle; its exit status carries LeakSanitizer's verdict."""
    rss = []
    extra = {}
    runner = None  # set by running_pair below; the hooks run inside it

    def asleep():
        w = s3lib.Watcher(args.watch, runner.port, os.path.join(work, "soak-asleep.log"))
        r = w.cmd("connect", timeout=30)
        check(r.get("ok"), "soak: a client connecting during sleep: %s" % r)
        w.stop()

    def waking():
        extra["w"] = s3lib.Watcher(args.watch, runner.port, os.path.join(work, "soak-waking.log"))

    def after(n):
        w = extra.pop("w", None)
        if w:
            r = w.cmd("wait-primary", creates=1, timeout=30)
            check(r.get("ok"), "soak: the client that connected during the wake: %s" % r)
            w.stop()
        if n % 10 == 0:
            connection_storm(runner.port)
        rss.append(rss_kib(runner.proc.pid))

    with running_pair(args, work, "s3d-stack did not exit cleanly (or LeakSanitizer found leaks)") \
            as (runner, watch):
        run_cycles(args, work, report, runner, watch, after=after, asleep=asleep, waking=waking)
        check(watch.cmd("status")["connected"], "soak: the first client was disconnected")
    if rss:
        report_rss(report, rss)


def report_rss(report, rss):
    """Writes rss.csv (cycle, KiB) beside the report and sums it up: the
    median of each tenth of the run, and the growth per 100 cycles over its
    second half (a least-squares slope), once allocators and caches have
    warmed up.  A figure, not a verdict: timing-like numbers go in notes."""
    with open(os.path.join(report.folder, "rss.csv"), "w") as f:
        f.write("cycle,rss_kib\n")
        for i, kib in enumerate(rss, 1):
            f.write("%d,%d\n" % (i, kib))
    tenth = max(1, len(rss) // 10)
    medians = [int(statistics.median(rss[i:i + tenth])) for i in range(0, len(rss), tenth)]
    half = rss[len(rss) // 2:]
    slope = 0.0
    if len(half) >= 2:
        xs = range(len(half))
        mx, my = statistics.mean(xs), statistics.mean(half)
        sxx = sum((x - mx) ** 2 for x in xs)
        slope = sum((x - mx) * (y - my) for x, y in zip(xs, half)) / sxx
    summary = ("RSS medians per tenth of %d cycles: %s KiB; second half: %+.1f KiB per 100 "
               "cycles; max %d KiB" % (len(rss), " ".join(str(m) for m in medians),
                                       slope * 100, max(rss)))
    print("soak: " + summary, flush=True)
    report.add("soak-rss", [], True, summary)


def wait_asleep(runner, timeout):
    """Polls until the machine sleeps; a freeze that fails (SUSPEND_FAILED)
    or a guest that stops answering ends the wait at once, with its reason."""
    deadline = time.monotonic() + timeout
    while True:
        failed = [e for e in runner.events if e["event"] == "SUSPEND_FAILED"]
        if failed:
            raise RuntimeError("the freeze failed: %s" % failed[0]["data"])
        st = runner.execute("status", timeout=max(1, deadline - time.monotonic()))
        if st["power"] == "suspended":
            return st
        if time.monotonic() > deadline:
            raise s3lib.Timeout("machine not suspended after %d s (power %s, driver_suspended %s, "
                                "last_error %r)" % (timeout, st["power"], st["driver_suspended"],
                                                    st["last_error"]))
        time.sleep(0.02)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runner", required=True, help="s3d-stack (or s3d-stack-debian)")
    ap.add_argument("--watch", required=True, help="spice-watch.py")
    ap.add_argument("--case", choices=["cycles", "reconnect", "faults", "sleep_picture", "soak"],
                    required=True)
    ap.add_argument("--cycles", type=int, default=int(os.environ.get("S3D_S3_CYCLES", "50")),
                    help="cycles for the cycles case (soak: as many as you like)")
    ap.add_argument("--report", required=True, help="folder for the HTML report")
    ap.add_argument("--title", default=None)
    ap.add_argument("--device", choices=["qxl", "virtio-gpu"], default="qxl")
    ap.add_argument("--expect-lib", choices=["ours", "debian"], default="ours",
                    help="which libspice-server the runner must have mapped")
    ap.add_argument("--keep-going", action="store_true", help="do not stop at the first failure")
    args = ap.parse_args()

    probe = os.system("/usr/bin/python3 -c 'import gi; gi.require_version(\"SpiceClientGLib\", \"2.0\"); "
                      "from gi.repository import SpiceClientGLib' 2>/dev/null")
    if probe != 0:
        print("spice-gtk GObject bindings missing (python3-gi, gir1.2-spiceclientglib-2.0)")
        return 1 if os.environ.get("S3D_REQUIRE_PEERS") == "1" else 77
    work = tempfile.mkdtemp(prefix="s3-suite-")
    report = Report(args.report, args.title or "S3 suite: " + args.case)
    try:
        globals()["case_" + args.case](args, work, report)
    except (s3lib.Timeout, RuntimeError, EOFError) as e:
        check(False, "%s: %s" % (type(e).__name__, e))
    report.write()
    print("report: %s (%s)" % (os.path.join(args.report, "index.html"), report.summary()))
    if failures:
        print("%d checks failed; logs kept in %s" % (len(failures), work))
        return 1
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
