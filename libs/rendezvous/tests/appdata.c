/*
 * Unit tests: application data of accept, decline and cancel, and the
 * answer events that carry it to the peer
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

static const struct rv_session_callbacks answer_callbacks =
{
    rec_wake, rec_state, rec_data, rec_termination, rec_send_error, rec_answer,
};

static rv_result peer_create_answers(struct peer *p, const char *name, uint32_t flags)
{
    memset(p, 0, sizeof(*p));
    p->name = name;
    p->keep_data = 1;
    return rv_session_create(&rv_profile_messenger, flags, &answer_callbacks, p, &p->s);
}

static int cond_answers(struct peer *p, void *arg)
{
    return count_events(p, REC_ANSWER) >= *(int *)arg;
}

static int wait_answers(struct peer *p, int count, uint32_t timeout_ms)
{
    return peer_pump_until(p, cond_answers, &count, timeout_ms);
}

/* The k-th answer event is (answer, hr, data) and the next event is the state change to `state`. */
static void check_answer(struct peer *p, int k, enum rv_answer answer, rv_result hr, const uint16_t *units,
                         uint32_t count, enum rv_state state, const char *what)
{
    int i = -1, n = 0;

    while ((i = find_event(p, REC_ANSWER, i + 1)) >= 0 && n < k) n++;
    ok(i >= 0, "%s: no answer event %d\n", what, k);
    if (i < 0) return;
    ok(p->ev[i].answer == answer, "%s: answer %d\n", what, p->ev[i].answer);
    ok(p->ev[i].hr == hr, "%s: hr %#x\n", what, (unsigned)p->ev[i].hr);
    ok(p->ev[i].count == count, "%s: %u units, expected %u\n", what, p->ev[i].count, count);
    if (p->ev[i].count == count && count)
        ok(!memcmp(p->ev[i].units, units, count * sizeof(uint16_t)), "%s: data differs\n", what);
    ok(i + 1 < p->n && p->ev[i + 1].kind == REC_STATE && p->ev[i + 1].new_state == state,
       "%s: state %d does not follow the answer\n", what, state);
}

static void test_wire_bounds(void)
{
    uint8_t header[RV_FRAME_HEADER_SIZE], type;
    uint32_t length, len;

    for (len = 0; len <= RV_RESPONSE_SIZE + 2 * RV_MAX_APPDATA_UNITS + 4; len++)
    {
        int expect = len >= RV_RESPONSE_SIZE && len <= RV_RESPONSE_SIZE + 2 * RV_MAX_APPDATA_UNITS && !(len & 1);

        rv_frame_write_header(header, RV_FRAME_RESPONSE, len);
        ok((rv_frame_check_header(header, 300, &type, &length) == RV_S_OK) == expect,
           "RESPONSE of %u bytes: wrong verdict\n", len);
        expect = !len || (len >= 4 && len <= 4 + 2 * RV_MAX_APPDATA_UNITS && !(len & 1));
        rv_frame_write_header(header, RV_FRAME_CANCEL, len);
        ok((rv_frame_check_header(header, 300, &type, &length) == RV_S_OK) == expect,
           "CANCEL of %u bytes: wrong verdict\n", len);
    }
    rv_frame_write_header(header, RV_FRAME_RESPONSE, 0x80000024u);
    ok(rv_frame_check_header(header, 300, &type, &length) == RV_E_PROTOCOL, "huge RESPONSE accepted\n");
    rv_frame_write_header(header, RV_FRAME_CANCEL, 0xfffffffcu);
    ok(rv_frame_check_header(header, 300, &type, &length) == RV_E_PROTOCOL, "huge CANCEL accepted\n");
    /* Application data has its own bound, whatever the profile allows for context data. */
    rv_frame_write_header(header, RV_FRAME_CANCEL, 4 + 2 * RV_MAX_APPDATA_UNITS + 2);
    ok(rv_frame_check_header(header, 65536, &type, &length) == RV_E_PROTOCOL, "CANCEL over the bound accepted\n");
}

static int invite_pair(struct peer *a, struct peer *b)
{
    char invitation[RV_INVITATION_BUFFER_SIZE];

    if (peer_create_answers(a, "inviter", RV_FLAG_INVITER)) return 0;
    if (peer_create_answers(b, "invitee", RV_FLAG_INVITEE)) return 0;
    if (rv_session_invite(a->s, NULL, 0, invitation, sizeof(invitation))) return 0;
    return !rv_session_receive_invitation(b->s, invitation);
}

static void test_accept_data(void)
{
    static const uint16_t data[] = { 'o', 'k', 0, 0xd83d, 0xde00, 0xdc00, 0xffff };
    static const enum rv_state states[] = { RV_STATE_INVITATION, RV_STATE_ACCEPTED, RV_STATE_CONNECTED };
    uint16_t *max = make_units(RV_MAX_APPDATA_UNITS + 1, 3);
    struct peer a, b;

    ok(invite_pair(&a, &b), "invite\n");
    /* Argument errors first, and nothing changes. */
    ok(rv_session_accept_ex(b.s, max, RV_MAX_APPDATA_UNITS + 1) == RV_E_INVALIDARG, "over the limit\n");
    ok(rv_session_accept_ex(b.s, NULL, 1) == RV_E_INVALIDARG, "NULL data with a count\n");
    ok(rv_session_decline_ex(b.s, max, RV_MAX_APPDATA_UNITS + 1) == RV_E_INVALIDARG, "decline over the limit\n");
    ok(rv_session_get_state(b.s) == RV_STATE_INVITATION, "state changed\n");
    ok(rv_session_accept_ex(a.s, max, RV_MAX_APPDATA_UNITS + 1) == RV_E_INVALIDARG,
       "an inviter's bad data is an argument error first\n");
    ok(rv_session_accept_ex(a.s, data, 1) == RV_E_INVALID_STATE, "accept on the inviter\n");

    ok(rv_session_accept_ex(b.s, data, sizeof(data) / sizeof(data[0])) == RV_S_OK, "accept\n");
    ok(peer_wait_state(&a, RV_STATE_CONNECTED, 5000), "inviter not connected\n");
    ok(peer_wait_state(&b, RV_STATE_CONNECTED, 5000), "invitee not connected\n");
    check_answer(&a, 0, RV_ANSWER_ACCEPTED, RV_S_OK, data, sizeof(data) / sizeof(data[0]), RV_STATE_ACCEPTED,
                 "accept");
    ok(states_are(&a, states, 3) && states_are(&b, states, 3), "states\n");
    ok(count_events(&b, REC_ANSWER) == 0, "the invitee got an answer\n");
    peer_destroy(&a);
    peer_destroy(&b);

    /* The most data, and none. */
    ok(invite_pair(&a, &b), "invite\n");
    ok(rv_session_accept_ex(b.s, max, RV_MAX_APPDATA_UNITS) == RV_S_OK, "accept with the most data\n");
    ok(peer_wait_state(&a, RV_STATE_CONNECTED, 5000), "inviter not connected\n");
    check_answer(&a, 0, RV_ANSWER_ACCEPTED, RV_S_OK, max, RV_MAX_APPDATA_UNITS, RV_STATE_ACCEPTED, "most");
    peer_destroy(&a);
    peer_destroy(&b);

    ok(invite_pair(&a, &b), "invite\n");
    ok(rv_session_accept(b.s) == RV_S_OK, "plain accept\n");
    ok(peer_wait_state(&a, RV_STATE_CONNECTED, 5000), "inviter not connected\n");
    check_answer(&a, 0, RV_ANSWER_ACCEPTED, RV_S_OK, NULL, 0, RV_STATE_ACCEPTED, "plain accept");
    peer_destroy(&a);
    peer_destroy(&b);
    free(max);
}

static void test_decline_data(void)
{
    static const uint16_t data[] = { 'n', 'o', ' ', 't', 'h', 'a', 'n', 'k', 's' };
    struct peer a, b;

    ok(invite_pair(&a, &b), "invite\n");
    ok(rv_session_decline_ex(b.s, data, 9) == RV_S_OK, "decline\n");
    ok(rv_session_get_state(b.s) == RV_STATE_DECLINED, "invitee not DECLINED at once\n");
    ok(peer_wait_state(&a, RV_STATE_DECLINED, 5000), "inviter not DECLINED\n");
    check_answer(&a, 0, RV_ANSWER_DECLINED, RV_S_OK, data, 9, RV_STATE_DECLINED, "decline");
    peer_pump(&b, 100);
    ok(count_events(&b, REC_ANSWER) == 0, "the invitee got an answer\n");
    ok(find_event(&a, REC_TERMINATION, 0) < 0, "termination event\n");
    peer_destroy(&a);
    peer_destroy(&b);
}

static void test_cancel_data(int inviter_cancels)
{
    static const uint16_t data[] = { 'b', 'y', 'e', 0 };
    static const uint16_t accept[] = { 'h', 'i' };
    struct peer a, b, *canceller, *other;
    int answers_before;

    ok(invite_pair(&a, &b), "invite\n");
    ok(rv_session_accept_ex(b.s, accept, 2) == RV_S_OK, "accept\n");
    ok(peer_wait_state(&a, RV_STATE_CONNECTED, 5000) && peer_wait_state(&b, RV_STATE_CONNECTED, 5000),
       "not connected\n");
    canceller = inviter_cancels ? &a : &b;
    other = inviter_cancels ? &b : &a;
    answers_before = count_events(other, REC_ANSWER);
    ok(rv_session_cancel_ex(canceller->s, 0, data, RV_MAX_APPDATA_UNITS + 1) == RV_E_INVALIDARG,
       "over the limit\n");
    ok(rv_session_cancel_ex(canceller->s, 0, NULL, 2) == RV_E_INVALIDARG, "NULL data\n");
    ok(rv_session_get_state(canceller->s) == RV_STATE_CONNECTED, "state changed\n");
    ok(rv_session_cancel_ex(canceller->s, (rv_result)0x81000606u, data, 4) == RV_S_OK, "cancel\n");
    ok(rv_session_get_state(canceller->s) == RV_STATE_CANCELLED, "not CANCELLED at once\n");
    ok(peer_wait_state(other, RV_STATE_DECLINED, 5000), "peer not DECLINED\n");
    check_answer(other, answers_before, RV_ANSWER_CANCELLED, (rv_result)0x81000606u, data, 4, RV_STATE_DECLINED,
                 "cancel");
    peer_pump(canceller, 100);
    ok(count_events(canceller, REC_ANSWER) == (inviter_cancels ? 1 : 0), "the canceller got an answer\n");
    ok(rv_session_cancel_ex(canceller->s, 0, NULL, 0) == RV_E_INVALID_STATE, "second cancel\n");
    peer_destroy(&a);
    peer_destroy(&b);

    /* A plain cancel: reason S_OK, no data. */
    ok(invite_pair(&a, &b), "invite\n");
    ok(rv_session_accept(b.s) == RV_S_OK, "accept\n");
    ok(peer_wait_state(&a, RV_STATE_CONNECTED, 5000) && peer_wait_state(&b, RV_STATE_CONNECTED, 5000),
       "not connected\n");
    answers_before = count_events(other, REC_ANSWER);
    ok(rv_session_cancel(canceller->s) == RV_S_OK, "cancel\n");
    ok(peer_wait_state(other, RV_STATE_DECLINED, 5000), "peer not DECLINED\n");
    check_answer(other, answers_before, RV_ANSWER_CANCELLED, RV_S_OK, NULL, 0, RV_STATE_DECLINED, "plain cancel");
    peer_destroy(&a);
    peer_destroy(&b);

    /* A reason without data. */
    ok(invite_pair(&a, &b), "invite\n");
    ok(rv_session_accept(b.s) == RV_S_OK, "accept\n");
    ok(peer_wait_state(&a, RV_STATE_CONNECTED, 5000) && peer_wait_state(&b, RV_STATE_CONNECTED, 5000),
       "not connected\n");
    answers_before = count_events(other, REC_ANSWER);
    ok(rv_session_cancel_ex(canceller->s, 0x1234, NULL, 0) == RV_S_OK, "cancel\n");
    ok(peer_wait_state(other, RV_STATE_DECLINED, 5000), "peer not DECLINED\n");
    check_answer(other, answers_before, RV_ANSWER_CANCELLED, 0x1234, NULL, 0, RV_STATE_DECLINED, "reason only");
    peer_destroy(&a);
    peer_destroy(&b);
}

/* Cancelled right after accept: the inviter sees a decline (the RESPONSE was
 * not out yet) or an accept and a cancel; the data arrives either way. */
static void test_cancel_while_accepting(void)
{
    static const uint16_t data[] = { 'c', 'x' }, accept[] = { 'a' };
    struct peer a, b;
    int k;

    ok(invite_pair(&a, &b), "invite\n");
    ok(rv_session_accept_ex(b.s, accept, 1) == RV_S_OK, "accept\n");
    ok(rv_session_cancel_ex(b.s, 0x55, data, 2) == RV_S_OK, "cancel\n");
    ok(peer_wait_state(&a, RV_STATE_DECLINED, 5000), "inviter not DECLINED (%d)\n", a.last_state);
    k = find_event(&a, REC_ANSWER, 0);
    ok(k >= 0, "no answer\n");
    if (k >= 0 && a.ev[k].answer == RV_ANSWER_DECLINED)
    {
        check_answer(&a, 0, RV_ANSWER_DECLINED, RV_S_OK, data, 2, RV_STATE_DECLINED, "declined instead");
        ok(count_events(&a, REC_ANSWER) == 1, "more answers\n");
    }
    else
    {
        check_answer(&a, 0, RV_ANSWER_ACCEPTED, RV_S_OK, accept, 1, RV_STATE_ACCEPTED, "accepted first");
        check_answer(&a, 1, RV_ANSWER_CANCELLED, 0x55, data, 2, RV_STATE_DECLINED, "then cancelled");
    }
    peer_pump(&b, 100);
    ok(b.last_state == RV_STATE_CANCELLED, "invitee ended in %d\n", b.last_state);
    peer_destroy(&a);
    peer_destroy(&b);
}

/* A session without on_answer sees exactly the events it saw before answers existed. */
static void test_no_handler(void)
{
    static const enum rv_state states[] = { RV_STATE_INVITATION, RV_STATE_ACCEPTED, RV_STATE_CONNECTED,
                                            RV_STATE_DECLINED };
    static const uint16_t data[] = { 'x' };
    char invitation[RV_INVITATION_BUFFER_SIZE];
    struct peer a, b;

    peer_create(&a, "inviter", &rv_profile_rendezvous, RV_FLAG_INVITER);
    peer_create(&b, "invitee", &rv_profile_rendezvous, RV_FLAG_INVITEE);
    ok(!rv_session_invite(a.s, NULL, 0, invitation, sizeof(invitation)), "invite\n");
    ok(!rv_session_receive_invitation(b.s, invitation), "receive\n");
    ok(rv_session_accept_ex(b.s, data, 1) == RV_S_OK, "accept\n");
    ok(peer_wait_state(&a, RV_STATE_CONNECTED, 5000) && peer_wait_state(&b, RV_STATE_CONNECTED, 5000),
       "not connected\n");
    ok(rv_session_cancel_ex(b.s, 1, data, 1) == RV_S_OK, "cancel\n");
    ok(peer_wait_state(&a, RV_STATE_DECLINED, 5000), "not DECLINED\n");
    peer_pump(&a, 100);
    ok(states_are(&a, states, 4) && a.n == 4, "inviter saw %d events\n", a.n);
    ok(rv_session_dispatch(a.s) == RV_S_FALSE, "events left\n");
    peer_destroy(&a);
    peer_destroy(&b);
}

/* The invitee's side of the handshake by hand, with application data in RESPONSE. */
static int raw_response(rv_socket s, const struct rv_invitation *inv, uint8_t intent, const uint8_t *data,
                        uint32_t size, int tamper)
{
    uint8_t response[RV_SMALL_PAYLOAD_MAX], confirm[RV_SEAL_TAG], *frame;
    uint32_t len = 0;
    size_t wire;
    int sent;

    if (!raw_handshake(s, inv, intent, 1)) return 0;
    response[0] = intent;
    response[1] = response[2] = response[3] = 0;
    if (size) memcpy(response + RV_RESPONSE_SIZE, data, size);
    wire = raw_frame_bytes(s, RV_FRAME_RESPONSE, response, RV_RESPONSE_SIZE + size, &frame);
    /* tamper: the data changes on the way. */
    if (tamper) frame[RV_FRAME_HEADER_SIZE + RV_RESPONSE_SIZE] ^= 1;
    sent = raw_send(s, frame, wire, 5000);
    free(frame);
    if (!sent) return 0;
    return raw_recv_frame(s, confirm, sizeof(confirm), &len, 2000) == RV_FRAME_CONFIRM;
}

static void test_raw_wire(void)
{
    static const uint8_t data[] = { 'w', 0, 'i', 0, 0, 0, 0x3d, 0xd8 };
    static const uint16_t units[] = { 'w', 'i', 0, 0xd83d };
    static const uint16_t bye[] = { 'e', 'n', 'd' };
    char invitation[RV_INVITATION_BUFFER_SIZE];
    uint8_t payload[RV_SMALL_PAYLOAD_MAX];
    struct rv_invitation inv;
    struct peer a;
    rv_socket s;
    uint32_t len = 0;

    /* Data changed on the way: dropped without an event. */
    peer_create_answers(&a, "inviter", RV_FLAG_INVITER);
    ok(!rv_session_invite(a.s, NULL, 0, invitation, sizeof(invitation)), "invite\n");
    rv_invitation_parse(invitation, &inv);
    s = raw_connect(&inv, 5000);
    ok(s != RV_INVALID_SOCKET, "connect\n");
    ok(!raw_response(s, &inv, RV_INTENT_ACCEPT, data, sizeof(data), 1), "tampered data confirmed\n");
    ok(raw_wait_closed(s, 2000), "connection kept\n");
    rv_socket_close(s);
    peer_pump(&a, 100);
    ok(a.n == 1 && a.last_state == RV_STATE_INVITATION, "inviter saw %d events, state %d\n", a.n, a.last_state);

    /* The real thing. */
    s = raw_connect(&inv, 5000);
    ok(raw_response(s, &inv, RV_INTENT_ACCEPT, data, sizeof(data), 0), "not confirmed\n");
    ok(peer_wait_state(&a, RV_STATE_CONNECTED, 5000), "not connected\n");
    check_answer(&a, 0, RV_ANSWER_ACCEPTED, RV_S_OK, units, 4, RV_STATE_ACCEPTED, "raw accept");

    /* CANCEL carries the reason and the data, little endian. */
    ok(rv_session_cancel_ex(a.s, (rv_result)0x80004004u, bye, 3) == RV_S_OK, "cancel\n");
    ok(raw_recv_frame(s, payload, sizeof(payload), &len, 2000) == RV_FRAME_CANCEL && len == 10 &&
       rv_get_u32(payload) == 0x80004004u && !memcmp(payload + 4, "e\0n\0d\0", 6), "CANCEL payload wrong (%u)\n",
       len);
    ok(raw_wait_closed(s, 2000), "no EOF after CANCEL\n");
    rv_socket_close(s);
    peer_destroy(&a);

    /* A CANCEL with data from the peer, and one over the bound. */
    peer_create_answers(&a, "inviter", RV_FLAG_INVITER);
    ok(!rv_session_invite(a.s, NULL, 0, invitation, sizeof(invitation)), "invite\n");
    rv_invitation_parse(invitation, &inv);
    s = raw_connect(&inv, 5000);
    ok(raw_response(s, &inv, RV_INTENT_ACCEPT, NULL, 0, 0), "not confirmed\n");
    ok(peer_wait_state(&a, RV_STATE_CONNECTED, 5000), "not connected\n");
    rv_put_u32(payload, 0x81000607u);
    memcpy(payload + 4, "o\0k\0", 4);
    ok(raw_send_frame(s, RV_FRAME_CANCEL, payload, 8), "send CANCEL\n");
    ok(peer_wait_state(&a, RV_STATE_DECLINED, 5000), "not DECLINED\n");
    {
        static const uint16_t okay[] = { 'o', 'k' };
        check_answer(&a, 1, RV_ANSWER_CANCELLED, (rv_result)0x81000607u, okay, 2, RV_STATE_DECLINED, "raw cancel");
    }
    rv_socket_close(s);
    peer_destroy(&a);

    peer_create_answers(&a, "inviter", RV_FLAG_INVITER);
    ok(!rv_session_invite(a.s, NULL, 0, invitation, sizeof(invitation)), "invite\n");
    rv_invitation_parse(invitation, &inv);
    s = raw_connect(&inv, 5000);
    ok(raw_response(s, &inv, RV_INTENT_ACCEPT, NULL, 0, 0), "not confirmed\n");
    ok(peer_wait_state(&a, RV_STATE_CONNECTED, 5000), "not connected\n");
    {
        uint8_t header[RV_FRAME_HEADER_SIZE];

        rv_frame_write_header(header, RV_FRAME_CANCEL, 4 + 2 * RV_MAX_APPDATA_UNITS + 2);
        ok(raw_send(s, header, sizeof(header), 2000), "send header\n");
    }
    ok(peer_wait_state(&a, RV_STATE_TERMINATED, 5000), "oversized CANCEL not a protocol error\n");
    {
        int k = find_event(&a, REC_TERMINATION, 0);
        ok(k >= 0 && a.ev[k].hr == RV_E_PROTOCOL, "termination %#x\n", k >= 0 ? (unsigned)a.ev[k].hr : 0);
    }
    ok(count_events(&a, REC_ANSWER) == 1, "an answer for a bad CANCEL\n");
    rv_socket_close(s);
    peer_destroy(&a);
}

/* An unauthenticated handshake never gets the canceller's data. */
static void test_cancel_unauthenticated(void)
{
    static const uint16_t secret_data[] = { 's', 'e', 'c', 'r', 'e', 't' };
    char invitation[RV_INVITATION_BUFFER_SIZE];
    uint8_t payload[RV_SMALL_PAYLOAD_MAX];
    struct rv_invitation inv;
    struct peer a;
    rv_socket s;
    uint32_t len = 0;

    peer_create_answers(&a, "inviter", RV_FLAG_INVITER);
    ok(!rv_session_invite(a.s, NULL, 0, invitation, sizeof(invitation)), "invite\n");
    rv_invitation_parse(invitation, &inv);
    s = raw_connect(&inv, 5000);
    /* HELLO and CHALLENGE only: the inviter waits for RESPONSE. */
    ok(raw_handshake(s, &inv, RV_INTENT_ACCEPT, 1), "handshake start\n");
    ok(rv_session_cancel_ex(a.s, 0x77, secret_data, 6) == RV_S_OK, "cancel\n");
    ok(raw_recv_frame(s, payload, sizeof(payload), &len, 2000) == RV_FRAME_CANCEL && len == 0,
       "CANCEL to an unauthenticated peer has %u bytes\n", len);
    rv_socket_close(s);
    peer_destroy(&a);
}

/* Destroyed right after the cancel: the peer still gets the data. */
static void test_destroy_after_cancel(void)
{
    static const uint16_t data[] = { 'l', 'a', 's', 't' };
    struct peer a, b;

    ok(invite_pair(&a, &b), "invite\n");
    ok(rv_session_accept(b.s) == RV_S_OK, "accept\n");
    ok(peer_wait_state(&a, RV_STATE_CONNECTED, 5000) && peer_wait_state(&b, RV_STATE_CONNECTED, 5000),
       "not connected\n");
    ok(rv_session_cancel_ex(b.s, 9, data, 4) == RV_S_OK, "cancel\n");
    peer_destroy(&b);
    ok(peer_wait_state(&a, RV_STATE_DECLINED, 5000), "inviter not DECLINED (%d)\n", a.last_state);
    check_answer(&a, 1, RV_ANSWER_CANCELLED, 9, data, 4, RV_STATE_DECLINED, "after destroy");
    peer_destroy(&a);
}

static void test_out_of_memory(void)
{
    static const uint16_t data[] = { 'm', 'e', 'm' };
    long live;
    struct peer a, b;
    rv_result hr;
    int n;

    ok(invite_pair(&a, &b), "invite\n");
    live = live_allocations();
    for (n = 1; n < 10; n++)
    {
        fail_allocation(n, FAIL_ONLY_THREAD, 0);
        hr = rv_session_accept_ex(b.s, data, 3);
        fail_allocation(0, FAIL_ANY_THREAD, 0);
        if (hr == RV_S_OK) break;
        ok(hr == RV_E_OUTOFMEMORY, "allocation %d: %#x\n", n, (unsigned)hr);
        ok(rv_session_get_state(b.s) == RV_STATE_INVITATION, "allocation %d: state changed\n", n);
        ok(live_allocations() == live, "allocation %d: %ld blocks leaked\n", n, live_allocations() - live);
    }
    ok(hr == RV_S_OK && n > 2, "accept_ex made %d allocations\n", n - 1);
    ok(peer_wait_state(&a, RV_STATE_CONNECTED, 5000) && peer_wait_state(&b, RV_STATE_CONNECTED, 5000),
       "not connected\n");
    check_answer(&a, 0, RV_ANSWER_ACCEPTED, RV_S_OK, data, 3, RV_STATE_ACCEPTED, "after the faults");

    live = live_allocations();
    fail_allocation(1, FAIL_ONLY_THREAD, 0);
    hr = rv_session_cancel_ex(a.s, 1, data, 3);
    fail_allocation(0, FAIL_ANY_THREAD, 0);
    ok(hr == RV_E_OUTOFMEMORY, "cancel_ex: %#x\n", (unsigned)hr);
    ok(rv_session_get_state(a.s) == RV_STATE_CONNECTED, "cancel_ex changed the state\n");
    ok(live_allocations() == live, "cancel_ex leaked\n");
    ok(rv_session_cancel_ex(a.s, 1, data, 3) == RV_S_OK, "cancel_ex\n");
    ok(peer_wait_state(&b, RV_STATE_DECLINED, 5000), "invitee not DECLINED\n");
    check_answer(&b, 0, RV_ANSWER_CANCELLED, 1, data, 3, RV_STATE_DECLINED, "cancel after a fault");
    peer_destroy(&a);
    peer_destroy(&b);

    /* The receiver cannot store the data: the answer still arrives, without it. */
    ok(invite_pair(&a, &b), "invite\n");
    /* The I/O thread's first allocation is the accepted connection, its second the data. */
    fail_allocation(2, FAIL_OTHER_THREADS, 0);
    ok(rv_session_accept_ex(b.s, data, 3) == RV_S_OK, "accept\n");
    ok(wait_answers(&a, 1, 5000), "no answer\n");
    fail_allocation(0, FAIL_ANY_THREAD, 0);
    check_answer(&a, 0, RV_ANSWER_ACCEPTED, RV_S_OK, NULL, 0, RV_STATE_ACCEPTED, "without memory");
    peer_destroy(&a);
    peer_destroy(&b);
}

START_TEST(appdata)
{
    install_counting_allocator();
    test_wire_bounds();
    test_accept_data();
    test_decline_data();
    test_cancel_data(1);
    test_cancel_data(0);
    test_cancel_while_accepting();
    test_no_handler();
    test_raw_wire();
    test_cancel_unauthenticated();
    test_destroy_after_cancel();
    test_out_of_memory();
    ok(wait_live_allocations(0, 2000) == 0, "%ld allocations leaked\n", live_allocations());
}
