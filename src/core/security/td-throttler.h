/* td-throttler.h: the host's limit on wrong passwords
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define TD_TYPE_THROTTLER (td_throttler_get_type ())

/**
 * TdThrottlerEvent:
 * @TD_THROTTLER_EVENT_ALLOWED: an attempt may go ahead
 * @TD_THROTTLER_EVENT_REFUSED: an attempt came too early and was refused
 * @TD_THROTTLER_EVENT_FAILURE: an attempt failed (wrong password, bad
 *   protocol)
 * @TD_THROTTLER_EVENT_SUCCESS: an attempt succeeded
 * @TD_THROTTLER_EVENT_ROTATE: so many attempts failed that the one-time
 *   password should be replaced
 */
typedef enum
{
  TD_THROTTLER_EVENT_ALLOWED,
  TD_THROTTLER_EVENT_REFUSED,
  TD_THROTTLER_EVENT_FAILURE,
  TD_THROTTLER_EVENT_SUCCESS,
  TD_THROTTLER_EVENT_ROTATE,
} TdThrottlerEvent;

/**
 * TdThrottlerClock:
 * @user_data: the data given to td_throttler_set_clock()
 *
 * Returns: a monotonic time in milliseconds
 */
typedef gint64 (*TdThrottlerClock) (gpointer user_data);

/**
 * TdThrottlerAuditFunc:
 * @event: what happened
 * @source: (nullable): where the attempt came from (an address)
 * @device: (nullable): the partner's device (fingerprint or ID)
 * @failures: failures counted for this source or device, whichever is
 *   more; for %TD_THROTTLER_EVENT_ROTATE, failures since the last rotation
 * @retry_after_ms: how long the next attempt must wait, 0 if it need not
 * @user_data: the data given to td_throttler_set_audit_func()
 */
typedef void (*TdThrottlerAuditFunc) (TdThrottlerEvent  event,
                                      const char       *source,
                                      const char       *device,
                                      guint             failures,
                                      gint64            retry_after_ms,
                                      gpointer          user_data);

G_DECLARE_FINAL_TYPE (TdThrottler, td_throttler, TD, THROTTLER, GObject)

TdThrottler *td_throttler_new                (void);
void         td_throttler_set_clock          (TdThrottler          *self,
                                              TdThrottlerClock      clock,
                                              gpointer              user_data);
void         td_throttler_set_audit_func     (TdThrottler          *self,
                                              TdThrottlerAuditFunc  func,
                                              gpointer              user_data,
                                              GDestroyNotify        destroy);
gboolean     td_throttler_check              (TdThrottler          *self,
                                              const char           *source,
                                              const char           *device,
                                              gint64               *retry_after_ms);
void         td_throttler_record_failure     (TdThrottler          *self,
                                              const char           *source,
                                              const char           *device);
void         td_throttler_record_success     (TdThrottler          *self,
                                              const char           *source,
                                              const char           *device);
void         td_throttler_password_rotated   (TdThrottler          *self);
gint64       td_throttler_get_delay          (TdThrottler          *self,
                                              guint                 failures);
guint        td_throttler_get_n_entries      (TdThrottler          *self);

G_END_DECLS
