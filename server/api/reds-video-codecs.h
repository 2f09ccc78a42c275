/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* reds-video-codecs.h: what spice_server_set_video_codecs leaves usable. */
#ifndef REDS_VIDEO_CODECS_H
#define REDS_VIDEO_CODECS_H

#include <stdbool.h>

#include "reds-private.h"

/* Whether the host's list lets video streams use our only encoder, the
 * built-in MJPEG one ("spice:mjpeg"); true before any list was set, as the
 * real library's default list has it. */
bool reds_video_codecs_allow_mjpeg(const RedsState *reds);

#endif /* REDS_VIDEO_CODECS_H */
