/* td-session.h: one connection between a helper and the person helped
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef enum
{
  TD_SESSION_STATE_IDLE,
  TD_SESSION_STATE_SIGNALING,
  TD_SESSION_STATE_CONNECTING,
  TD_SESSION_STATE_SECURING,
  TD_SESSION_STATE_AUTHENTICATING,
  TD_SESSION_STATE_AWAITING_CONSENT,
  TD_SESSION_STATE_CONNECTED,
  TD_SESSION_STATE_ENDED,
} TdSessionState;

typedef enum
{
  TD_END_REASON_NONE,
  TD_END_REASON_LOCAL,
  TD_END_REASON_PEER,
  TD_END_REASON_CONNECTION_LOST,
  TD_END_REASON_TIMEOUT,
  TD_END_REASON_AUTH_FAILED,
  TD_END_REASON_REFUSED,
  TD_END_REASON_ERROR,
} TdEndReason;

typedef enum
{
  TD_PATH_UNKNOWN,
  TD_PATH_DIRECT,
  TD_PATH_RELAYED,
} TdPath;

#define TD_TYPE_SESSION_STATE (td_session_state_get_type ())
#define TD_TYPE_END_REASON    (td_end_reason_get_type ())
#define TD_TYPE_PATH          (td_path_get_type ())
#define TD_TYPE_SESSION       (td_session_get_type ())

GType td_session_state_get_type (void) G_GNUC_CONST;
GType td_end_reason_get_type    (void) G_GNUC_CONST;
GType td_path_get_type          (void) G_GNUC_CONST;

G_DECLARE_DERIVABLE_TYPE (TdSession, td_session, TD, SESSION, GObject)

struct _TdSessionClass
{
  GObjectClass parent_class;

  /* Stop and free transports, timers and pending operations. Called once,
   * from td_session_end(), before the state becomes ENDED. */
  void (*shutdown) (TdSession   *self,
                    TdEndReason  reason);

  gpointer padding[8];
};

TdSessionState  td_session_get_state             (TdSession      *self);
TdEndReason     td_session_get_end_reason        (TdSession      *self);
const GError   *td_session_get_error             (TdSession      *self);
TdPath          td_session_get_path              (TdSession      *self);
const char     *td_session_get_peer_name         (TdSession      *self);
guint           td_session_get_peer_id           (TdSession      *self);
const char     *td_session_get_peer_fingerprint  (TdSession      *self);
gboolean        td_session_is_ended              (TdSession      *self);
void            td_session_end                   (TdSession      *self,
                                                  TdEndReason     reason,
                                                  const GError   *error);
char           *td_session_describe_end          (TdSession      *self);
const char     *td_session_enum_nick             (GType           enum_type,
                                                  int             value);
const char     *td_session_state_describe        (TdSessionState  state,
                                                  TdPath          path);

/* For subclasses */
void            td_session_set_state             (TdSession      *self,
                                                  TdSessionState  state);
void            td_session_set_path              (TdSession      *self,
                                                  TdPath          path);
void            td_session_set_peer              (TdSession      *self,
                                                  guint           peer_id,
                                                  const char     *peer_name,
                                                  const char     *peer_fingerprint);

G_END_DECLS
