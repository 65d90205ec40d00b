/* td-context-mux.c: many small main contexts driven from one, with epoll
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * GLib's main loop polls every file descriptor and walks every source on
 * each iteration: with one libsoup connection per online host, 100,000
 * idle hosts make each wake-up cost milliseconds, whatever happens. libsoup
 * attaches a connection's sources to the thread-default main context of
 * the moment the connection is made, so connections can be spread over
 * small GMainContexts, a few (ENTRY_CAPACITY) to each. This object keeps
 * the file descriptors those contexts want in one epoll set, watched by a
 * single GSource in the main loop, and iterates only the contexts whose
 * descriptors are ready or whose timeouts are due. Everything still runs
 * on the one main thread; no GLib or libsoup internals are touched.
 *
 * Rules for users: make a connection's objects and call into them with its
 * context pushed as thread-default (td_mux_entry_push/pop), so that the
 * sources and GTasks they create land in it; after touching a connection
 * from elsewhere, the pop (or td_mux_entry_wake) has it looked at again.
 */
#define G_LOG_DOMAIN "td-context-mux"

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>

#include <gio/gio.h>

#include "td-context-mux.h"

#define MAX_ROUNDS   16
#define MAX_EVENTS   1024

/* Connections sharing one context. Each context holds a wake-up eventfd
 * and about 1 KiB; sharing keeps the server near one descriptor per host,
 * at the price of polling a few more descriptors when one is ready. */
#define ENTRY_CAPACITY 16

struct _TdMuxEntry
{
  TdContextMux *mux;
  GMainContext *context;
  GPollFD      *fds;            /* from the last query */
  gint          n_fds;
  gint          fds_size;
  int          *registered;     /* fds in the epoll set for this entry */
  guint32      *registered_events;
  gint          n_registered;
  gint64        deadline_us;    /* -1: none */
  guint         members;
  GList         dirty_link;
  GList         room_link;      /* in mux->with_room while not full */
  guint         dirty : 1;
  guint         dead : 1;
  guint         running : 1;
  guint         timed : 1;
};

typedef struct
{
  GSource       source;
  TdContextMux *mux;
  gpointer      tag;
} MuxSource;

struct _TdContextMux
{
  GObject     parent_instance;
  int         epoll_fd;
  GSource    *source;
  GHashTable *entries;       /* set of TdMuxEntry */
  GHashTable *owners;        /* fd → TdMuxEntry registered for it */
  GHashTable *timed;         /* set of TdMuxEntry with a deadline */
  GQueue      dirty;
  GQueue      with_room;     /* entries with fewer than ENTRY_CAPACITY members */
  GPtrArray  *graveyard;     /* removed entries, freed when idle */
  guint       free_source;
  gboolean    dispatching;
};

G_DEFINE_FINAL_TYPE (TdContextMux, td_context_mux, G_TYPE_OBJECT)

static void run_dirty (TdContextMux *self);

static guint32
to_epoll (gushort events)
{
  guint32 out = 0;

  if (events & G_IO_IN)
    out |= EPOLLIN;
  if (events & G_IO_OUT)
    out |= EPOLLOUT;
  if (events & G_IO_PRI)
    out |= EPOLLPRI;
  return out;
}

static void
unregister_fd (TdContextMux *self,
               TdMuxEntry   *entry,
               int           fd)
{
  /* The fd may have been closed and its number given to another entry
   * meanwhile: only take out what is still ours. */
  if (g_hash_table_lookup (self->owners, GINT_TO_POINTER (fd)) != entry)
    return;

  g_hash_table_remove (self->owners, GINT_TO_POINTER (fd));
  epoll_ctl (self->epoll_fd, EPOLL_CTL_DEL, fd, NULL);
}

static void
register_fd (TdContextMux *self,
             TdMuxEntry   *entry,
             int           fd,
             guint32       events,
             gboolean      known)
{
  struct epoll_event event = { 0 };

  event.events = events;
  event.data.ptr = entry;

  if (known && g_hash_table_lookup (self->owners, GINT_TO_POINTER (fd)) == entry)
    {
      if (epoll_ctl (self->epoll_fd, EPOLL_CTL_MOD, fd, &event) == 0)
        return;
    }

  if (epoll_ctl (self->epoll_fd, EPOLL_CTL_ADD, fd, &event) != 0)
    {
      if (errno == EEXIST)
        epoll_ctl (self->epoll_fd, EPOLL_CTL_MOD, fd, &event);
      else if (errno != EBADF && errno != EPERM)
        g_debug ("epoll_ctl (%d): %s", fd, g_strerror (errno));
    }
  g_hash_table_insert (self->owners, GINT_TO_POINTER (fd), entry);
}

/* Makes the epoll set match the fds the entry's context last asked for. */
static void
sync_fds (TdContextMux *self,
          TdMuxEntry   *entry)
{
  g_autofree int *fds = g_new (int, MAX (entry->n_fds, 1));
  g_autofree guint32 *events = g_new (guint32, MAX (entry->n_fds, 1));
  gint n = 0;

  /* One registration per fd, with the union of the wanted events */
  for (gint i = 0; i < entry->n_fds; i++)
    {
      gint j;

      if (entry->fds[i].fd < 0)
        continue;
      for (j = 0; j < n; j++)
        if (fds[j] == entry->fds[i].fd)
          break;
      if (j == n)
        {
          fds[n] = entry->fds[i].fd;
          events[n] = 0;
          n++;
        }
      events[j] |= to_epoll (entry->fds[i].events);
    }

  for (gint i = 0; i < entry->n_registered; i++)
    {
      gboolean kept = FALSE;

      for (gint j = 0; j < n && !kept; j++)
        kept = fds[j] == entry->registered[i];
      if (!kept)
        unregister_fd (self, entry, entry->registered[i]);
    }

  for (gint j = 0; j < n; j++)
    {
      gboolean known = FALSE;
      gboolean same = FALSE;

      for (gint i = 0; i < entry->n_registered && !known; i++)
        if (entry->registered[i] == fds[j])
          {
            known = TRUE;
            same = entry->registered_events[i] == events[j];
          }
      if (!same || g_hash_table_lookup (self->owners, GINT_TO_POINTER (fds[j])) != entry)
        register_fd (self, entry, fds[j], events[j], known);
    }

  g_free (entry->registered);
  g_free (entry->registered_events);
  entry->registered = g_steal_pointer (&fds);
  entry->registered_events = g_steal_pointer (&events);
  entry->n_registered = n;
}

static void
mark_dirty (TdContextMux *self,
            TdMuxEntry   *entry)
{
  if (entry->dirty || entry->dead)
    return;

  /* Picked up by the mux source's next prepare, or by the dispatch that
   * is running now. */
  entry->dirty = TRUE;
  g_queue_push_tail_link (&self->dirty, &entry->dirty_link);
}

/* Iterates the entry's context until nothing more is ready, then records
 * what it waits for. */
static void
run_entry (TdContextMux *self,
           TdMuxEntry   *entry)
{
  GMainContext *context = entry->context;
  gint timeout = -1;
  guint round;

  if (entry->dead || entry->running || !g_main_context_acquire (context))
    return;

  entry->running = TRUE;
  g_main_context_push_thread_default (context);

  for (round = 0; round < MAX_ROUNDS; round++)
    {
      gint priority = G_MAXINT;
      gint n;

      g_main_context_prepare (context, &priority);
      while ((n = g_main_context_query (context, priority, &timeout, entry->fds, entry->fds_size)) > entry->fds_size)
        {
          entry->fds_size = n;
          entry->fds = g_renew (GPollFD, entry->fds, n);
        }
      entry->n_fds = n;

      if (n > 0)
        g_poll (entry->fds, n, 0);

      if (!g_main_context_check (context, priority, entry->fds, n))
        break;

      g_main_context_dispatch (context);
    }

  g_main_context_pop_thread_default (context);
  g_main_context_release (context);
  entry->running = FALSE;

  if (entry->dead)
    return;

  if (round == MAX_ROUNDS)
    {
      /* Busy: come back on the next pass rather than starve others. */
      mark_dirty (self, entry);
      return;
    }

  sync_fds (self, entry);

  if (timeout >= 0)
    {
      entry->deadline_us = g_get_monotonic_time () + (gint64) timeout * 1000;
      if (!entry->timed)
        {
          entry->timed = TRUE;
          g_hash_table_add (self->timed, entry);
        }
    }
  else if (entry->timed)
    {
      entry->timed = FALSE;
      entry->deadline_us = -1;
      g_hash_table_remove (self->timed, entry);
    }
}

static void
run_dirty (TdContextMux *self)
{
  GList *link;

  while ((link = g_queue_pop_head_link (&self->dirty)) != NULL)
    {
      TdMuxEntry *entry = link->data;

      entry->dirty = FALSE;
      run_entry (self, entry);
    }
}

/* The one source in the main loop */

static gboolean
mux_prepare (GSource *source,
             gint    *timeout)
{
  TdContextMux *self = ((MuxSource *) source)->mux;
  gint64 now = g_source_get_time (source);
  gint64 first = G_MAXINT64;
  GHashTableIter iter;
  gpointer key;

  if (self->dirty.length > 0)
    {
      *timeout = 0;
      return TRUE;
    }

  g_hash_table_iter_init (&iter, self->timed);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    first = MIN (first, ((TdMuxEntry *) key)->deadline_us);

  if (first == G_MAXINT64)
    *timeout = -1;
  else if (first <= now)
    {
      *timeout = 0;
      return TRUE;
    }
  else
    *timeout = (gint) MIN ((first - now + 999) / 1000, G_MAXINT);

  return FALSE;
}

static gboolean
mux_check (GSource *source)
{
  MuxSource *mux_source = (MuxSource *) source;
  gint timeout;

  if (g_source_query_unix_fd (source, mux_source->tag) & G_IO_IN)
    return TRUE;

  return mux_prepare (source, &timeout);
}

static gboolean
mux_dispatch (GSource     *source,
              GSourceFunc  callback,
              gpointer     user_data)
{
  TdContextMux *self = ((MuxSource *) source)->mux;
  struct epoll_event events[MAX_EVENTS];
  gint64 now = g_get_monotonic_time ();
  g_autoptr(GPtrArray) due = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer key;
  int n;

  self->dispatching = TRUE;

  n = epoll_wait (self->epoll_fd, events, MAX_EVENTS, 0);
  for (int i = 0; i < n; i++)
    mark_dirty (self, events[i].data.ptr);

  g_hash_table_iter_init (&iter, self->timed);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (((TdMuxEntry *) key)->deadline_us <= now)
      g_ptr_array_add (due, key);
  for (guint i = 0; i < due->len; i++)
    mark_dirty (self, g_ptr_array_index (due, i));

  run_dirty (self);

  self->dispatching = FALSE;
  return G_SOURCE_CONTINUE;
}

static GSourceFuncs mux_funcs = {
  .prepare = mux_prepare,
  .check = mux_check,
  .dispatch = mux_dispatch,
};

/* Entries */

static void
entry_free (TdMuxEntry *entry)
{
  g_main_context_unref (entry->context);
  g_free (entry->fds);
  g_free (entry->registered);
  g_free (entry->registered_events);
  g_free (entry);
}

static gboolean
free_graveyard_cb (gpointer user_data)
{
  TdContextMux *self = user_data;

  self->free_source = 0;
  g_ptr_array_set_size (self->graveyard, 0);
  return G_SOURCE_REMOVE;
}

/**
 * td_context_mux_add:
 *
 * Returns: (transfer none): an entry, whose main context a few other
 *   connections may share, for one more connection; give it back with
 *   td_context_mux_remove()
 */
TdMuxEntry *
td_context_mux_add (TdContextMux *self)
{
  TdMuxEntry *entry;

  g_return_val_if_fail (TD_IS_CONTEXT_MUX (self), NULL);

  if (self->with_room.head != NULL)
    {
      entry = self->with_room.head->data;
      if (++entry->members == ENTRY_CAPACITY)
        g_queue_unlink (&self->with_room, &entry->room_link);
      return entry;
    }

  entry = g_new0 (TdMuxEntry, 1);
  entry->members = 1;
  entry->room_link.data = entry;
  g_queue_push_tail_link (&self->with_room, &entry->room_link);
  entry->mux = self;
  /* Nobody owns these contexts between iterations: without this flag a
   * source attached from a worker thread (a GTask finishing) would not
   * signal the context's wake-up fd, and the mux would never hear of it. */
  entry->context = g_main_context_new_with_flags (G_MAIN_CONTEXT_FLAGS_OWNERLESS_POLLING);
  entry->deadline_us = -1;
  entry->dirty_link.data = entry;
  g_hash_table_add (self->entries, entry);
  return entry;
}

/**
 * td_context_mux_remove:
 *
 * One connection is done with the entry. With the last one the entry is
 * no longer watched and its context is dropped when idle, so this may be
 * called from inside that context's own dispatch.
 */
void
td_context_mux_remove (TdContextMux *self,
                       TdMuxEntry   *entry)
{
  g_return_if_fail (TD_IS_CONTEXT_MUX (self));
  g_return_if_fail (entry != NULL && !entry->dead && entry->members > 0);

  if (entry->members-- == ENTRY_CAPACITY)
    g_queue_push_tail_link (&self->with_room, &entry->room_link);
  if (entry->members > 0)
    return;

  g_queue_unlink (&self->with_room, &entry->room_link);
  entry->dead = TRUE;
  for (gint i = 0; i < entry->n_registered; i++)
    unregister_fd (self, entry, entry->registered[i]);
  entry->n_registered = 0;

  if (entry->dirty)
    g_queue_unlink (&self->dirty, &entry->dirty_link);
  if (entry->timed)
    g_hash_table_remove (self->timed, entry);
  g_hash_table_remove (self->entries, entry);

  g_ptr_array_add (self->graveyard, entry);
  if (self->free_source == 0)
    self->free_source = g_idle_add_full (G_PRIORITY_LOW, free_graveyard_cb, self, NULL);
}

guint
td_context_mux_get_size (TdContextMux *self)
{
  g_return_val_if_fail (TD_IS_CONTEXT_MUX (self), 0);

  return g_hash_table_size (self->entries);
}

GMainContext *
td_mux_entry_get_context (TdMuxEntry *entry)
{
  g_return_val_if_fail (entry != NULL, NULL);

  return entry->context;
}

/**
 * td_mux_entry_push:
 *
 * Makes the entry's context the thread-default one, so that what the
 * caller does to the entry's connection attaches its sources there.
 */
void
td_mux_entry_push (TdMuxEntry *entry)
{
  g_return_if_fail (entry != NULL);

  g_main_context_push_thread_default (entry->context);
}

/**
 * td_mux_entry_pop:
 *
 * Undoes td_mux_entry_push() and has the entry looked at again soon, since
 * what was done may have added sources or made some ready.
 */
void
td_mux_entry_pop (TdMuxEntry *entry)
{
  g_return_if_fail (entry != NULL);

  g_main_context_pop_thread_default (entry->context);
  td_mux_entry_wake (entry);
}

void
td_mux_entry_wake (TdMuxEntry *entry)
{
  g_return_if_fail (entry != NULL);

  mark_dirty (entry->mux, entry);
}

/* Object */

static void
td_context_mux_dispose (GObject *object)
{
  TdContextMux *self = (TdContextMux *) object;

  g_clear_handle_id (&self->free_source, g_source_remove);
  if (self->source != NULL)
    {
      g_source_destroy (self->source);
      g_clear_pointer (&self->source, g_source_unref);
    }

  G_OBJECT_CLASS (td_context_mux_parent_class)->dispose (object);
}

static void
td_context_mux_finalize (GObject *object)
{
  TdContextMux *self = (TdContextMux *) object;
  GHashTableIter iter;
  gpointer key;

  g_queue_init (&self->dirty);
  g_queue_init (&self->with_room);
  g_hash_table_iter_init (&iter, self->entries);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (self->graveyard, key);
  g_clear_pointer (&self->entries, g_hash_table_unref);
  g_clear_pointer (&self->graveyard, g_ptr_array_unref);
  g_clear_pointer (&self->owners, g_hash_table_unref);
  g_clear_pointer (&self->timed, g_hash_table_unref);
  if (self->epoll_fd >= 0)
    close (self->epoll_fd);

  G_OBJECT_CLASS (td_context_mux_parent_class)->finalize (object);
}

static void
td_context_mux_class_init (TdContextMuxClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = td_context_mux_dispose;
  object_class->finalize = td_context_mux_finalize;
}

static void
td_context_mux_init (TdContextMux *self)
{
  self->epoll_fd = -1;
  self->entries = g_hash_table_new (NULL, NULL);
  self->owners = g_hash_table_new (NULL, NULL);
  self->timed = g_hash_table_new (NULL, NULL);
  self->graveyard = g_ptr_array_new_with_free_func ((GDestroyNotify) entry_free);
  g_queue_init (&self->dirty);
  g_queue_init (&self->with_room);
}

/**
 * td_context_mux_new:
 * @error: a #GError
 *
 * Attaches the mux's source to the thread-default main context.
 *
 * Returns: (transfer full): the mux, or %NULL if epoll is not available
 */
TdContextMux *
td_context_mux_new (GError **error)
{
  g_autoptr(TdContextMux) self = g_object_new (TD_TYPE_CONTEXT_MUX, NULL);
  MuxSource *source;

  self->epoll_fd = epoll_create1 (EPOLL_CLOEXEC);
  if (self->epoll_fd < 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "Could not create an epoll set: %s", g_strerror (saved_errno));
      return NULL;
    }

  source = (MuxSource *) g_source_new (&mux_funcs, sizeof (MuxSource));
  source->mux = self;
  source->tag = g_source_add_unix_fd ((GSource *) source, self->epoll_fd, G_IO_IN);
  g_source_set_name ((GSource *) source, "td-context-mux");
  g_source_attach ((GSource *) source, g_main_context_get_thread_default ());
  self->source = (GSource *) source;

  return g_steal_pointer (&self);
}
