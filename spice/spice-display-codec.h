/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* spice-display-codec.h (internal): codecs of bodies with nested data. */
#ifndef SPICE_DISPLAY_CODEC_H
#define SPICE_DISPLAY_CODEC_H

#include "spice-codec.h"

void codec_display_base(SpiceCodec *c, SpiceMsgDisplayBase *b);
void codec_image_ptr(SpiceCodec *c, uint32_t *slot_or_offset);
void codec_image_at(SpiceCodec *c, uint32_t slot_or_offset, SpiceMsgImage *img);
void codec_draw_fill(SpiceCodec *c, SpiceMsgDrawFill *m);
void codec_draw_copy(SpiceCodec *c, SpiceMsgDrawCopy *m);
void codec_copy_bits(SpiceCodec *c, SpiceMsgCopyBits *m);
void codec_stream_create(SpiceCodec *c, SpiceMsgStreamCreate *m);
void codec_stream_data(SpiceCodec *c, SpiceMsgStreamData *m);
void codec_cursor(SpiceCodec *c, SpiceMsgCursor *cur);

#endif /* SPICE_DISPLAY_CODEC_H */
