/* td-consent-dialog.h: asks the person helped whether a partner may connect
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "td-consent-prompt.h"

G_BEGIN_DECLS

/* How long a request waits when it does not say. */
#define TD_CONSENT_DIALOG_DEFAULT_TIMEOUT 30

#define TD_TYPE_CONSENT_DIALOG (td_consent_dialog_get_type ())

G_DECLARE_FINAL_TYPE (TdConsentDialog, td_consent_dialog, TD, CONSENT_DIALOG, AdwWindow)

TdConsentDialog  *td_consent_dialog_new              (GtkWindow       *parent);
TdConsentRequest *td_consent_dialog_get_request      (TdConsentDialog *self);
TdPermissions     td_consent_dialog_get_selected     (TdConsentDialog *self);
guint             td_consent_dialog_get_seconds_left (TdConsentDialog *self);

G_END_DECLS
