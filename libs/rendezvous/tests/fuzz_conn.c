/*
 * libFuzzer harness for the live connection: handshake and frames from a peer
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

/*
 * The harness plays the remote peer of a real session over loopback TCP, so
 * the bytes go through the I/O thread, the decoder, the handshake and the
 * event queue exactly as a stranger's would.  The first input byte chooses:
 *
 *   bit 0      the session's role: 0 inviter (the harness connects), 1 invitee
 *              (the harness listens and the session connects to it)
 *   bits 1-2   how far the harness gets honestly before the input follows:
 *              0 nothing, 1 the first handshake step (HELLO sent with the right
 *              session id, or the session's HELLO read), 2 the whole handshake,
 *              3 the whole handshake and one context-data message from the
 *              session, so that output is queued while the input arrives
 *   bit 3      Messenger profile (300 units, 5 sends) instead of Rendezvous
 *   bit 4      the session asks for on_answer events
 *   bit 5      an inviter session sees the harness decline (stages 2 and 3)
 *   bit 6      after the handshake the input goes as it is, not sealed frame
 *              by frame (see send_input)
 *
 * The rest is written to the session's socket, then the harness half-closes
 * and waits for the session to close its end.  Then every event is dispatched
 * and checked: before authentication no context data, send error, answer or
 * CONNECTED; after it, a well-formed sequence of states ending in a final one;
 * the session must close within a bound, memory must stay within a bound of
 * the input's size, and every allocation must be given back after destroy.
 */

#include <stdlib.h>
#include <string.h>

#include "testutil.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond) \
    do { if (!(cond)) { fprintf(stderr, "fuzz_conn: check failed: %s (line %d)\n", #cond, __LINE__); abort(); } } while (0)

#define STAGE_RAW       0
#define STAGE_FIRST     1
#define STAGE_AUTH      2
#define STAGE_AUTH_SEND 3

/* Keeps the I/O thread alive between inputs, so that each input costs one connection. */
static struct rv_session *keeper;

static const struct rv_session_callbacks rec_callbacks_answers =
{
    rec_wake, rec_state, rec_data, rec_termination, rec_send_error, rec_answer,
};

static void init(void)
{
    static const struct rv_session_callbacks none;

    if (keeper) return;
    install_counting_allocator();
    CHECK(!rv_session_create(&rv_profile_rendezvous, RV_FLAG_INVITER, &none, NULL, &keeper));
}

static rv_socket accept_one(rv_socket listener)
{
    rv_socket s = RV_INVALID_SOCKET;
    uint64_t deadline = rv_time_ms() + 5000;

    while (rv_time_ms() < deadline)
    {
        if (rv_socket_accept(listener, &s, NULL) == RV_S_OK) return s;
        raw_wait(listener, RV_POLL_IN, 20);
    }
    return RV_INVALID_SOCKET;
}

/* The harness as the inviter, up to `stage`; 1 when the session is where it should be. */
static int fake_inviter_steps(rv_socket s, const struct rv_invitation *inv, int stage)
{
    uint8_t hello[RV_HELLO_SIZE], response[RV_SMALL_PAYLOAD_MAX];
    uint32_t len;

    raw_forget(s);
    if (stage == STAGE_RAW) return 1;
    if (stage == STAGE_FIRST)
        return raw_recv_frame(s, hello, sizeof(hello), &len, 5000) == RV_FRAME_HELLO && len == RV_HELLO_SIZE;
    if (!raw_answer_hello(s, inv)) return 0;
    if (raw_recv_frame(s, response, sizeof(response), &len, 5000) != RV_FRAME_RESPONSE ||
        len != RV_RESPONSE_SIZE || response[0] != RV_INTENT_ACCEPT)
        return 0;
    return raw_send_frame(s, RV_FRAME_CONFIRM, NULL, 0);
}

/* The harness as the invitee, up to `stage`. */
static int fake_invitee_steps(rv_socket s, const struct rv_invitation *inv, int stage, uint8_t intent)
{
    if (stage == STAGE_RAW) return 1;
    /* The first step: HELLO sent, CHALLENGE checked. */
    return raw_handshake(s, inv, intent, stage == STAGE_FIRST);
}

/*
 * After the handshake the input is frames: each well-formed header goes with
 * its payload sealed, so that the input reaches what only the authenticated
 * peer can do; the rest (and all of it with bit 6) goes as it is, which is
 * what a stranger on the path can do.
 */
static void send_input(rv_socket s, const uint8_t *data, size_t size, int seal)
{
    while (seal && raw_channel(s) && size >= RV_FRAME_HEADER_SIZE)
    {
        uint32_t len = rv_get_u32(data + 4);
        uint8_t *frame;
        size_t wire;
        int sent;

        if (data[1] || data[2] || data[3] || len > size - RV_FRAME_HEADER_SIZE) break;
        wire = raw_frame_bytes(s, data[0], data + RV_FRAME_HEADER_SIZE, len, &frame);
        sent = raw_send(s, frame, wire, 2000);
        free(frame);
        if (!sent) return;
        data += RV_FRAME_HEADER_SIZE + len;
        size -= RV_FRAME_HEADER_SIZE + len;
    }
    if (size) raw_send(s, data, size, 2000);
}

static int is_final(enum rv_state state)
{
    return state == RV_STATE_CANCELLED || state == RV_STATE_DECLINED || state == RV_STATE_TERMINATED;
}

/* Every state change continues from the one before. */
static void check_state_chain(const struct peer *p)
{
    enum rv_state prev = RV_STATE_READY;
    int i;

    for (i = 0; i < p->n; i++)
    {
        if (p->ev[i].kind != REC_STATE) continue;
        CHECK(p->ev[i].prev_state == prev);
        CHECK(!is_final(prev));
        prev = p->ev[i].new_state;
    }
}

static int count_state(const struct peer *p, enum rv_state state)
{
    int i, n = 0;

    for (i = 0; i < p->n; i++) if (p->ev[i].kind == REC_STATE && p->ev[i].new_state == state) n++;
    return n;
}

static void check_unauthenticated(struct peer *p, int invitee)
{
    int k;

    CHECK(!count_events(p, REC_DATA) && !p->data_events);
    CHECK(!count_events(p, REC_SEND_ERROR));
    CHECK(!count_events(p, REC_ANSWER));
    CHECK(!count_state(p, RV_STATE_CONNECTED));
    if (!invitee)
    {
        /* A stranger is dropped without a word: the inviter keeps waiting. */
        CHECK(p->n == 1 && p->ev[0].new_state == RV_STATE_INVITATION);
        CHECK(rv_session_get_state(p->s) == RV_STATE_INVITATION);
        return;
    }
    /* The invitee trusted nobody: it fails with one termination, then TERMINATED. */
    CHECK(count_events(p, REC_TERMINATION) == 1);
    k = find_event(p, REC_TERMINATION, 0);
    CHECK(p->ev[k].count == 0);
    CHECK(p->ev[k].hr == RV_E_ACCESS_DENIED || p->ev[k].hr == RV_E_PROTOCOL ||
          p->ev[k].hr == RV_E_CONNECTION_RESET || RV_FAILED(p->ev[k].hr));
    CHECK(p->last_state == RV_STATE_TERMINATED);
    CHECK(p->n == 4);
}

static void check_authenticated(struct peer *p, const struct rv_profile *profile, int declined,
                                size_t input_size)
{
    uint64_t units = 0;
    int i;

    CHECK(count_events(p, REC_TERMINATION) <= 1);
    CHECK(is_final(p->last_state));
    CHECK(is_final(rv_session_get_state(p->s)));
    if (declined)
    {
        CHECK(count_state(p, RV_STATE_DECLINED) == 1 && !count_state(p, RV_STATE_CONNECTED));
        CHECK(!count_events(p, REC_DATA) && !count_events(p, REC_TERMINATION));
        return;
    }
    CHECK(count_state(p, RV_STATE_CONNECTED) == 1);
    for (i = 0; i < p->n; i++)
    {
        if (p->ev[i].kind != REC_DATA) continue;
        CHECK(p->ev[i].count >= 1 && p->ev[i].count <= profile->max_context_units);
        units += p->ev[i].count;
    }
    /* Nothing is invented: every unit came from the input. */
    CHECK(units * 2 <= input_size);
    /* A termination comes just before the final state it announces. */
    i = find_event(p, REC_TERMINATION, 0);
    if (i >= 0) CHECK(i + 1 < p->n && p->ev[i + 1].kind == REC_STATE && is_final(p->ev[i + 1].new_state));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const struct rv_profile *profile;
    char text[RV_INVITATION_BUFFER_SIZE];
    struct rv_invitation inv;
    rv_socket s = RV_INVALID_SOCKET, listener = RV_INVALID_SOCKET;
    static struct peer p;
    long base_allocations;
    size_t base_bytes, peak, bound;
    int invitee, stage, declined, ready;
    uint8_t control;

    if (!size) return 0;
    init();
    control = data[0];
    data++;
    size--;
    invitee = control & 1;
    stage = (control >> 1) & 3;
    profile = control & 8 ? &rv_profile_messenger : &rv_profile_rendezvous;
    declined = !invitee && stage >= STAGE_AUTH && (control & 0x20);

    base_allocations = live_allocations();
    base_bytes = live_bytes();
    reset_peak_bytes();

    memset(&p, 0, sizeof(p));
    p.name = "fuzzed";
    p.keep_data = 1;
    CHECK(!rv_session_create(profile, invitee ? RV_FLAG_INVITEE : RV_FLAG_INVITER,
                             control & 0x10 ? &rec_callbacks_answers : &rec_callbacks, &p, &p.s));
    if (!invitee)
    {
        CHECK(!rv_session_invite(p.s, NULL, 0, text, sizeof(text)));
        CHECK(!rv_invitation_parse(text, &inv));
        CHECK((s = raw_connect(&inv, 5000)) != RV_INVALID_SOCKET);
        ready = fake_invitee_steps(s, &inv, stage, declined ? RV_INTENT_DECLINE : RV_INTENT_ACCEPT);
    }
    else
    {
        struct rv_addr addr;

        memset(&addr, 0, sizeof(addr));
        addr.family = 4;
        addr.bytes[0] = 127;
        addr.bytes[3] = 1;
        CHECK(!rv_socket_listen(&addr, 1, &listener, &addr.port));
        memset(&inv, 0, sizeof(inv));
        inv.family = 4;
        memcpy(inv.addr, addr.bytes, 4);
        inv.port = addr.port;
        rv_random(inv.session_id, sizeof(inv.session_id));
        rv_random(inv.secret, sizeof(inv.secret));
        CHECK(!rv_invitation_format(&inv, text, sizeof(text)));
        CHECK(!rv_session_receive_invitation(p.s, text));
        CHECK(!rv_session_accept(p.s));
        CHECK((s = accept_one(listener)) != RV_INVALID_SOCKET);
        raw_forget(s);
        ready = fake_inviter_steps(s, &inv, stage);
    }
    /* The honest part of the handshake is the harness's own: it must work. */
    CHECK(ready);
    if (stage >= STAGE_AUTH && !declined)
        CHECK(peer_wait_state(&p, RV_STATE_CONNECTED, 5000));
    if (stage == STAGE_AUTH_SEND && !declined)
    {
        static const uint16_t hello[] = { 'h', 'i' };

        CHECK(!rv_session_send_context_data(p.s, hello, 2));
    }

    /* The session may close at any point: a failed write is part of the game. */
    send_input(s, data, size, stage >= STAGE_AUTH && !(control & 0x40));
    rv_socket_shutdown_write(s);
    /* No hang: whatever it got, the session lets go of the connection promptly. */
    CHECK(raw_wait_closed(s, 5000));
    /* Events queued up to the close are all pending now. */
    while (rv_session_dispatch(p.s) == RV_S_OK) {}
    if (invitee && stage < STAGE_AUTH)
    {
        /* The failure event may be queued just after the socket closed. */
        peer_wait_state(&p, RV_STATE_TERMINATED, 2000);
    }

    check_state_chain(&p);
    CHECK(!p.overflow);
    if (stage < STAGE_AUTH) check_unauthenticated(&p, invitee);
    else check_authenticated(&p, profile, declined, size);

    /*
     * Bounded memory: a fixed amount plus what the input carried.  Only an
     * authenticated peer gets a buffer from a header alone: one DATA frame of
     * the profile's largest size, before its payload arrives.
     */
    peak = reset_peak_bytes() - base_bytes;
    bound = 65536 + 4 * size;
    if (stage >= STAGE_AUTH) bound += 2 * (size_t)profile->max_context_units + 1024;
    if (peak > bound) fprintf(stderr, "fuzz_conn: peak %zu bytes, bound %zu\n", peak, bound);
    CHECK(peak <= bound);

    rv_session_destroy(p.s);
    p.s = NULL;
    peer_reset_log(&p);
    rv_socket_close(s);
    rv_socket_close(listener);
    /* Nothing kept: the I/O thread frees closed connections on its next round. */
    CHECK(wait_live_allocations(base_allocations, 5000) == base_allocations);
    return 0;
}
