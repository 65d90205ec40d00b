/* td-id.h: the 9-digit partner ID with its Luhn check digit
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define TD_ID_DIGITS      9
#define TD_ID_MIN         100000000u
#define TD_ID_MAX         999999999u
#define TD_ID_PAYLOAD_MIN 10000000u
#define TD_ID_PAYLOAD_MAX 99999999u

#define TD_ID_ERROR (td_id_error_quark ())

typedef enum
{
  TD_ID_ERROR_EMPTY,
  TD_ID_ERROR_INVALID_CHARACTER,
  TD_ID_ERROR_TOO_SHORT,
  TD_ID_ERROR_TOO_LONG,
  TD_ID_ERROR_CHECK_DIGIT,
} TdIdError;

GQuark    td_id_error_quark      (void);
guint     td_id_check_digit      (guint32      payload);
guint32   td_id_from_payload     (guint32      payload);
guint32   td_id_new_random       (void);
gboolean  td_id_is_valid         (guint32      id);
char     *td_id_format           (guint32      id);
char     *td_id_format_partial   (const char  *text,
                                  int         *cursor_position);
gboolean  td_id_parse            (const char  *text,
                                  guint32     *out_id,
                                  GError     **error);

G_END_DECLS
