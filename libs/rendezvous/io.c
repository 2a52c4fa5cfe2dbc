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
static int io_thread_id_set;                /* io_thread_id is the running loop's, not a joined one's */
static int io_running;                      /* started and not yet joined */
static int io_exited;                       /* its loop has ended; the join is still due */
static int io_stop, io_signalled;
static struct rv_waker waker;
static struct rv_conn *graveyard;
static unsigned int handover_waiters;       /* threads waiting for the closing list to progress */
static uint64_t bytes_written;              /* by every connection: progress for network_wait */
static void *poll_block, *spare_block;      /* pollfd array + owner array in one allocation */
static unsigned int poll_cap, spare_cap;
static const struct io_client *client;     /* the connection layer, set once */

/* ---- I/O thread lifetime ---- */

void io_set_client(const struct io_client *connections)
{
    rv_mutex_lock(&core.lock);
    client = connections;
    rv_mutex_unlock(&core.lock);
}

void io_signal(void)
{
    if (!io_running || io_signalled) return;
    /* The loop polls again after whatever its own thread does: no wake-up needed. */
    if (io_thread_id_set && !io_exited && rv_thread_equal(io_thread_id, rv_thread_self())) return;
    io_signalled = 1;
    rv_waker_signal(&waker);
}

int io_on_thread(void)
{
    int ret;

    rv_mutex_lock(&core.lock);
    /* Once the loop has ended, the id may belong to a new thread. */
    ret = io_running && io_thread_id_set && !io_exited && rv_thread_equal(io_thread_id, rv_thread_self());
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
    /* A thread started later may get the joined one's id. */
    io_thread_id_set = 0;
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
            hr = reserve_poll_entries(core.n_sessions + 1, client->closing_count());
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
    while (wait && !core.n_sessions && client->closing_count() && (left = network_wait_left(wait)))
        rv_cond_wait(&core.idle_cond, &core.lock, left);
    handover_waiters--;
    rv_mutex_unlock(&core.lock);

    rv_mutex_lock(&life_lock);
    rv_mutex_lock(&core.lock);
    /* Without a deadline, a thread with closing connections is left to finish them. */
    join = io_running && !core.n_sessions && (wait || !client->closing_count());
    if (join)
    {
        /* Their time is up: closed without RST, frames already written still arrive. */
        client->close_closing();
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

void network_wait_progress(uint64_t bytes)
{
    bytes_written += bytes;
}

void io_wait_handover(uint32_t ticket, struct network_wait *wait)
{
    uint32_t left;

    /* The I/O thread broadcasts idle_cond after each round while someone waits. */
    handover_waiters++;
    while (client->handover_pending(ticket) && (left = network_wait_left(wait)))
        rv_cond_wait(&core.idle_cond, &core.lock, left);
    handover_waiters--;
}

/* ---- the I/O loop ---- */

static void io_main(void *arg)
{
    (void)arg;

    rv_mutex_lock(&core.lock);
    io_thread_id = rv_thread_self();
    io_thread_id_set = 1;
    rv_waker_bind(&waker);
    for (;;)
    {
        rv_pollfd *fds;
        struct rv_conn **owners;
        uint64_t now, next;
        unsigned int n, i;
        int timeout, ready;

        sweep_graveyard();
        /* Without sessions the thread only finishes the closing list. */
        if (io_stop || (!core.n_sessions && !client->closing_count())) break;
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
        now = rv_time_ms();
        next = now + 60000;
        fds[0].fd = waker.read_end;
        fds[0].events = RV_POLL_IN;
        fds[0].revents = 0;
        owners[0] = NULL;
        n = client->poll_set(fds, owners, poll_cap, now, &next);
        timeout = next > now ? (int)(next - now) : 0;
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

            if (!c->dead && fds[i].revents) client->on_ready(c, fds[i].revents);
        }
        client->check_deadlines(rv_time_ms());
        if (handover_waiters) rv_cond_broadcast(&core.idle_cond);
        client->deliver();
    }
    rv_waker_unbind(&waker);
    /* Whoever joins may come much later: give back what can be given now. */
    sweep_graveyard();
    free_poll_blocks();
    io_exited = 1;
    rv_cond_broadcast(&core.idle_cond);
    rv_mutex_unlock(&core.lock);
}

/* ---- process exit ---- */

void rv_process_exit(uint32_t timeout_ms)
{
    uint64_t deadline = rv_time_ms() + timeout_ms, now;
    struct rv_conn **owners;
    unsigned int n, i, cap;
    rv_pollfd *fds;

    /* Every other thread is gone; one that died holding the lock leaves nothing to trust. */
    if (!rv_mutex_trylock(&core.lock)) return;
    core.exiting = 1;
    rv_port_process_exit();
    /* The dead I/O thread's blocks are free, and one has room for every connection. */
    fds = spare_cap > poll_cap ? spare_block : poll_block;
    cap = spare_cap > poll_cap ? spare_cap : poll_cap;
    owners = (struct rv_conn **)(fds + cap);
    /* Without a client no connection was ever made. */
    while (fds && client)
    {
        if (!(n = client->exit_poll_set(fds, owners, cap)) || (now = rv_time_ms()) >= deadline) break;
        if (rv_poll_sockets(fds, n, (int)(deadline - now)) < 0) break;
        for (i = 0; i < n; i++) client->exit_on_ready(owners[i], fds[i].revents);
    }
    rv_mutex_unlock(&core.lock);
}
