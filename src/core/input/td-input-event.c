/* td-input-event.c: one pointer or keyboard event from the viewer
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Positions are normalized per monitor so they survive scaling on the
 * viewer and different resolutions on the host; keys carry both the keysym
 * (what the viewer meant) and the keycode (which key it was), so the host
 * can type the same character under another layout and still press keys
 * it has no keysym for.
 */
#define G_LOG_DOMAIN "td-input"

#include <math.h>

#include "td-input-event.h"

G_DEFINE_BOXED_TYPE (TdInputEvent, td_input_event, td_input_event_copy, td_input_event_free)

static TdInputEvent *
input_event_new (TdInputEventType type)
{
  TdInputEvent *self = g_new0 (TdInputEvent, 1);

  self->type = type;
  return self;
}

/**
 * td_input_event_new_motion:
 * @monitor: the host monitor's index
 * @x: 0 to 1 across the monitor
 * @y: 0 to 1 down the monitor
 *
 * Returns: (transfer full): a new event
 */
TdInputEvent *
td_input_event_new_motion (guint  monitor,
                           double x,
                           double y)
{
  TdInputEvent *self = input_event_new (TD_INPUT_EVENT_MOTION);

  self->monitor = monitor;
  self->x = x;
  self->y = y;
  return self;
}

TdInputEvent *
td_input_event_new_button (TdPointerButton button,
                           gboolean        pressed)
{
  TdInputEvent *self = input_event_new (TD_INPUT_EVENT_BUTTON);

  self->button = button;
  self->pressed = !!pressed;
  return self;
}

TdInputEvent *
td_input_event_new_scroll_smooth (double dx,
                                  double dy)
{
  TdInputEvent *self = input_event_new (TD_INPUT_EVENT_SCROLL_SMOOTH);

  self->dx = dx;
  self->dy = dy;
  return self;
}

TdInputEvent *
td_input_event_new_scroll_discrete (int steps_x,
                                    int steps_y)
{
  TdInputEvent *self = input_event_new (TD_INPUT_EVENT_SCROLL_DISCRETE);

  self->steps_x = steps_x;
  self->steps_y = steps_y;
  return self;
}

/**
 * td_input_event_new_key:
 * @keysym: the X keysym, 0 if unknown
 * @keycode: the XKB keycode (evdev + 8), 0 if unknown
 * @pressed: pressed or released
 *
 * Returns: (transfer full): a new event
 */
TdInputEvent *
td_input_event_new_key (guint    keysym,
                        guint    keycode,
                        gboolean pressed)
{
  TdInputEvent *self = input_event_new (TD_INPUT_EVENT_KEY);

  self->keysym = keysym;
  self->keycode = keycode;
  self->pressed = !!pressed;
  return self;
}

TdInputEvent *
td_input_event_copy (const TdInputEvent *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return g_memdup2 (self, sizeof *self);
}

void
td_input_event_free (TdInputEvent *self)
{
  g_free (self);
}

/**
 * td_input_event_is_valid:
 * @self: an event, perhaps decoded from the network
 *
 * Returns: %TRUE if every field the type uses is in range: finite
 *   coordinates in [0, 1], a known button, finite scroll deltas of at most
 *   100 steps, a keysym or a keycode
 */
gboolean
td_input_event_is_valid (const TdInputEvent *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  switch (self->type)
    {
    case TD_INPUT_EVENT_MOTION:
      return isfinite (self->x) && isfinite (self->y) &&
             self->x >= 0 && self->x <= 1 && self->y >= 0 && self->y <= 1;

    case TD_INPUT_EVENT_BUTTON:
      return self->button >= TD_POINTER_BUTTON_LEFT && self->button <= TD_POINTER_BUTTON_FORWARD;

    case TD_INPUT_EVENT_SCROLL_SMOOTH:
      return isfinite (self->dx) && isfinite (self->dy) &&
             fabs (self->dx) <= 100 && fabs (self->dy) <= 100;

    case TD_INPUT_EVENT_SCROLL_DISCRETE:
      return ABS (self->steps_x) <= 100 && ABS (self->steps_y) <= 100;

    case TD_INPUT_EVENT_KEY:
      return self->keysym != 0 || (self->keycode >= 8 && self->keycode <= 255);

    default:
      return FALSE;
    }
}
