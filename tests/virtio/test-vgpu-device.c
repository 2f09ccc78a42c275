/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-vgpu-device: the virtio-gpu device and its guest driver on
 * whichever libspice-server this program was linked with: probe and
 * feature negotiation, the 2D commands through the KMS layer, the picture
 * the server shows (pixel-exact), overlays, cursor, mode change, the
 * common-config layout with and without freeze_mode, and the reset that
 * wipes everything when the feature is off. */
#include "config.h"

#include <string.h>

#include <linux/virtio_config.h>
#include <linux/virtio_gpu.h>
#include <linux/virtio_pci.h>

#include "virtio-pci-freeze.h"
#include "test-util.h"
#include "vgpu-fixture.h"

#define W 1024
#define H 768
#define ALL_FEATURES ((UINT64_C(1) << VIRTIO_F_FREEZE_MODE) | (UINT64_C(1) << VIRTIO_F_SUSPEND))

static VgpuFixture fx;

static void start(const VgpuDeviceConfig *cfg)
{
    if (vgpu_fixture_start(&fx, cfg) != 0) {
        fprintf(stderr, "fixture failed to start\n");
        exit(1);
    }
}

static uint64_t cmd_count(uint32_t type)
{
    VgpuDeviceStats st;
    vgpu_device_get_stats(fx.dev, &st);
    return st.cmds[VGPU_STAT_CMD(type)];
}

static void test_probe_and_features(void)
{
    start(NULL);
    CHECK(vgpu_fixture_open_raw(&fx, ALL_FEATURES) == 0);
    CHECK(fx.hw.device_features >> VIRTIO_F_VERSION_1 & 1);
    CHECK(gvgpu_hw_has(&fx.hw, VIRTIO_F_FREEZE_MODE));
    CHECK(gvgpu_hw_has(&fx.hw, VIRTIO_F_SUSPEND));
    CHECK_EQ_U64(gvgpu_hw_status(&fx.hw), VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
                                              VIRTIO_CONFIG_S_FEATURES_OK | VIRTIO_CONFIG_S_DRIVER_OK);
    CHECK(fx.hw.pm_cap != 0);
    CHECK(fx.hw.no_soft_reset);
    CHECK_EQ_U64(fx.hw.common_len, VIRTIO_PCI_COMMON_CFG_SIZE_FREEZE);
    CHECK_EQ_U64(gvgpu_hw_common_read(&fx.hw, VIRTIO_PCI_COMMON_NUMQ, 2), 2);
    /* A feature the device never offered (VIRGL): FEATURES_OK stays clear. */
    gvgpu_hw_common_write(&fx.hw, VIRTIO_PCI_COMMON_STATUS, 0, 1);
    gvgpu_hw_common_write(&fx.hw, VIRTIO_PCI_COMMON_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER, 1);
    gvgpu_hw_common_write(&fx.hw, VIRTIO_PCI_COMMON_GFSELECT, 0, 4);
    gvgpu_hw_common_write(&fx.hw, VIRTIO_PCI_COMMON_GF, 1u << VIRTIO_GPU_F_VIRGL, 4);
    gvgpu_hw_common_write(&fx.hw, VIRTIO_PCI_COMMON_GFSELECT, 1, 4);
    gvgpu_hw_common_write(&fx.hw, VIRTIO_PCI_COMMON_GF, 1, 4); /* VERSION_1 */
    gvgpu_hw_common_write(&fx.hw, VIRTIO_PCI_COMMON_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE |
                          VIRTIO_CONFIG_S_DRIVER | VIRTIO_CONFIG_S_FEATURES_OK, 1);
    CHECK(!(gvgpu_hw_status(&fx.hw) & VIRTIO_CONFIG_S_FEATURES_OK));
    /* and the device is usable again after a reset */
    CHECK(gvgpu_hw_init(&fx.hw, 0, true) == 0);
    vgpu_fixture_stop(&fx);
}

static void test_scanout_pixel_exact(void)
{
    start(NULL);
    CHECK(vgpu_fixture_open_guest(&fx, NULL) == 0);
    GkmsMode modes[4];
    CHECK_EQ_U64(gkms_connector_modes(fx.kms, modes, 4), 1);
    CHECK_EQ_U64(modes[0].width, W);
    CHECK_EQ_U64(modes[0].height, H);
    GkmsDumb *fb = gkms_dumb_create(fx.kms, W, H);
    vgpu_fixture_pattern(gkms_dumb_map(fb), 1);
    CHECK(gkms_crtc_set(fx.kms, fb, &modes[0]) == 0);
    pixman_image_t *shot = vgpu_fixture_screen(&fx);
    CHECK(shot != NULL);
    CHECK(vgpu_fixture_same_picture(shot, gkms_dumb_map(fb)));
    vgpu_fixture_unref(shot);
    /* damage: a changed rectangle only */
    pixman_image_t *img = gkms_dumb_map(fb);
    pixman_color_t red = { 0xffff, 0, 0, 0xffff };
    pixman_box32_t box = { 100, 50, 300, 90 };
    pixman_image_fill_boxes(PIXMAN_OP_SRC, img, &red, 1, &box);
    uint64_t transfers = cmd_count(VIRTIO_GPU_CMD_TRANSFER_TO_HOST_2D);
    CHECK(gkms_fb_dirty(fx.kms, &box, 1) == 0);
    shot = vgpu_fixture_screen(&fx);
    CHECK(vgpu_fixture_same_picture(shot, img));
    vgpu_fixture_unref(shot);
    CHECK_EQ_U64(cmd_count(VIRTIO_GPU_CMD_TRANSFER_TO_HOST_2D), transfers + 1);
    CHECK_EQ_U64(cmd_count(VIRTIO_GPU_CMD_RESOURCE_CREATE_2D), 1);
    CHECK_EQ_U64(cmd_count(VIRTIO_GPU_CMD_RESOURCE_ATTACH_BACKING), 1);
    CHECK_EQ_U64(cmd_count(VIRTIO_GPU_CMD_SET_SCANOUT), 1);
    VgpuDeviceStats st;
    vgpu_device_get_stats(fx.dev, &st);
    CHECK_EQ_U64(st.primary_creates, 1);
    CHECK_EQ_U64(st.cmd_errors, 0);
    CHECK_EQ_U64(st.driver_errors, 0);
    CHECK(st.draws >= 2);
    gkms_dumb_destroy(fb); /* after close below would be too late for fb */
    vgpu_fixture_stop(&fx);
}

static void test_overlay_cursor_mode_change(void)
{
    start(NULL);
    CHECK(vgpu_fixture_open_guest(&fx, NULL) == 0);
    GkmsMode mode = { W, H };
    GkmsDumb *fb = gkms_dumb_create(fx.kms, W, H);
    vgpu_fixture_pattern(gkms_dumb_map(fb), 2);
    CHECK(gkms_crtc_set(fx.kms, fb, &mode) == 0);
    GkmsSurface *s = gkms_surface_create(fx.kms, 64, 32);
    CHECK(s != NULL);
    pixman_box32_t sb = { 0, 0, 64, 32 };
    CHECK(gkms_surface_fill(s, &sb, 0x123456) == 0);
    CHECK(gkms_plane_set(fx.kms, 0, s, 500, 400) == 0);
    /* expected: the framebuffer with the overlay on top */
    pixman_image_t *want = pixman_image_create_bits(PIXMAN_x8r8g8b8, W, H, NULL, 0);
    pixman_image_composite32(PIXMAN_OP_SRC, gkms_dumb_map(fb), NULL, want, 0, 0, 0, 0, 0, 0, W, H);
    pixman_color_t c = { 0x1212, 0x3434, 0x5656, 0xffff };
    pixman_box32_t ob = { 500, 400, 564, 432 };
    pixman_image_fill_boxes(PIXMAN_OP_SRC, want, &c, 1, &ob);
    pixman_image_t *shot = vgpu_fixture_screen(&fx);
    CHECK(vgpu_fixture_same_picture(shot, want));
    vgpu_fixture_unref(shot);
    pixman_image_t *cur = pixman_image_create_bits(PIXMAN_a8r8g8b8, 32, 32, NULL, 0);
    CHECK(gkms_cursor_set(fx.kms, cur, 1, 1) == 0);
    CHECK(gkms_cursor_move(fx.kms, 40, 40) == 0);
    pixman_image_unref(cur);
    /* mode change: a smaller scanout, a new primary surface */
    GkmsMode small = { 640, 480 };
    CHECK(gkms_crtc_set(fx.kms, fb, &small) == 0);
    shot = vgpu_fixture_screen(&fx);
    CHECK(shot != NULL && pixman_image_get_width(shot) == 640);
    vgpu_fixture_unref(shot);
    gkms_surface_destroy(s);
    GkmsStats gs;
    gkms_get_stats(fx.kms, &gs);
    CHECK_EQ_U64(gs.commands_outstanding, 0);
    VgpuDeviceStats st;
    vgpu_device_get_stats(fx.dev, &st);
    CHECK_EQ_U64(st.cmds[VGPU_STAT_CMD(VIRTIO_GPU_CMD_UPDATE_CURSOR)], 1);
    CHECK_EQ_U64(st.cmds[VGPU_STAT_CMD(VIRTIO_GPU_CMD_MOVE_CURSOR)], 1);
    CHECK_EQ_U64(st.cmds[VGPU_STAT_CMD(VIRTIO_GPU_CMD_RESOURCE_UNREF)], 2); /* old scanout, surface */
    CHECK_EQ_U64(st.resources, 2);     /* the new scanout and the cursor */
    CHECK_EQ_U64(st.primary_creates, 2);
    CHECK_EQ_U64(st.cmd_errors, 0);
    pixman_image_unref(want);
    gkms_dumb_destroy(fb);
    vgpu_fixture_stop(&fx);
}

/* Programs the same values into a device's common configuration and
 * returns its bytes as the driver reads them. */
static void common_bytes(bool offer_freeze, uint8_t *out, uint32_t *cap_len, uint32_t *freeze_read)
{
    VgpuDeviceConfig cfg;
    vgpu_device_default_config(&cfg);
    cfg.offer_freeze = offer_freeze;
    start(&cfg);
    CHECK(vgpu_fixture_open_raw(&fx, ALL_FEATURES) == 0);
    *cap_len = fx.hw.common_len;
    gvgpu_hw_common_write(&fx.hw, VIRTIO_PCI_COMMON_DFSELECT, 1, 4);
    gvgpu_hw_common_write(&fx.hw, VIRTIO_PCI_COMMON_GFSELECT, 1, 4);
    gvgpu_hw_common_write(&fx.hw, VIRTIO_PCI_COMMON_Q_SELECT, 1, 2);
    for (uint32_t off = 0; off < VIRTIO_PCI_COMMON_FREEZE_MODE; off++) {
        out[off] = (uint8_t)gvgpu_hw_common_read(&fx.hw, off, 1);
    }
    /* A write where freeze_mode would be: without the feature nothing is
     * there, so nothing changes and nothing breaks. */
    gvgpu_hw_common_write(&fx.hw, VIRTIO_PCI_COMMON_FREEZE_MODE, 7, 2);
    *freeze_read = gvgpu_hw_common_read(&fx.hw, VIRTIO_PCI_COMMON_FREEZE_STATUS, 2);
    vgpu_fixture_stop(&fx);
}

static void test_common_cfg_layout(void)
{
    /* freeze_mode sits after every field virtio 1.3 defines. */
    CHECK_EQ_U64(sizeof(struct virtio_pci_common_cfg), VIRTIO_PCI_COMMON_Q_USEDHI + 4);
    CHECK(VIRTIO_PCI_COMMON_Q_NDATA >= sizeof(struct virtio_pci_common_cfg));
    CHECK_EQ_U64(VIRTIO_PCI_COMMON_Q_RESET, VIRTIO_PCI_COMMON_Q_NDATA + 2);
    CHECK_EQ_U64(VIRTIO_PCI_COMMON_FREEZE_MODE, VIRTIO_PCI_COMMON_ADMIN_Q_NUM + 2);
    CHECK_EQ_U64(VIRTIO_PCI_COMMON_FREEZE_STATUS, VIRTIO_PCI_COMMON_FREEZE_MODE + 2);
    uint8_t on[VIRTIO_PCI_COMMON_FREEZE_MODE], off[VIRTIO_PCI_COMMON_FREEZE_MODE];
    uint32_t len_on, len_off, fr_on, fr_off;
    common_bytes(true, on, &len_on, &fr_on);
    common_bytes(false, off, &len_off, &fr_off);
    CHECK_EQ_U64(len_on, VIRTIO_PCI_COMMON_CFG_SIZE_FREEZE);
    CHECK_EQ_U64(len_off, VIRTIO_PCI_COMMON_FREEZE_MODE);
    /* No field moves: the first 64 bytes read the same, except the feature
     * word that names the freeze bit (DF with select 1, GF with select 1). */
    for (uint32_t i = 0; i < VIRTIO_PCI_COMMON_FREEZE_MODE; i++) {
        bool feature_word = (i >= VIRTIO_PCI_COMMON_DF && i < VIRTIO_PCI_COMMON_DF + 4) ||
                            (i >= VIRTIO_PCI_COMMON_GF && i < VIRTIO_PCI_COMMON_GF + 4);
        if (!feature_word && on[i] != off[i]) {
            fprintf(stderr, "common cfg byte %u differs: %u vs %u\n", i, on[i], off[i]);
            CHECK(on[i] == off[i]);
        }
    }
    uint32_t df_on, df_off;
    memcpy(&df_on, on + VIRTIO_PCI_COMMON_DF, 4);
    memcpy(&df_off, off + VIRTIO_PCI_COMMON_DF, 4);
    CHECK_EQ_U64(df_on ^ df_off, 1u << (VIRTIO_F_FREEZE_MODE - 32));
    CHECK_EQ_U64(on[VIRTIO_PCI_COMMON_Q_SELECT], 1);
    CHECK_EQ_U64(on[VIRTIO_PCI_COMMON_Q_NOFF], 1);
    CHECK_EQ_U64(fr_on, 0);   /* 7 is reserved: refused, status untouched */
    CHECK_EQ_U64(fr_off, 0);
}

/* Without freeze_mode, a reset is QEMU's: resources and primary are gone. */
static void test_reset_without_feature_wipes(void)
{
    start(NULL);
    GvgpuOptions opt;
    gvgpu_default_options(&opt);
    opt.accept_freeze = false;
    CHECK(vgpu_fixture_open_guest(&fx, &opt) == 0);
    GkmsMode mode = { W, H };
    GkmsDumb *fb = gkms_dumb_create(fx.kms, W, H);
    vgpu_fixture_pattern(gkms_dumb_map(fb), 3);
    CHECK(gkms_crtc_set(fx.kms, fb, &mode) == 0);
    pixman_image_t *shot = vgpu_fixture_screen(&fx);
    CHECK(vgpu_fixture_same_picture(shot, gkms_dumb_map(fb)));
    vgpu_fixture_unref(shot);
    VgpuDeviceStats st;
    vgpu_device_get_stats(fx.dev, &st);
    CHECK_EQ_U64(st.resources, 1);
    vm_machine_reset(fx.vm);
    vgpu_device_get_stats(fx.dev, &st);
    CHECK_EQ_U64(st.resources, 0);
    CHECK_EQ_U64(st.primary_destroys, 1);
    CHECK_EQ_U64(st.kept_resets, 0);
    CHECK(vgpu_device_snapshot(fx.dev) == NULL);
    gkms_dumb_destroy(fb);
    vgpu_fixture_stop(&fx);
}

int main(int argc, char **argv)
{
    static const TestCase cases[] = {
        TEST_CASE(test_probe_and_features),
        TEST_CASE(test_scanout_pixel_exact),
        TEST_CASE(test_overlay_cursor_mode_change),
        TEST_CASE(test_common_cfg_layout),
        TEST_CASE(test_reset_without_feature_wipes),
    };
    if (test_check_spice_server(S3D_WANT_OUR_SERVER) != 0) {
        return 1;
    }
    return test_main(argc, argv, cases, sizeof(cases) / sizeof(cases[0]));
}
