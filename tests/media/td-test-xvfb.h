/* td-test-xvfb.h: a private Xvfb for one test or benchmark
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  GPid  pid;
  char *display;
} TdTestXvfb;

TdTestXvfb *td_test_xvfb_start  (int          width,
                                 int          height,
                                 GError     **error);
void        td_test_xvfb_stop   (TdTestXvfb  *xvfb);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TdTestXvfb, td_test_xvfb_stop)

G_END_DECLS
