/* test-sysinfo.c: the host summary, checked against /proc and friends
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>
#include <unistd.h>
#include <sys/utsname.h>
#include <glib/gstdio.h>

#include "td-sysinfo.h"
#include "td-sysinfo-private.h"

static GVariant *shared_info;

/* Collecting reads the whole package database: once for the tests that
 * only look.
 */
static GVariant *
get_info (void)
{
  if (shared_info == NULL)
    {
      g_autoptr(TdSysinfo) sysinfo = td_sysinfo_new ();
      g_autoptr(GError) error = NULL;

      shared_info = td_sysinfo_collect (sysinfo, NULL, &error);
      g_assert_no_error (error);
      g_assert_nonnull (shared_info);
    }

  return shared_info;
}

static guint64
meminfo_kib (const char *key)
{
  g_autofree char *contents = NULL;
  g_autofree char *text = NULL;
  g_autofree char *needle = g_strdup_printf ("\n%s:", key);
  const char *line;

  g_assert_true (g_file_get_contents ("/proc/meminfo", &contents, NULL, NULL));
  text = g_strconcat ("\n", contents, NULL);
  line = strstr (text, needle);
  g_assert_nonnull (line);

  return g_ascii_strtoull (line + strlen (needle), NULL, 10);
}

static void
test_fields (void)
{
  GVariant *info = get_info ();
  g_autoptr(GVariant) disks = NULL;
  g_autoptr(GVariant) network = NULL;
  g_autoptr(GVariant) batteries = NULL;
  g_autoptr(GVariant) desktop = NULL;
  g_autoptr(GVariant) session_type = NULL;
  const char *kernel = NULL;
  const char *hostname = NULL;
  guint32 format = 0, n_cpus = 0;
  guint64 total = 0, free_bytes = 0, uptime = 0;
  guint64 proc_total;
  double proc_uptime;
  gint64 collected_at = 0;
  struct utsname uts;
  g_autofree char *uptime_text = NULL;
  gboolean found_disk = FALSE;
  gboolean found_loopback = FALSE;
  GVariantIter iter;
  GVariant *child;

  g_assert_true (g_variant_is_of_type (info, G_VARIANT_TYPE_VARDICT));
  g_assert_true (g_variant_is_normal_form (info));

  g_assert_true (g_variant_lookup (info, "format", "u", &format));
  g_assert_cmpuint (format, ==, TD_SYSINFO_FORMAT);
  g_assert_true (g_variant_lookup (info, "collected-at", "x", &collected_at));
  g_assert_cmpint (ABS (collected_at - g_get_real_time () / G_USEC_PER_SEC), <, 600);

  /* Kernel and host name, as uname(2) says. */
  g_assert_cmpint (uname (&uts), ==, 0);
  g_assert_true (g_variant_lookup (info, "kernel", "&s", &kernel));
  g_assert_cmpstr (kernel, ==, uts.release);
  g_assert_true (g_variant_lookup (info, "hostname", "&s", &hostname));
  g_assert_cmpstr (hostname, ==, g_get_host_name ());

  if (g_file_test ("/etc/os-release", G_FILE_TEST_EXISTS))
    {
      const char *os_name = NULL;

      g_assert_true (g_variant_lookup (info, "os-name", "&s", &os_name));
      g_assert_cmpstr (os_name, !=, "");
    }

  /* Present even outside a desktop session, then empty. */
  desktop = g_variant_lookup_value (info, "desktop", G_VARIANT_TYPE_STRING);
  g_assert_nonnull (desktop);
  session_type = g_variant_lookup_value (info, "session-type", G_VARIANT_TYPE_STRING);
  g_assert_nonnull (session_type);

  /* Processors: the online ones. */
  g_assert_true (g_variant_lookup (info, "cpu-count", "u", &n_cpus));
  g_assert_cmpint (n_cpus, ==, sysconf (_SC_NPROCESSORS_ONLN));

  /* Memory: within 1% of what the kernel says. */
  g_assert_true (g_variant_lookup (info, "memory-total", "t", &total));
  g_assert_true (g_variant_lookup (info, "memory-free", "t", &free_bytes));
  proc_total = meminfo_kib ("MemTotal") * 1024;
  g_assert_cmpfloat (ABS ((double) total - (double) proc_total), <=, proc_total / 100.0);
  g_assert_cmpuint (free_bytes, <=, total);

  /* Uptime: close to /proc/uptime. */
  g_assert_true (g_variant_lookup (info, "uptime", "t", &uptime));
  g_assert_true (g_file_get_contents ("/proc/uptime", &uptime_text, NULL, NULL));
  proc_uptime = g_ascii_strtod (uptime_text, NULL);
  g_assert_cmpfloat (ABS ((double) uptime - proc_uptime), <, 60.0);

  /* At least one real disk with a size. */
  disks = g_variant_lookup_value (info, "disks", G_VARIANT_TYPE ("aa{sv}"));
  g_assert_nonnull (disks);
  g_variant_iter_init (&iter, disks);
  while (g_variant_iter_next (&iter, "@a{sv}", &child))
    {
      g_autoptr(GVariant) disk = child;
      const char *type = NULL, *mount_point = NULL;
      guint64 size = 0, available = 0;

      g_assert_true (g_variant_lookup (disk, "type", "&s", &type));
      g_assert_true (g_variant_lookup (disk, "mount-point", "&s", &mount_point));
      g_assert_true (g_variant_lookup (disk, "size", "t", &size));
      g_assert_true (g_variant_lookup (disk, "available", "t", &available));
      g_assert_cmpstr (type, !=, "proc");
      g_assert_cmpstr (type, !=, "tmpfs");
      g_assert_cmpstr (type, !=, "sysfs");
      g_assert_cmpuint (available, <=, size);
      found_disk |= size > 0;
    }
  g_assert_true (found_disk);

  /* The loopback interface, with its address. */
  network = g_variant_lookup_value (info, "network", G_VARIANT_TYPE ("aa{sv}"));
  g_assert_nonnull (network);
  g_variant_iter_init (&iter, network);
  while (g_variant_iter_next (&iter, "@a{sv}", &child))
    {
      g_autoptr(GVariant) iface = child;
      g_autofree const char **addresses = NULL;
      gboolean loopback = FALSE;

      g_assert_true (g_variant_lookup (iface, "loopback", "b", &loopback));
      g_assert_true (g_variant_lookup (iface, "addresses", "^a&s", &addresses));
      if (loopback && addresses[0] != NULL)
        {
          found_loopback = TRUE;
          g_assert_true (g_strv_contains (addresses, "127.0.0.1/8") ||
                         g_strv_contains (addresses, "::1/128"));
        }
    }
  g_assert_true (found_loopback);

  /* Batteries: a list, maybe empty on a desktop or a server. */
  batteries = g_variant_lookup_value (info, "batteries", G_VARIANT_TYPE ("aa{sv}"));
  g_assert_nonnull (batteries);
}

static void
test_journal (void)
{
  GVariant *info = get_info ();
  g_autoptr(GVariant) journal = g_variant_lookup_value (info, "journal", G_VARIANT_TYPE ("aa{sv}"));
  const char *unavailable = NULL;

  /* Either the entries, or why there are none: never both, never neither. */
  if (journal == NULL)
    {
      g_assert_true (g_variant_lookup (info, "journal-unavailable", "&s", &unavailable));
      g_assert_cmpuint (strlen (unavailable), >, 10);
      g_test_message ("Journal: %s", unavailable);
    }
  else
    {
      GVariantIter iter;
      GVariant *child;
      gint64 previous = 0;

      g_assert_false (g_variant_lookup (info, "journal-unavailable", "&s", &unavailable));
      g_assert_cmpuint (g_variant_n_children (journal), <=, TD_SYSINFO_DEFAULT_JOURNAL_ENTRIES);

      g_variant_iter_init (&iter, journal);
      while (g_variant_iter_next (&iter, "@a{sv}", &child))
        {
          g_autoptr(GVariant) entry = child;
          const char *message = NULL;
          guint32 priority = 99;
          gint64 time = 0;

          g_assert_true (g_variant_lookup (entry, "message", "&s", &message));
          g_assert_true (g_variant_lookup (entry, "priority", "u", &priority));
          g_assert_true (g_variant_lookup (entry, "time", "x", &time));
          g_assert_cmpuint (priority, <=, 3);
          g_assert_cmpint (time, >=, previous);
          previous = time;
        }
    }
}

static void
test_packages (void)
{
  GVariant *info = get_info ();
  g_autoptr(GVariant) packages = NULL;
  g_autoptr(GVariant) flatpaks = NULL;
  GVariantIter iter;
  const char *name, *version, *arch;
  const char *previous = "";
  gboolean found_libc = FALSE;

  if (!g_file_test ("/var/lib/dpkg/status", G_FILE_TEST_EXISTS))
    {
      g_test_skip ("Not a Debian system");
      return;
    }

  packages = g_variant_lookup_value (info, "packages", G_VARIANT_TYPE ("a(sss)"));
  g_assert_nonnull (packages);
  g_assert_cmpuint (g_variant_n_children (packages), >, 10);

  g_variant_iter_init (&iter, packages);
  while (g_variant_iter_next (&iter, "(&s&s&s)", &name, &version, &arch))
    {
      g_assert_cmpstr (name, !=, "");
      g_assert_cmpstr (version, !=, "");
      g_assert_cmpint (strcmp (previous, name), <=, 0);
      previous = name;

      if (g_str_equal (name, "libc6"))
        {
          found_libc = TRUE;
          g_assert_true (g_ascii_isdigit (version[0]));
          g_test_message ("libc6 %s %s", version, arch);
        }
    }
  g_assert_true (found_libc);

  flatpaks = g_variant_lookup_value (info, "flatpaks", G_VARIANT_TYPE ("aa{sv}"));
  g_assert_nonnull (flatpaks);
}

static void
test_text (void)
{
  GVariant *info = get_info ();
  g_autofree char *text = td_sysinfo_to_text (info);
  g_autofree char *libc_line = NULL;
  g_autofree char *meminfo = NULL;
  g_autoptr(GVariant) disks = NULL;
  g_autoptr(GVariant) first_disk = NULL;
  const char *kernel = NULL;
  const char *version = NULL;
  const char *mount_point = NULL;
  GVariantIter iter;
  const char *name, *arch;
  guint32 n_cpus;

  g_assert_true (g_utf8_validate (text, -1, NULL));
  g_test_message ("%.*s", (int) MIN (strlen (text), 1500), text);

  g_assert_true (g_variant_lookup (info, "kernel", "&s", &kernel));
  g_assert_nonnull (strstr (text, kernel));
  g_assert_nonnull (strstr (text, g_get_host_name ()));

  g_assert_true (g_variant_lookup (info, "cpu-count", "u", &n_cpus));
  {
    g_autofree char *cpus = g_strdup_printf ("%u processor", n_cpus);
    g_assert_nonnull (strstr (text, cpus));
  }
  g_assert_nonnull (strstr (text, "Memory:"));

  disks = g_variant_lookup_value (info, "disks", G_VARIANT_TYPE ("aa{sv}"));
  first_disk = g_variant_get_child_value (disks, 0);
  g_assert_true (g_variant_lookup (first_disk, "mount-point", "&s", &mount_point));
  g_assert_nonnull (strstr (text, "\nDisks\n"));
  g_assert_nonnull (strstr (text, mount_point));

  g_assert_nonnull (strstr (text, "\nNetwork\n"));
  g_assert_nonnull (strstr (text, "\nRecent errors in the system journal\n"));

  if (g_variant_lookup (info, "journal-unavailable", "&s", &version))
    g_assert_nonnull (strstr (text, version));

  if (g_file_test ("/var/lib/dpkg/status", G_FILE_TEST_EXISTS))
    {
      g_autoptr(GVariant) packages = g_variant_lookup_value (info, "packages",
                                                             G_VARIANT_TYPE ("a(sss)"));

      g_variant_iter_init (&iter, packages);
      while (g_variant_iter_next (&iter, "(&s&s&s)", &name, &version, &arch))
        {
          if (g_str_equal (name, "libc6"))
            {
              libc_line = g_strdup_printf ("\n  libc6 %s %s\n", version, arch);
              break;
            }
        }
      g_assert_nonnull (libc_line);
      g_assert_nonnull (strstr (text, libc_line));
    }
}

static void
collect_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  GVariant **info_out = user_data;
  g_autoptr(GError) error = NULL;

  *info_out = td_sysinfo_collect_finish (TD_SYSINFO (object), result, &error);
  g_assert_no_error (error);
  g_assert_nonnull (*info_out);
}

static void
cancelled_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  gboolean *done = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) info = NULL;

  info = td_sysinfo_collect_finish (TD_SYSINFO (object), result, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (info);
  *done = TRUE;
}

static void
test_async (void)
{
  g_autoptr(TdSysinfo) sysinfo = td_sysinfo_new ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GVariant) info = NULL;
  g_autoptr(GVariant) journal = NULL;
  const char *kernel = NULL;
  gboolean done = FALSE;

  td_sysinfo_set_journal_entries (sysinfo, 3);
  g_assert_cmpuint (td_sysinfo_get_journal_entries (sysinfo), ==, 3);
  td_sysinfo_set_journal_entries (sysinfo, G_MAXUINT);
  g_assert_cmpuint (td_sysinfo_get_journal_entries (sysinfo), ==, TD_SYSINFO_MAX_JOURNAL_ENTRIES);
  td_sysinfo_set_journal_entries (sysinfo, 3);

  td_sysinfo_collect_async (sysinfo, NULL, collect_cb, &info);
  while (info == NULL)
    g_main_context_iteration (NULL, TRUE);

  g_assert_true (g_variant_lookup (info, "kernel", "&s", &kernel));
  journal = g_variant_lookup_value (info, "journal", G_VARIANT_TYPE ("aa{sv}"));
  if (journal != NULL)
    g_assert_cmpuint (g_variant_n_children (journal), <=, 3);

  /* Cancelled: an error, nothing else. */
  g_cancellable_cancel (cancellable);
  td_sysinfo_collect_async (sysinfo, cancellable, cancelled_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

static void
test_wire_round_trip (void)
{
  GVariant *info = get_info ();
  g_autoptr(GBytes) bytes = g_variant_get_data_as_bytes (info);
  g_autoptr(GVariant) received = NULL;
  g_autofree char *sent_text = td_sysinfo_to_text (info);
  g_autofree char *received_text = NULL;

  received = g_variant_ref_sink (g_variant_new_from_bytes (G_VARIANT_TYPE_VARDICT, bytes, FALSE));
  g_assert_true (g_variant_is_normal_form (received));
  g_assert_true (g_variant_equal (info, received));

  received_text = td_sysinfo_to_text (received);
  g_assert_cmpstr (sent_text, ==, received_text);
  g_test_message ("%" G_GSIZE_FORMAT " bytes on the wire", g_bytes_get_size (bytes));
}

static void
test_foreign_dict (void)
{
  GVariantBuilder builder;
  g_autoptr(GVariant) info = NULL;
  g_autofree char *text = NULL;

  /* From a newer or broken peer: wrong types are skipped, not trusted. */
  g_variant_builder_init (&builder, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&builder, "{sv}", "hostname", g_variant_new_uint32 (5));
  g_variant_builder_add (&builder, "{sv}", "kernel", g_variant_new_string ("6.99-test"));
  g_variant_builder_add (&builder, "{sv}", "disks", g_variant_new_string ("oops"));
  g_variant_builder_add (&builder, "{sv}", "packages", g_variant_new_strv (NULL, 0));
  g_variant_builder_add (&builder, "{sv}", "journal-unavailable",
                         g_variant_new_string ("No journal in this test."));
  g_variant_builder_add (&builder, "{sv}", "future-key", g_variant_new_boolean (TRUE));
  info = g_variant_ref_sink (g_variant_builder_end (&builder));

  text = td_sysinfo_to_text (info);
  g_assert_nonnull (strstr (text, "6.99-test"));
  g_assert_nonnull (strstr (text, "No journal in this test."));
  g_assert_null (strstr (text, "Disks"));
  g_assert_null (strstr (text, "Installed packages"));
}

static void
test_dpkg_status (void)
{
  const char *status =
    "Package: zlib1g\n"
    "Status: install ok installed\n"
    "Architecture: amd64\n"
    "Version: 1:1.2.13.dfsg-1\n"
    "Description: compression library - runtime\n"
    " zlib is a library implementing the deflate compression method found\n"
    " Version: 9.9 in a continuation line is not a field\n"
    "\n"
    "Package: removed-but-configured\n"
    "Status: deinstall ok config-files\n"
    "Version: 1.0\n"
    "\n"
    "Package: libc6\n"
    "Status: hold ok installed\n"
    "Architecture: i386\n"
    "Version: 2.36-9+deb12u4\n"
    "\n"
    "Package: libc6\n"
    "Status: install ok installed\n"
    "Architecture: amd64\n"
    "Version: 2.36-9+deb12u4\n"
    "\n"
    "Package: broken\n"
    "Status: install reinstreq half-installed\n"
    "Version: 0.1\n"
    "\n"
    "Package: bad-utf8\r\n"
    "Status: install ok installed\r\n"
    "Version: 1.0\xff\xfe\r\n"
    "\r\n"
    "Package: no-version\n"
    "Status: install ok installed\n"
    "\n\n\n"
    "Package: last-without-newline\n"
    "Status: install ok installed\n"
    "Version: 3";
  g_autoptr(GVariant) packages = NULL;
  g_autofree char *printed = NULL;

  packages = g_variant_ref_sink (td_sysinfo_parse_dpkg_status (status, strlen (status), NULL));
  g_assert_true (g_variant_is_normal_form (packages));
  printed = g_variant_print (packages, FALSE);
  g_assert_cmpstr (printed, ==,
                   "[('bad-utf8', '1.0\xef\xbf\xbd\xef\xbf\xbd', ''), "
                   "('last-without-newline', '3', ''), "
                   "('libc6', '2.36-9+deb12u4', 'amd64'), "
                   "('libc6', '2.36-9+deb12u4', 'i386'), "
                   "('zlib1g', '1:1.2.13.dfsg-1', 'amd64')]");

  g_clear_pointer (&packages, g_variant_unref);
  packages = g_variant_ref_sink (td_sysinfo_parse_dpkg_status ("", 0, NULL));
  g_assert_cmpuint (g_variant_n_children (packages), ==, 0);
}

static void
write_file (const char *path,
            const char *contents,
            gssize      length)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_path_get_dirname (path);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_file_set_contents (path, contents, length, &error);
  g_assert_no_error (error);
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  if (g_file_test (path, G_FILE_TEST_IS_SYMLINK) || !g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_unlink (path);
      return;
    }

  dir = g_dir_open (path, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      remove_tree (child);
    }
  g_rmdir (path);
}

static void
test_flatpaks (void)
{
  g_autofree char *root = g_dir_make_tmp ("td-sysinfo-XXXXXX", NULL);
  g_autofree char *apps = g_build_filename (root, "app", NULL);
  g_autofree char *deploy = NULL;
  g_autofree char *active = NULL;
  g_autofree char *current = NULL;
  g_autofree char *printed = NULL;
  g_autoptr(GVariant) data = NULL;
  g_autoptr(GVariant) flatpaks = NULL;
  GVariantBuilder metadata;
  GVariantBuilder builder;
  const char *no_subpaths[] = { NULL };
  const char *commit = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

  /* org.example.Editor, stable, with deploy data as Flatpak writes it. */
  deploy = g_build_filename (apps, "org.example.Editor", "x86_64", "stable", commit, "deploy", NULL);
  g_variant_builder_init (&metadata, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&metadata, "{sv}", "appdata-version", g_variant_new_string ("45.2"));
  g_variant_builder_add (&metadata, "{sv}", "appdata-name", g_variant_new_string ("Editor"));
  data = g_variant_ref_sink (g_variant_new ("(ss^asta{sv})", "flathub", commit, no_subpaths,
                                            (guint64) 1234, &metadata));
  write_file (deploy, g_variant_get_data (data), g_variant_get_size (data));
  active = g_build_filename (apps, "org.example.Editor", "x86_64", "stable", "active", NULL);
  g_assert_cmpint (symlink (commit, active), ==, 0);
  current = g_build_filename (apps, "org.example.Editor", "current", NULL);
  g_assert_cmpint (symlink ("x86_64/stable", current), ==, 0);

  /* org.example.Broken: a garbage deploy file, still listed. */
  g_clear_pointer (&deploy, g_free);
  g_clear_pointer (&active, g_free);
  deploy = g_build_filename (apps, "org.example.Broken", "x86_64", "master", "abc", "deploy", NULL);
  write_file (deploy, "\xff\x01 not a variant", -1);
  active = g_build_filename (apps, "org.example.Broken", "x86_64", "master", "active", NULL);
  g_assert_cmpint (symlink ("abc", active), ==, 0);

  /* org.example.Gone: no active deployment, left out. */
  g_clear_pointer (&deploy, g_free);
  deploy = g_build_filename (apps, "org.example.Gone", "x86_64", "stable", "def", "deploy", NULL);
  write_file (deploy, "", 0);

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("aa{sv}"));
  td_sysinfo_add_flatpaks (&builder, apps, "user");
  td_sysinfo_add_flatpaks (&builder, "/nonexistent/flatpak/app", "system");
  flatpaks = g_variant_ref_sink (g_variant_builder_end (&builder));

  printed = g_variant_print (flatpaks, FALSE);
  g_test_message ("%s", printed);
  g_assert_cmpuint (g_variant_n_children (flatpaks), ==, 2);
  g_assert_nonnull (strstr (printed, "'id': <'org.example.Broken'>"));
  g_assert_nonnull (strstr (printed, "'id': <'org.example.Editor'>"));
  g_assert_nonnull (strstr (printed, "'version': <'45.2'>"));
  g_assert_nonnull (strstr (printed, "'name': <'Editor'>"));
  g_assert_nonnull (strstr (printed, "'branch': <'stable'>"));
  g_assert_nonnull (strstr (printed, "'installation': <'user'>"));
  g_assert_null (strstr (printed, "Gone"));

  remove_tree (root);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/tools/sysinfo/fields", test_fields);
  g_test_add_func ("/tools/sysinfo/journal", test_journal);
  g_test_add_func ("/tools/sysinfo/packages", test_packages);
  g_test_add_func ("/tools/sysinfo/text", test_text);
  g_test_add_func ("/tools/sysinfo/async", test_async);
  g_test_add_func ("/tools/sysinfo/wire-round-trip", test_wire_round_trip);
  g_test_add_func ("/tools/sysinfo/foreign-dict", test_foreign_dict);
  g_test_add_func ("/tools/sysinfo/dpkg-status", test_dpkg_status);
  g_test_add_func ("/tools/sysinfo/flatpaks", test_flatpaks);

  status = g_test_run ();
  g_clear_pointer (&shared_info, g_variant_unref);

  return status;
}
