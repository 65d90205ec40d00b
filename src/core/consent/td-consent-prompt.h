/* td-consent-prompt.h: how the core asks the person helped
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "td-permissions.h"

G_BEGIN_DECLS

#define TD_TYPE_CONSENT_REQUEST (td_consent_request_get_type ())
#define TD_TYPE_CONSENT_PROMPT  (td_consent_prompt_get_type ())

/**
 * TdConsentRequest:
 *
 * Who asks to connect and for what. Immutable, reference counted.
 */
typedef struct _TdConsentRequest TdConsentRequest;

GType              td_consent_request_get_type         (void) G_GNUC_CONST;
TdConsentRequest  *td_consent_request_new              (const char        *partner_name,
                                                        guint              partner_id,
                                                        const char        *partner_fingerprint,
                                                        TdPermissions      requested,
                                                        guint              timeout_seconds);
TdConsentRequest  *td_consent_request_ref              (TdConsentRequest  *request);
void               td_consent_request_unref            (TdConsentRequest  *request);
const char        *td_consent_request_get_partner_name (TdConsentRequest  *request);
guint              td_consent_request_get_partner_id   (TdConsentRequest  *request);
const char        *td_consent_request_get_partner_fingerprint (TdConsentRequest *request);
TdPermissions      td_consent_request_get_requested    (TdConsentRequest  *request);
guint              td_consent_request_get_timeout_seconds (TdConsentRequest *request);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TdConsentRequest, td_consent_request_unref)

G_DECLARE_INTERFACE (TdConsentPrompt, td_consent_prompt, TD, CONSENT_PROMPT, GObject)

/**
 * TdConsentPromptInterface:
 * @ask_async: show the request to the person; cancelling @cancellable
 *   (the core does so at the time-out or when the partner goes away)
 *   closes the prompt and finishes with %G_IO_ERROR_CANCELLED
 * @ask_finish: the permissions granted, a subset of those requested;
 *   %TD_PERMISSION_NONE means "Deny"
 *
 * Implemented by the UI (the consent dialog) and by tests.
 */
struct _TdConsentPromptInterface
{
  GTypeInterface parent_iface;

  void          (*ask_async)  (TdConsentPrompt      *self,
                               TdConsentRequest     *request,
                               GCancellable         *cancellable,
                               GAsyncReadyCallback   callback,
                               gpointer              user_data);
  TdPermissions (*ask_finish) (TdConsentPrompt      *self,
                               GAsyncResult         *result,
                               GError              **error);
};

void          td_consent_prompt_ask_async  (TdConsentPrompt      *self,
                                            TdConsentRequest     *request,
                                            GCancellable         *cancellable,
                                            GAsyncReadyCallback   callback,
                                            gpointer              user_data);
TdPermissions td_consent_prompt_ask_finish (TdConsentPrompt      *self,
                                            GAsyncResult         *result,
                                            GError              **error);

G_END_DECLS
