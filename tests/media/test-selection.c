/* test-selection.c: choosing the encoder and the capture backend
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "td-capture.h"
#include "td-capture-test.h"
#include "td-encoder.h"
#include "td-media-error.h"

static GstElement *
inner_encoder (TdEncoder *encoder)
{
  return gst_bin_get_by_name (GST_BIN (td_encoder_get_bin (encoder)), "encoder");
}

static void
test_encoder_auto (void)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) available = td_encoder_list_available ();
  g_autoptr(TdEncoder) encoder = NULL;
  const char * const *candidates = td_encoder_get_candidates ();

  g_assert_true (g_strv_contains (candidates, "x264enc"));
  g_assert_true (g_strv_contains (candidates, "openh264enc"));

  if (available[0] == NULL)
    {
      encoder = td_encoder_new_auto (NULL, &error);
      g_assert_error (error, TD_MEDIA_ERROR, TD_MEDIA_ERROR_MISSING_ELEMENT);
      g_assert_null (encoder);
      return;
    }

  /* Available ones come in the candidates' order, best first. */
  for (guint i = 0, last = 0; available[i] != NULL; i++)
    {
      guint j = 0;

      while (candidates[j] != NULL && !g_str_equal (candidates[j], available[i]))
        j++;
      g_assert_nonnull (candidates[j]);
      g_assert_cmpuint (j, >=, last);
      last = j;
    }

  encoder = td_encoder_new_auto (NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (td_encoder_get_element_name (encoder), ==, available[0]);
}

static void
test_encoder_preference (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TdEncoder) encoder = NULL;
  g_autoptr(TdEncoder) fallback = NULL;
  g_autoptr(GstElement) element = NULL;
  guint bitrate = 0;

  if (!td_media_has_element ("openh264enc"))
    {
      g_test_skip ("openh264enc is not installed");
      return;
    }

  encoder = td_encoder_new_auto ("openh264enc", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (td_encoder_get_element_name (encoder), ==, "openh264enc");
  g_assert_false (td_encoder_is_hardware (encoder));

  /* openh264enc counts in bit/s and must have an explicit bitrate */
  td_encoder_set_bitrate (encoder, 1500);
  element = inner_encoder (encoder);
  g_object_get (element, "bitrate", &bitrate, NULL);
  g_assert_cmpuint (bitrate, ==, 1500000);

  /* An unknown preference falls back to the best available one. */
  fallback = td_encoder_new_auto ("no-such-enc", &error);
  g_assert_no_error (error);
  g_assert_nonnull (fallback);
}

static void
test_encoder_x264 (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TdEncoder) encoder = NULL;
  g_autoptr(GstElement) element = NULL;
  g_autoptr(GstElement) in_filter = NULL;
  g_autoptr(GstCaps) caps = NULL;
  guint bitrate = 0, key_int = 0;
  gboolean intra_refresh = FALSE;
  g_autofree char *caps_string = NULL;

  if (!td_media_has_element ("x264enc"))
    {
      g_test_skip ("x264enc is not installed");
      return;
    }

  encoder = td_encoder_new ("x264enc", &error);
  g_assert_no_error (error);
  element = inner_encoder (encoder);

  td_encoder_set_bitrate (encoder, 2500);
  g_object_get (element,
                "bitrate", &bitrate,
                "key-int-max", &key_int,
                "intra-refresh", &intra_refresh,
                NULL);
  g_assert_cmpuint (bitrate, ==, 2500);
  g_assert_cmpuint (td_encoder_get_bitrate (encoder), ==, 2500);
  g_assert_cmpuint (key_int, ==, td_encoder_get_keyframe_interval (encoder));
  g_assert_false (intra_refresh);

  in_filter = gst_bin_get_by_name (GST_BIN (td_encoder_get_bin (encoder)), "encoder-in");
  g_object_get (in_filter, "caps", &caps, NULL);
  caps_string = gst_caps_to_string (caps);
  g_assert_cmpstr (caps_string, ==, "video/x-raw, format=(string)I420");
}

static void
test_encoder_missing (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TdEncoder) encoder = NULL;

  encoder = td_encoder_new ("theoraenc", &error);
  g_assert_error (error, TD_MEDIA_ERROR, TD_MEDIA_ERROR_UNSUPPORTED);
  g_assert_null (encoder);
  g_clear_error (&error);

  if (!td_media_has_element ("nvh264enc"))
    {
      encoder = td_encoder_new ("nvh264enc", &error);
      g_assert_error (error, TD_MEDIA_ERROR, TD_MEDIA_ERROR_MISSING_ELEMENT);
      g_assert_nonnull (strstr (error->message, "nvh264enc"));
      g_assert_null (encoder);
    }
}

static void
test_capture_environment (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TdCapture) capture = NULL;
  g_autoptr(GArray) monitors = NULL;

  g_setenv ("WAYLAND_DISPLAY", "wayland-0", TRUE);
  g_setenv ("DISPLAY", ":0", TRUE);
  g_assert_cmpint (td_capture_kind_for_environment (), ==, TD_CAPTURE_KIND_PORTAL);
  g_unsetenv ("WAYLAND_DISPLAY");
  g_assert_cmpint (td_capture_kind_for_environment (), ==, TD_CAPTURE_KIND_X11);
  g_unsetenv ("DISPLAY");
  g_assert_cmpint (td_capture_kind_for_environment (), ==, TD_CAPTURE_KIND_TEST);

  g_assert_cmpint (td_capture_kind_from_string ("x11"), ==, TD_CAPTURE_KIND_X11);
  g_assert_cmpint (td_capture_kind_from_string ("bogus"), ==, TD_CAPTURE_KIND_AUTO);

  /* X11 without a display is an error, and auto falls back to the test
   * pattern. */
  capture = td_capture_new_for_kind (TD_CAPTURE_KIND_X11, &error);
  g_assert_error (error, TD_MEDIA_ERROR, TD_MEDIA_ERROR_NO_DISPLAY);
  g_assert_null (capture);
  g_clear_error (&error);

  g_setenv ("DISPLAY", ":9999", TRUE);
  capture = td_capture_new_auto (TD_CAPTURE_KIND_X11, &error);
  g_assert_no_error (error);
  g_assert_true (TD_IS_CAPTURE_TEST (capture));
  g_assert_false (td_capture_has_change_detection (capture));
  monitors = td_capture_get_monitors (capture);
  g_assert_cmpuint (monitors->len, ==, 1);
  g_unsetenv ("DISPLAY");
}

static void
on_created (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  TdCapture **capture = user_data;
  g_autoptr(GError) error = NULL;

  *capture = td_capture_new_finish (result, &error);
  g_assert_no_error (error);
}

static void
test_capture_async_fallback (void)
{
  g_autoptr(TdCapture) capture = NULL;

  /* No display of any kind: the test pattern */
  g_unsetenv ("WAYLAND_DISPLAY");
  g_unsetenv ("DISPLAY");
  td_capture_new_async (TD_CAPTURE_KIND_X11, FALSE, NULL, on_created, &capture);
  while (capture == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (td_capture_get_kind (capture), ==, TD_CAPTURE_KIND_TEST);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  if (!td_media_ensure_init (NULL))
    return 77;

  g_test_add_func ("/media/encoder/auto", test_encoder_auto);
  g_test_add_func ("/media/encoder/preference", test_encoder_preference);
  g_test_add_func ("/media/encoder/x264", test_encoder_x264);
  g_test_add_func ("/media/encoder/missing", test_encoder_missing);
  g_test_add_func ("/media/capture/environment", test_capture_environment);
  g_test_add_func ("/media/capture/async-fallback", test_capture_async_fallback);

  return g_test_run ();
}
