/*
 * Unit tests: what a destroyed session still delivers (data, terminate and
 * cancel handed over to the I/O thread), how long destroy blocks, and peers
 * that see data followed by EOF or reset
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

/* Scheduling slack on top of RV_DESTROY_TIMEOUT_MS (Wine is slower to wake threads). */
#define DESTROY_SLACK_MS 1000
/* The core keeps a closing connection at most 5 s; this is that plus slack. */
#define LINGER_BOUND_MS 7000

static int cond_final(struct peer *p, void *arg)
{
    (void)arg;
    return p->last_state >= RV_STATE_CANCELLED;
}

static int units_equal(const struct rec_event *ev, const uint16_t *units, uint32_t count)
{
    return ev->count == count && (!count || !memcmp(ev->units, units, count * sizeof(uint16_t)));
}

/* A real inviter and a raw, authenticated invitee socket. */
static rv_socket raw_invitee(struct peer *a)
{
    char text[RV_INVITATION_BUFFER_SIZE];
    struct rv_invitation inv;
    rv_socket s;

    peer_create(a, "inviter", &rv_profile_rendezvous, RV_FLAG_INVITER);
    ok(!rv_session_invite(a->s, NULL, 0, text, sizeof(text)), "invite\n");
    ok(!rv_invitation_parse(text, &inv), "parse\n");
    s = raw_connect(&inv, 2000);
    ok(s != RV_INVALID_SOCKET, "raw connect\n");
    ok(raw_handshake(s, &inv, RV_INTENT_ACCEPT, 0), "raw handshake\n");
    ok(peer_wait_state(a, RV_STATE_CONNECTED, 5000), "inviter not connected\n");
    return s;
}

/* (a) send, terminate, destroy at once: the peer gets all of it, not a reset. */
static void test_terminate_then_destroy(int inviter_leaves)
{
    static const uint16_t data[] = { 'd', 'a', 't', 'a', 0, 0xd800 };
    static const uint16_t bye[] = { 'b', 'y', 'e' };
    struct peer a, b, *leaver, *stayer;
    int kd, kt;

    peer_create(&a, "inviter", &rv_profile_rendezvous, RV_FLAG_INVITER);
    peer_create(&b, "invitee", &rv_profile_rendezvous, RV_FLAG_INVITEE);
    ok(connect_pair(&a, &b, NULL), "connect\n");
    leaver = inviter_leaves ? &a : &b;
    stayer = inviter_leaves ? &b : &a;
    ok(rv_session_send_context_data(leaver->s, data, 6) == RV_S_OK, "send\n");
    ok(rv_session_terminate(leaver->s, 0x1234, bye, 3) == RV_S_OK, "terminate\n");
    peer_destroy(leaver);

    ok(peer_pump_until(stayer, cond_final, NULL, 5000), "peer state %d\n", stayer->last_state);
    kd = find_event(stayer, REC_DATA, 0);
    kt = find_event(stayer, REC_TERMINATION, 0);
    ok(kd >= 0 && units_equal(&stayer->ev[kd], data, 6), "data lost or altered\n");
    ok(kt > kd && stayer->ev[kt].hr == 0x1234 && units_equal(&stayer->ev[kt], bye, 3),
       "termination %d: hr %#x\n", kt, kt >= 0 ? (unsigned)stayer->ev[kt].hr : 0);
    ok(kt >= 0 && kt + 1 < stayer->n && stayer->ev[kt + 1].kind == REC_STATE &&
       stayer->ev[kt + 1].new_state == RV_STATE_CANCELLED &&
       stayer->ev[kt + 1].prev_state == RV_STATE_CONNECTED, "CANCELLED does not follow termination\n");
    peer_pump(stayer, 100);
    ok(count_events(stayer, REC_TERMINATION) == 1 && count_events(stayer, REC_STATE) == 4,
       "extra events: %d terminations, %d states\n", count_events(stayer, REC_TERMINATION),
       count_events(stayer, REC_STATE));
    ok(stayer->last_state == RV_STATE_CANCELLED, "peer ended in %d\n", stayer->last_state);
    peer_destroy(stayer);
}

/* (b) a maximal payload among 50 queued messages, then a maximal terminate. */
static void test_many_then_destroy(void)
{
    uint16_t *units[50], *bye = make_units(65536, 99);
    uint32_t counts[50];
    struct peer a, b;
    int i, k, good = 0, kt;

    peer_create(&a, "inviter", &rv_profile_rendezvous, RV_FLAG_INVITER);
    peer_create(&b, "invitee", &rv_profile_rendezvous, RV_FLAG_INVITEE);
    ok(connect_pair(&a, &b, NULL), "connect\n");
    for (i = 0; i < 50; i++)
    {
        counts[i] = i % 10 ? (uint32_t)(i * 37 + 1) : 65536;
        units[i] = make_units(counts[i], (uint32_t)i);
        ok(rv_session_send_context_data(b.s, units[i], counts[i]) == RV_S_OK, "send %d\n", i);
    }
    ok(rv_session_terminate(b.s, 0x5678, bye, 65536) == RV_S_OK, "terminate\n");
    peer_destroy(&b);

    ok(peer_pump_until(&a, cond_final, NULL, 10000), "inviter state %d\n", a.last_state);
    for (i = 0, k = find_event(&a, REC_DATA, 0); i < 50 && k >= 0; i++, k = find_event(&a, REC_DATA, k + 1))
    {
        if (!units_equal(&a.ev[k], units[i], counts[i])) break;
        good++;
    }
    ok(good == 50 && count_events(&a, REC_DATA) == 50, "%d of %d messages in order\n", good,
       count_events(&a, REC_DATA));
    kt = find_event(&a, REC_TERMINATION, 0);
    ok(kt >= 0 && a.ev[kt].hr == 0x5678 && units_equal(&a.ev[kt], bye, 65536), "termination\n");
    ok(a.last_state == RV_STATE_CANCELLED, "inviter ended in %d\n", a.last_state);
    for (i = 0; i < 50; i++) free(units[i]);
    free(bye);
    peer_destroy(&a);
}

/* (c) cancel, then destroy at once: the peer ends DECLINED. */
static void test_cancel_then_destroy(int inviter_leaves)
{
    static const uint16_t data[] = { 'x' };
    struct peer a, b, *leaver, *stayer;

    peer_create(&a, "inviter", &rv_profile_rendezvous, RV_FLAG_INVITER);
    peer_create(&b, "invitee", &rv_profile_rendezvous, RV_FLAG_INVITEE);
    ok(connect_pair(&a, &b, NULL), "connect\n");
    leaver = inviter_leaves ? &a : &b;
    stayer = inviter_leaves ? &b : &a;
    ok(rv_session_send_context_data(leaver->s, data, 1) == RV_S_OK, "send\n");
    ok(rv_session_cancel(leaver->s) == RV_S_OK, "cancel\n");
    peer_destroy(leaver);
    ok(peer_pump_until(stayer, cond_final, NULL, 5000), "peer state %d\n", stayer->last_state);
    ok(stayer->last_state == RV_STATE_DECLINED, "peer ended in %d\n", stayer->last_state);
    ok(stayer->data_events == 1, "data before cancel lost\n");
    ok(find_event(stayer, REC_TERMINATION, 0) < 0, "termination event\n");
    peer_destroy(stayer);
}

/* An invitee that declines, or accepts then cancels, and is destroyed at once still tells the inviter. */
static void test_handshake_then_destroy(int accept_first)
{
    char invitation[RV_INVITATION_BUFFER_SIZE];
    struct peer a, b;

    peer_create(&a, "inviter", &rv_profile_rendezvous, RV_FLAG_INVITER);
    peer_create(&b, "invitee", &rv_profile_rendezvous, RV_FLAG_INVITEE);
    ok(!rv_session_invite(a.s, NULL, 0, invitation, sizeof(invitation)), "invite\n");
    ok(!rv_session_receive_invitation(b.s, invitation), "receive\n");
    if (accept_first)
    {
        ok(rv_session_accept(b.s) == RV_S_OK, "accept\n");
        ok(rv_session_cancel(b.s) == RV_S_OK, "cancel\n");
    }
    else ok(rv_session_decline(b.s) == RV_S_OK, "decline\n");
    peer_destroy(&b);
    ok(peer_pump_until(&a, cond_final, NULL, 5000), "inviter state %d\n", a.last_state);
    ok(a.last_state == RV_STATE_DECLINED, "inviter ended in %d\n", a.last_state);
    ok(find_event(&a, REC_TERMINATION, 0) < 0, "termination event\n");
    peer_destroy(&a);
}

/* (d) nothing queued: the peer sees the end at once, as a reset. */
static void test_idle_destroy(void)
{
    struct peer a, b;
    uint64_t start, elapsed;
    int k;

    peer_create(&a, "inviter", &rv_profile_rendezvous, RV_FLAG_INVITER);
    peer_create(&b, "invitee", &rv_profile_rendezvous, RV_FLAG_INVITEE);
    ok(connect_pair(&a, &b, NULL), "connect\n");
    start = rv_time_ms();
    peer_destroy(&b);
    elapsed = rv_time_ms() - start;
    ok(elapsed < 500, "idle destroy took %lu ms\n", (unsigned long)elapsed);
    ok(peer_wait_state(&a, RV_STATE_TERMINATED, 3000), "inviter state %d\n", a.last_state);
    ok(rv_time_ms() - start < 3000, "took %lu ms\n", (unsigned long)(rv_time_ms() - start));
    k = find_event(&a, REC_TERMINATION, 0);
    ok(k >= 0 && a.ev[k].hr == RV_E_CONNECTION_RESET && !a.ev[k].count, "hr %#x\n",
       k >= 0 ? (unsigned)a.ev[k].hr : 0);
    peer_destroy(&a);
}

/* (e) a peer that never reads: destroy gives up at its bound and nothing leaks. */
static void test_unread_peer(int last)
{
    uint16_t *units = make_units(65536, 5);
    uint64_t start, elapsed;
    struct peer a, other;
    int refused = 0, sent = 0;
    long base;
    rv_socket s;

    if (!last) peer_create(&other, "bystander", &rv_profile_rendezvous, RV_FLAG_INVITER);
    base = live_allocations();
    s = raw_invitee(&a);
    /* Fill the kernel buffers and the outgoing queue. */
    start = rv_time_ms();
    while (refused < 3 && rv_time_ms() - start < 10000)
    {
        if (rv_session_send_context_data(a.s, units, 65536) == RV_S_OK)
        {
            sent++;
            refused = 0;
        }
        else
        {
            refused++;
            rv_sleep_ms(50);
        }
    }
    ok(refused == 3, "queue never filled (%d sent)\n", sent);
    ok(rv_session_terminate(a.s, 1, units, 16) == RV_S_OK, "terminate\n");
    start = rv_time_ms();
    peer_destroy(&a);
    elapsed = rv_time_ms() - start;
    ok(elapsed <= RV_DESTROY_TIMEOUT_MS + DESTROY_SLACK_MS, "destroy took %lu ms\n", (unsigned long)elapsed);
    trace("%d messages queued, destroy took %lu ms\n", sent, (unsigned long)elapsed);
    if (last)
    {
        /* The I/O thread is joined: everything is freed already. */
        ok(live_allocations() == base, "%ld allocations left\n", live_allocations() - base);
    }
    else
    {
        /* The closing connection gives up at its own deadline. */
        ok(wait_live_allocations(base, LINGER_BOUND_MS) == base, "%ld allocations left\n",
           live_allocations() - base);
        start = rv_time_ms();
        peer_destroy(&other);
        ok(rv_time_ms() - start < 500, "bystander destroy took %lu ms\n", (unsigned long)(rv_time_ms() - start));
    }
    rv_socket_close(s);
    free(units);
}

/* A peer that takes one frame at a time, with a pause after each. */
struct slow_reader
{
    rv_socket s;
    int data_frames;        /* DATA frames read, in order and whole */
    int terminated;         /* TERMINATE came after them */
    int closed;             /* then EOF */
};

#define SLOW_FRAMES 24
#define SLOW_PAUSE_MS 120

static void slow_reader_run(void *arg)
{
    struct slow_reader *r = arg;
    uint32_t len, size = 2 * 65536;
    uint16_t *payload = malloc(size);
    int type;

    while ((type = raw_recv_frame(r->s, payload, size, &len, 5000)) == RV_FRAME_DATA && len == size &&
           payload[65535] == (uint16_t)r->data_frames)
    {
        r->data_frames++;
        rv_sleep_ms(SLOW_PAUSE_MS);
    }
    r->terminated = type == RV_FRAME_TERMINATE;
    r->closed = r->terminated && raw_wait_closed(r->s, 5000);
    free(payload);
}

/*
 * (g) The last session, destroyed while its peer reads slowly but steadily
 * (about 3 s for what was queued): destroy waits as long as the kernel takes
 * bytes, so everything arrives, and still returns within the linger bound.
 */
static void test_slow_reader(void)
{
    uint16_t *units = make_units(65536, 3);
    struct slow_reader reader = { 0 };
    struct rv_thread thread;
    uint64_t start, elapsed;
    struct peer a;
    int i;

    reader.s = raw_invitee(&a);
    for (i = 0; i < SLOW_FRAMES; i++)
    {
        units[65535] = (uint16_t)i;
        ok(rv_session_send_context_data(a.s, units, 65536) == RV_S_OK, "send %d\n", i);
    }
    ok(rv_session_terminate(a.s, 0, units, 16) == RV_S_OK, "terminate\n");
    ok(rv_thread_start(&thread, slow_reader_run, &reader) == RV_S_OK, "reader thread\n");
    start = rv_time_ms();
    peer_destroy(&a);
    elapsed = rv_time_ms() - start;
    rv_thread_join(&thread);
    ok(reader.data_frames == SLOW_FRAMES, "%d of %d frames read\n", reader.data_frames, SLOW_FRAMES);
    ok(reader.terminated, "no TERMINATE after the frames\n");
    ok(reader.closed, "no EOF after TERMINATE\n");
    ok(elapsed <= LINGER_BOUND_MS, "destroy took %lu ms\n", (unsigned long)elapsed);
    trace("destroy with a slow reader took %lu ms\n", (unsigned long)elapsed);
    ok(live_allocations() == 0, "%ld allocations left\n", live_allocations());
    rv_socket_close(reader.s);
    free(units);
}

/*
 * (f) The last session, destroyed at once: when destroy returns the I/O thread
 * is gone, so whatever the peer reads afterwards was written before.
 */
static void test_last_session_frames_written(void)
{
    static const uint16_t hi[] = { 'h', 'i' }, bye[] = { 'b', 'y', 'e' };
    uint8_t payload[16];
    uint64_t start;
    uint32_t len;
    struct peer a;
    rv_socket s;

    s = raw_invitee(&a);
    ok(rv_session_send_context_data(a.s, hi, 2) == RV_S_OK, "send\n");
    ok(rv_session_terminate(a.s, 0x77, bye, 3) == RV_S_OK, "terminate\n");
    start = rv_time_ms();
    peer_destroy(&a);
    ok(rv_time_ms() - start <= RV_DESTROY_TIMEOUT_MS + DESTROY_SLACK_MS, "destroy took %lu ms\n",
       (unsigned long)(rv_time_ms() - start));
    ok(live_allocations() == 0, "%ld allocations left: I/O thread still running\n", live_allocations());
    ok(raw_recv_frame(s, payload, sizeof(payload), &len, 2000) == RV_FRAME_DATA && len == 4 &&
       !memcmp(payload, "h\0i\0", 4), "DATA not received\n");
    ok(raw_recv_frame(s, payload, sizeof(payload), &len, 2000) == RV_FRAME_TERMINATE && len == 10 &&
       rv_get_u32(payload) == 0x77 && !memcmp(payload + 4, "b\0y\0e\0", 6), "TERMINATE not received\n");
    ok(raw_wait_closed(s, 2000), "no EOF after TERMINATE\n");
    rv_socket_close(s);
}

/* Destroyed from its own handler: no wait there, and the frames still arrive. */
static void leave_hook(struct peer *p, const struct rec_event *ev)
{
    static const uint16_t reply[] = { 'r', 'e' }, bye[] = { 'o', 'k' };

    if (!p->s || ev->kind != REC_DATA) return;
    rv_session_send_context_data(p->s, reply, 2);
    rv_session_terminate(p->s, 0x99, bye, 2);
    rv_session_destroy(p->s);
    p->s = NULL;
}

static void test_destroy_in_handler(void)
{
    static const uint16_t ping[] = { 'p' };
    struct rv_session *s;
    struct peer a, b;
    uint64_t start;
    int kd, kt;

    peer_create(&a, "inviter", &rv_profile_rendezvous, RV_FLAG_INVITER);
    peer_create(&b, "invitee", &rv_profile_rendezvous, RV_FLAG_INVITEE);
    ok(connect_pair(&a, &b, NULL), "connect\n");
    b.hook = leave_hook;
    s = b.s;
    ok(rv_session_send_context_data(a.s, ping, 1) == RV_S_OK, "send\n");
    start = rv_time_ms();
    while (b.s && rv_time_ms() - start < 5000)
    {
        rv_session_wait(s, 100);
        if (b.s) rv_session_dispatch(s);
    }
    ok(!b.s, "not destroyed in the handler\n");
    ok(peer_pump_until(&a, cond_final, NULL, 5000), "inviter state %d\n", a.last_state);
    kd = find_event(&a, REC_DATA, 0);
    kt = find_event(&a, REC_TERMINATION, 0);
    ok(kd >= 0 && a.ev[kd].count == 2 && a.ev[kd].units[0] == 'r', "reply lost\n");
    ok(kt > kd && a.ev[kt].hr == 0x99 && a.ev[kt].count == 2, "termination lost\n");
    ok(a.last_state == RV_STATE_CANCELLED, "inviter ended in %d\n", a.last_state);
    peer_reset_log(&b);
    peer_destroy(&a);
}

/*
 * The last session destroyed from its handler: the I/O thread finishes the
 * frames on its own, stops, and a new session still works afterwards.
 */
static void test_last_destroy_in_handler(void)
{
    static const uint16_t ping[] = { 'p' };
    uint8_t payload[16];
    struct rv_session *s;
    struct peer a, b;
    uint64_t start;
    uint32_t len;
    rv_socket sock;

    sock = raw_invitee(&a);
    a.hook = leave_hook;
    s = a.s;
    ok(raw_send_frame(sock, RV_FRAME_DATA, "p\0", 2), "raw send\n");
    start = rv_time_ms();
    while (a.s && rv_time_ms() - start < 5000)
    {
        rv_session_wait(s, 100);
        if (a.s) rv_session_dispatch(s);
    }
    ok(!a.s, "not destroyed in the handler\n");
    ok(rv_time_ms() - start < 1000, "dispatch took %lu ms\n", (unsigned long)(rv_time_ms() - start));
    ok(raw_recv_frame(sock, payload, sizeof(payload), &len, 2000) == RV_FRAME_DATA && len == 4 &&
       !memcmp(payload, "r\0e\0", 4), "DATA not received\n");
    ok(raw_recv_frame(sock, payload, sizeof(payload), &len, 2000) == RV_FRAME_TERMINATE && len == 8 &&
       rv_get_u32(payload) == 0x99, "TERMINATE not received\n");
    ok(raw_wait_closed(sock, 2000), "no EOF after TERMINATE\n");
    rv_socket_close(sock);
    /* Our EOF ends the closing connection, and with it the I/O thread. */
    ok(wait_live_allocations(0, 3000) == 0, "%ld allocations left\n", live_allocations());
    peer_reset_log(&a);

    /* A new thread starts, after the old one is joined. */
    peer_create(&a, "inviter", &rv_profile_rendezvous, RV_FLAG_INVITER);
    peer_create(&b, "invitee", &rv_profile_rendezvous, RV_FLAG_INVITEE);
    ok(connect_pair(&a, &b, NULL), "connect after the thread stopped\n");
    ok(rv_session_send_context_data(a.s, ping, 1) == RV_S_OK, "send\n");
    ok(peer_wait_data_units(&b, 1, 5000), "no data\n");
    peer_destroy(&a);
    peer_destroy(&b);
}

/* Frames that arrive before the peer's EOF or reset are delivered first, in order. */
static void test_frames_before_eof(int how)
{
    uint8_t payload[8];
    struct peer a;
    rv_socket s;
    int k0, k1, kt;

    s = raw_invitee(&a);
    if (how == 2)
    {
        /* Our own output is stuck, so the reset shows up on a send as well. */
        uint16_t *units = make_units(65536, 1);
        int i;

        for (i = 0; i < 64; i++) rv_session_send_context_data(a.s, units, 65536);
        free(units);
        rv_sleep_ms(100);
    }
    raw_send_frame(s, RV_FRAME_DATA, "a\0", 2);
    raw_send_frame(s, RV_FRAME_DATA, "b\0c\0", 4);
    if (how == 1) raw_send_frame(s, RV_FRAME_CANCEL, NULL, 0);
    else
    {
        rv_put_u32(payload, 0x42);
        memcpy(payload + 4, "z\0", 2);
        raw_send_frame(s, RV_FRAME_TERMINATE, payload, 6);
    }
    /* With unread input (how == 2) this close is a reset. */
    rv_socket_close(s);
    ok(peer_pump_until(&a, cond_final, NULL, 5000), "%d: state %d\n", how, a.last_state);
    k0 = find_event(&a, REC_DATA, 0);
    k1 = k0 >= 0 ? find_event(&a, REC_DATA, k0 + 1) : -1;
    ok(k0 >= 0 && a.ev[k0].count == 1 && a.ev[k0].units[0] == 'a', "%d: first DATA\n", how);
    ok(k1 >= 0 && a.ev[k1].count == 2 && a.ev[k1].units[1] == 'c', "%d: second DATA\n", how);
    kt = find_event(&a, REC_TERMINATION, 0);
    if (how == 1)
    {
        ok(kt < 0, "%d: termination on cancel\n", how);
        ok(a.last_state == RV_STATE_DECLINED, "%d: ended in %d\n", how, a.last_state);
    }
    else
    {
        ok(kt > k1 && a.ev[kt].hr == 0x42 && a.ev[kt].count == 1, "%d: termination %#x\n", how,
           kt >= 0 ? (unsigned)a.ev[kt].hr : 0);
        ok(a.last_state == RV_STATE_CANCELLED, "%d: ended in %d\n", how, a.last_state);
    }
    peer_destroy(&a);
}

START_TEST(destroy)
{
    install_counting_allocator();
    test_terminate_then_destroy(0);
    test_terminate_then_destroy(1);
    test_many_then_destroy();
    test_cancel_then_destroy(0);
    test_cancel_then_destroy(1);
    test_handshake_then_destroy(0);
    test_handshake_then_destroy(1);
    test_idle_destroy();
    test_destroy_in_handler();
    test_frames_before_eof(0);
    test_frames_before_eof(1);
    test_frames_before_eof(2);
    ok(wait_live_allocations(0, 2000) == 0, "%ld allocations leaked\n", live_allocations());
    test_last_session_frames_written();
    test_last_destroy_in_handler();
    test_slow_reader();
    test_unread_peer(1);
    test_unread_peer(0);
    ok(wait_live_allocations(0, 2000) == 0, "%ld allocations leaked\n", live_allocations());
}
