/*
 * Rendezvous core: the I/O thread, its loop and process exit
 *
 * Copyright 2026 The wine-rendezvous authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * This library is distributed in the hope that it will be useful,
 * but WITHOUT ANY WARRANTY; without even the implied warranty of
 * MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the GNU
 * Lesser General Public License for more details.
 *
 * You should have received a copy of the GNU Lesser General Public
 * License along with this library; if not, write to the Free Software
 * Foundation, Inc., 51 Franklin St, Fifth Floor, Boston, MA 02110-1301, USA
 */

#include "rv_core.h"

/* I/O thread state, under core.lock unless noted. */
static rv_mutex life_lock = RV_MUTEX_INIT;  /* serialises thread start and stop */
static int conds_ready;                     /* under life_lock */
static struct rv_thread io_thread;
static rv_thread_id io_thread_id;
static int io_running;                      /* started and not yet joined */
static int io_exited;                       /* its loop has ended; the join is still due */
static int io_stop, io_signalled;
static struct rv_waker waker;
static struct rv_conn *graveyard;
static unsigned int handover_waiters;       /* threads waiting for the closing list to progress */
static uint64_t bytes_written;              /* by every connection: progress for network_wait */
static void *poll_block, *spare_block;      /* pollfd array + owner array in one allocation */
static unsigned int poll_cap, spare_cap;

/* Set by rv_process_exit: the only thread left writes what is owed and frees nothing. */
static int process_exiting;

/* ---- I/O thread lifetime ---- */

void io_signal(void)
{
    if (!io_running || io_signalled) return;
    io_signalled = 1;
    rv_waker_signal(&waker);
}

int io_on_thread(void)
{
    int ret;

    rv_mutex_lock(&core.lock);
    /* Once the loop has ended, the id may belong to a new thread. */
    ret = io_running && !io_exited && rv_thread_equal(io_thread_id, rv_thread_self());
    rv_mutex_unlock(&core.lock);
    return ret;
}

static void sweep_graveyard(void)
{
    struct rv_conn *c;

    while ((c = graveyard))
    {
        graveyard = c->next;
        rv_socket_close(c->sock);
        rv_free(c);
    }
}

static void io_main(void *arg);

/* Room for every socket the sessions and the closing list may own; the I/O thread adopts the spare block. */
rv_result reserve_poll_entries(unsigned int sessions, unsigned int closing)
{
    unsigned int need = 1 + sessions * RV_CONNS_PER_SESSION + closing, cap;
    void *block;

    if (need <= poll_cap || need <= spare_cap) return RV_S_OK;
    cap = need < 64 ? 64 : 2 * need;
    if (!(block = rv_alloc((size_t)cap * (sizeof(rv_pollfd) + sizeof(struct rv_conn *)))))
        return RV_E_OUTOFMEMORY;
    rv_free(spare_block);
    spare_block = block;
    spare_cap = cap;
    return RV_S_OK;
}

static void free_poll_blocks(void)
{
    rv_free(poll_block);
    rv_free(spare_block);
    poll_block = spare_block = NULL;
    poll_cap = spare_cap = 0;
}

/* life_lock held, core.lock not: the loop has ended or was told to stop. */
static void io_join(void)
{
    rv_thread_join(&io_thread);
    rv_mutex_lock(&core.lock);
    io_running = 0;
    io_exited = 0;
    io_stop = 0;
    sweep_graveyard();
    free_poll_blocks();
    rv_mutex_unlock(&core.lock);
    rv_waker_close(&waker);
}

rv_result io_acquire(void)
{
    rv_result hr;
    int exited;

    rv_mutex_lock(&life_lock);
    if ((hr = rv_port_init())) goto done;
    if (!conds_ready)
    {
        rv_cond_init(&core.event_cond);
        rv_cond_init(&core.idle_cond);
        conds_ready = 1;
    }
    for (;;)
    {
        /* A thread left draining the closing list keeps running once a session counts again. */
        rv_mutex_lock(&core.lock);
        exited = io_running && io_exited;
        if (!exited)
        {
            hr = reserve_poll_entries(core.n_sessions + 1, conn_closing_count());
            if (!hr) core.n_sessions++;
        }
        rv_mutex_unlock(&core.lock);
        if (!exited) break;
        /* It outlived the last session and has stopped by itself. */
        io_join();
    }
    if (hr) goto done;

    if (!io_running)
    {
        if (!(hr = rv_waker_open(&waker)))
        {
            rv_mutex_lock(&core.lock);
            io_running = 1;
            io_exited = 0;
            io_stop = 0;
            io_signalled = 0;
            rv_mutex_unlock(&core.lock);
            if ((hr = rv_thread_start(&io_thread, io_main, NULL)))
            {
                rv_mutex_lock(&core.lock);
                io_running = 0;
                rv_mutex_unlock(&core.lock);
                rv_waker_close(&waker);
            }
        }
        if (hr)
        {
            rv_mutex_lock(&core.lock);
            if (!--core.n_sessions)
            {
                free_poll_blocks();
                large_trim();
            }
            rv_mutex_unlock(&core.lock);
        }
    }
done:
    rv_mutex_unlock(&life_lock);
    return hr;
}

void network_wait_start(struct network_wait *w)
{
    uint64_t now = rv_time_ms();

    w->deadline = now + RV_DESTROY_TIMEOUT_MS;
    w->end = now + RV_LINGER_MS;
    w->written = bytes_written;
}

/* core.lock held: how long to wait on, 0 once the wait is over. */
static uint32_t network_wait_left(struct network_wait *w)
{
    uint64_t now = rv_time_ms();

    if (w->written != bytes_written)
    {
        w->written = bytes_written;
        w->deadline = now + RV_DESTROY_TIMEOUT_MS < w->end ? now + RV_DESTROY_TIMEOUT_MS : w->end;
    }
    return now < w->deadline ? (uint32_t)(w->deadline - now) : 0;
}

void io_release(struct network_wait *wait)
{
    uint32_t left;
    int join;

    rv_mutex_lock(&core.lock);
    if (--core.n_sessions)
    {
        rv_mutex_unlock(&core.lock);
        return;
    }
    large_trim();
    /* Without sessions the thread stops by itself once the closing list is empty. */
    io_signalled = 0;
    io_signal();
    /* The last session: closing connections get the rest of the bound, unless a new session comes. */
    handover_waiters++;
    while (wait && !core.n_sessions && conn_closing_head() && (left = network_wait_left(wait)))
        rv_cond_wait(&core.idle_cond, &core.lock, left);
    handover_waiters--;
    rv_mutex_unlock(&core.lock);

    rv_mutex_lock(&life_lock);
    rv_mutex_lock(&core.lock);
    /* Without a deadline, a thread with closing connections is left to finish them. */
    join = io_running && !core.n_sessions && (wait || !conn_closing_head());
    if (join)
    {
        /* Their time is up: closed without RST, frames already written still arrive. */
        close_closing_conns();
        io_stop = 1;
        io_signalled = 0;
        io_signal();
    }
    rv_mutex_unlock(&core.lock);
    if (join) io_join();
    rv_mutex_unlock(&life_lock);
}

/* conn_close: the structure waits in the graveyard for the next round. */
void io_bury(struct rv_conn *c)
{
    c->next = graveyard;
    graveyard = c;
}

int process_is_exiting(void)
{
    return process_exiting;
}

void network_wait_progress(uint64_t bytes)
{
    bytes_written += bytes;
}

void io_wait_handover(uint32_t ticket, struct network_wait *wait)
{
    uint32_t left;

    /* The I/O thread broadcasts idle_cond after each round while someone waits. */
    handover_waiters++;
    while (handover_pending(ticket) && (left = network_wait_left(wait)))
        rv_cond_wait(&core.idle_cond, &core.lock, left);
    handover_waiters--;
}

/* ---- the I/O loop ---- */

static short conn_poll_events(struct rv_conn *c, uint64_t now)
{
    short events = 0;

    switch (c->phase)
    {
    case PHASE_LISTEN:
        if (!c->deadline || c->deadline <= now) events = RV_POLL_IN;
        break;
    case PHASE_CONNECTING:
        events = RV_POLL_OUT;
        break;
    default:
        if (!conn_read_by_host(c) && !conn_throttled(c)) events |= RV_POLL_IN;
        if (conn_wants_output(c)) events |= RV_POLL_OUT;
        break;
    }
    return events;
}

static unsigned int poll_add(rv_pollfd *fds, struct rv_conn **owners, unsigned int n, struct rv_conn *c,
                             uint64_t now, uint64_t *next)
{
    short events;

    conn_take_back(c);
    events = conn_poll_events(c, now);

    if (c->deadline && c->deadline < *next) *next = c->deadline;
    /* The invitation's end wakes the loop too. */
    if (c->phase == PHASE_LISTEN && c->session && c->session->expires < *next) *next = c->session->expires;
    /* WSAPoll may miss a failed connect: look again soon. */
    if (c->phase == PHASE_CONNECTING && now + 50 < *next) *next = now + 50;
    if (!events || n >= poll_cap) return n;
    fds[n].fd = c->sock;
    fds[n].events = events;
    fds[n].revents = 0;
    owners[n] = c;
    return n + 1;
}

static unsigned int build_poll_set(rv_pollfd *fds, struct rv_conn **owners, int *timeout)
{
    uint64_t now = rv_time_ms(), next = now + 60000;
    unsigned int n = 1;
    struct rv_session *s;
    struct rv_conn *c;

    fds[0].fd = waker.read_end;
    fds[0].events = RV_POLL_IN;
    fds[0].revents = 0;
    owners[0] = NULL;
    for (s = core.sessions; s; s = s->next)
        for (c = s->conns; c; c = c->next) n = poll_add(fds, owners, n, c, now, &next);
    for (c = conn_closing_head(); c; c = c->next) n = poll_add(fds, owners, n, c, now, &next);
    *timeout = next > now ? (int)(next - now) : 0;
    return n;
}

/* An invitation past its lifetime: the listener and the handshakes in progress
 * close quietly; the inviter hears nothing and stays in RV_STATE_INVITATION. */
static void session_expire(struct rv_session *s)
{
    struct rv_conn *c, *next;

    for (c = s->conns; c; c = next)
    {
        next = c->next;
        if (c->phase == PHASE_LISTEN || c->pending) conn_close(c);
    }
}

/* Returns 1 when c was closed (closing it may have taken others of its session with it). */
static int conn_check_deadline(struct rv_conn *c, uint64_t now)
{
    if (c->phase == PHASE_LISTEN && c->session && c->session->expires <= now &&
        c->session->state == RV_STATE_INVITATION)
    {
        session_expire(c->session);
        return 1;
    }
    if (c->phase == PHASE_CONNECTING)
    {
        conn_on_connected(c, rv_socket_connect_status(c->sock));
        if (c->dead) return 1;
    }
    if (c->deadline && c->deadline <= now)
    {
        conn_on_deadline(c);
        if (c->dead) return 1;
    }
    return 0;
}

static void check_deadlines(void)
{
    uint64_t now = rv_time_ms();
    struct rv_session *s;
    struct rv_conn *c, *next;

    for (s = core.sessions; s; s = s->next)
    {
        for (c = s->conns; c; c = next)
        {
            next = c->next;
            if (conn_check_deadline(c, now)) break;
        }
    }
    /* An orphan only ever closes itself, so the next one stays linked. */
    for (c = conn_closing_head(); c; c = next)
    {
        next = c->next;
        conn_check_deadline(c, now);
    }
}

static void io_main(void *arg)
{
    (void)arg;

    rv_mutex_lock(&core.lock);
    io_thread_id = rv_thread_self();
    for (;;)
    {
        rv_pollfd *fds;
        struct rv_conn **owners;
        unsigned int n, i;
        int timeout, ready;

        sweep_graveyard();
        /* Without sessions the thread only finishes the closing list. */
        if (io_stop || (!core.n_sessions && !conn_closing_head())) break;
        if (spare_block)
        {
            rv_free(poll_block);
            poll_block = spare_block;
            poll_cap = spare_cap;
            spare_block = NULL;
            spare_cap = 0;
        }
        fds = poll_block;
        owners = (struct rv_conn **)(fds + poll_cap);
        n = build_poll_set(fds, owners, &timeout);
        rv_mutex_unlock(&core.lock);

        ready = rv_poll(fds, n, timeout);

        rv_mutex_lock(&core.lock);
        if (ready < 0)
        {
            /* Should not happen; do not spin on it. */
            rv_mutex_unlock(&core.lock);
            rv_sleep_ms(10);
            rv_mutex_lock(&core.lock);
            continue;
        }
        if (fds[0].revents)
        {
            rv_waker_drain(&waker);
            io_signalled = 0;
        }
        for (i = 1; i < n; i++)
        {
            struct rv_conn *c = owners[i];

            if (!c->dead && fds[i].revents) conn_on_poll(c, fds[i].revents);
        }
        check_deadlines();
        if (handover_waiters) rv_cond_broadcast(&core.idle_cond);
        session_deliver_wakes(NULL);
    }
    /* Whoever joins may come much later: give back what can be given now. */
    sweep_graveyard();
    free_poll_blocks();
    io_exited = 1;
    rv_cond_broadcast(&core.idle_cond);
    rv_mutex_unlock(&core.lock);
}

/* ---- process exit ---- */

/* What a connection still owes its peer when the process exits: its queue, a
 * composed frame, or a linger for the peer's EOF. */
static int conn_owes_at_exit(const struct rv_conn *c)
{
    if (c->dead || c->sock == RV_INVALID_SOCKET) return 0;
    if (c->phase == PHASE_ESTABLISHED || c->phase == PHASE_CLOSING) return 1;
    return c->phase != PHASE_LISTEN && c->phase != PHASE_CONNECTING && c->ctl_sent < c->ctl_len;
}

static void conn_close_at_exit(struct rv_conn *c)
{
    rv_socket_close(c->sock);
    c->sock = RV_INVALID_SOCKET;
}

/* Writes what it can, half-closes once all is out, and asks for what is needed next. */
static unsigned int exit_poll_add(rv_pollfd *fds, struct rv_conn **owners, unsigned int n, unsigned int cap,
                                  struct rv_conn *c)
{
    rv_result err = RV_E_FAIL;

    if (!conn_owes_at_exit(c) || n >= cap) return n;
    if (!c->shut)
    {
        if (conn_write_owed(c, &err))
        {
            conn_close_at_exit(c);
            return n;
        }
        if (!conn_wants_output(c))
        {
            rv_socket_shutdown_write(c->sock);
            c->shut = 1;
        }
    }
    fds[n].fd = c->sock;
    fds[n].events = c->shut ? RV_POLL_IN : RV_POLL_IN | RV_POLL_OUT;
    fds[n].revents = 0;
    owners[n] = c;
    return n + 1;
}

/* Reads and drops what the peer still sends, so that closing sends no reset;
 * the peer's EOF, or a failure, ends the connection. */
static void conn_drain_at_exit(struct rv_conn *c)
{
    uint8_t buffer[4096];
    rv_result err;
    long r;

    while ((r = rv_socket_recv(c->sock, buffer, sizeof(buffer), &err)) > 0) {}
    if (r != -1) conn_close_at_exit(c);
}

void rv_process_exit(uint32_t timeout_ms)
{
    uint64_t deadline = rv_time_ms() + timeout_ms, now;
    struct rv_conn **owners, *c;
    struct rv_session *s;
    unsigned int n, i, cap;
    rv_pollfd *fds;

    /* Every other thread is gone; one that died holding the lock leaves nothing to trust. */
    if (!rv_mutex_trylock(&core.lock)) return;
    process_exiting = 1;
    rv_port_process_exit();
    /* The dead I/O thread's blocks are free, and one has room for every connection. */
    fds = spare_cap > poll_cap ? spare_block : poll_block;
    cap = spare_cap > poll_cap ? spare_cap : poll_cap;
    owners = (struct rv_conn **)(fds + cap);
    while (fds)
    {
        n = 0;
        for (s = core.sessions; s; s = s->next)
            for (c = s->conns; c; c = c->next) n = exit_poll_add(fds, owners, n, cap, c);
        for (c = conn_closing_head(); c; c = c->next) n = exit_poll_add(fds, owners, n, cap, c);
        if (!n || (now = rv_time_ms()) >= deadline) break;
        if (rv_poll_sockets(fds, n, (int)(deadline - now)) < 0) break;
        for (i = 0; i < n; i++)
            if (fds[i].revents & (RV_POLL_IN | RV_POLL_ERR)) conn_drain_at_exit(owners[i]);
    }
    rv_mutex_unlock(&core.lock);
}
