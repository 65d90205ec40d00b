/* td-capture.h: where the host's screen pictures come from
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <gst/gst.h>

G_BEGIN_DECLS

/**
 * TdCaptureKind:
 * @TD_CAPTURE_KIND_AUTO: choose from the environment
 * @TD_CAPTURE_KIND_TEST: a test pattern (videotestsrc)
 * @TD_CAPTURE_KIND_X11: an X11 screen (ximagesrc, XDamage)
 * @TD_CAPTURE_KIND_PORTAL: the ScreenCast portal (Wayland, Flatpak)
 */
typedef enum
{
  TD_CAPTURE_KIND_AUTO,
  TD_CAPTURE_KIND_TEST,
  TD_CAPTURE_KIND_X11,
  TD_CAPTURE_KIND_PORTAL,
} TdCaptureKind;

/**
 * TdCaptureMonitor:
 * @x: left edge in screen pixels
 * @y: top edge in screen pixels
 * @width: width in pixels
 * @height: height in pixels
 * @primary: whether this is the primary monitor
 */
typedef struct
{
  int      x;
  int      y;
  int      width;
  int      height;
  gboolean primary;
} TdCaptureMonitor;

#define TD_TYPE_CAPTURE (td_capture_get_type ())

G_DECLARE_INTERFACE (TdCapture, td_capture, TD, CAPTURE, GObject)

struct _TdCaptureInterface
{
  GTypeInterface parent_iface;

  /* Main thread. */
  TdCaptureKind  (*get_kind)       (TdCapture  *self);
  GstElement    *(*create_source)  (TdCapture  *self,
                                    GError    **error);
  GArray        *(*get_monitors)   (TdCapture  *self);

  /* Streaming thread: whether @buffer differs from the last frame passed.
   * NULL means the host pipeline compares the pixels itself. */
  gboolean       (*frame_changed)  (TdCapture  *self,
                                    GstBuffer  *buffer);
};

TdCaptureKind  td_capture_get_kind              (TdCapture      *self);
GstElement    *td_capture_create_source         (TdCapture      *self,
                                                 GError        **error);
GArray        *td_capture_get_monitors          (TdCapture      *self);
gboolean       td_capture_has_change_detection  (TdCapture      *self);
gboolean       td_capture_frame_changed         (TdCapture      *self,
                                                 GstBuffer      *buffer);

const char    *td_capture_kind_to_string        (TdCaptureKind   kind);
TdCaptureKind  td_capture_kind_from_string      (const char     *name);
TdCaptureKind  td_capture_kind_for_environment  (void);
TdCapture     *td_capture_new_for_kind          (TdCaptureKind   kind,
                                                 GError        **error);
TdCapture     *td_capture_new_auto              (TdCaptureKind   preference,
                                                 GError        **error);
void           td_capture_new_async             (TdCaptureKind        preference,
                                                 gboolean             remote_desktop,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
TdCapture     *td_capture_new_finish            (GAsyncResult        *result,
                                                 GError             **error);

G_END_DECLS
