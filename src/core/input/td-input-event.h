/* td-input-event.h: one pointer or keyboard event from the viewer
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/**
 * TdInputEventType:
 * @TD_INPUT_EVENT_MOTION: the pointer moved to an absolute position
 * @TD_INPUT_EVENT_BUTTON: a pointer button was pressed or released
 * @TD_INPUT_EVENT_SCROLL_SMOOTH: smooth scrolling (touchpad), in wheel steps
 * @TD_INPUT_EVENT_SCROLL_DISCRETE: wheel clicks
 * @TD_INPUT_EVENT_KEY: a key was pressed or released
 */
typedef enum
{
  TD_INPUT_EVENT_MOTION,
  TD_INPUT_EVENT_BUTTON,
  TD_INPUT_EVENT_SCROLL_SMOOTH,
  TD_INPUT_EVENT_SCROLL_DISCRETE,
  TD_INPUT_EVENT_KEY,
} TdInputEventType;

/**
 * TdPointerButton:
 * @TD_POINTER_BUTTON_LEFT: the primary button
 * @TD_POINTER_BUTTON_MIDDLE: the middle button
 * @TD_POINTER_BUTTON_RIGHT: the secondary button
 * @TD_POINTER_BUTTON_BACK: the "back" side button
 * @TD_POINTER_BUTTON_FORWARD: the "forward" side button
 */
typedef enum
{
  TD_POINTER_BUTTON_LEFT = 1,
  TD_POINTER_BUTTON_MIDDLE,
  TD_POINTER_BUTTON_RIGHT,
  TD_POINTER_BUTTON_BACK,
  TD_POINTER_BUTTON_FORWARD,
} TdPointerButton;

/**
 * TdInputEvent:
 * @type: what happened
 * @monitor: for %TD_INPUT_EVENT_MOTION, the index of the host's monitor
 *   (as in the capture's monitor list)
 * @x: for motion, 0 (left edge) to 1 (right edge) of that monitor
 * @y: for motion, 0 (top edge) to 1 (bottom edge) of that monitor
 * @button: for %TD_INPUT_EVENT_BUTTON
 * @pressed: for buttons and keys, pressed (%TRUE) or released
 * @dx: for smooth scrolling, horizontal wheel steps (positive: right)
 * @dy: for smooth scrolling, vertical wheel steps (positive: down)
 * @steps_x: for discrete scrolling, horizontal clicks (positive: right)
 * @steps_y: for discrete scrolling, vertical clicks (positive: down)
 * @keysym: for keys, the X keysym the viewer's layout produced
 * @keycode: for keys, the viewer's XKB keycode (evdev code + 8), used when
 *   the host's layout has no key for @keysym
 *
 * A plain struct, so the session can (de)serialize it field by field.
 */
typedef struct
{
  TdInputEventType type;
  guint            monitor;
  double           x;
  double           y;
  TdPointerButton  button;
  gboolean         pressed;
  double           dx;
  double           dy;
  int              steps_x;
  int              steps_y;
  guint            keysym;
  guint            keycode;
} TdInputEvent;

#define TD_TYPE_INPUT_EVENT (td_input_event_get_type ())

GType         td_input_event_get_type             (void) G_GNUC_CONST;
TdInputEvent *td_input_event_new_motion           (guint               monitor,
                                                   double              x,
                                                   double              y);
TdInputEvent *td_input_event_new_button           (TdPointerButton     button,
                                                   gboolean            pressed);
TdInputEvent *td_input_event_new_scroll_smooth    (double              dx,
                                                   double              dy);
TdInputEvent *td_input_event_new_scroll_discrete  (int                 steps_x,
                                                   int                 steps_y);
TdInputEvent *td_input_event_new_key              (guint               keysym,
                                                   guint               keycode,
                                                   gboolean            pressed);
TdInputEvent *td_input_event_copy                 (const TdInputEvent *self);
void          td_input_event_free                 (TdInputEvent       *self);
gboolean      td_input_event_is_valid             (const TdInputEvent *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TdInputEvent, td_input_event_free)

G_END_DECLS
