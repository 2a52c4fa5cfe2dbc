/*
 * Unit tests: allocation failure sweeps through the allocator hook
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

static long failed_allocations(void)
{
    long n;

    rv_mutex_lock(&alloc_lock);
    n = alloc_failed;
    rv_mutex_unlock(&alloc_lock);
    return n;
}

/* Runs op with the n-th allocation of this thread failing; returns its result. */
#define SWEEP_CALL(n, repeat, call, hr, hit) \
    do { \
        long before_ = failed_allocations(); \
        fail_allocation((n), FAIL_ONLY_THREAD, (repeat)); \
        (hr) = (call); \
        fail_allocation(0, FAIL_ONLY_THREAD, 0); \
        (hit) = failed_allocations() != before_; \
    } while (0)

static void test_sweep_create(int repeat)
{
    struct rv_session *s;
    long n, base = live_allocations();
    rv_result hr;
    int hit = 1, bad = 0;

    for (n = 1; hit && n < 100; n++)
    {
        s = NULL;
        SWEEP_CALL(n, repeat, rv_session_create(&rv_profile_rendezvous, RV_FLAG_INVITER, NULL, NULL, &s),
                   hr, hit);
        if (hit && (hr != RV_E_OUTOFMEMORY || s)) bad++;
        if (!hit && hr != RV_S_OK) bad++;
        rv_session_destroy(s);
        if (wait_live_allocations(base, 1000) != base) bad++;
    }
    ok(!bad && !hit, "create sweep: %d bad, %ld steps\n", bad, n);
}

static void test_sweep_invite(int repeat)
{
    char invitation[RV_INVITATION_BUFFER_SIZE];
    long n, base = live_allocations();
    struct peer a;
    rv_result hr;
    int hit = 1, bad = 0;

    for (n = 1; hit && n < 100; n++)
    {
        peer_create(&a, "inviter", &rv_profile_rendezvous, RV_FLAG_INVITER);
        SWEEP_CALL(n, repeat, rv_session_invite(a.s, NULL, 0, invitation, sizeof(invitation)), hr, hit);
        if (hit)
        {
            peer_pump(&a, 0);
            if (hr != RV_E_OUTOFMEMORY || rv_session_get_state(a.s) != RV_STATE_READY || a.n) bad++;
            /* Still usable */
            if (rv_session_invite(a.s, NULL, 0, invitation, sizeof(invitation))) bad++;
        }
        else if (hr) bad++;
        if (rv_session_get_state(a.s) != RV_STATE_INVITATION) bad++;
        peer_destroy(&a);
        if (wait_live_allocations(base, 1000) != base) bad++;
    }
    ok(!bad && !hit, "invite sweep: %d bad, %ld steps\n", bad, n);
}

static void test_sweep_accept(int repeat, int decline)
{
    char invitation[RV_INVITATION_BUFFER_SIZE];
    long n, base = live_allocations();
    struct peer a, b;
    rv_result hr;
    int hit = 1, bad = 0;

    for (n = 1; hit && n < 100; n++)
    {
        peer_create(&a, "inviter", &rv_profile_rendezvous, RV_FLAG_INVITER);
        peer_create(&b, "invitee", &rv_profile_rendezvous, RV_FLAG_INVITEE);
        rv_session_invite(a.s, NULL, 0, invitation, sizeof(invitation));
        SWEEP_CALL(n, repeat, rv_session_receive_invitation(b.s, invitation), hr, hit);
        if (hit || hr) bad++; /* receiving allocates nothing */
        peer_pump(&b, 0);
        SWEEP_CALL(n, repeat, decline ? rv_session_decline(b.s) : rv_session_accept(b.s), hr, hit);
        if (hit)
        {
            peer_pump(&b, 0);
            if (hr != RV_E_OUTOFMEMORY || rv_session_get_state(b.s) != RV_STATE_INVITATION || b.n != 1)
                bad++;
            peer_pump(&a, 50);
            if (a.n != 1) bad++;
            hr = decline ? rv_session_decline(b.s) : rv_session_accept(b.s);
        }
        if (hr) bad++;
        if (!peer_wait_state(&a, decline ? RV_STATE_DECLINED : RV_STATE_CONNECTED, 5000)) bad++;
        if (!peer_wait_state(&b, decline ? RV_STATE_DECLINED : RV_STATE_CONNECTED, 5000)) bad++;
        peer_destroy(&a);
        peer_destroy(&b);
        if (wait_live_allocations(base, 1000) != base) bad++;
    }
    ok(!bad && !hit, "%s sweep: %d bad, %ld steps\n", decline ? "decline" : "accept", bad, n);
}

static void test_sweep_send_terminate(int repeat)
{
    static const uint16_t data[] = { 'd', 0, 0xdc00 };
    long n, base;
    struct peer a, b;
    rv_result hr;
    int hit = 1, bad = 0, sent = 0;

    peer_create(&a, "inviter", &rv_profile_messenger, RV_FLAG_INVITER);
    peer_create(&b, "invitee", &rv_profile_messenger, RV_FLAG_INVITEE);
    ok(connect_pair(&a, &b, NULL), "connect\n");
    base = live_allocations();
    for (n = 1; hit && n < 100; n++)
    {
        SWEEP_CALL(n, repeat, rv_session_send_context_data(a.s, data, 3), hr, hit);
        if (hit && hr != RV_E_OUTOFMEMORY) bad++;
        if (!hit && hr) bad++;
        if (!hr) sent++;
    }
    ok(!bad && !hit, "send sweep: %d bad, %ld steps\n", bad, n);
    /* Failed calls were not counted: four more sends succeed with the Messenger limit of five. */
    while (sent < 5) ok(!rv_session_send_context_data(a.s, data, 3), "send %d\n", ++sent);
    ok(rv_session_send_context_data(a.s, data, 3) == RV_SR_CONTEXT_DATA_OVER_LIMIT, "sixth send\n");
    ok(peer_wait_data_units(&b, 15, 5000), "peer got %lu units\n", (unsigned long)b.data_units);
    peer_pump(&b, 50);
    ok(b.data_events == 5, "peer got %ld messages\n", b.data_events);
    ok(wait_live_allocations(base, 1000) == base, "send leaked\n");

    bad = 0;
    hit = 1;
    for (n = 1; hit && n < 100; n++)
    {
        SWEEP_CALL(n, repeat, rv_session_terminate(b.s, 0x55, data, 3), hr, hit);
        if (hit)
        {
            if (hr != RV_E_OUTOFMEMORY || rv_session_get_state(b.s) != RV_STATE_CONNECTED) bad++;
        }
        else if (hr) bad++;
    }
    ok(!bad && !hit, "terminate sweep: %d bad, %ld steps\n", bad, n);
    ok(peer_wait_state(&a, RV_STATE_CANCELLED, 5000), "inviter not CANCELLED\n");
    ok(count_events(&a, REC_TERMINATION) == 1, "terminations: %d\n", count_events(&a, REC_TERMINATION));
    peer_destroy(&a);
    peer_destroy(&b);
}

/* Cancel and dispatch allocate nothing. */
static void test_no_allocation_calls(void)
{
    char invitation[RV_INVITATION_BUFFER_SIZE];
    struct peer a, b;
    rv_result hr;
    int hit;

    peer_create(&a, "inviter", &rv_profile_rendezvous, RV_FLAG_INVITER);
    peer_create(&b, "invitee", &rv_profile_rendezvous, RV_FLAG_INVITEE);
    ok(connect_pair(&a, &b, invitation), "connect\n");
    SWEEP_CALL(1, 1, rv_session_cancel(a.s), hr, hit);
    ok(!hr && !hit, "cancel: %#x %d\n", (unsigned)hr, hit);
    SWEEP_CALL(1, 1, rv_session_dispatch(a.s), hr, hit);
    ok(!hit, "dispatch allocated\n");
    ok(peer_wait_state(&b, RV_STATE_DECLINED, 5000), "invitee not DECLINED\n");
    peer_destroy(&a);
    peer_destroy(&b);
}

/* The receiving I/O thread cannot store context data: the sender hears of it. */
static void test_receiver_out_of_memory(void)
{
    static const uint16_t data[] = { 'o', 'o', 'm' };
    struct peer a, b;
    int k;

    peer_create(&a, "inviter", &rv_profile_rendezvous, RV_FLAG_INVITER);
    peer_create(&b, "invitee", &rv_profile_rendezvous, RV_FLAG_INVITEE);
    ok(connect_pair(&a, &b, NULL), "connect\n");
    fail_allocation(1, FAIL_OTHER_THREADS, 0);
    ok(!rv_session_send_context_data(a.s, data, 3), "send\n");
    ok(peer_wait_events(&a, 4, 5000), "no send error\n");
    fail_allocation(0, FAIL_ONLY_THREAD, 0);
    k = find_event(&a, REC_SEND_ERROR, 0);
    ok(k >= 0 && a.ev[k].hr == RV_E_OUTOFMEMORY, "send error %#x\n", k >= 0 ? (unsigned)a.ev[k].hr : 0);
    peer_pump(&b, 50);
    ok(!b.data_events, "data delivered\n");
    ok(rv_session_get_state(a.s) == RV_STATE_CONNECTED && rv_session_get_state(b.s) == RV_STATE_CONNECTED,
       "session ended\n");
    /* Still usable */
    ok(!rv_session_send_context_data(a.s, data, 3), "send again\n");
    ok(peer_wait_data_units(&b, 3, 5000), "second send not delivered\n");

    /* TERMINATE data that cannot be stored: the hr still arrives. */
    fail_allocation(1, FAIL_OTHER_THREADS, 0);
    ok(!rv_session_terminate(b.s, 0x77, data, 3), "terminate\n");
    ok(peer_wait_state(&a, RV_STATE_CANCELLED, 5000), "inviter not CANCELLED\n");
    fail_allocation(0, FAIL_ONLY_THREAD, 0);
    k = find_event(&a, REC_TERMINATION, 0);
    ok(k >= 0 && a.ev[k].hr == 0x77 && !a.ev[k].count,
       "termination %#x\n", k >= 0 ? (unsigned)a.ev[k].hr : 0);
    peer_destroy(&a);
    peer_destroy(&b);
}

/* Neither side drops a notice of undelivered data for want of memory: the
 * receiver's reports beyond the few it keeps are counted, and the sender's
 * events that cannot be allocated come with the one already queued. */
static void test_send_errors_never_dropped(void)
{
    struct peer a, b;
    int i, reported = 0;

    peer_create(&a, "inviter", &rv_profile_rendezvous, RV_FLAG_INVITER);
    peer_create(&b, "invitee", &rv_profile_rendezvous, RV_FLAG_INVITEE);
    ok(connect_pair(&a, &b, NULL), "connect\n");
    /* Every allocation of the sender's I/O thread fails from now on. */
    fail_allocation(1, FAIL_OTHER_THREADS, 1);
    for (i = 0; i < 12; i++)
        if (rv_session_report_delivery_failure(b.s, RV_E_OUTOFMEMORY) == RV_S_OK) reported++;
    ok(reported == 12, "%d of 12 reports taken\n", reported);
    /* Nothing on the sender's side to wait for but these. */
    ok(peer_wait_events(&a, a.n + 12, 5000), "%d send errors\n", count_events(&a, REC_SEND_ERROR));
    fail_allocation(0, FAIL_ONLY_THREAD, 0);
    peer_pump(&a, 50);
    ok(count_events(&a, REC_SEND_ERROR) == 12, "%d send errors\n", count_events(&a, REC_SEND_ERROR));
    ok(rv_session_get_state(a.s) == RV_STATE_CONNECTED, "the sender's session ended\n");
    peer_destroy(&a);
    peer_destroy(&b);
}

/* The inviter's I/O thread cannot allocate for an incoming connection. */
static void test_listener_out_of_memory(void)
{
    char invitation[RV_INVITATION_BUFFER_SIZE];
    struct peer a, b;
    int k;

    peer_create(&a, "inviter", &rv_profile_rendezvous, RV_FLAG_INVITER);
    peer_create(&b, "invitee", &rv_profile_rendezvous, RV_FLAG_INVITEE);
    rv_session_invite(a.s, NULL, 0, invitation, sizeof(invitation));
    rv_session_receive_invitation(b.s, invitation);
    fail_allocation(1, FAIL_OTHER_THREADS, 0);
    rv_session_accept(b.s);
    ok(peer_wait_state(&b, RV_STATE_TERMINATED, 5000), "invitee not TERMINATED (%d)\n", b.last_state);
    fail_allocation(0, FAIL_ONLY_THREAD, 0);
    k = find_event(&b, REC_TERMINATION, 0);
    ok(k >= 0 && RV_FAILED(b.ev[k].hr), "termination %#x\n", k >= 0 ? (unsigned)b.ev[k].hr : 0);
    peer_pump(&a, 50);
    ok(a.n == 1, "inviter saw %d events\n", a.n);
    peer_destroy(&b);
    /* The invitation is still good. */
    peer_create(&b, "invitee", &rv_profile_rendezvous, RV_FLAG_INVITEE);
    rv_session_receive_invitation(b.s, invitation);
    rv_session_accept(b.s);
    ok(peer_wait_state(&b, RV_STATE_CONNECTED, 5000), "retry not connected\n");
    peer_destroy(&a);
    peer_destroy(&b);
}

/* Any allocation of the I/O thread failing during a whole flow: no crash, no leak. */
static void test_io_thread_chaos(void)
{
    static const uint16_t data[] = { 1, 2, 3, 4 };
    char invitation[RV_INVITATION_BUFFER_SIZE];
    long n, base = live_allocations();
    int bad = 0, finished = 0;

    for (n = 1; n <= 12; n++)
    {
        struct peer a, b;
        int i;

        peer_create(&a, "inviter", &rv_profile_rendezvous, RV_FLAG_INVITER);
        peer_create(&b, "invitee", &rv_profile_rendezvous, RV_FLAG_INVITEE);
        rv_session_set_handshake_timeout(b.s, 1000);
        rv_session_invite(a.s, NULL, 0, invitation, sizeof(invitation));
        rv_session_receive_invitation(b.s, invitation);
        fail_allocation(n, FAIL_OTHER_THREADS, 0);
        rv_session_accept(b.s);
        peer_wait_state(&b, RV_STATE_CONNECTED, 1500);
        peer_wait_state(&a, RV_STATE_CONNECTED, 200);
        for (i = 0; i < 4; i++)
        {
            rv_session_send_context_data(a.s, data, 4);
            rv_session_send_context_data(b.s, data, 4);
        }
        rv_session_terminate(a.s, 1, data, 4);
        peer_pump(&a, 100);
        peer_pump(&b, 100);
        fail_allocation(0, FAIL_ONLY_THREAD, 0);
        if (rv_session_get_state(a.s) == RV_STATE_CANCELLED) finished++;
        peer_destroy(&a);
        peer_destroy(&b);
        if (wait_live_allocations(base, 1000) != base) bad++;
    }
    ok(!bad, "%d chaos rounds leaked\n", bad);
    ok(finished > 0, "no round finished\n");
}

START_TEST(alloc)
{
    install_counting_allocator();
    test_sweep_create(0);
    test_sweep_create(1);
    test_sweep_invite(0);
    test_sweep_invite(1);
    test_sweep_accept(0, 0);
    test_sweep_accept(1, 0);
    test_sweep_accept(0, 1);
    test_sweep_send_terminate(0);
    test_sweep_send_terminate(1);
    test_no_allocation_calls();
    test_receiver_out_of_memory();
    test_send_errors_never_dropped();
    test_listener_out_of_memory();
    test_io_thread_chaos();
    ok(wait_live_allocations(0, 2000) == 0, "%ld allocations leaked\n", live_allocations());
    trace("%ld allocation failures injected\n", alloc_failed);
}
