/* SPDX-License-Identifier: GPL-2.0-or-later */
/* s3d-stack: the stack runner.  One process runs the small machine, the
 * QXL device on a SPICE server (the library this program is linked with:
 * ours when installed, Debian's in the test variant), and a guest image
 * (the demo desktop drawn through guest-kms, s3d-guest-demo.so) that the
 * machine loads and runs on its bus, which sleeps and wakes on command:
 *
 *   s3d-stack [--port 5930] [--addr 127.0.0.1] [--control PATH]
 *             [--suspend-cycle N] [--size WxH] ...
 *   remote-viewer spice://127.0.0.1:5930
 *
 * Control socket commands (JSON lines, see runner-control.h): status,
 * suspend [frames_before], wake, pause, cont, screendump path (what the
 * demo says the screen shows), quit.
 */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/virtio_gpu.h>

#include <glib-unix.h>
#include <glib.h>
#include <spice.h>

#include "runner-control.h"
#include "runner-json.h"
#include "vm-stack.h"

typedef struct Options {
    int port;
    char *addr;
    char *control;
    int suspend_cycles;
    int asleep_ms, awake_ms;
    char *size;
    int fps;
    int ram_mb;
    char *fault;
    char *device;
    char *guest_image;
    char *streaming_video;
    bool exit_after_cycles;
    bool paused;
} Options;

typedef struct Stack {
    Options opt;
    VmStack *st;
    /* borrowed from st, for short lines */
    VmMachine *vm;
    VmCore *core;
    RunnerControl *control;
    /* the unattended cycle (--suspend-cycle) */
    int cycles_left;
    GSource *cycle_timer;
    int exit_code;
} Stack;

static Stack *the_stack; /* for the events posted from the guest thread */

/* ---- events: guest thread -> loop thread -> control clients ---- */

typedef struct PostedEvent {
    char *name, *data;
} PostedEvent;

static void schedule_cycle_step(Stack *s, int ms);

static gboolean deliver_event(gpointer p)
{
    PostedEvent *e = p;
    Stack *s = the_stack;
    printf("event %s %s\n", e->name, e->data);
    fflush(stdout);
    if (s->control) {
        runner_control_broadcast(s->control, e->name, e->data);
    }
    /* The unattended cycle moves on when the guest reports. */
    if (s->cycles_left > 0 && (strcmp(e->name, "RESUMED") == 0 ||
                               strcmp(e->name, "RESUME_FAILED") == 0)) {
        if (--s->cycles_left == 0 && s->opt.exit_after_cycles) {
            GbusGuestStatus st;
            s->st->image->get_status(s->st->guest, &st);
            s->exit_code = st.failures ? 1 : 0;
            vm_core_quit(s->core);
        } else if (s->cycles_left > 0) {
            schedule_cycle_step(s, s->opt.awake_ms);
        }
    }
    return G_SOURCE_REMOVE;
}

static void posted_event_free(gpointer p)
{
    PostedEvent *e = p;
    g_free(e->name);
    g_free(e->data);
    g_free(e);
}

static const char *const event_names[] = {
    [GBUS_GUEST_SUSPENDING] = "SUSPENDING",
    [GBUS_GUEST_SUSPEND_FAILED] = "SUSPEND_FAILED",
    [GBUS_GUEST_RESUMED] = "RESUMED",
    [GBUS_GUEST_RESUME_FAILED] = "RESUME_FAILED",
    [GBUS_GUEST_SCREENDUMP] = "SCREENDUMP",
    [GBUS_GUEST_ERROR] = "GUEST_ERROR",
};

/* The guest's event as the control protocol's JSON object. */
static char *event_data(const GbusGuestEvent *ev)
{
    GString *d = g_string_new("{");
    switch (ev->kind) {
    case GBUS_GUEST_RESUMED:
        g_string_append_printf(d, "\"slept\":%s,\"cycle\":%u,\"suspend_ms\":%.1f,"
                               "\"resume_ms\":%.1f,", ev->slept ? "true" : "false", ev->cycle,
                               ev->suspend_ms, ev->resume_ms);
        break;
    case GBUS_GUEST_SCREENDUMP:
        g_string_append(d, "\"path\":");
        runner_json_append_str(d, ev->path);
        g_string_append_c(d, ',');
        break;
    default:
        break;
    }
    if (ev->error) {
        g_string_append(d, "\"error\":");
        runner_json_append_str(d, ev->error);
        g_string_append_c(d, ',');
    }
    g_string_append_printf(d, "\"tick\":%" G_GUINT64_FORMAT "}", ev->tick);
    return g_string_free(d, FALSE);
}

static void guest_event(void *opaque, const GbusGuestEvent *ev)
{
    Stack *s = opaque;
    if ((unsigned)ev->kind >= G_N_ELEMENTS(event_names)) {
        return;
    }
    PostedEvent *e = g_new0(PostedEvent, 1);
    e->name = g_strdup(event_names[ev->kind]);
    e->data = event_data(ev);
    vm_core_invoke(s->core, deliver_event, e, posted_event_free);
}

/* ---- the unattended cycle: awake_ms running, suspend, asleep_ms, wake ---- */

static gboolean cycle_step(gpointer p)
{
    Stack *s = p;
    g_source_unref(s->cycle_timer);
    s->cycle_timer = NULL;
    if (vm_machine_power_state(s->vm) == VM_POWER_SUSPENDED) {
        vm_machine_wake(s->vm);
    } else if (vm_machine_wait_power_state(s->vm, VM_POWER_RUNNING, 0)) {
        GbusGuestStatus st;
        s->st->image->get_status(s->st->guest, &st);
        if (!st.driver_suspended && s->st->image->request_suspend(s->st->guest, 0) == 0) {
            /* Poll for the sleep: the machine has no event for it. */
            schedule_cycle_step(s, 50);
            return G_SOURCE_REMOVE;
        }
    }
    return G_SOURCE_REMOVE;
}

static gboolean cycle_poll_asleep(gpointer p)
{
    Stack *s = p;
    if (vm_machine_power_state(s->vm) != VM_POWER_SUSPENDED) {
        return G_SOURCE_CONTINUE; /* still freezing; a failed freeze ends in an event */
    }
    g_source_unref(s->cycle_timer);
    s->cycle_timer = g_timeout_source_new((guint)s->opt.asleep_ms);
    g_source_set_callback(s->cycle_timer, cycle_step, s, NULL);
    g_source_attach(s->cycle_timer, vm_core_context(s->core));
    return G_SOURCE_REMOVE;
}

static void schedule_cycle_step(Stack *s, int ms)
{
    if (s->cycle_timer) {
        g_source_destroy(s->cycle_timer);
        g_source_unref(s->cycle_timer);
    }
    s->cycle_timer = g_timeout_source_new((guint)ms);
    bool polling = ms == 50;
    g_source_set_callback(s->cycle_timer, polling ? cycle_poll_asleep : cycle_step, s, NULL);
    g_source_attach(s->cycle_timer, vm_core_context(s->core));
}

/* ---- control commands ---- */

static const char *power_name(VmPowerState p)
{
    return p == VM_POWER_RUNNING ? "running" : p == VM_POWER_SUSPENDED ? "suspended" : "off";
}

static char *status_reply(Stack *s)
{
    GbusGuestStatus g;
    s->st->image->get_status(s->st->guest, &g);
    QxlDeviceStats d = { 0 };
    if (s->st->qxl) {
        qxl_device_get_stats(s->st->qxl, &d);
    }
    VmCoreStats c;
    vm_core_get_stats(s->core, &c);
    GString *r = g_string_new("{\"return\":{");
    g_string_append_printf(r, "\"power\":\"%s\",\"paused\":%s,\"driver_suspended\":%s,"
                           "\"tick\":%" G_GUINT64_FORMAT ",\"width\":%u,\"height\":%u,"
                           "\"cycles\":%u,\"failures\":%u,\"wakes\":%u,"
                           "\"last_suspend_ms\":%.1f,\"last_resume_ms\":%.1f,",
                           power_name(vm_machine_power_state(s->vm)),
                           g.paused ? "true" : "false", g.driver_suspended ? "true" : "false",
                           g.tick, g.width, g.height, g.cycles, g.failures,
                           vm_machine_wake_count(s->vm), g.last_suspend_ms, g.last_resume_ms);
    g_string_append(r, "\"last_error\":");
    runner_json_append_str(r, g.last_error);
    g_string_append_printf(r, ",\"guest\":{\"commands_submitted\":%" G_GUINT64_FORMAT
                           ",\"commands_released\":%" G_GUINT64_FORMAT
                           ",\"commands_outstanding\":%u,\"device_allocations\":%u,"
                           "\"surfaces\":%u,\"resource_creations\":%" G_GUINT64_FORMAT "}",
                           g.books.commands_submitted, g.books.commands_released,
                           g.books.commands_outstanding, g.books.device_allocations,
                           g.books.surfaces, g.books.resource_creations);
    if (s->st->vgpu) {
        VgpuDeviceStats v;
        vgpu_device_get_stats(s->st->vgpu, &v);
        g_string_append_printf(r, ",\"device\":{\"type\":\"virtio-gpu\",\"buffers\":%" G_GUINT64_FORMAT
                               ",\"cmd_errors\":%" G_GUINT64_FORMAT ",\"driver_errors\":%" G_GUINT64_FORMAT
                               ",\"resets\":%" G_GUINT64_FORMAT ",\"kept_resets\":%" G_GUINT64_FORMAT
                               ",\"freeze_acks\":%" G_GUINT64_FORMAT ",\"resources\":%u,"
                               "\"resource_creates\":%" G_GUINT64_FORMAT ",\"last_problem\":",
                               v.buffers, v.cmd_errors, v.driver_errors, v.resets, v.kept_resets,
                               v.freeze_acks, v.resources,
                               v.cmds[VGPU_STAT_CMD(VIRTIO_GPU_CMD_RESOURCE_CREATE_2D)]);
        runner_json_append_str(r, v.last_driver_error);
        g_string_append_printf(r, "},\"clients\":{\"connected\":%u,\"disconnected\":%u}}}",
                               c.connected, c.disconnected);
        return g_string_free(r, FALSE);
    }
    g_string_append_printf(r, ",\"device\":{\"type\":\"qxl\",\"commands\":%" G_GUINT64_FORMAT
                           ",\"cursor_commands\":%" G_GUINT64_FORMAT
                           ",\"releases\":%" G_GUINT64_FORMAT ",\"guest_bugs\":%" G_GUINT64_FORMAT
                           ",\"resets\":%" G_GUINT64_FORMAT ",\"s3_entries\":%" G_GUINT64_FORMAT
                           ",\"s3_unflushed_releases\":%" G_GUINT64_FORMAT
                           ",\"s3_ring_commands\":%" G_GUINT64_FORMAT
                           ",\"destroys_before_flush\":%" G_GUINT64_FORMAT ",\"last_problem\":",
                           d.commands, d.cursor_commands, d.releases, d.guest_bugs, d.resets,
                           d.s3_entries, d.s3_unflushed_releases, d.s3_ring_commands,
                           d.destroys_before_flush);
    runner_json_append_str(r, d.last_s3_problem[0] ? d.last_s3_problem : d.last_guest_bug);
    g_string_append_printf(r, "},\"clients\":{\"connected\":%u,\"disconnected\":%u}}}",
                           c.connected, c.disconnected);
    return g_string_free(r, FALSE);
}

static char *handle_command(void *opaque, GHashTable *cmd)
{
    Stack *s = opaque;
    const char *ex = runner_json_str(cmd, "execute");
    if (strcmp(ex, "status") == 0) {
        return status_reply(s);
    }
    if (strcmp(ex, "suspend") == 0) {
        int64_t n = runner_json_int(cmd, "frames_before", 0);
        if (n < 0 || vm_machine_power_state(s->vm) != VM_POWER_RUNNING ||
            s->st->image->request_suspend(s->st->guest, (unsigned)n) != 0) {
            return g_strdup("{\"error\":{\"desc\":\"not running, or a suspend is pending\"}}");
        }
        return g_strdup("{\"return\":{}}");
    }
    if (strcmp(ex, "wake") == 0) {
        if (vm_machine_wake(s->vm) != 0) {
            return g_strdup("{\"error\":{\"desc\":\"the machine is not asleep\"}}");
        }
        return g_strdup("{\"return\":{}}");
    }
    if (strcmp(ex, "pause") == 0 || strcmp(ex, "cont") == 0) {
        s->st->image->set_paused(s->st->guest, strcmp(ex, "pause") == 0);
        return g_strdup("{\"return\":{}}");
    }
    if (strcmp(ex, "screendump") == 0) {
        const char *path = runner_json_str(cmd, "path");
        if (path == NULL || vm_machine_power_state(s->vm) != VM_POWER_RUNNING ||
            s->st->image->request_screendump(s->st->guest, path) != 0) {
            return g_strdup("{\"error\":{\"desc\":\"need a path, and a running guest\"}}");
        }
        return g_strdup("{\"return\":{}}"); /* a SCREENDUMP event follows */
    }
    if (strcmp(ex, "quit") == 0) {
        vm_core_quit(s->core);
        return g_strdup("{\"return\":{}}");
    }
    return g_strdup("{\"error\":{\"desc\":\"unknown command\"}}");
}

static gboolean on_signal(gpointer p)
{
    Stack *s = p;
    printf("s3d-stack: shutting down\n");
    fflush(stdout);
    vm_core_quit(s->core);
    return G_SOURCE_CONTINUE;
}

/* ---- start and stop ---- */

/* The guest image: --guest-image, else $S3D_GUEST_IMAGE, else the one
 * built beside this program when it runs from the build tree, else the
 * installed one. */
static char *guest_image_path(const Options *opt)
{
    if (opt->guest_image) {
        return g_strdup(opt->guest_image);
    }
    const char *env = g_getenv("S3D_GUEST_IMAGE");
    if (env && *env) {
        return g_strdup(env);
    }
    /* /proc/self/exe has its symlinks resolved: so must the build dir. */
    char *exe = g_file_read_link("/proc/self/exe", NULL);
    char *builddir = realpath(S3D_ABS_BUILDDIR, NULL);
    char *prefix = builddir ? g_strconcat(builddir, "/", NULL) : NULL;
    bool in_build_tree = exe && prefix && g_str_has_prefix(exe, prefix);
    g_free(exe);
    free(builddir);
    g_free(prefix);
    return g_strdup(in_build_tree ? S3D_BUILD_GUEST_IMAGE : S3D_GUEST_IMAGE);
}

static int stack_start(Stack *s)
{
    GbusImageConfig gc = { .width = 1024, .height = 768, .fps = (unsigned)s->opt.fps,
                           .start_paused = s->opt.paused, .fault = s->opt.fault };
    if (s->opt.size && sscanf(s->opt.size, "%ux%u", &gc.width, &gc.height) != 2) {
        fprintf(stderr, "s3d-stack: --size wants WxH\n");
        return -1;
    }
    VmStackConfig cfg = { .ram_size = (uint64_t)s->opt.ram_mb << 20, .device = VM_STACK_QXL,
                          .addr = s->opt.addr, .port = s->opt.port,
                          .loop = VM_STACK_LOOP_CALLER };
    if (s->opt.device && strcmp(s->opt.device, "qxl") != 0) {
        if (strcmp(s->opt.device, "virtio-gpu") != 0) {
            fprintf(stderr, "s3d-stack: --device: qxl or virtio-gpu\n");
            return -1;
        }
        cfg.device = VM_STACK_VIRTIO_GPU;
        gc.virtio_gpu = true;
    }
    if (s->opt.streaming_video) {
        static const char *const modes[] = { "off", "all", "filter" };
        for (unsigned i = 0; i < G_N_ELEMENTS(modes); i++) {
            if (strcmp(s->opt.streaming_video, modes[i]) == 0) {
                cfg.streaming_video = SPICE_STREAM_VIDEO_OFF + (int)i;
            }
        }
        if (cfg.streaming_video == 0) {
            fprintf(stderr, "s3d-stack: --streaming-video: off, filter or all\n");
            return -1;
        }
    }
    VgpuDeviceConfig vcfg;
    vgpu_device_default_config(&vcfg);
    vcfg.width = gc.width;
    vcfg.height = gc.height;
    cfg.vgpu = &vcfg;
    s->st = vm_stack_create(&cfg);
    if (s->st == NULL) {
        return -1;
    }
    s->vm = s->st->vm;
    s->core = s->st->core;
    char *image = guest_image_path(&s->opt);
    int ret = vm_stack_boot(s->st, image, &gc, guest_event, s);
    if (ret != 0 && s->opt.fault && s->st->image) {
        fprintf(stderr, "s3d-stack: --fault: one of %s\n", s->st->image->valid_faults);
    }
    g_free(image);
    if (ret != 0) {
        return -1;
    }
    if (s->opt.control) {
        s->control = runner_control_new(vm_core_context(s->core), s->opt.control, handle_command, s);
        if (s->control == NULL) {
            return -1;
        }
    }
    return 0;
}

static void stack_stop(Stack *s)
{
    if (s->cycle_timer) {
        g_source_destroy(s->cycle_timer);
        g_source_unref(s->cycle_timer);
    }
    runner_control_free(s->control);
    s->control = NULL;
    vm_stack_destroy(s->st);
    s->st = NULL;
}

static void options_free(Options *o)
{
    g_free(o->addr);
    g_free(o->control);
    g_free(o->size);
    g_free(o->fault);
    g_free(o->device);
    g_free(o->guest_image);
    g_free(o->streaming_video);
}

int main(int argc, char **argv)
{
    Stack s = { .opt = { .port = 5930, .addr = NULL, .asleep_ms = 2000, .awake_ms = 3000,
                         .fps = 10, .ram_mb = 128 } };
    GOptionEntry entries[] = {
        { "port", 'p', 0, G_OPTION_ARG_INT, &s.opt.port, "SPICE port (5930)", "PORT" },
        { "addr", 'a', 0, G_OPTION_ARG_STRING, &s.opt.addr, "address to listen on (127.0.0.1)",
          "ADDR" },
        { "control", 'c', 0, G_OPTION_ARG_FILENAME, &s.opt.control,
          "control socket (JSON lines)", "PATH" },
        { "suspend-cycle", 0, 0, G_OPTION_ARG_INT, &s.opt.suspend_cycles,
          "sleep and wake N times, unattended", "N" },
        { "asleep-ms", 0, 0, G_OPTION_ARG_INT, &s.opt.asleep_ms, "time in S3 per cycle (2000)",
          "MS" },
        { "awake-ms", 0, 0, G_OPTION_ARG_INT, &s.opt.awake_ms, "time awake per cycle (3000)",
          "MS" },
        { "paused", 0, 0, G_OPTION_ARG_NONE, &s.opt.paused,
          "start with the animation stopped at frame 0 (a fixed picture)", NULL },
        { "exit-after-cycles", 0, 0, G_OPTION_ARG_NONE, &s.opt.exit_after_cycles,
          "quit after the --suspend-cycle cycles (exit 1 if one failed)", NULL },
        { "size", 0, 0, G_OPTION_ARG_STRING, &s.opt.size, "wanted mode (1024x768)", "WxH" },
        { "fps", 0, 0, G_OPTION_ARG_INT, &s.opt.fps, "demo frames per second (10)", "N" },
        { "ram-mb", 0, 0, G_OPTION_ARG_INT, &s.opt.ram_mb, "guest RAM (128)", "MB" },
        { "device", 0, 0, G_OPTION_ARG_STRING, &s.opt.device,
          "display device: qxl (default) or virtio-gpu", "NAME" },
        { "fault", 0, 0, G_OPTION_ARG_STRING, &s.opt.fault,
          "make the guest driver break the S3 sequence", "NAME" },
        { "guest-image", 0, 0, G_OPTION_ARG_FILENAME, &s.opt.guest_image,
          "the guest image to boot (s3d-guest-demo.so)", "PATH" },
        { "streaming-video", 0, 0, G_OPTION_ARG_STRING, &s.opt.streaming_video,
          "video streams: off (default, as QEMU), filter or all", "MODE" },
        { NULL, 0, 0, 0, NULL, NULL, NULL },
    };
    GOptionContext *oc = g_option_context_new("- the s3-display stack with a demo guest");
    g_option_context_add_main_entries(oc, entries, NULL);
    GError *err = NULL;
    if (!g_option_context_parse(oc, &argc, &argv, &err)) {
        fprintf(stderr, "s3d-stack: %s\n", err->message);
        return 2;
    }
    g_option_context_free(oc);
    /* One line at a time: a log cut by a kill or a hang still ends with the
     * last line printed (a file is otherwise fully buffered). */
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (s.opt.addr == NULL) {
        s.opt.addr = g_strdup("127.0.0.1");
    }
    if (s.opt.port <= 0 || s.opt.port > 65535 || s.opt.fps <= 0 || s.opt.fps > 100 ||
        s.opt.ram_mb < 32 || s.opt.ram_mb > 2048 || s.opt.asleep_ms < 0 || s.opt.awake_ms < 0) {
        fprintf(stderr, "s3d-stack: an option is out of range (see --help)\n");
        return 2;
    }
    the_stack = &s;
    if (stack_start(&s) != 0) {
        stack_stop(&s);
        options_free(&s.opt);
        return 1;
    }
    GbusGuestStatus st;
    s.st->image->get_status(s.st->guest, &st);
    printf("s3d-stack: demo guest at %ux%u on the %s device\n", st.width, st.height,
           s.st->vgpu ? "virtio-gpu" : "QXL");
    printf("viewer: spice://%s:%d   (remote-viewer spice://%s:%d)\n", s.opt.addr, s.opt.port,
           s.opt.addr, s.opt.port);
    if (s.opt.control) {
        printf("control: %s\n", s.opt.control);
    }
    fflush(stdout);
    GMainContext *ctx = vm_core_context(s.core);
    guint sig[2];
    GSource *sigsrc[2];
    int signums[2] = { SIGINT, SIGTERM };
    for (int i = 0; i < 2; i++) {
        sigsrc[i] = g_unix_signal_source_new(signums[i]);
        g_source_set_callback(sigsrc[i], on_signal, &s, NULL);
        sig[i] = g_source_attach(sigsrc[i], ctx);
    }
    (void)sig;
    if (s.opt.suspend_cycles > 0) {
        s.cycles_left = s.opt.suspend_cycles;
        schedule_cycle_step(&s, s.opt.awake_ms);
    }
    vm_core_run(s.core);
    for (int i = 0; i < 2; i++) {
        g_source_destroy(sigsrc[i]);
        g_source_unref(sigsrc[i]);
    }
    s.st->image->get_status(s.st->guest, &st);
    printf("s3d-stack: stopped after %u S3 cycles, %u failures\n", st.cycles, st.failures);
    stack_stop(&s);
    options_free(&s.opt);
    return s.exit_code;
}
