# SPDX-License-Identifier: GPL-2.0-or-later
"""spice_agent_client.py: a spice-gtk client (SpiceClientGLib) driven from a
test, for the agent's clipboard and monitors config.  Used by
test-agent-clipboard.py (scripted agent) and tests/linux/linux-agent.py
(spice-vdagent in a Debian guest).

AgentClient(port) connects to 127.0.0.1:port and records what the agent
sends through spice-gtk's signals:
- grabs:      (selection, [types]) the agent announced
               (main-clipboard-selection-grab);
- selections: (selection, type, bytes) it sent (main-clipboard-selection);
- requests:   (selection, type) it asked the client for; each is answered at
              once with client_text (clipboard_selection_notify).
wait(what, cond, timeout) iterates GLib's default context until cond() is
true, bounded; every blocking iteration is cut by a 100 ms tick.

Importing this module when the bindings are missing raises
MissingBindings (the caller decides between skip and failure).
"""
import ctypes

UTF8_TEXT = 1           # VD_AGENT_CLIPBOARD_UTF8_TEXT
SELECTION = 0           # VD_AGENT_CLIPBOARD_SELECTION_CLIPBOARD
CAP_CLIPBOARD_BY_DEMAND = 5


class MissingBindings(ImportError):
    pass


class Fail(Exception):
    pass


try:
    import gi
    gi.require_version("SpiceClientGLib", "2.0")
    from gi.repository import GLib, GObject, SpiceClientGLib as Spice
except (ImportError, ValueError) as e:
    raise MissingBindings(str(e))


def wait(what, cond, timeout, log=print):
    ctx = GLib.MainContext.default()
    deadline = GLib.get_monotonic_time() + int(timeout * 1000000)
    tick = GLib.timeout_add(100, lambda: True)  # bounds each blocking iteration
    try:
        while not cond():
            if GLib.get_monotonic_time() > deadline:
                raise Fail("timed out (%g s) waiting for %s" % (timeout, what))
            ctx.iteration(True)
    finally:
        GLib.source_remove(tick)
    log("ok: " + what)


def pump(seconds):
    """Runs GLib's default context for that long (the client keeps
    answering while the caller waits on something else)."""
    ctx = GLib.MainContext.default()
    end = GLib.get_monotonic_time() + int(seconds * 1000000)
    tick = GLib.timeout_add(50, lambda: True)
    try:
        while GLib.get_monotonic_time() < end:
            ctx.iteration(True)
    finally:
        GLib.source_remove(tick)


class AgentClient:
    def __init__(self, port, log=print):
        self.log = log
        self.main = None
        self.inputs = None
        self.grabs = []
        self.selections = []
        self.requests = []
        self.client_text = b""
        self.session = Spice.Session()
        self.session.set_property("host", "127.0.0.1")
        self.session.set_property("port", str(port))
        self.session.set_property("enable-audio", False)  # the agent only
        GObject.Object.connect(self.session, "channel-new", self._on_channel_new)
        if not self.session.connect():
            raise Fail("spice-gtk could not start connecting")

    def wait(self, what, cond, timeout):
        wait(what, cond, timeout, self.log)

    def agent_connected(self):
        return self.main is not None and self.main.get_property("agent-connected")

    def _on_channel_new(self, session, chan):
        if isinstance(chan, Spice.InputsChannel):
            self.inputs = chan
            chan.connect()
        if isinstance(chan, Spice.MainChannel):
            self.main = chan
            GObject.Object.connect(chan, "main-clipboard-selection-grab", self._on_grab)
            GObject.Object.connect(chan, "main-clipboard-selection", self._on_selection)
            GObject.Object.connect(chan, "main-clipboard-selection-request", self._on_request)

    def _on_grab(self, chan, selection, types, ntypes):
        # gi hands the guint32 array as a list (annotated) or as a pointer.
        if isinstance(types, int):
            types = list((ctypes.c_uint32 * ntypes).from_address(types)) if types else []
        self.grabs.append((selection, list(types)[:ntypes]))
        return True

    def _on_selection(self, chan, selection, type_, data, size):
        self.selections.append((selection, type_, ctypes.string_at(data, size)))

    def _on_request(self, chan, selection, type_):
        self.requests.append((selection, type_))
        chan.clipboard_selection_notify(selection, type_, self.client_text)
        return True

    def request_text(self):
        self.main.clipboard_selection_request(SELECTION, UTF8_TEXT)

    def grab_text(self, text):
        """Offers text as the client's clipboard; the agent's requests get it."""
        self.client_text = text
        self.main.clipboard_selection_grab(SELECTION, [UTF8_TEXT])

    def send_monitor(self, width, height):
        self.main.update_display_enabled(0, True, False)
        self.main.update_display(0, 0, 0, width, height, False)
        if not self.main.send_monitor_config():
            raise Fail("spice-gtk refused to send the monitors config")

    def client_mouse(self):
        """The server put the session in client mouse mode."""
        return self.main is not None and self.main.get_property("mouse-mode") == 2

    def mouse_position(self, x, y, buttons=0):
        """A client-mode pointer position on display 0 (INPUTS_MOUSE_POSITION)."""
        self.inputs.position(x, y, 0, buttons)

    def disconnect(self):
        self.session.disconnect()
