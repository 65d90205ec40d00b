/* td-host-page.h: "Get help", which shows this computer's ID and one-time password
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

/**
 * TdServerStatus:
 * @TD_SERVER_STATUS_DISCONNECTED: not connected to a rendezvous server
 * @TD_SERVER_STATUS_CONNECTING: trying to reach one
 * @TD_SERVER_STATUS_CONNECTED: connected and registered
 *
 * How this computer stands with its Tandem server, as the host page shows it.
 */
typedef enum
{
  TD_SERVER_STATUS_DISCONNECTED,
  TD_SERVER_STATUS_CONNECTING,
  TD_SERVER_STATUS_CONNECTED,
} TdServerStatus;

#define TD_TYPE_SERVER_STATUS (td_server_status_get_type ())
GType td_server_status_get_type (void) G_GNUC_CONST;

#define TD_TYPE_HOST_PAGE (td_host_page_get_type ())

G_DECLARE_FINAL_TYPE (TdHostPage, td_host_page, TD, HOST_PAGE, GtkWidget)

GtkWidget      *td_host_page_new               (void);
guint           td_host_page_get_id            (TdHostPage     *self);
void            td_host_page_set_id            (TdHostPage     *self,
                                                guint           id);
TdServerStatus  td_host_page_get_server_status (TdHostPage     *self);
void            td_host_page_set_server_status (TdHostPage     *self,
                                                TdServerStatus  status);
const char     *td_host_page_get_password      (TdHostPage     *self);
void            td_host_page_set_password      (TdHostPage     *self,
                                                const char     *password);
void            td_host_page_new_password      (TdHostPage     *self);

G_END_DECLS
