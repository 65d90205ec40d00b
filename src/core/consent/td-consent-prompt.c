/* td-consent-prompt.c: how the core asks the person helped
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "td-consent"

#include "td-consent-prompt.h"

struct _TdConsentRequest
{
  gatomicrefcount  ref_count;
  char            *partner_name;
  guint            partner_id;
  char            *partner_fingerprint;
  TdPermissions    requested;
  guint            timeout_seconds;
};

G_DEFINE_BOXED_TYPE (TdConsentRequest, td_consent_request,
                     td_consent_request_ref, td_consent_request_unref)
G_DEFINE_INTERFACE (TdConsentPrompt, td_consent_prompt, G_TYPE_OBJECT)

/**
 * td_consent_request_new:
 * @partner_name: the name the partner's device gave
 * @partner_id: the partner's ID, 0 if they are not registered
 * @partner_fingerprint: the partner's device fingerprint, hex
 * @requested: what the partner asks for
 * @timeout_seconds: after how long the request counts as denied
 *
 * Returns: (transfer full): a new request
 */
TdConsentRequest *
td_consent_request_new (const char    *partner_name,
                        guint          partner_id,
                        const char    *partner_fingerprint,
                        TdPermissions  requested,
                        guint          timeout_seconds)
{
  TdConsentRequest *request = g_new0 (TdConsentRequest, 1);

  g_atomic_ref_count_init (&request->ref_count);
  request->partner_name = g_strdup (partner_name != NULL ? partner_name : "");
  request->partner_id = partner_id;
  request->partner_fingerprint = g_strdup (partner_fingerprint != NULL ? partner_fingerprint : "");
  request->requested = requested;
  request->timeout_seconds = timeout_seconds;

  return request;
}

TdConsentRequest *
td_consent_request_ref (TdConsentRequest *request)
{
  g_return_val_if_fail (request != NULL, NULL);

  g_atomic_ref_count_inc (&request->ref_count);
  return request;
}

void
td_consent_request_unref (TdConsentRequest *request)
{
  g_return_if_fail (request != NULL);

  if (g_atomic_ref_count_dec (&request->ref_count))
    {
      g_free (request->partner_name);
      g_free (request->partner_fingerprint);
      g_free (request);
    }
}

const char *
td_consent_request_get_partner_name (TdConsentRequest *request)
{
  g_return_val_if_fail (request != NULL, NULL);
  return request->partner_name;
}

guint
td_consent_request_get_partner_id (TdConsentRequest *request)
{
  g_return_val_if_fail (request != NULL, 0);
  return request->partner_id;
}

const char *
td_consent_request_get_partner_fingerprint (TdConsentRequest *request)
{
  g_return_val_if_fail (request != NULL, NULL);
  return request->partner_fingerprint;
}

TdPermissions
td_consent_request_get_requested (TdConsentRequest *request)
{
  g_return_val_if_fail (request != NULL, TD_PERMISSION_NONE);
  return request->requested;
}

guint
td_consent_request_get_timeout_seconds (TdConsentRequest *request)
{
  g_return_val_if_fail (request != NULL, 0);
  return request->timeout_seconds;
}

static void
td_consent_prompt_default_init (TdConsentPromptInterface *iface)
{
}

void
td_consent_prompt_ask_async (TdConsentPrompt     *self,
                             TdConsentRequest    *request,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_return_if_fail (TD_IS_CONSENT_PROMPT (self));
  g_return_if_fail (request != NULL);

  TD_CONSENT_PROMPT_GET_IFACE (self)->ask_async (self, request, cancellable, callback, user_data);
}

/**
 * td_consent_prompt_ask_finish:
 *
 * Returns: what was granted; never more than was requested
 */
TdPermissions
td_consent_prompt_ask_finish (TdConsentPrompt  *self,
                              GAsyncResult     *result,
                              GError          **error)
{
  TdPermissions granted;

  g_return_val_if_fail (TD_IS_CONSENT_PROMPT (self), TD_PERMISSION_NONE);

  granted = TD_CONSENT_PROMPT_GET_IFACE (self)->ask_finish (self, result, error);

  /* Unknown bits are dropped here; the host session also keeps only
   * what was requested, so a prompt can narrow a request, never widen it. */
  return td_permissions_sanitize (granted);
}
