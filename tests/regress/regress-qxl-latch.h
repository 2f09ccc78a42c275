// SPDX-License-Identifier: GPL-2.0-or-later
/* regress-qxl-latch.h: puts the QXL device of a started QxlFixture into its
 * guest-bug state (the latch) the way a broken driver does, for regression
 * programs about what a latched device still does. */
#ifndef REGRESS_QXL_LATCH_H
#define REGRESS_QXL_LATCH_H

#include <stdbool.h>
#include <stdint.h>

#include "qxl-fixture.h"

/* Takes what is pending, then breaks the command and the cursor ring (each
 * producer a thousand items past its consumer, more than the ring holds)
 * and notifies the device.  Returns true once the device latched and its
 * ERROR interrupt is pending (not taken: the line stays high), false if
 * that did not happen before deadline_us (monotonic).  Both rings stay
 * broken until the guest's next QXL_IO_RESET. */
bool regress_qxl_latch(QxlFixture *f, int64_t deadline_us);

#endif /* REGRESS_QXL_LATCH_H */
