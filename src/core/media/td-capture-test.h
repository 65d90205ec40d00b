/* td-capture-test.h: a test pattern as the shared screen
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "td-capture.h"

G_BEGIN_DECLS

#define TD_TYPE_CAPTURE_TEST (td_capture_test_get_type ())

G_DECLARE_FINAL_TYPE (TdCaptureTest, td_capture_test, TD, CAPTURE_TEST, GObject)

TdCaptureTest *td_capture_test_new         (int            width,
                                            int            height,
                                            gboolean       moving);
int            td_capture_test_get_width   (TdCaptureTest *self);
int            td_capture_test_get_height  (TdCaptureTest *self);
gboolean       td_capture_test_get_moving  (TdCaptureTest *self);

G_END_DECLS
