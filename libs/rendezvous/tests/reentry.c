/*
 * Unit tests: re-entrant handlers, nested dispatch, destroy from a handler,
 * and a wake-driven dispatcher thread
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

#include "testutil.h"

/* ---- ping-pong from inside handlers ---- */

struct pingpong
{
    int rounds;
    int replies;
    int terminated_in_handler;
    int send_failures;
};

static void pingpong_hook(struct peer *p, const struct rec_event *ev)
{
    struct pingpong *pp = p->context;
    uint16_t unit;

    if (ev->kind == REC_STATE && ev->new_state == RV_STATE_CONNECTED &&
        (rv_session_get_flags(p->s) & RV_FLAG_INVITER))
    {
        unit = 0;
        if (rv_session_send_context_data(p->s, &unit, 1)) pp->send_failures++;
    }
    if (ev->kind != REC_DATA) return;
    unit = (uint16_t)(ev->units[0] + 1);
    if (unit >= pp->rounds)
    {
        static const uint16_t done[] = { 'd', 'o', 'n', 'e' };

        if (!rv_session_terminate(p->s, 0x42, done, 4)) pp->terminated_in_handler = 1;
        return;
    }
    pp->replies++;
    if (rv_session_send_context_data(p->s, &unit, 1)) pp->send_failures++;
}

static void test_pingpong(void)
{
    char invitation[RV_INVITATION_BUFFER_SIZE];
    struct pingpong pa = { .rounds = 200 }, pb = { .rounds = 200 };
    struct peer a, b;
    uint64_t deadline;
    int k;

    peer_create(&a, "inviter", &rv_profile_rendezvous, RV_FLAG_INVITER);
    peer_create(&b, "invitee", &rv_profile_rendezvous, RV_FLAG_INVITEE);
    a.hook = b.hook = pingpong_hook;
    a.context = &pa;
    b.context = &pb;
    rv_session_invite(a.s, NULL, 0, invitation, sizeof(invitation));
    rv_session_receive_invitation(b.s, invitation);
    rv_session_accept(b.s);
    deadline = rv_time_ms() + 20000;
    while ((a.last_state != RV_STATE_CANCELLED || b.last_state != RV_STATE_CANCELLED) &&
           rv_time_ms() < deadline)
    {
        rv_session_wait(a.s, 5);
        rv_session_dispatch(a.s);
        rv_session_dispatch(b.s);
    }
    ok(a.last_state == RV_STATE_CANCELLED && b.last_state == RV_STATE_CANCELLED, "states %d %d\n",
       a.last_state, b.last_state);
    ok(pa.replies + pb.replies == 199, "replies %d + %d\n", pa.replies, pb.replies);
    ok(pa.terminated_in_handler + pb.terminated_in_handler == 1, "terminate from handler\n");
    ok(!pa.send_failures && !pb.send_failures, "send failures %d %d\n", pa.send_failures, pb.send_failures);
    k = find_event(pa.terminated_in_handler ? &b : &a, REC_TERMINATION, 0);
    ok(k >= 0, "remote termination missing\n");
    peer_destroy(&a);
    peer_destroy(&b);
}

/* A connected pair, a having sent count units 0, 1, ... one per message. */
static void connect_and_send(struct peer *a, struct peer *b, uint16_t count)
{
    uint16_t i;

    peer_create(a, "inviter", &rv_profile_rendezvous, RV_FLAG_INVITER);
    peer_create(b, "invitee", &rv_profile_rendezvous, RV_FLAG_INVITEE);
    ok(connect_pair(a, b, NULL), "connect\n");
    for (i = 0; i < count; i++) rv_session_send_context_data(a->s, &i, 1);
}

/* ---- nested dispatch ---- */

static int nested_depth, nested_max;

static void nested_hook(struct peer *p, const struct rec_event *ev)
{
    if (ev->kind != REC_DATA) return;
    nested_depth++;
    if (nested_depth > nested_max) nested_max = nested_depth;
    /* Each handler dispatches what follows: events stay in order. */
    if (nested_depth < 5) rv_session_dispatch(p->s);
    nested_depth--;
}

static void test_nested_dispatch(void)
{
    struct peer a, b;
    int k, n = 0, in_order = 1;

    connect_and_send(&a, &b, 20);
    /* Let everything queue up before dispatching. */
    rv_session_wait(b.s, 5000);
    rv_sleep_ms(200);
    b.hook = nested_hook;
    ok(peer_wait_data_units(&b, 20, 5000), "got %lu units\n", (unsigned long)b.data_units);
    for (k = find_event(&b, REC_DATA, 0); k >= 0; k = find_event(&b, REC_DATA, k + 1))
    {
        if (b.ev[k].units[0] != n) in_order = 0;
        n++;
    }
    ok(n == 20 && in_order, "%d events, in order %d\n", n, in_order);
    ok(nested_max >= 2, "nesting depth %d\n", nested_max);
    peer_destroy(&a);
    peer_destroy(&b);
}

/* ---- destroy from a handler ---- */

static int cond_final(struct peer *p, void *arg)
{
    (void)arg;
    return p->last_state >= RV_STATE_CANCELLED;
}

static int calls_after_destroy;

static void destroy_hook(struct peer *p, const struct rec_event *ev)
{
    if (!p->s)
    {
        calls_after_destroy++;
        return;
    }
    if (ev->kind == REC_STATE && ev->new_state == (enum rv_state)(uintptr_t)p->context)
    {
        /* Like RA releasing the session in OnStateChanged. */
        rv_session_destroy(p->s);
        p->s = NULL;
    }
}

static void test_destroy_in_handler(enum rv_state when, int nested)
{
    struct peer a, b;
    long base = live_allocations();

    peer_create(&a, "inviter", &rv_profile_rendezvous, RV_FLAG_INVITER);
    peer_create(&b, "invitee", &rv_profile_rendezvous, RV_FLAG_INVITEE);
    b.hook = destroy_hook;
    b.context = (void *)(uintptr_t)when;
    if (when == RV_STATE_CONNECTED)
    {
        char invitation[RV_INVITATION_BUFFER_SIZE];
        struct rv_session *s;

        rv_session_invite(a.s, NULL, 0, invitation, sizeof(invitation));
        rv_session_receive_invitation(b.s, invitation);
        rv_session_accept(b.s);
        s = b.s;
        /* Wait without dispatching, then dispatch everything at once (maybe nested). */
        ok(peer_wait_state(&a, RV_STATE_CONNECTED, 5000), "inviter not connected\n");
        rv_session_wait(s, 2000);
        rv_sleep_ms(50);
        if (nested) b.hook = NULL;
        rv_session_dispatch(s); /* without the hook: no destroy */
        if (nested)
        {
            b.hook = destroy_hook;
            ok(b.s != NULL, "destroyed early\n");
        }
    }
    else
    {
        ok(connect_pair(&a, &b, NULL), "connect\n");
        rv_session_cancel(b.s);
        rv_session_dispatch(b.s);
    }
    ok(b.s == NULL || when == RV_STATE_CONNECTED, "not destroyed in the handler\n");
    if (b.s)
    {
        /* Connected was dispatched without the hook: cancel and destroy on CANCELLED instead. */
        b.context = (void *)(uintptr_t)RV_STATE_CANCELLED;
        rv_session_cancel(b.s);
        rv_session_dispatch(b.s);
    }
    ok(b.s == NULL, "session survived\n");
    ok(!calls_after_destroy, "%d handler calls after destroy\n", calls_after_destroy);
    ok(peer_pump_until(&a, cond_final, NULL, 5000), "inviter state %d\n", a.last_state);
    peer_destroy(&a);
    peer_reset_log(&b);
    ok(wait_live_allocations(base, 2000) == base, "leak after destroy in handler\n");
}

/* Destroy from a handler in the middle of a burst that the dispatch took off
 * the queue at once: the rest of it reaches no handler and is freed. */
static int burst_data_seen;

static void burst_destroy_hook(struct peer *p, const struct rec_event *ev)
{
    if (!p->s)
    {
        calls_after_destroy++;
        return;
    }
    if (ev->kind == REC_DATA && ++burst_data_seen == 3)
    {
        rv_session_destroy(p->s);
        p->s = NULL;
    }
}

static void test_destroy_mid_burst(void)
{
    long base = live_allocations();
    struct rv_session *s;
    struct peer a, b;

    connect_and_send(&a, &b, 20);
    /* Everything queued before the one dispatch. */
    rv_session_wait(b.s, 5000);
    rv_sleep_ms(200);
    calls_after_destroy = 0;
    burst_data_seen = 0;
    b.hook = burst_destroy_hook;
    s = b.s;
    ok(rv_session_dispatch(s) == RV_S_OK, "nothing dispatched\n");
    ok(b.s == NULL, "not destroyed in the handler\n");
    ok(burst_data_seen == 3, "%d data events\n", burst_data_seen);
    ok(!calls_after_destroy, "%d handler calls after destroy\n", calls_after_destroy);
    peer_destroy(&a);
    peer_reset_log(&b);
    ok(wait_live_allocations(base, 2000) == base, "the rest of the burst leaked\n");
}

/* Destroy while events are still queued: they are freed, no handler runs. */
static void test_destroy_with_queue(void)
{
    long base = live_allocations();
    struct peer a, b;
    uint16_t i;

    connect_and_send(&a, &b, 10);
    rv_session_terminate(a.s, 5, &i, 1);
    rv_sleep_ms(100);
    ok(rv_session_wait(b.s, 0) == RV_S_OK, "nothing queued\n");
    i = (uint16_t)b.n;
    rv_session_destroy(b.s);
    ok(i == b.n, "handler ran during destroy\n");
    b.s = NULL;
    peer_reset_log(&b);
    peer_destroy(&a);
    ok(wait_live_allocations(base, 2000) == base, "queued events leaked\n");
}

/* ---- a second thread may not dispatch while one does ---- */

struct other_dispatch
{
    struct rv_session *s;
    rv_result hr;
};

static void other_dispatch_main(void *arg)
{
    struct other_dispatch *od = arg;

    od->hr = rv_session_dispatch(od->s);
}

static rv_result second_thread_hr = 12345;

static void second_thread_hook(struct peer *p, const struct rec_event *ev)
{
    struct other_dispatch od;
    struct rv_thread t;

    if (ev->kind != REC_DATA || second_thread_hr != 12345) return;
    od.s = p->s;
    od.hr = 12345;
    if (!rv_thread_start(&t, other_dispatch_main, &od))
    {
        rv_thread_join(&t);
        second_thread_hr = od.hr;
    }
}

static void test_second_thread_dispatch(void)
{
    struct peer a, b;
    uint16_t i;

    peer_create(&a, "inviter", &rv_profile_rendezvous, RV_FLAG_INVITER);
    peer_create(&b, "invitee", &rv_profile_rendezvous, RV_FLAG_INVITEE);
    ok(connect_pair(&a, &b, NULL), "connect\n");
    b.hook = second_thread_hook;
    for (i = 0; i < 3; i++) rv_session_send_context_data(a.s, &i, 1);
    ok(peer_wait_data_units(&b, 3, 5000), "data\n");
    ok(second_thread_hr == RV_S_FALSE, "second thread dispatch returned %#x\n", (unsigned)second_thread_hr);
    ok(b.data_events == 3, "%ld events\n", b.data_events);
    peer_destroy(&a);
    peer_destroy(&b);
}

/* ---- wake-driven dispatcher thread, as a COM face would run it ---- */

struct dispatcher
{
    rv_mutex lock;
    rv_cond cond;
    int pending, stop;
    struct rv_session *s;
    rv_thread_id thread;
    long wakes_after_destroy;
    int destroyed;
    struct rv_thread t;
};

static struct dispatcher disp = { .lock = RV_MUTEX_INIT };
static long handler_wrong_thread, handler_calls;

static void disp_wake(void *user)
{
    struct dispatcher *d = user;

    rv_mutex_lock(&d->lock);
    if (d->destroyed) d->wakes_after_destroy++;
    d->pending = 1;
    rv_cond_broadcast(&d->cond);
    rv_mutex_unlock(&d->lock);
}

static void disp_check_thread(void)
{
    handler_calls++;
    if (!rv_thread_equal(rv_thread_self(), disp.thread)) handler_wrong_thread++;
}

static enum rv_state disp_state;

static void disp_state_changed(void *user, enum rv_state new_state, enum rv_state prev)
{
    (void)user; (void)prev;
    disp_check_thread();
    disp_state = new_state;
}

static uint64_t disp_units;

static void disp_data(void *user, const uint16_t *units, uint32_t count)
{
    (void)user; (void)units;
    disp_check_thread();
    disp_units += count;
}

static void disp_termination(void *user, rv_result hr, const uint16_t *units, uint32_t count)
{
    (void)user; (void)hr; (void)units; (void)count;
    disp_check_thread();
}

static void disp_main(void *arg)
{
    struct dispatcher *d = arg;

    d->thread = rv_thread_self();
    rv_mutex_lock(&d->lock);
    while (!d->stop)
    {
        if (!d->pending)
        {
            rv_cond_wait(&d->cond, &d->lock, 100);
            continue;
        }
        d->pending = 0;
        rv_mutex_unlock(&d->lock);
        rv_session_dispatch(d->s);
        rv_mutex_lock(&d->lock);
    }
    rv_mutex_unlock(&d->lock);
}

static void test_dispatcher_thread(void)
{
    static const struct rv_session_callbacks callbacks =
    {
        disp_wake, disp_state_changed, disp_data, disp_termination, NULL, NULL,
    };
    char invitation[RV_INVITATION_BUFFER_SIZE];
    struct peer b;
    uint64_t deadline;
    uint16_t units[50];
    int i;

    rv_cond_init(&disp.cond);
    ok(!rv_session_create(&rv_profile_rendezvous, RV_FLAG_INVITER, &callbacks, &disp, &disp.s), "create\n");
    ok(!rv_thread_start(&disp.t, disp_main, &disp), "thread\n");
    peer_create(&b, "invitee", &rv_profile_rendezvous, RV_FLAG_INVITEE);
    rv_session_invite(disp.s, NULL, 0, invitation, sizeof(invitation));
    rv_session_receive_invitation(b.s, invitation);
    rv_session_accept(b.s);
    ok(peer_wait_state(&b, RV_STATE_CONNECTED, 5000), "connect\n");
    memset(units, 0, sizeof(units));
    for (i = 0; i < 100; i++) rv_session_send_context_data(b.s, units, 50);
    deadline = rv_time_ms() + 5000;
    while (disp_units < 5000 && rv_time_ms() < deadline) rv_sleep_ms(5);
    ok(disp_units == 5000, "dispatcher got %lu units\n", (unsigned long)disp_units);
    ok(disp_state == RV_STATE_CONNECTED, "dispatcher state %d\n", disp_state);
    ok(handler_calls > 100 && !handler_wrong_thread, "%ld of %ld handler calls on the wrong thread\n",
       handler_wrong_thread, handler_calls);

    /* Stop the dispatcher first (as a face unhooks its window), then destroy. */
    rv_mutex_lock(&disp.lock);
    disp.stop = 1;
    rv_cond_broadcast(&disp.cond);
    rv_mutex_unlock(&disp.lock);
    rv_thread_join(&disp.t);
    for (i = 0; i < 10; i++) rv_session_send_context_data(b.s, units, 1);
    rv_session_destroy(disp.s);
    rv_mutex_lock(&disp.lock);
    disp.destroyed = 1;
    rv_mutex_unlock(&disp.lock);
    for (i = 0; i < 10; i++) rv_session_send_context_data(b.s, units, 1);
    ok(peer_wait_state(&b, RV_STATE_TERMINATED, 5000), "peer not TERMINATED\n");
    rv_sleep_ms(50);
    ok(!disp.wakes_after_destroy, "%ld wakes after destroy\n", disp.wakes_after_destroy);
    peer_destroy(&b);
    rv_cond_destroy(&disp.cond);
}

/* Destroy on one thread while the I/O thread keeps delivering wakes for other sessions. */
static void test_destroy_race(void)
{
    struct peer a[8], b[8];
    int round, i;

    for (round = 0; round < 20; round++)
    {
        for (i = 0; i < 8; i++)
        {
            peer_create(&a[i], "inviter", &rv_profile_rendezvous, RV_FLAG_INVITER);
            peer_create(&b[i], "invitee", &rv_profile_rendezvous, RV_FLAG_INVITEE);
        }
        for (i = 0; i < 8; i++)
        {
            char invitation[RV_INVITATION_BUFFER_SIZE];

            rv_session_invite(a[i].s, NULL, 0, invitation, sizeof(invitation));
            rv_session_receive_invitation(b[i].s, invitation);
            rv_session_accept(b[i].s);
        }
        rv_sleep_ms((uint32_t)(round % 5));
        for (i = 0; i < 8; i++)
        {
            uint16_t unit = 1;

            rv_session_send_context_data(a[i].s, &unit, 1);
            peer_destroy(&b[i]);
            peer_destroy(&a[i]);
        }
    }
    ok(wait_live_allocations(0, 2000) == 0, "destroy race leaked %ld\n", live_allocations());
}

START_TEST(reentry)
{
    install_counting_allocator();
    test_pingpong();
    test_nested_dispatch();
    test_destroy_in_handler(RV_STATE_CANCELLED, 0);
    test_destroy_in_handler(RV_STATE_CONNECTED, 0);
    test_destroy_mid_burst();
    test_destroy_with_queue();
    test_second_thread_dispatch();
    test_dispatcher_thread();
    test_destroy_race();
    ok(wait_live_allocations(0, 2000) == 0, "%ld allocations leaked\n", live_allocations());
}
