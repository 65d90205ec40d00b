/* td-auth-error.h: errors of password authentication
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define TD_AUTH_ERROR (td_auth_error_quark ())

/**
 * TdAuthError:
 * @TD_AUTH_ERROR_FAILED: something went wrong that is neither side's fault
 *   (a failing crypto library, no memory for Argon2id)
 * @TD_AUTH_ERROR_PROTOCOL: the partner sent bytes that are not a valid
 *   authentication message (wrong size, bad encoding, an invalid point);
 *   a bug or an attack, never a typo
 * @TD_AUTH_ERROR_WRONG_PASSWORD: both sides ran the protocol but do not
 *   share the password (or a man in the middle sits between them: the two
 *   cannot be told apart, and both end the attempt)
 * @TD_AUTH_ERROR_THROTTLED: too many wrong passwords; try again later
 * @TD_AUTH_ERROR_VERSION: the partner speaks a version of the protocol
 *   this build does not know
 */
typedef enum
{
  TD_AUTH_ERROR_FAILED,
  TD_AUTH_ERROR_PROTOCOL,
  TD_AUTH_ERROR_WRONG_PASSWORD,
  TD_AUTH_ERROR_THROTTLED,
  TD_AUTH_ERROR_VERSION,
} TdAuthError;

GQuark td_auth_error_quark         (void);
void   td_auth_error_set_throttled (GError **error,
                                    gint64   retry_after_ms);

G_END_DECLS
