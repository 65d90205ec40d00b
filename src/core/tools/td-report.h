/* td-report.h: what happened in a session, for the record
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define TD_REPORT_ERROR (td_report_error_quark ())

/**
 * TdReportError:
 * @TD_REPORT_ERROR_INVALID: a report dictionary with a field of the wrong
 *   type or value
 * @TD_REPORT_ERROR_RENDER: the PDF could not be drawn
 */
typedef enum
{
  TD_REPORT_ERROR_INVALID,
  TD_REPORT_ERROR_RENDER,
} TdReportError;

/**
 * TdReportDirection:
 * @TD_REPORT_DIRECTION_TO_HOST: a file sent to the helped computer
 * @TD_REPORT_DIRECTION_FROM_HOST: a file taken from the helped computer
 */
typedef enum
{
  TD_REPORT_DIRECTION_TO_HOST,
  TD_REPORT_DIRECTION_FROM_HOST,
} TdReportDirection;

#define TD_TYPE_REPORT (td_report_get_type ())

G_DECLARE_FINAL_TYPE (TdReport, td_report, TD, REPORT, GObject)

GQuark              td_report_error_quark      (void);

TdReport           *td_report_new              (void);
TdReport           *td_report_new_from_variant (GVariant           *fields,
                                                GError            **error);
GVariant           *td_report_to_variant       (TdReport           *self);

GDateTime          *td_report_get_started_at   (TdReport           *self);
void                td_report_set_started_at   (TdReport           *self,
                                                GDateTime          *started_at);
guint64             td_report_get_duration     (TdReport           *self);
void                td_report_set_duration     (TdReport           *self,
                                                guint64             seconds);
const char         *td_report_get_host_name    (TdReport           *self);
const char         *td_report_get_host_id      (TdReport           *self);
void                td_report_set_host         (TdReport           *self,
                                                const char         *name,
                                                const char         *id);
const char         *td_report_get_viewer_name  (TdReport           *self);
const char         *td_report_get_viewer_id    (TdReport           *self);
void                td_report_set_viewer       (TdReport           *self,
                                                const char         *name,
                                                const char         *id);
const char * const *td_report_get_permissions  (TdReport           *self);
void                td_report_set_permissions  (TdReport           *self,
                                                const char * const *permissions);
void                td_report_add_file         (TdReport           *self,
                                                const char         *name,
                                                guint64             size,
                                                TdReportDirection   direction);
guint               td_report_get_n_files      (TdReport           *self);
gboolean            td_report_get_terminal_used (TdReport          *self);
void                td_report_set_terminal_used (TdReport          *self,
                                                gboolean            terminal_used);
const char         *td_report_get_notes        (TdReport           *self);
void                td_report_set_notes        (TdReport           *self,
                                                const char         *notes);
const char         *td_report_get_end_reason   (TdReport           *self);
void                td_report_set_end_reason   (TdReport           *self,
                                                const char         *end_reason);

char               *td_report_to_html          (TdReport           *self);
gboolean            td_report_write_html       (TdReport           *self,
                                                const char         *path,
                                                GError            **error);
gboolean            td_report_write_pdf        (TdReport           *self,
                                                const char         *path,
                                                GError            **error);

G_END_DECLS
