#define G_LOG_DOMAIN "td-tools"
/* td-sysinfo.c: a read-only summary of the host for the technician
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Gathers what a helper asks first ("which system is this, is the disk
 * full, what failed lately, is that package installed?") into one GVariant
 * dictionary that can cross the control channel as it is, and prints it as
 * plain text for searching and pasting. Nothing is changed on the host and
 * no command is run: everything comes from files, libgtop and sd-journal.
 *
 * The dictionary (a{sv}); every key is optional for the reader:
 *
 *   "format"               u      TD_SYSINFO_FORMAT
 *   "collected-at"         x      Unix time, seconds
 *   "hostname"             s
 *   "os-name", "os-pretty-name", "os-id", "os-version"   s   os-release(5)
 *   "kernel"               s      uname release, "6.1.0-18-amd64"
 *   "kernel-version"       s      uname version
 *   "architecture"         s      uname machine
 *   "desktop"              s      $XDG_CURRENT_DESKTOP, "" when unset
 *   "session-type"         s      $XDG_SESSION_TYPE ("wayland", "x11", "tty")
 *   "cpu-model"            s
 *   "cpu-count"            u      online processors
 *   "memory-total"         t      bytes
 *   "memory-free"          t      bytes, unused
 *   "memory-available"     t      bytes, usable without swapping (Linux)
 *   "uptime"               t      seconds
 *   "disks"                aa{sv} "device" s, "mount-point" s, "type" s,
 *                                 "size" t, "free" t, "available" t (bytes)
 *   "network"              aa{sv} "name" s, "up" b, "loopback" b,
 *                                 "mac" s (when known), "addresses" as
 *                                 ("192.0.2.7/24", "fe80::1/64")
 *   "batteries"            aa{sv} "name" s, "status" s, "capacity" u (%),
 *                                 "model" s, "manufacturer" s (when known)
 *   "journal"              aa{sv} newest last: "time" x (µs since the
 *                                 epoch), "priority" u (0-3), "identifier" s,
 *                                 "message" s
 *   "journal-unavailable"  s      instead of "journal": why it could not
 *                                 be read
 *   "packages"             a(sss) installed Debian packages, sorted:
 *                                 name, version, architecture
 *   "flatpaks"             aa{sv} "id" s, "arch" s, "branch" s, "commit" s,
 *                                 "installation" s ("user" or "system"),
 *                                 "version" s and "name" s (when known)
 */

#include <errno.h>
#include <ifaddrs.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#ifdef __linux__
#include <netpacket/packet.h>
#endif

#if __has_include(<glibtop.h>)
#define HAVE_LIBGTOP 1
/* libgtop's headers test macros its own build defines. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wundef"
#include <glibtop.h>
#include <glibtop/fsusage.h>
#include <glibtop/mem.h>
#include <glibtop/mountlist.h>
#include <glibtop/sysinfo.h>
#include <glibtop/uptime.h>
#pragma GCC diagnostic pop
#else
#define HAVE_LIBGTOP 0
#endif

#if __has_include(<systemd/sd-journal.h>)
#define HAVE_SD_JOURNAL 1
#include <systemd/sd-journal.h>
#else
#define HAVE_SD_JOURNAL 0
#endif

#include "td-sysinfo.h"
#include "td-sysinfo-private.h"

/* Messages longer than this are cut: a summary, not a log viewer. */
#define MAX_MESSAGE_BYTES 2048

#define DPKG_STATUS_PATH "/var/lib/dpkg/status"

struct _TdSysinfo
{
  GObject parent_instance;
  guint   journal_entries;
};

G_DEFINE_FINAL_TYPE (TdSysinfo, td_sysinfo, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_JOURNAL_ENTRIES,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* libgtop keeps its state in one global server and is not thread-safe. */
G_LOCK_DEFINE_STATIC (libgtop);

/* What is read on the calling thread: the environment may change under a
 * worker thread's feet.
 */
typedef struct
{
  guint  journal_entries;
  char  *desktop;
  char  *session_type;
  char  *user_data_dir;
} Request;

static void
request_free (Request *request)
{
  g_free (request->desktop);
  g_free (request->session_type);
  g_free (request->user_data_dir);
  g_free (request);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Request, request_free)

static void
td_sysinfo_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  TdSysinfo *self = TD_SYSINFO (object);

  switch (prop_id)
    {
    case PROP_JOURNAL_ENTRIES:
      g_value_set_uint (value, self->journal_entries);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
td_sysinfo_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  TdSysinfo *self = TD_SYSINFO (object);

  switch (prop_id)
    {
    case PROP_JOURNAL_ENTRIES:
      td_sysinfo_set_journal_entries (self, g_value_get_uint (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
td_sysinfo_class_init (TdSysinfoClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = td_sysinfo_get_property;
  object_class->set_property = td_sysinfo_set_property;

  /**
   * TdSysinfo:journal-entries:
   *
   * How many of the newest error-priority journal entries to gather.
   */
  properties[PROP_JOURNAL_ENTRIES] =
    g_param_spec_uint ("journal-entries", NULL, NULL,
                       0, TD_SYSINFO_MAX_JOURNAL_ENTRIES,
                       TD_SYSINFO_DEFAULT_JOURNAL_ENTRIES,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY |
                        G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
td_sysinfo_init (TdSysinfo *self)
{
  self->journal_entries = TD_SYSINFO_DEFAULT_JOURNAL_ENTRIES;
}

/**
 * td_sysinfo_new:
 *
 * Returns: (transfer full): a new #TdSysinfo
 */
TdSysinfo *
td_sysinfo_new (void)
{
  return g_object_new (TD_TYPE_SYSINFO, NULL);
}

void
td_sysinfo_set_journal_entries (TdSysinfo *self,
                                guint      n_entries)
{
  g_return_if_fail (TD_IS_SYSINFO (self));

  n_entries = MIN (n_entries, TD_SYSINFO_MAX_JOURNAL_ENTRIES);
  if (self->journal_entries == n_entries)
    return;

  self->journal_entries = n_entries;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_JOURNAL_ENTRIES]);
}

guint
td_sysinfo_get_journal_entries (TdSysinfo *self)
{
  g_return_val_if_fail (TD_IS_SYSINFO (self), 0);

  return self->journal_entries;
}

/* A string variant from text of unknown origin: GVariant strings must be
 * valid UTF-8, and a file or a journal entry need not be.
 */
static GVariant *
text_variant (const char *text,
              gssize      length)
{
  if (text == NULL)
    return g_variant_new_string ("");

  if (length < 0)
    length = strlen (text);

  if (g_utf8_validate_len (text, length, NULL) && memchr (text, '\0', length) == NULL)
    {
      g_autofree char *copy = g_strndup (text, length);
      return g_variant_new_take_string (g_steal_pointer (&copy));
    }

  {
    g_autofree char *valid = g_utf8_make_valid (text, length);

    /* make_valid stops at a NUL byte, which is what is wanted here. */
    return g_variant_new_take_string (g_steal_pointer (&valid));
  }
}

static void
add_string (GVariantBuilder *builder,
            const char      *key,
            const char      *value)
{
  if (value != NULL)
    g_variant_builder_add (builder, "{sv}", key, text_variant (value, -1));
}

static int
compare_strings_indirect (gconstpointer a,
                          gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

static char *
read_sys_file (const char *dir,
               const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autofree char *contents = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return NULL;

  return g_strdup (g_strstrip (contents));
}

static void
collect_os (GVariantBuilder *builder)
{
  struct {
    const char *key;
    const char *os_info_key;
  } fields[] = {
    { "os-name", G_OS_INFO_KEY_NAME },
    { "os-pretty-name", G_OS_INFO_KEY_PRETTY_NAME },
    { "os-id", G_OS_INFO_KEY_ID },
  };
  g_autofree char *version = NULL;
  struct utsname uts;

  add_string (builder, "hostname", g_get_host_name ());

  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    {
      g_autofree char *value = g_get_os_info (fields[i].os_info_key);
      add_string (builder, fields[i].key, value);
    }

  version = g_get_os_info (G_OS_INFO_KEY_VERSION);
  if (version == NULL)
    version = g_get_os_info ("VERSION_ID");
  add_string (builder, "os-version", version);

  if (uname (&uts) == 0)
    {
      add_string (builder, "kernel", uts.release);
      add_string (builder, "kernel-version", uts.version);
      add_string (builder, "architecture", uts.machine);
    }
}

static char *
find_cpu_model (void)
{
#if HAVE_LIBGTOP
  const glibtop_sysinfo *sysinfo;
  char *model = NULL;

  G_LOCK (libgtop);
  sysinfo = glibtop_get_sysinfo ();
  if (sysinfo != NULL && sysinfo->ncpu > 0 && sysinfo->cpuinfo[0].values != NULL)
    {
      /* x86 names it "model name"; ARM and others have their own keys. */
      const char *keys[] = { "model name", "Model", "cpu model", "cpu", "Processor" };

      for (guint i = 0; i < G_N_ELEMENTS (keys) && model == NULL; i++)
        model = g_strdup (g_hash_table_lookup (sysinfo->cpuinfo[0].values, keys[i]));
    }
  G_UNLOCK (libgtop);

  if (model != NULL)
    return g_strstrip (model);
#endif

  return NULL;
}

static void
collect_hardware (GVariantBuilder *builder)
{
  g_autofree char *cpu_model = find_cpu_model ();
  g_autofree char *meminfo = NULL;
  long n_cpus = sysconf (_SC_NPROCESSORS_ONLN);

  add_string (builder, "cpu-model", cpu_model);
  if (n_cpus > 0)
    g_variant_builder_add (builder, "{sv}", "cpu-count", g_variant_new_uint32 (n_cpus));

#if HAVE_LIBGTOP
  {
    glibtop_mem mem = { 0, };
    glibtop_uptime uptime = { 0, };

    G_LOCK (libgtop);
    glibtop_get_mem (&mem);
    glibtop_get_uptime (&uptime);
    G_UNLOCK (libgtop);

    if (mem.flags & (1 << GLIBTOP_MEM_TOTAL))
      g_variant_builder_add (builder, "{sv}", "memory-total", g_variant_new_uint64 (mem.total));
    if (mem.flags & (1 << GLIBTOP_MEM_FREE))
      g_variant_builder_add (builder, "{sv}", "memory-free", g_variant_new_uint64 (mem.free));
    if (uptime.flags & (1 << GLIBTOP_UPTIME_UPTIME))
      g_variant_builder_add (builder, "{sv}", "uptime",
                             g_variant_new_uint64 ((guint64) uptime.uptime));
  }
#endif

  /* libgtop 2.40 does not know MemAvailable, the number that matters. */
  if (g_file_get_contents ("/proc/meminfo", &meminfo, NULL, NULL))
    {
      const char *line = strstr (meminfo, "\nMemAvailable:");

      if (line != NULL)
        {
          guint64 kib = g_ascii_strtoull (line + strlen ("\nMemAvailable:"), NULL, 10);

          g_variant_builder_add (builder, "{sv}", "memory-available",
                                 g_variant_new_uint64 (kib * 1024));
        }
    }
}

static gboolean
is_pseudo_filesystem (const char *type)
{
  static const char * const pseudo[] = {
    "autofs", "binfmt_misc", "bpf", "cgroup", "cgroup2", "configfs", "debugfs",
    "devpts", "devtmpfs", "efivarfs", "fusectl", "hugetlbfs", "mqueue", "nsfs",
    "proc", "pstore", "ramfs", "rpc_pipefs", "securityfs", "squashfs", "sysfs",
    "tmpfs", "tracefs", "fuse.portal", "fuse.gvfsd-fuse", "fuse.snapfuse",
    "nfsd", "overlayfs-tmp",
  };

  for (guint i = 0; i < G_N_ELEMENTS (pseudo); i++)
    {
      if (g_strcmp0 (type, pseudo[i]) == 0)
        return TRUE;
    }

  return FALSE;
}

static void
collect_disks (GVariantBuilder *builder)
{
#if HAVE_LIBGTOP
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree glibtop_mountentry *entries = NULL;
  glibtop_mountlist list = { 0, };
  GVariantBuilder disks;

  G_LOCK (libgtop);
  entries = glibtop_get_mountlist (&list, FALSE);
  G_UNLOCK (libgtop);

  g_variant_builder_init (&disks, G_VARIANT_TYPE ("aa{sv}"));

  for (guint64 i = 0; entries != NULL && i < list.number; i++)
    {
      const glibtop_mountentry *entry = &entries[i];
      glibtop_fsusage usage = { 0, };
      GVariantBuilder disk;
      guint64 size;

      if (is_pseudo_filesystem (entry->type))
        continue;

      /* The same device mounted again (bind mounts, containers): once. */
      if (g_hash_table_contains (seen, entry->devname))
        continue;

      G_LOCK (libgtop);
      glibtop_get_fsusage (&usage, entry->mountdir);
      G_UNLOCK (libgtop);

      size = usage.blocks * usage.block_size;
      if (size == 0)
        continue;

      g_hash_table_add (seen, g_strdup (entry->devname));

      g_variant_builder_init (&disk, G_VARIANT_TYPE_VARDICT);
      add_string (&disk, "device", entry->devname);
      add_string (&disk, "mount-point", entry->mountdir);
      add_string (&disk, "type", entry->type);
      g_variant_builder_add (&disk, "{sv}", "size", g_variant_new_uint64 (size));
      g_variant_builder_add (&disk, "{sv}", "free",
                             g_variant_new_uint64 (usage.bfree * usage.block_size));
      g_variant_builder_add (&disk, "{sv}", "available",
                             g_variant_new_uint64 (usage.bavail * usage.block_size));
      g_variant_builder_add (&disks, "a{sv}", &disk);
    }

  g_variant_builder_add (builder, "{sv}", "disks", g_variant_builder_end (&disks));
#endif
}

static guint
count_prefix_bits (const guint8 *mask,
                   gsize         length)
{
  guint bits = 0;

  for (gsize i = 0; i < length; i++)
    {
      for (int b = 7; b >= 0; b--)
        {
          if ((mask[i] & (1 << b)) == 0)
            return bits;
          bits++;
        }
    }

  return bits;
}

static char *
format_address (const struct sockaddr *address,
                const struct sockaddr *netmask)
{
  g_autoptr(GInetAddress) inet = NULL;
  g_autofree char *text = NULL;
  guint prefix = 0;

  if (address->sa_family == AF_INET)
    {
      const struct sockaddr_in *in = (const struct sockaddr_in *) (gconstpointer) address;

      inet = g_inet_address_new_from_bytes ((const guint8 *) &in->sin_addr, G_SOCKET_FAMILY_IPV4);
      if (netmask != NULL)
        {
          const struct sockaddr_in *mask = (const struct sockaddr_in *) (gconstpointer) netmask;
          prefix = count_prefix_bits ((const guint8 *) &mask->sin_addr, 4);
        }
    }
  else if (address->sa_family == AF_INET6)
    {
      const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *) (gconstpointer) address;

      inet = g_inet_address_new_from_bytes ((const guint8 *) &in6->sin6_addr,
                                            G_SOCKET_FAMILY_IPV6);
      if (netmask != NULL)
        {
          const struct sockaddr_in6 *mask = (const struct sockaddr_in6 *) (gconstpointer) netmask;
          prefix = count_prefix_bits ((const guint8 *) &mask->sin6_addr, 16);
        }
    }
  else
    {
      return NULL;
    }

  text = g_inet_address_to_string (inet);
  return g_strdup_printf ("%s/%u", text, prefix);
}

typedef struct
{
  char      *name;
  gboolean   up;
  gboolean   loopback;
  char      *mac;
  GPtrArray *addresses;
} Interface;

static void
interface_free (gpointer data)
{
  Interface *iface = data;

  g_free (iface->name);
  g_free (iface->mac);
  g_ptr_array_unref (iface->addresses);
  g_free (iface);
}

static void
collect_network (GVariantBuilder *builder)
{
  g_autoptr(GPtrArray) interfaces = g_ptr_array_new_with_free_func (interface_free);
  struct ifaddrs *list = NULL;
  GVariantBuilder network;

  if (getifaddrs (&list) != 0)
    {
      int saved_errno = errno;
      g_debug ("Could not list the network interfaces: %s", g_strerror (saved_errno));
      return;
    }

  for (struct ifaddrs *ifa = list; ifa != NULL; ifa = ifa->ifa_next)
    {
      Interface *iface = NULL;
      g_autofree char *address = NULL;

      if (ifa->ifa_name == NULL)
        continue;

      for (guint i = 0; i < interfaces->len && iface == NULL; i++)
        {
          Interface *candidate = g_ptr_array_index (interfaces, i);

          if (g_strcmp0 (candidate->name, ifa->ifa_name) == 0)
            iface = candidate;
        }

      if (iface == NULL)
        {
          iface = g_new0 (Interface, 1);
          iface->name = g_strdup (ifa->ifa_name);
          iface->addresses = g_ptr_array_new_with_free_func (g_free);
          g_ptr_array_add (interfaces, iface);
        }

      iface->up |= (ifa->ifa_flags & IFF_UP) != 0;
      iface->loopback |= (ifa->ifa_flags & IFF_LOOPBACK) != 0;

      if (ifa->ifa_addr == NULL)
        continue;

#ifdef __linux__
      if (ifa->ifa_addr->sa_family == AF_PACKET)
        {
          const struct sockaddr_ll *ll = (const struct sockaddr_ll *) (gconstpointer) ifa->ifa_addr;
          GString *mac;

          if (ll->sll_halen == 0 || iface->mac != NULL || (ifa->ifa_flags & IFF_LOOPBACK))
            continue;

          mac = g_string_new (NULL);
          for (guint i = 0; i < ll->sll_halen && i < sizeof ll->sll_addr; i++)
            g_string_append_printf (mac, "%s%02x", i > 0 ? ":" : "", ll->sll_addr[i]);
          iface->mac = g_string_free (mac, FALSE);
          continue;
        }
#endif

      address = format_address (ifa->ifa_addr, ifa->ifa_netmask);
      if (address != NULL)
        g_ptr_array_add (iface->addresses, g_steal_pointer (&address));
    }

  freeifaddrs (list);

  g_variant_builder_init (&network, G_VARIANT_TYPE ("aa{sv}"));

  for (guint i = 0; i < interfaces->len; i++)
    {
      Interface *iface = g_ptr_array_index (interfaces, i);
      GVariantBuilder entry;

      g_ptr_array_add (iface->addresses, NULL);

      g_variant_builder_init (&entry, G_VARIANT_TYPE_VARDICT);
      add_string (&entry, "name", iface->name);
      g_variant_builder_add (&entry, "{sv}", "up", g_variant_new_boolean (iface->up));
      g_variant_builder_add (&entry, "{sv}", "loopback", g_variant_new_boolean (iface->loopback));
      add_string (&entry, "mac", iface->mac);
      g_variant_builder_add (&entry, "{sv}", "addresses",
                             g_variant_new_strv ((const char * const *) iface->addresses->pdata, -1));
      g_variant_builder_add (&network, "a{sv}", &entry);
    }

  g_variant_builder_add (builder, "{sv}", "network", g_variant_builder_end (&network));
}

static void
collect_batteries (GVariantBuilder *builder)
{
  const char *base = "/sys/class/power_supply";
  g_autoptr(GDir) dir = g_dir_open (base, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  GVariantBuilder batteries;
  const char *name;

  g_variant_builder_init (&batteries, G_VARIANT_TYPE ("aa{sv}"));

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_strings_indirect);

  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *path = g_build_filename (base, g_ptr_array_index (names, i), NULL);
      g_autofree char *type = read_sys_file (path, "type");
      g_autofree char *status = NULL;
      g_autofree char *capacity = NULL;
      g_autofree char *model = NULL;
      g_autofree char *manufacturer = NULL;
      GVariantBuilder battery;

      if (g_strcmp0 (type, "Battery") != 0)
        continue;

      status = read_sys_file (path, "status");
      capacity = read_sys_file (path, "capacity");
      model = read_sys_file (path, "model_name");
      manufacturer = read_sys_file (path, "manufacturer");

      g_variant_builder_init (&battery, G_VARIANT_TYPE_VARDICT);
      add_string (&battery, "name", g_ptr_array_index (names, i));
      add_string (&battery, "status", status);
      if (capacity != NULL)
        g_variant_builder_add (&battery, "{sv}", "capacity",
                               g_variant_new_uint32 (MIN (g_ascii_strtoull (capacity, NULL, 10), 100)));
      add_string (&battery, "model", model);
      add_string (&battery, "manufacturer", manufacturer);
      g_variant_builder_add (&batteries, "a{sv}", &battery);
    }

  g_variant_builder_add (builder, "{sv}", "batteries", g_variant_builder_end (&batteries));
}

#if HAVE_SD_JOURNAL
G_DEFINE_AUTOPTR_CLEANUP_FUNC (sd_journal, sd_journal_close)

static char *
journal_field (sd_journal *journal,
               const char *field)
{
  const void *data;
  size_t length;
  size_t prefix = strlen (field) + 1;

  if (sd_journal_get_data (journal, field, &data, &length) < 0 || length < prefix)
    return NULL;

  length -= prefix;
  if (length > MAX_MESSAGE_BYTES)
    length = MAX_MESSAGE_BYTES;

  return g_utf8_make_valid ((const char *) data + prefix, length);
}
#endif

static void
collect_journal (GVariantBuilder *builder,
                 guint            n_entries)
{
#if HAVE_SD_JOURNAL
  g_autoptr(sd_journal) journal = NULL;
  g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func ((GDestroyNotify) g_variant_unref);
  GVariantBuilder list;
  int r;

  r = sd_journal_open (&journal, SD_JOURNAL_LOCAL_ONLY | SD_JOURNAL_SYSTEM);
  if (r < 0)
    {
      g_autofree char *reason =
        g_strdup_printf ("The system journal could not be opened: %s", g_strerror (-r));

      add_string (builder, "journal-unavailable", reason);
      return;
    }

  if (sd_journal_has_runtime_files (journal) <= 0 &&
      sd_journal_has_persistent_files (journal) <= 0)
    {
      add_string (builder, "journal-unavailable",
                  "No system journal could be read: systemd-journald does not keep one "
                  "here, or this user is not in the systemd-journal or adm group.");
      return;
    }

  sd_journal_set_data_threshold (journal, MAX_MESSAGE_BYTES + 64);

  /* Matches on one field are ORed. */
  for (guint priority = 0; priority <= 3; priority++)
    {
      char match[] = "PRIORITY=0";

      match[strlen (match) - 1] = '0' + priority;
      sd_journal_add_match (journal, match, 0);
    }

  r = sd_journal_seek_tail (journal);
  while (r >= 0 && entries->len < n_entries)
    {
      g_autofree char *message = NULL;
      g_autofree char *identifier = NULL;
      g_autofree char *priority = NULL;
      guint64 usec = 0;
      GVariantBuilder entry;

      r = sd_journal_previous (journal);
      if (r <= 0)
        break;

      message = journal_field (journal, "MESSAGE");
      identifier = journal_field (journal, "SYSLOG_IDENTIFIER");
      if (identifier == NULL)
        identifier = journal_field (journal, "_COMM");
      priority = journal_field (journal, "PRIORITY");
      sd_journal_get_realtime_usec (journal, &usec);

      g_variant_builder_init (&entry, G_VARIANT_TYPE_VARDICT);
      g_variant_builder_add (&entry, "{sv}", "time", g_variant_new_int64 (usec));
      g_variant_builder_add (&entry, "{sv}", "priority",
                             g_variant_new_uint32 (priority != NULL ? MIN (atoi (priority), 7) : 3));
      add_string (&entry, "identifier", identifier != NULL ? identifier : "");
      add_string (&entry, "message", message != NULL ? message : "");
      g_ptr_array_add (entries, g_variant_ref_sink (g_variant_builder_end (&entry)));
    }

  if (r < 0 && entries->len == 0)
    {
      g_autofree char *reason =
        g_strdup_printf ("The system journal could not be read: %s", g_strerror (-r));

      add_string (builder, "journal-unavailable", reason);
      return;
    }

  /* Oldest first, as a log reads. */
  g_variant_builder_init (&list, G_VARIANT_TYPE ("aa{sv}"));
  for (guint i = entries->len; i > 0; i--)
    g_variant_builder_add_value (&list, g_ptr_array_index (entries, i - 1));
  g_variant_builder_add (builder, "{sv}", "journal", g_variant_builder_end (&list));
#else
  add_string (builder, "journal-unavailable", "This system has no systemd journal.");
#endif
}

static int
compare_packages (gconstpointer a,
                  gconstpointer b)
{
  GVariant *pa = *(GVariant * const *) a;
  GVariant *pb = *(GVariant * const *) b;
  const char *na, *nb, *aa, *ab;
  int cmp;

  g_variant_get (pa, "(&s&s&s)", &na, NULL, &aa);
  g_variant_get (pb, "(&s&s&s)", &nb, NULL, &ab);

  cmp = strcmp (na, nb);
  return cmp != 0 ? cmp : strcmp (aa, ab);
}

static void
add_package (GPtrArray  *packages,
             const char *name,
             const char *version,
             const char *arch,
             const char *status)
{
  const char *last_word;

  if (name == NULL || version == NULL || status == NULL)
    return;

  /* "install ok installed", "hold ok installed": the last word is the
   * state; "config-files", "half-installed" and the like are not there.
   */
  last_word = strrchr (status, ' ');
  if (g_strcmp0 (last_word != NULL ? last_word + 1 : status, "installed") != 0)
    return;

  g_ptr_array_add (packages,
                   g_variant_ref_sink (g_variant_new ("(@s@s@s)",
                                                      text_variant (name, -1),
                                                      text_variant (version, -1),
                                                      text_variant (arch != NULL ? arch : "", -1))));
}

/**
 * td_sysinfo_parse_dpkg_status: (skip)
 * @contents: the text of dpkg's status database
 * @length: its length, or -1 if it ends with NUL
 * @cancellable: (nullable): a #GCancellable
 *
 * Returns: (transfer full): the installed packages as a sorted a(sss) of
 *   name, version and architecture
 */
GVariant *
td_sysinfo_parse_dpkg_status (const char   *contents,
                              gsize         length,
                              GCancellable *cancellable)
{
  g_autoptr(GPtrArray) packages = g_ptr_array_new_with_free_func ((GDestroyNotify) g_variant_unref);
  g_autofree char *name = NULL;
  g_autofree char *version = NULL;
  g_autofree char *arch = NULL;
  g_autofree char *status = NULL;
  const char *p = contents;
  const char *end = contents + length;
  GVariantBuilder builder;

  while (p < end)
    {
      const char *eol = memchr (p, '\n', end - p);
      gsize line_length;

      if (eol == NULL)
        eol = end;
      line_length = eol - p;

      if (line_length == 0 || (line_length == 1 && p[0] == '\r'))
        {
          /* A blank line ends a paragraph. */
          add_package (packages, name, version, arch, status);
          g_clear_pointer (&name, g_free);
          g_clear_pointer (&version, g_free);
          g_clear_pointer (&arch, g_free);
          g_clear_pointer (&status, g_free);

          if (g_cancellable_is_cancelled (cancellable))
            break;
        }
      else if (p[0] != ' ' && p[0] != '\t')
        {
          const char *colon = memchr (p, ':', line_length);

          if (colon != NULL)
            {
              gsize key_length = colon - p;
              char **target = NULL;

              if (key_length == 7 && g_ascii_strncasecmp (p, "Package", 7) == 0)
                target = &name;
              else if (key_length == 7 && g_ascii_strncasecmp (p, "Version", 7) == 0)
                target = &version;
              else if (key_length == 12 && g_ascii_strncasecmp (p, "Architecture", 12) == 0)
                target = &arch;
              else if (key_length == 6 && g_ascii_strncasecmp (p, "Status", 6) == 0)
                target = &status;

              if (target != NULL)
                {
                  g_free (*target);
                  *target = g_strstrip (g_strndup (colon + 1, eol - colon - 1));
                }
            }
        }

      p = eol + 1;
    }

  add_package (packages, name, version, arch, status);

  g_ptr_array_sort (packages, compare_packages);

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a(sss)"));
  for (guint i = 0; i < packages->len; i++)
    g_variant_builder_add_value (&builder, g_ptr_array_index (packages, i));

  return g_variant_builder_end (&builder);
}

static void
collect_packages (GVariantBuilder *builder,
                  GCancellable    *cancellable)
{
  g_autofree char *contents = NULL;
  gsize length = 0;

  if (!g_file_get_contents (DPKG_STATUS_PATH, &contents, &length, NULL))
    return;

  g_variant_builder_add (builder, "{sv}", "packages",
                         td_sysinfo_parse_dpkg_status (contents, length, cancellable));
}

/* Reads what Flatpak recorded when it deployed @deploy_dir: the deploy
 * file is a GVariant (ssasta{sv}) whose last member holds the AppStream
 * version and name.
 */
static void
add_deploy_data (GVariantBuilder *builder,
                 const char      *deploy_dir)
{
  g_autofree char *path = g_build_filename (deploy_dir, "deploy", NULL);
  g_autoptr(GMappedFile) file = g_mapped_file_new (path, FALSE, NULL);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GVariant) untrusted = NULL;
  g_autoptr(GVariant) data = NULL;
  g_autoptr(GVariant) metadata = NULL;
  const char *value;

  if (file == NULL)
    return;

  bytes = g_mapped_file_get_bytes (file);
  untrusted = g_variant_new_from_bytes (G_VARIANT_TYPE ("(ssasta{sv})"), bytes, FALSE);
  data = g_variant_get_normal_form (untrusted);
  metadata = g_variant_get_child_value (data, 4);

  if (g_variant_lookup (metadata, "appdata-version", "&s", &value))
    add_string (builder, "version", value);
  if (g_variant_lookup (metadata, "appdata-name", "&s", &value))
    add_string (builder, "name", value);
}

static GPtrArray *
list_dir_sorted (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      if (name[0] != '.')
        g_ptr_array_add (names, g_strdup (name));
    }

  g_ptr_array_sort (names, compare_strings_indirect);

  return names;
}

/**
 * td_sysinfo_add_flatpaks: (skip)
 * @builder: an aa{sv} builder
 * @apps_dir: a Flatpak installation's `app` folder
 * @installation: "user" or "system"
 *
 * Adds the applications deployed in @apps_dir, one entry per branch:
 * `app/ID/ARCH/BRANCH/active` links to the deployed commit.
 */
void
td_sysinfo_add_flatpaks (GVariantBuilder *builder,
                         const char      *apps_dir,
                         const char      *installation)
{
  g_autoptr(GPtrArray) ids = list_dir_sorted (apps_dir);

  for (guint i = 0; i < ids->len; i++)
    {
      const char *id = g_ptr_array_index (ids, i);
      g_autofree char *id_dir = g_build_filename (apps_dir, id, NULL);
      g_autoptr(GPtrArray) arches = list_dir_sorted (id_dir);

      for (guint j = 0; j < arches->len; j++)
        {
          const char *arch = g_ptr_array_index (arches, j);
          g_autofree char *arch_dir = g_build_filename (id_dir, arch, NULL);
          g_autoptr(GPtrArray) branches = NULL;

          if (!g_file_test (arch_dir, G_FILE_TEST_IS_DIR) ||
              g_file_test (arch_dir, G_FILE_TEST_IS_SYMLINK))
            continue;

          branches = list_dir_sorted (arch_dir);

          for (guint k = 0; k < branches->len; k++)
            {
              const char *branch = g_ptr_array_index (branches, k);
              g_autofree char *active = g_build_filename (arch_dir, branch, "active", NULL);
              g_autofree char *commit = g_file_read_link (active, NULL);
              g_autofree char *deploy_dir = NULL;
              GVariantBuilder app;

              if (commit == NULL)
                continue;

              deploy_dir = g_build_filename (arch_dir, branch, commit, NULL);

              g_variant_builder_init (&app, G_VARIANT_TYPE_VARDICT);
              add_string (&app, "id", id);
              add_string (&app, "arch", arch);
              add_string (&app, "branch", branch);
              add_string (&app, "commit", commit);
              add_string (&app, "installation", installation);
              add_deploy_data (&app, deploy_dir);
              g_variant_builder_add (builder, "a{sv}", &app);
            }
        }
    }
}

static void
collect_flatpaks (GVariantBuilder *builder,
                  const char      *user_data_dir)
{
  g_autofree char *user_apps = g_build_filename (user_data_dir, "flatpak", "app", NULL);
  GVariantBuilder flatpaks;

  g_variant_builder_init (&flatpaks, G_VARIANT_TYPE ("aa{sv}"));
  td_sysinfo_add_flatpaks (&flatpaks, user_apps, "user");
  td_sysinfo_add_flatpaks (&flatpaks, "/var/lib/flatpak/app", "system");
  g_variant_builder_add (builder, "{sv}", "flatpaks", g_variant_builder_end (&flatpaks));
}

static GVariant *
collect (const Request  *request,
         GCancellable   *cancellable,
         GError        **error)
{
  GVariantBuilder builder;

  g_variant_builder_init (&builder, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&builder, "{sv}", "format", g_variant_new_uint32 (TD_SYSINFO_FORMAT));
  g_variant_builder_add (&builder, "{sv}", "collected-at",
                         g_variant_new_int64 (g_get_real_time () / G_USEC_PER_SEC));

  collect_os (&builder);
  add_string (&builder, "desktop", request->desktop != NULL ? request->desktop : "");
  add_string (&builder, "session-type",
              request->session_type != NULL ? request->session_type : "");
  collect_hardware (&builder);

  if (!g_cancellable_is_cancelled (cancellable))
    collect_disks (&builder);
  if (!g_cancellable_is_cancelled (cancellable))
    collect_network (&builder);
  if (!g_cancellable_is_cancelled (cancellable))
    collect_batteries (&builder);
  if (!g_cancellable_is_cancelled (cancellable))
    collect_journal (&builder, request->journal_entries);
  if (!g_cancellable_is_cancelled (cancellable))
    collect_packages (&builder, cancellable);
  if (!g_cancellable_is_cancelled (cancellable))
    collect_flatpaks (&builder, request->user_data_dir);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    {
      g_variant_builder_clear (&builder);
      return NULL;
    }

  return g_variant_ref_sink (g_variant_builder_end (&builder));
}

static Request *
request_new (TdSysinfo *self)
{
  Request *request = g_new0 (Request, 1);

  request->journal_entries = self->journal_entries;
  request->desktop = g_strdup (g_getenv ("XDG_CURRENT_DESKTOP"));
  request->session_type = g_strdup (g_getenv ("XDG_SESSION_TYPE"));
  request->user_data_dir = g_strdup (g_get_user_data_dir ());

  return request;
}

/**
 * td_sysinfo_collect:
 * @self: a #TdSysinfo
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Gathers the summary on this thread; it reads many files and may take a
 * moment. Parts that cannot be read are left out (the journal says why);
 * the only error is %G_IO_ERROR_CANCELLED.
 *
 * Returns: (transfer full): the a{sv} described at the top of this file,
 *   or %NULL if cancelled
 */
GVariant *
td_sysinfo_collect (TdSysinfo     *self,
                    GCancellable  *cancellable,
                    GError       **error)
{
  g_autoptr(Request) request = NULL;

  g_return_val_if_fail (TD_IS_SYSINFO (self), NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  request = request_new (self);

  return collect (request, cancellable, error);
}

static void
collect_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  const Request *request = task_data;
  GError *error = NULL;
  GVariant *info;

  info = collect (request, cancellable, &error);
  if (info == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, info, (GDestroyNotify) g_variant_unref);
}

/**
 * td_sysinfo_collect_async:
 * @self: a #TdSysinfo
 * @cancellable: (nullable): a #GCancellable
 * @callback: called on the thread-default main context when done
 * @user_data: data for @callback
 *
 * Gathers the summary in a worker thread.
 */
void
td_sysinfo_collect_async (TdSysinfo           *self,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (TD_IS_SYSINFO (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, td_sysinfo_collect_async);
  g_task_set_task_data (task, request_new (self), (GDestroyNotify) request_free);
  g_task_run_in_thread (task, collect_thread);
}

/**
 * td_sysinfo_collect_finish:
 * @self: a #TdSysinfo
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the a{sv} summary, or %NULL if cancelled
 */
GVariant *
td_sysinfo_collect_finish (TdSysinfo     *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (TD_IS_SYSINFO (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == td_sysinfo_collect_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Text export */

static const char *
lookup_string (GVariant   *dict,
               const char *key)
{
  const char *value = NULL;

  if (!g_variant_lookup (dict, key, "&s", &value))
    return NULL;

  return value;
}

/* The same, "" when missing: for printing. */
static const char *
lookup_text (GVariant   *dict,
             const char *key)
{
  const char *value = lookup_string (dict, key);

  return value != NULL ? value : "";
}

static void
append_field (GString    *text,
              const char *label,
              const char *value)
{
  if (value == NULL || value[0] == '\0')
    return;

  g_string_append_printf (text, "  %-18s %s\n", label, value);
}

static char *
format_duration (guint64 seconds)
{
  guint64 days = seconds / 86400;
  guint hours = (seconds % 86400) / 3600;
  guint minutes = (seconds % 3600) / 60;

  if (days > 0)
    return g_strdup_printf ("%" G_GUINT64_FORMAT " d %u h %u min", days, hours, minutes);
  if (hours > 0)
    return g_strdup_printf ("%u h %u min", hours, minutes);
  return g_strdup_printf ("%u min", minutes);
}

static void
append_system (GString  *text,
               GVariant *info)
{
  g_autofree char *kernel = NULL;
  g_autofree char *desktop = NULL;
  g_autofree char *cpu = NULL;
  g_autofree char *memory = NULL;
  g_autofree char *uptime_text = NULL;
  const char *os = lookup_string (info, "os-pretty-name");
  const char *value;
  guint32 n_cpus = 0;
  guint64 total, free_bytes, available, uptime;

  g_string_append (text, "System\n");
  append_field (text, "Computer name:", lookup_string (info, "hostname"));

  if (os == NULL)
    os = lookup_string (info, "os-name");
  append_field (text, "Operating system:", os);

  if ((value = lookup_string (info, "kernel")) != NULL)
    {
      const char *arch = lookup_string (info, "architecture");

      kernel = arch != NULL ? g_strdup_printf ("%s (%s)", value, arch) : g_strdup (value);
      append_field (text, "Kernel:", kernel);
    }

  value = lookup_string (info, "desktop");
  if (value != NULL && value[0] != '\0')
    {
      const char *session_type = lookup_string (info, "session-type");

      desktop = (session_type != NULL && session_type[0] != '\0')
        ? g_strdup_printf ("%s (%s)", value, session_type)
        : g_strdup (value);
      append_field (text, "Desktop:", desktop);
    }
  else
    {
      append_field (text, "Session type:", lookup_string (info, "session-type"));
    }

  value = lookup_string (info, "cpu-model");
  if (g_variant_lookup (info, "cpu-count", "u", &n_cpus))
    cpu = g_strdup_printf ("%s%s%u processor%s", value != NULL ? value : "",
                           value != NULL ? ", " : "", n_cpus, n_cpus == 1 ? "" : "s");
  else
    cpu = g_strdup (value);
  append_field (text, "Processor:", cpu);

  if (g_variant_lookup (info, "memory-total", "t", &total))
    {
      g_autofree char *total_text = g_format_size_full (total, G_FORMAT_SIZE_IEC_UNITS);
      GString *line = g_string_new (total_text);

      g_string_append (line, " total");
      if (g_variant_lookup (info, "memory-available", "t", &available))
        {
          g_autofree char *available_text = g_format_size_full (available, G_FORMAT_SIZE_IEC_UNITS);
          g_string_append_printf (line, ", %s available", available_text);
        }
      if (g_variant_lookup (info, "memory-free", "t", &free_bytes))
        {
          g_autofree char *free_text = g_format_size_full (free_bytes, G_FORMAT_SIZE_IEC_UNITS);
          g_string_append_printf (line, ", %s free", free_text);
        }
      memory = g_string_free (line, FALSE);
      append_field (text, "Memory:", memory);
    }

  if (g_variant_lookup (info, "uptime", "t", &uptime))
    {
      uptime_text = format_duration (uptime);
      append_field (text, "Up for:", uptime_text);
    }
}

static void
append_disks (GString  *text,
              GVariant *info)
{
  g_autoptr(GVariant) disks = g_variant_lookup_value (info, "disks", G_VARIANT_TYPE ("aa{sv}"));
  GVariantIter iter;
  GVariant *disk;

  if (disks == NULL)
    return;

  g_string_append (text, "\nDisks\n");
  if (g_variant_n_children (disks) == 0)
    g_string_append (text, "  (none found)\n");

  g_variant_iter_init (&iter, disks);
  while (g_variant_iter_next (&iter, "@a{sv}", &disk))
    {
      g_autoptr(GVariant) owned = disk;
      g_autofree char *size_text = NULL;
      g_autofree char *free_text = NULL;
      guint64 size = 0, available = 0;

      g_variant_lookup (disk, "size", "t", &size);
      g_variant_lookup (disk, "available", "t", &available);
      size_text = g_format_size (size);
      free_text = g_format_size (available);

      g_string_append_printf (text, "  %s  %s, %s, %s, %s free (%u%% used)\n",
                              lookup_text (disk, "mount-point"),
                              lookup_text (disk, "device"),
                              lookup_text (disk, "type"),
                              size_text, free_text,
                              size > 0 ? (guint) (100 - (available * 100 / size)) : 0);
    }
}

static void
append_network (GString  *text,
                GVariant *info)
{
  g_autoptr(GVariant) network = g_variant_lookup_value (info, "network", G_VARIANT_TYPE ("aa{sv}"));
  GVariantIter iter;
  GVariant *iface;

  if (network == NULL)
    return;

  g_string_append (text, "\nNetwork\n");

  g_variant_iter_init (&iter, network);
  while (g_variant_iter_next (&iter, "@a{sv}", &iface))
    {
      g_autoptr(GVariant) owned = iface;
      g_autofree const char **addresses = NULL;
      gboolean up = FALSE;
      const char *mac = lookup_string (iface, "mac");

      g_variant_lookup (iface, "up", "b", &up);
      g_variant_lookup (iface, "addresses", "^a&s", &addresses);

      g_string_append_printf (text, "  %s (%s)", lookup_text (iface, "name"), up ? "up" : "down");
      if (mac != NULL)
        g_string_append_printf (text, " %s", mac);
      for (guint i = 0; addresses != NULL && addresses[i] != NULL; i++)
        g_string_append_printf (text, "%s%s", i == 0 ? ": " : ", ", addresses[i]);
      g_string_append_c (text, '\n');
    }
}

static void
append_batteries (GString  *text,
                  GVariant *info)
{
  g_autoptr(GVariant) batteries = g_variant_lookup_value (info, "batteries", G_VARIANT_TYPE ("aa{sv}"));
  GVariantIter iter;
  GVariant *battery;

  if (batteries == NULL || g_variant_n_children (batteries) == 0)
    return;

  g_string_append (text, "\nBatteries\n");

  g_variant_iter_init (&iter, batteries);
  while (g_variant_iter_next (&iter, "@a{sv}", &battery))
    {
      g_autoptr(GVariant) owned = battery;
      const char *status = lookup_string (battery, "status");
      const char *model = lookup_string (battery, "model");
      guint32 capacity;

      g_string_append_printf (text, "  %s", lookup_text (battery, "name"));
      if (g_variant_lookup (battery, "capacity", "u", &capacity))
        g_string_append_printf (text, ": %u%%", capacity);
      if (status != NULL)
        g_string_append_printf (text, ", %s", status);
      if (model != NULL)
        g_string_append_printf (text, " (%s)", model);
      g_string_append_c (text, '\n');
    }
}

static void
append_journal (GString  *text,
                GVariant *info)
{
  g_autoptr(GVariant) journal = g_variant_lookup_value (info, "journal", G_VARIANT_TYPE ("aa{sv}"));
  const char *unavailable = lookup_string (info, "journal-unavailable");
  GVariantIter iter;
  GVariant *entry;

  if (journal == NULL && unavailable == NULL)
    return;

  g_string_append (text, "\nRecent errors in the system journal\n");

  if (journal == NULL)
    {
      g_string_append_printf (text, "  %s\n", unavailable);
      return;
    }

  if (g_variant_n_children (journal) == 0)
    g_string_append (text, "  (none)\n");

  g_variant_iter_init (&iter, journal);
  while (g_variant_iter_next (&iter, "@a{sv}", &entry))
    {
      g_autoptr(GVariant) owned = entry;
      g_autoptr(GDateTime) time = NULL;
      g_autofree char *time_text = NULL;
      gint64 usec = 0;

      g_variant_lookup (entry, "time", "x", &usec);
      time = g_date_time_new_from_unix_local (usec / G_USEC_PER_SEC);
      time_text = time != NULL ? g_date_time_format (time, "%F %T") : g_strdup ("?");

      g_string_append_printf (text, "  %s %s: %s\n", time_text,
                              lookup_text (entry, "identifier"),
                              lookup_text (entry, "message"));
    }
}

static void
append_packages (GString  *text,
                 GVariant *info)
{
  g_autoptr(GVariant) packages = g_variant_lookup_value (info, "packages", G_VARIANT_TYPE ("a(sss)"));
  g_autoptr(GVariant) flatpaks = g_variant_lookup_value (info, "flatpaks", G_VARIANT_TYPE ("aa{sv}"));
  GVariantIter iter;

  if (packages != NULL)
    {
      const char *name, *version, *arch;

      g_string_append_printf (text, "\nInstalled packages (%" G_GSIZE_FORMAT ")\n",
                              g_variant_n_children (packages));

      g_variant_iter_init (&iter, packages);
      while (g_variant_iter_next (&iter, "(&s&s&s)", &name, &version, &arch))
        g_string_append_printf (text, "  %s %s %s\n", name, version, arch);
    }

  if (flatpaks != NULL)
    {
      GVariant *app;

      g_string_append_printf (text, "\nFlatpak applications (%" G_GSIZE_FORMAT ")\n",
                              g_variant_n_children (flatpaks));

      g_variant_iter_init (&iter, flatpaks);
      while (g_variant_iter_next (&iter, "@a{sv}", &app))
        {
          g_autoptr(GVariant) owned = app;
          const char *version = lookup_string (app, "version");
          const char *commit = lookup_string (app, "commit");

          g_string_append_printf (text, "  %s %s", lookup_text (app, "id"),
                                  version != NULL ? version : "");
          g_string_append_printf (text, " (%s, %s, %s, %.12s)\n",
                                  lookup_text (app, "branch"),
                                  lookup_text (app, "arch"),
                                  lookup_text (app, "installation"),
                                  commit != NULL ? commit : "");
        }
    }
}

/**
 * td_sysinfo_to_text:
 * @info: an a{sv} from td_sysinfo_collect() or from the wire
 *
 * Prints @info for people: one section per part, one line per disk,
 * interface, journal entry or package, so that a search finds lines.
 * Keys that are missing or of another type are skipped.
 *
 * Returns: (transfer full): UTF-8 text
 */
char *
td_sysinfo_to_text (GVariant *info)
{
  GString *text;

  g_return_val_if_fail (info != NULL, NULL);
  g_return_val_if_fail (g_variant_is_of_type (info, G_VARIANT_TYPE_VARDICT), NULL);

  text = g_string_new (NULL);

  append_system (text, info);
  append_disks (text, info);
  append_network (text, info);
  append_batteries (text, info);
  append_journal (text, info);
  append_packages (text, info);

  return g_string_free (text, FALSE);
}
