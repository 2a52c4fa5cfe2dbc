/*
 * Unit tests: context-data rules of the Rendezvous and Messenger profiles
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

/* A listener nobody answers on, and an invitation pointing at it. */
static rv_socket silent_listener(char *invitation)
{
    struct rv_invitation inv;
    struct rv_addr addr;
    rv_socket s;
    uint16_t port;

    memset(&addr, 0, sizeof(addr));
    addr.family = 4;
    addr.bytes[0] = 127;
    addr.bytes[3] = 1;
    if (rv_socket_listen(&addr, 4, &s, &port)) return RV_INVALID_SOCKET;
    memset(&inv, 0, sizeof(inv));
    inv.family = 4;
    memcpy(inv.addr, addr.bytes, 4);
    inv.port = port;
    rv_random(inv.session_id, sizeof(inv.session_id));
    rv_random(inv.secret, sizeof(inv.secret));
    rv_invitation_format(&inv, invitation, RV_INVITATION_BUFFER_SIZE);
    return s;
}

struct expect
{
    rv_result over_length, in_invitation, not_connected, over_count;
    uint32_t max_units, max_sends;
};

static void test_profile(const struct rv_profile *profile, const struct expect *e, const char *name)
{
    char invitation[RV_INVITATION_BUFFER_SIZE], silent[RV_INVITATION_BUFFER_SIZE];
    uint16_t *units = make_units(e->max_units + 1, 3);
    struct peer a, b, c;
    rv_socket listener;
    uint32_t i;
    rv_result hr;

    trace("profile %s\n", name);
    peer_create(&a, "inviter", profile, RV_FLAG_INVITER);
    peer_create(&b, "invitee", profile, RV_FLAG_INVITEE);
    b.keep_data = 1;

    /* READY */
    ok(rv_session_send_context_data(a.s, NULL, 1) == RV_E_INVALIDARG, "NULL in READY\n");
    ok(rv_session_send_context_data(a.s, units, 0) == RV_E_INVALIDARG, "empty in READY\n");
    hr = rv_session_send_context_data(a.s, units, e->max_units + 1);
    ok(hr == e->over_length, "over length in READY: %#x\n", (unsigned)hr);
    hr = rv_session_send_context_data(a.s, units, 1);
    ok(hr == e->not_connected, "READY: %#x\n", (unsigned)hr);

    /* INVITATION, on both sides */
    ok(!rv_session_invite(a.s, NULL, 0, invitation, sizeof(invitation)), "invite\n");
    ok(!rv_session_receive_invitation(b.s, invitation), "receive\n");
    hr = rv_session_send_context_data(a.s, units, 1);
    ok(hr == e->in_invitation, "inviter INVITATION: %#x\n", (unsigned)hr);
    hr = rv_session_send_context_data(b.s, units, 1);
    ok(hr == e->in_invitation, "invitee INVITATION: %#x\n", (unsigned)hr);
    hr = rv_session_send_context_data(b.s, units, e->max_units + 1);
    ok(hr == e->over_length, "length is checked before state: %#x\n", (unsigned)hr);
    ok(rv_session_send_context_data(b.s, NULL, 0) == RV_E_INVALIDARG, "NULL in INVITATION\n");

    /* ACCEPTED: an inviter that never answers keeps the invitee there. */
    listener = silent_listener(silent);
    ok(listener != RV_INVALID_SOCKET, "silent listener\n");
    peer_create(&c, "stuck", profile, RV_FLAG_INVITEE);
    ok(!rv_session_receive_invitation(c.s, silent), "receive silent\n");
    ok(!rv_session_accept(c.s), "accept silent\n");
    ok(rv_session_get_state(c.s) == RV_STATE_ACCEPTED, "not ACCEPTED\n");
    hr = rv_session_send_context_data(c.s, units, 1);
    ok(hr == e->not_connected, "ACCEPTED: %#x\n", (unsigned)hr);
    peer_destroy(&c);
    rv_socket_close(listener);

    /* CONNECTED */
    ok(!rv_session_accept(b.s), "accept\n");
    ok(peer_wait_state(&b, RV_STATE_CONNECTED, 5000), "invitee not connected\n");
    ok(peer_wait_state(&a, RV_STATE_CONNECTED, 5000), "inviter not connected\n");
    ok(rv_session_send_context_data(a.s, NULL, 3) == RV_E_INVALIDARG, "NULL when connected\n");
    ok(rv_session_send_context_data(a.s, units, 0) == RV_E_INVALIDARG, "empty when connected\n");
    hr = rv_session_send_context_data(a.s, units, e->max_units + 1);
    ok(hr == e->over_length, "over length: %#x\n", (unsigned)hr);
    hr = rv_session_send_context_data(a.s, units, e->max_units);
    ok(hr == RV_S_OK, "max length: %#x\n", (unsigned)hr);

    if (e->max_sends)
    {
        /* Failed calls in between do not count. */
        for (i = 1; i < e->max_sends; i++)
        {
            ok(rv_session_send_context_data(a.s, units, e->max_units + 1) == e->over_length,
               "failed call\n");
            ok(rv_session_send_context_data(a.s, NULL, 1) == RV_E_INVALIDARG, "failed call\n");
            hr = rv_session_send_context_data(a.s, units + i, 1);
            ok(hr == RV_S_OK, "send %u: %#x\n", i + 1, (unsigned)hr);
        }
        hr = rv_session_send_context_data(a.s, units, 1);
        ok(hr == e->over_count, "send %u: %#x\n", e->max_sends + 1, (unsigned)hr);
        hr = rv_session_send_context_data(a.s, units, e->max_units + 1);
        ok(hr == e->over_length, "length is checked before count: %#x\n", (unsigned)hr);
        ok(rv_session_send_context_data(a.s, NULL, 1) == RV_E_INVALIDARG, "NULL after the count\n");
        /* The other direction has its own count. */
        ok(rv_session_send_context_data(b.s, units, 1) == RV_S_OK, "invitee first send\n");
        ok(peer_wait_data_units(&b, e->max_units + e->max_sends - 1, 5000), "data not received\n");
        peer_pump(&b, 100);
        ok(b.data_events == (long)e->max_sends, "peer got %ld events\n", b.data_events);
    }
    else
    {
        for (i = 0; i < 200; i++)
            if (rv_session_send_context_data(a.s, units + (i % 5), 1)) break;
        ok(i == 200, "unlimited sends stopped at %u\n", i);
        ok(peer_wait_data_units(&b, e->max_units + 200, 5000), "data not received\n");
        peer_pump(&b, 100);
        ok(b.data_events == 201, "peer got %ld events\n", b.data_events);
    }

    /* After the end */
    ok(!rv_session_cancel(a.s), "cancel\n");
    hr = rv_session_send_context_data(a.s, units, 1);
    ok(hr == e->not_connected, "after the end: %#x\n", (unsigned)hr);
    ok(peer_wait_state(&b, RV_STATE_DECLINED, 5000), "invitee not DECLINED\n");
    hr = rv_session_send_context_data(b.s, units, 1);
    ok(hr == e->not_connected, "DECLINED: %#x\n", (unsigned)hr);
    hr = rv_session_send_context_data(b.s, units, e->max_units + 1);
    ok(hr == e->over_length, "over length after the end: %#x\n", (unsigned)hr);
    peer_destroy(&a);
    peer_destroy(&b);

    /* TERMINATED */
    peer_create(&a, "inviter", profile, RV_FLAG_INVITER);
    peer_create(&b, "invitee", profile, RV_FLAG_INVITEE);
    ok(connect_pair(&a, &b, NULL), "connect\n");
    peer_destroy(&a);
    ok(peer_wait_state(&b, RV_STATE_TERMINATED, 5000), "not TERMINATED\n");
    hr = rv_session_send_context_data(b.s, units, 1);
    ok(hr == e->not_connected, "TERMINATED: %#x\n", (unsigned)hr);
    peer_destroy(&b);
    free(units);
}

static void test_profile_values(void)
{
    ok(rv_profile_rendezvous.max_context_units == 65536, "rendezvous units\n");
    ok(rv_profile_rendezvous.max_successful_sends == 0, "rendezvous sends\n");
    ok(rv_profile_messenger.max_context_units == 300, "messenger units\n");
    ok(rv_profile_messenger.max_successful_sends == 5, "messenger sends\n");
    ok(RV_E_INVALID_STATE == (rv_result)0x8007139fu, "invalid state value\n");
    ok(RV_SR_CONTEXT_DATA_OVER_LIMIT == (rv_result)0x81000611u, "SR value\n");
    ok(RV_FAILED(RV_E_PROTOCOL) && RV_SUCCEEDED(RV_S_FALSE), "macros\n");
}

static void test_custom_profile(void)
{
    /* A face may define its own rules; the core applies them verbatim. */
    struct rv_profile custom = { 4, 2, 0x11, 0x22, 0x33, 0x44 };
    struct expect e = { 0x11, 0x33, 0x44, 0x22, 4, 2 };

    test_profile(&custom, &e, "custom");
}

START_TEST(profile)
{
    static const struct expect rendezvous =
    {
        RV_E_INVALIDARG, RV_E_INVALID_STATE, RV_E_INVALID_STATE, RV_S_OK, 65536, 0,
    };
    static const struct expect messenger =
    {
        RV_SR_CONTEXT_DATA_OVER_LIMIT, RV_SR_NOT_VALID_FOR_APP_INVITE, RV_SR_SESSION_NOT_READY,
        RV_SR_CONTEXT_DATA_OVER_LIMIT, 300, 5,
    };

    install_counting_allocator();
    test_profile_values();
    test_profile(&rv_profile_rendezvous, &rendezvous, "rendezvous");
    test_profile(&rv_profile_messenger, &messenger, "messenger");
    test_custom_profile();
    ok(wait_live_allocations(0, 2000) == 0, "%ld allocations leaked\n", live_allocations());
}
