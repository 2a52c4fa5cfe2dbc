/*
 * Unit tests: two-session flows over loopback (accept, decline, cancel,
 * terminate, byte-exact delivery)
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

static const enum rv_state connected_states[] =
{
    RV_STATE_INVITATION, RV_STATE_ACCEPTED, RV_STATE_CONNECTED,
};

static void test_accept_flow(void)
{
    struct peer a, b;
    char invitation[RV_INVITATION_BUFFER_SIZE], address[64];
    uint8_t id_a[16], id_b[16];
    struct rv_invitation inv;
    rv_result hr;

    ok(!peer_create(&a, "inviter", &rv_profile_rendezvous, RV_FLAG_INVITER), "create inviter\n");
    ok(!peer_create(&b, "invitee", &rv_profile_rendezvous, RV_FLAG_INVITEE), "create invitee\n");
    ok(rv_session_get_state(a.s) == RV_STATE_READY, "inviter state %d\n", rv_session_get_state(a.s));
    ok(rv_session_get_flags(a.s) == RV_FLAG_INVITER, "inviter flags\n");
    ok(rv_session_get_flags(b.s) == RV_FLAG_INVITEE, "invitee flags\n");
    ok(rv_session_get_peer_address(a.s, address, sizeof(address)) == RV_S_FALSE,
       "address before connect\n");

    hr = rv_session_invite(a.s, NULL, 0, invitation, sizeof(invitation));
    ok(hr == RV_S_OK, "invite: %#x\n", (unsigned)hr);
    ok(rv_session_get_state(a.s) == RV_STATE_INVITATION, "inviter not in INVITATION\n");
    ok(rv_invitation_parse(invitation, &inv) == RV_S_OK && inv.family == 4 && inv.port,
       "invitation %s\n", invitation);
    rv_session_get_id(a.s, id_a);
    ok(!memcmp(id_a, inv.session_id, 16), "invitation carries another session id\n");

    hr = rv_session_receive_invitation(b.s, invitation);
    ok(hr == RV_S_OK, "receive: %#x\n", (unsigned)hr);
    rv_session_get_id(b.s, id_b);
    ok(!memcmp(id_a, id_b, 16), "session ids differ\n");
    hr = rv_session_accept(b.s);
    ok(hr == RV_S_OK, "accept: %#x\n", (unsigned)hr);
    /* ACCEPTED at once; on loopback the handshake may already be over. */
    ok(rv_session_get_state(b.s) == RV_STATE_ACCEPTED || rv_session_get_state(b.s) == RV_STATE_CONNECTED,
       "invitee state %d after accept\n", rv_session_get_state(b.s));

    ok(peer_wait_state(&b, RV_STATE_CONNECTED, 5000), "invitee not connected\n");
    ok(peer_wait_state(&a, RV_STATE_CONNECTED, 5000), "inviter not connected\n");
    ok(states_are(&a, connected_states, 3), "inviter states wrong\n");
    ok(states_are(&b, connected_states, 3), "invitee states wrong\n");
    ok(peer_wakes(&a) > 0 && peer_wakes(&b) > 0, "no wakes: %ld %ld\n", peer_wakes(&a), peer_wakes(&b));
    ok(rv_session_get_peer_address(a.s, address, sizeof(address)) == RV_S_OK &&
       !strcmp(address, "127.0.0.1"), "inviter peer address %s\n", address);
    ok(rv_session_get_peer_address(b.s, address, sizeof(address)) == RV_S_OK &&
       !strcmp(address, "127.0.0.1"), "invitee peer address %s\n", address);

    /* Second operations in the wrong state */
    ok(rv_session_accept(b.s) == RV_E_INVALID_STATE, "second accept\n");
    ok(rv_session_invite(a.s, NULL, 0, invitation, sizeof(invitation)) == RV_E_INVALID_STATE,
       "second invite\n");
    ok(rv_session_decline(b.s) == RV_E_INVALID_STATE, "decline when connected\n");

    /* Data both ways, in order */
    {
        static const uint16_t hello[] = { 'h', 'i' }, reply[] = { 'y', 'o', '!' };
        int i;

        ok(rv_session_send_context_data(a.s, hello, 2) == RV_S_OK, "send a->b\n");
        ok(rv_session_send_context_data(b.s, reply, 3) == RV_S_OK, "send b->a\n");
        for (i = 0; i < 20; i++)
        {
            uint16_t unit = (uint16_t)i;
            rv_session_send_context_data(a.s, &unit, 1);
        }
        ok(peer_wait_data_units(&b, 22, 5000), "b got %lu units\n", (unsigned long)b.data_units);
        ok(peer_wait_data_units(&a, 3, 5000), "a got %lu units\n", (unsigned long)a.data_units);
        i = find_event(&b, REC_DATA, 0);
        ok(i >= 0 && b.ev[i].count == 2 && b.ev[i].units[0] == 'h' && b.ev[i].units[1] == 'i', "hello\n");
        for (i = 0; i < 20; i++)
        {
            int k = find_event(&b, REC_DATA, 0), n = 0;

            while (k >= 0 && n < i + 1)
            {
                k = find_event(&b, REC_DATA, k + 1);
                n++;
            }
            if (k < 0 || b.ev[k].count != 1 || b.ev[k].units[0] != i) break;
        }
        ok(i == 20, "order broken at %d\n", i);
        i = find_event(&a, REC_DATA, 0);
        ok(i >= 0 && a.ev[i].count == 3 && a.ev[i].units[2] == '!', "reply\n");
    }

    /* Terminate from the inviter with data: both sides see termination then CANCELLED. */
    {
        static const uint16_t bye[] = { 'b', 0, 'y', 0xd800, 'e' };
        int ka, kb;

        hr = rv_session_terminate(a.s, (rv_result)0x80004005u, bye, 5);
        ok(hr == RV_S_OK, "terminate: %#x\n", (unsigned)hr);
        ok(rv_session_get_state(a.s) == RV_STATE_CANCELLED,
           "inviter after terminate %d\n", rv_session_get_state(a.s));
        ok(peer_wait_state(&a, RV_STATE_CANCELLED, 5000), "inviter no CANCELLED\n");
        ok(peer_wait_state(&b, RV_STATE_CANCELLED, 5000), "invitee no CANCELLED\n");
        ka = find_event(&a, REC_TERMINATION, 0);
        kb = find_event(&b, REC_TERMINATION, 0);
        ok(ka >= 0 && a.ev[ka].hr == (rv_result)0x80004005u && a.ev[ka].count == 5 &&
           !memcmp(a.ev[ka].units, bye, sizeof(bye)), "local termination event\n");
        ok(kb >= 0 && b.ev[kb].hr == (rv_result)0x80004005u && b.ev[kb].count == 5 &&
           !memcmp(b.ev[kb].units, bye, sizeof(bye)), "remote termination event\n");
        ok(ka >= 0 && ka + 1 < a.n && a.ev[ka + 1].kind == REC_STATE &&
           a.ev[ka + 1].new_state == RV_STATE_CANCELLED, "local: CANCELLED does not follow termination\n");
        ok(kb >= 0 && kb + 1 < b.n && b.ev[kb + 1].kind == REC_STATE &&
           b.ev[kb + 1].new_state == RV_STATE_CANCELLED && b.ev[kb + 1].prev_state == RV_STATE_CONNECTED,
           "remote: CANCELLED does not follow termination\n");
        ok(rv_session_terminate(a.s, 0, NULL, 0) == RV_E_INVALID_STATE, "terminate after the end\n");
        ok(rv_session_cancel(a.s) == RV_E_INVALID_STATE, "cancel after the end\n");
        ok(rv_session_send_context_data(a.s, bye, 1) == RV_E_INVALID_STATE, "send after the end\n");
    }

    /* Nothing more arrives. */
    peer_pump(&a, 100);
    peer_pump(&b, 100);
    ok(count_events(&a, REC_STATE) == 4 && count_events(&b, REC_STATE) == 4, "extra state events\n");
    ok(!a.overflow && !b.overflow, "log overflow\n");
    peer_destroy(&a);
    peer_destroy(&b);
}

static void test_terminate_from_invitee(int with_data)
{
    struct peer a, b;
    static const uint16_t data[] = { 0, 0, 0 };
    int ka, kb;

    peer_create(&a, "inviter", &rv_profile_rendezvous, RV_FLAG_INVITER);
    peer_create(&b, "invitee", &rv_profile_rendezvous, RV_FLAG_INVITEE);
    ok(connect_pair(&a, &b, NULL), "connect\n");
    ok(rv_session_terminate(b.s, 0x1234, with_data ? data : NULL, with_data ? 3 : 0) == RV_S_OK,
       "terminate\n");
    ok(peer_wait_state(&a, RV_STATE_CANCELLED, 5000), "inviter not CANCELLED\n");
    ok(peer_wait_state(&b, RV_STATE_CANCELLED, 5000), "invitee not CANCELLED\n");
    ka = find_event(&a, REC_TERMINATION, 0);
    kb = find_event(&b, REC_TERMINATION, 0);
    ok(ka >= 0 && a.ev[ka].hr == 0x1234 && a.ev[ka].count == (with_data ? 3u : 0u), "remote termination\n");
    ok(kb >= 0 && b.ev[kb].hr == 0x1234 && b.ev[kb].count == (with_data ? 3u : 0u), "local termination\n");
    if (with_data && ka >= 0) ok(!memcmp(a.ev[ka].units, data, sizeof(data)), "NUL data differs\n");
    peer_destroy(&a);
    peer_destroy(&b);
}

static void test_decline(void)
{
    static const enum rv_state declined[] = { RV_STATE_INVITATION, RV_STATE_DECLINED };
    char invitation[RV_INVITATION_BUFFER_SIZE];
    struct peer a, b;

    peer_create(&a, "inviter", &rv_profile_rendezvous, RV_FLAG_INVITER);
    peer_create(&b, "invitee", &rv_profile_rendezvous, RV_FLAG_INVITEE);
    ok(rv_session_decline(b.s) == RV_E_INVALID_STATE, "decline in READY\n");
    ok(!rv_session_invite(a.s, NULL, 0, invitation, sizeof(invitation)), "invite\n");
    ok(!rv_session_receive_invitation(b.s, invitation), "receive\n");
    ok(rv_session_decline(b.s) == RV_S_OK, "decline\n");
    ok(rv_session_get_state(b.s) == RV_STATE_DECLINED, "invitee not DECLINED at once\n");
    ok(peer_wait_state(&a, RV_STATE_DECLINED, 5000), "inviter not DECLINED\n");
    peer_pump(&b, 100);
    ok(states_are(&a, declined, 2), "inviter states\n");
    ok(states_are(&b, declined, 2), "invitee states\n");
    ok(find_event(&a, REC_TERMINATION, 0) < 0 && find_event(&b, REC_TERMINATION, 0) < 0,
       "termination event\n");
    ok(rv_session_accept(b.s) == RV_E_INVALID_STATE, "accept after decline\n");
    peer_destroy(&a);
    peer_destroy(&b);
}

static void test_decline_unreachable(void)
{
    static const enum rv_state declined[] = { RV_STATE_INVITATION, RV_STATE_DECLINED };
    char invitation[RV_INVITATION_BUFFER_SIZE];
    struct peer a, b;

    /* An invitation whose listener is gone. */
    peer_create(&a, "inviter", &rv_profile_rendezvous, RV_FLAG_INVITER);
    peer_create(&b, "invitee", &rv_profile_rendezvous, RV_FLAG_INVITEE);
    ok(!rv_session_invite(a.s, NULL, 0, invitation, sizeof(invitation)), "invite\n");
    peer_destroy(&a);
    ok(!rv_session_receive_invitation(b.s, invitation), "receive\n");
    ok(rv_session_decline(b.s) == RV_S_OK, "decline\n");
    peer_pump(&b, 300);
    ok(states_are(&b, declined, 2), "invitee states\n");
    ok(b.n == 2, "%d events\n", b.n);
    peer_destroy(&b);
}

static void test_cancel_inviter_before_accept(void)
{
    static const enum rv_state cancelled[] = { RV_STATE_INVITATION, RV_STATE_CANCELLED };
    char invitation[RV_INVITATION_BUFFER_SIZE];
    struct peer a, b;
    int k;

    peer_create(&a, "inviter", &rv_profile_rendezvous, RV_FLAG_INVITER);
    peer_create(&b, "invitee", &rv_profile_rendezvous, RV_FLAG_INVITEE);
    ok(!rv_session_invite(a.s, NULL, 0, invitation, sizeof(invitation)), "invite\n");
    ok(rv_session_cancel(a.s) == RV_S_OK, "cancel\n");
    ok(peer_wait_state(&a, RV_STATE_CANCELLED, 1000), "not CANCELLED\n");
    ok(states_are(&a, cancelled, 2), "inviter states\n");
    /* The listener is gone: a late accept is refused. */
    ok(!rv_session_receive_invitation(b.s, invitation), "receive\n");
    ok(rv_session_accept(b.s) == RV_S_OK, "accept\n");
    ok(peer_wait_state(&b, RV_STATE_TERMINATED, 5000), "invitee not TERMINATED\n");
    k = find_event(&b, REC_TERMINATION, 0);
    ok(k >= 0 && b.ev[k].hr == RV_E_CONNECTION_REFUSED && !b.ev[k].count, "termination hr %#x\n",
       k >= 0 ? (unsigned)b.ev[k].hr : 0);
    peer_destroy(&a);
    peer_destroy(&b);
}

static void test_cancel_connected(int inviter_cancels)
{
    struct peer a, b, *canceller, *other;

    peer_create(&a, "inviter", &rv_profile_rendezvous, RV_FLAG_INVITER);
    peer_create(&b, "invitee", &rv_profile_rendezvous, RV_FLAG_INVITEE);
    ok(connect_pair(&a, &b, NULL), "connect\n");
    canceller = inviter_cancels ? &a : &b;
    other = inviter_cancels ? &b : &a;
    /* Data sent before the cancel still arrives first. */
    {
        static const uint16_t data[] = { 'x' };
        ok(rv_session_send_context_data(canceller->s, data, 1) == RV_S_OK, "send\n");
    }
    ok(rv_session_cancel(canceller->s) == RV_S_OK, "cancel\n");
    ok(peer_wait_state(canceller, RV_STATE_CANCELLED, 1000), "canceller not CANCELLED\n");
    ok(peer_wait_state(other, RV_STATE_DECLINED, 5000), "peer not DECLINED\n");
    ok(other->data_events == 1, "data before cancel lost\n");
    ok(find_event(other, REC_TERMINATION, 0) < 0, "termination on cancel\n");
    peer_pump(&a, 100);
    peer_pump(&b, 100);
    ok(count_events(&a, REC_STATE) == 4 && count_events(&b, REC_STATE) == 4, "extra events\n");
    peer_destroy(&a);
    peer_destroy(&b);
}

static void test_cancel_invitee_accepted(void)
{
    static const enum rv_state before_connect[] = { RV_STATE_INVITATION, RV_STATE_ACCEPTED,
                                                    RV_STATE_CANCELLED };
    static const enum rv_state after_connect[] = { RV_STATE_INVITATION, RV_STATE_ACCEPTED,
                                                   RV_STATE_CONNECTED, RV_STATE_CANCELLED };
    char invitation[RV_INVITATION_BUFFER_SIZE];
    struct peer a, b;

    peer_create(&a, "inviter", &rv_profile_rendezvous, RV_FLAG_INVITER);
    peer_create(&b, "invitee", &rv_profile_rendezvous, RV_FLAG_INVITEE);
    ok(!rv_session_invite(a.s, NULL, 0, invitation, sizeof(invitation)), "invite\n");
    ok(!rv_session_receive_invitation(b.s, invitation), "receive\n");
    ok(!rv_session_accept(b.s), "accept\n");
    ok(rv_session_cancel(b.s) == RV_S_OK, "cancel\n");
    ok(rv_session_get_state(b.s) == RV_STATE_CANCELLED, "invitee state %d\n", rv_session_get_state(b.s));
    ok(peer_wait_state(&a, RV_STATE_DECLINED, 5000), "inviter not DECLINED (last %d)\n", a.last_state);
    peer_pump(&b, 100);
    /* The I/O thread may finish the handshake between accept and cancel on a loaded
     * machine; either way the invitee ends CANCELLED and sees each state once. */
    ok(states_are(&b, before_connect, 3) || states_are(&b, after_connect, 4),
       "invitee events (%d states, last %d)\n", count_events(&b, REC_STATE), b.last_state);
    peer_destroy(&a);
    peer_destroy(&b);
}

static void test_cancel_invitee_invitation(void)
{
    char invitation[RV_INVITATION_BUFFER_SIZE];
    struct peer a, b;

    peer_create(&a, "inviter", &rv_profile_rendezvous, RV_FLAG_INVITER);
    peer_create(&b, "invitee", &rv_profile_rendezvous, RV_FLAG_INVITEE);
    ok(rv_session_cancel(b.s) == RV_S_OK, "cancel in READY\n");
    ok(peer_wait_state(&b, RV_STATE_CANCELLED, 1000), "not CANCELLED\n");
    ok(rv_session_receive_invitation(b.s, "x") == RV_E_INVALID_STATE, "receive after cancel\n");
    ok(!rv_session_invite(a.s, NULL, 0, invitation, sizeof(invitation)), "invite\n");
    peer_pump(&a, 100);
    ok(a.last_state == RV_STATE_INVITATION, "inviter moved\n");
    peer_destroy(&a);
    peer_destroy(&b);
}

static void test_invalid_calls(void)
{
    char invitation[RV_INVITATION_BUFFER_SIZE];
    struct rv_session *s;
    struct peer a, b;
    uint16_t unit = 'x';

    ok(rv_session_create(&rv_profile_rendezvous, 4, NULL, NULL, &s) == RV_E_INVALIDARG, "unknown role\n");
    ok(rv_session_create(&rv_profile_rendezvous, 3, NULL, NULL, &s) == RV_E_INVALIDARG, "both roles\n");
    ok(rv_session_create(NULL, RV_FLAG_INVITER, NULL, NULL, &s) == RV_E_INVALIDARG, "no profile\n");
    ok(rv_session_create(&rv_profile_rendezvous, RV_FLAG_INVITER, NULL, NULL, NULL) == RV_E_POINTER,
       "no out\n");
    {
        struct rv_profile bad = rv_profile_rendezvous;

        bad.max_context_units = 0;
        ok(rv_session_create(&bad, RV_FLAG_INVITER, NULL, NULL, &s) == RV_E_INVALIDARG, "zero units\n");
        bad.max_context_units = RV_MAX_CONTEXT_UNITS_LIMIT + 1;
        ok(rv_session_create(&bad, RV_FLAG_INVITER, NULL, NULL, &s) == RV_E_INVALIDARG, "too many units\n");
    }
    ok(rv_session_get_state(NULL) == RV_STATE_UNKNOWN, "NULL state\n");
    ok(rv_session_dispatch(NULL) == RV_E_POINTER, "NULL dispatch\n");
    rv_session_destroy(NULL);

    peer_create(&a, "inviter", &rv_profile_rendezvous, RV_FLAG_INVITER);
    peer_create(&b, "invitee", &rv_profile_rendezvous, RV_FLAG_INVITEE);
    ok(rv_session_accept(a.s) == RV_E_INVALID_STATE, "accept on inviter\n");
    ok(rv_session_decline(a.s) == RV_E_INVALID_STATE, "decline on inviter\n");
    ok(rv_session_receive_invitation(a.s, "rv1:") == RV_E_INVALID_STATE, "receive on inviter\n");
    ok(rv_session_invite(b.s, NULL, 0, invitation, sizeof(invitation)) == RV_E_INVALID_STATE,
       "invite on invitee\n");
    ok(rv_session_accept(b.s) == RV_E_INVALID_STATE, "accept in READY\n");
    ok(rv_session_terminate(a.s, 0, NULL, 0) == RV_E_INVALID_STATE, "terminate in READY\n");
    ok(rv_session_send_context_data(a.s, &unit, 1) == RV_E_INVALID_STATE, "send in READY\n");
    ok(rv_session_invite(a.s, NULL, 0, invitation, 10) == RV_E_INVALIDARG, "small buffer\n");
    ok(rv_session_invite(a.s,
       "0.0.0.0", 0, invitation, sizeof(invitation)) == RV_E_INVALIDARG, "wildcard\n");
    ok(rv_session_invite(a.s, "localhost", 0, invitation, sizeof(invitation)) == RV_E_INVALIDARG, "name\n");
    ok(rv_session_invite(a.s, NULL, 0, NULL, 256) == RV_E_POINTER, "NULL buffer\n");
    ok(rv_session_receive_invitation(b.s, "rv1:garbage") == RV_E_INVALIDARG, "bad invitation\n");
    ok(rv_session_receive_invitation(b.s, NULL) == RV_E_INVALIDARG, "NULL invitation\n");
    ok(rv_session_get_state(b.s) == RV_STATE_READY, "bad invitation changed state\n");
    ok(rv_session_set_handshake_timeout(a.s, 0) == RV_E_INVALIDARG, "zero timeout\n");
    ok(rv_session_set_handshake_timeout(a.s, 600001) == RV_E_INVALIDARG, "huge timeout\n");
    ok(rv_session_set_handshake_timeout(a.s, 5000) == RV_S_OK, "timeout\n");
    ok(rv_session_dispatch(a.s) == RV_S_FALSE, "dispatch with nothing\n");
    ok(rv_session_wait(a.s, 10) == RV_S_FALSE, "wait with nothing\n");

    /* Terminate argument checks */
    ok(!rv_session_invite(a.s, NULL, 0, invitation, sizeof(invitation)), "invite\n");
    ok(rv_session_terminate(a.s, 0, NULL, 1) == RV_E_INVALIDARG, "NULL data with count\n");
    ok(rv_session_terminate(a.s, 0, &unit, 65537) == RV_E_INVALIDARG, "terminate over the limit\n");
    ok(rv_session_get_state(a.s) == RV_STATE_INVITATION, "state changed\n");
    ok(rv_session_terminate(a.s, 7, &unit, 1) == RV_S_OK, "terminate in INVITATION\n");
    ok(peer_wait_state(&a, RV_STATE_CANCELLED, 1000), "not CANCELLED\n");
    ok(find_event(&a, REC_TERMINATION, 0) >= 0, "no termination event\n");
    peer_destroy(&a);
    peer_destroy(&b);
}

static int check_delivery(struct peer *from, struct peer *to, const uint16_t *units, uint32_t count)
{
    int before = to->n, k;

    if (rv_session_send_context_data(from->s, units, count) != RV_S_OK) return 0;
    if (!peer_wait_events(to, before + 1, 10000)) return 0;
    k = find_event(to, REC_DATA, before);
    return k >= 0 && to->ev[k].count == count && !memcmp(to->ev[k].units, units, count * sizeof(uint16_t));
}

static void test_byte_exact(void)
{
    static const uint16_t nuls[] = { 0, 'a', 0, 0, 'b', 0 };
    static const uint16_t surrogates[] =
    {
        0xd800, 0xdc00, 0xdfff, 0xd83d, 0xde00, 0xdbff, 'x', 0xfffe, 0xffff,
    };
    static const uint16_t one[] = { 0 };
    struct peer a, b;
    uint16_t *all, *max;
    uint32_t i;

    peer_create(&a, "inviter", &rv_profile_rendezvous, RV_FLAG_INVITER);
    peer_create(&b, "invitee", &rv_profile_rendezvous, RV_FLAG_INVITEE);
    ok(connect_pair(&a, &b, NULL), "connect\n");
    ok(check_delivery(&a, &b, nuls, 6), "embedded NULs\n");
    ok(check_delivery(&b, &a, surrogates, 9), "surrogates\n");
    ok(check_delivery(&a, &b, one, 1), "one unit\n");
    max = make_units(65536, 7);
    ok(check_delivery(&a, &b, max, 65536), "max units a->b\n");
    ok(check_delivery(&b, &a, max, 65536), "max units b->a\n");
    ok(rv_session_send_context_data(a.s, max, 65537) == RV_E_INVALIDARG, "over the limit\n");
    all = malloc(65536 * sizeof(uint16_t));
    for (i = 0; i < 65536; i++) all[i] = (uint16_t)i;
    ok(check_delivery(&b, &a, all, 65536), "every unit value\n");
    ok(rv_session_send_context_data(a.s, NULL, 1) == RV_E_INVALIDARG, "NULL data\n");
    ok(rv_session_send_context_data(a.s, one, 0) == RV_E_INVALIDARG, "empty data\n");
    free(all);
    free(max);
    peer_pump(&b, 50);
    ok(count_events(&b, REC_DATA) == 3, "extra data at b: %d\n", count_events(&b, REC_DATA));
    peer_destroy(&a);
    peer_destroy(&b);
}

/* A session made without a role takes one later, once. */
static void test_late_role(void)
{
    struct rv_session *s;
    char invitation[RV_INVITATION_BUFFER_SIZE];

    ok(rv_session_create(&rv_profile_rendezvous, 0, NULL, NULL, &s) == RV_S_OK, "create without a role\n");
    ok(rv_session_get_flags(s) == 0, "flags %u\n", rv_session_get_flags(s));
    ok(rv_session_get_state(s) == RV_STATE_READY, "state %d\n", rv_session_get_state(s));
    ok(rv_session_invite(s, NULL, 0, invitation, sizeof(invitation)) == RV_E_INVALID_STATE, "invite without a role\n");
    ok(rv_session_set_role(s, 0) == RV_E_INVALIDARG, "role 0\n");
    ok(rv_session_set_role(s, RV_FLAG_INVITER | RV_FLAG_INVITEE) == RV_E_INVALIDARG, "both roles\n");
    ok(rv_session_set_role(s, RV_FLAG_INVITER) == RV_S_OK, "set the role\n");
    ok(rv_session_get_flags(s) == RV_FLAG_INVITER, "flags %u\n", rv_session_get_flags(s));
    ok(rv_session_set_role(s, RV_FLAG_INVITEE) == RV_E_INVALID_STATE, "second role\n");
    ok(rv_session_invite(s, NULL, 0, invitation, sizeof(invitation)) == RV_S_OK, "invite\n");
    rv_session_destroy(s);

    ok(rv_session_create(&rv_profile_rendezvous, RV_FLAG_INVITEE, NULL, NULL, &s) == RV_S_OK, "create\n");
    ok(rv_session_set_role(s, RV_FLAG_INVITER) == RV_E_INVALID_STATE, "role over a role\n");
    rv_session_destroy(s);
}

static rv_result refuse_invitation(void *ctx, const char *text)
{
    int *calls = ctx;

    (*calls)++;
    ok(!strncmp(text, "rv1:127.0.0.1:", 14), "text %s\n", text);
    return RV_E_OUTOFMEMORY;
}

static rv_result take_invitation(void *ctx, const char *text)
{
    strcpy(ctx, text);
    return RV_S_OK;
}

/* When the owner cannot take the invitation, nothing changes. */
static void test_invite_with(void)
{
    char invitation[RV_INVITATION_BUFFER_SIZE];
    struct peer a, b;
    int calls = 0;

    peer_create(&a, "inviter", &rv_profile_rendezvous, RV_FLAG_INVITER);
    ok(rv_session_invite_with(a.s, NULL, 0, refuse_invitation, &calls) == RV_E_OUTOFMEMORY, "refused\n");
    ok(calls == 1, "%d calls\n", calls);
    ok(rv_session_get_state(a.s) == RV_STATE_READY, "state %d\n", rv_session_get_state(a.s));
    peer_pump(&a, 50);
    ok(a.n == 0, "%d events\n", a.n);
    ok(rv_session_invite_with(a.s, NULL, 0, NULL, NULL) == RV_E_POINTER, "no callback\n");
    /* It can invite afterwards, and the invitation works. */
    ok(rv_session_invite_with(a.s, NULL, 0, take_invitation, invitation) == RV_S_OK, "invite\n");
    peer_create(&b, "invitee", &rv_profile_rendezvous, RV_FLAG_INVITEE);
    ok(rv_session_receive_invitation(b.s, invitation) == RV_S_OK, "receive\n");
    ok(rv_session_accept(b.s) == RV_S_OK, "accept\n");
    ok(peer_wait_state(&a, RV_STATE_CONNECTED, 5000), "connected\n");
    peer_destroy(&b);
    peer_destroy(&a);
}

/* A face that cannot hand data on tells the sender, who gets on_send_error. */
static void test_delivery_failure(void)
{
    static const uint16_t data[] = { 'h', 'i' };
    struct peer a, b;
    int i;

    peer_create(&a, "inviter", &rv_profile_rendezvous, RV_FLAG_INVITER);
    peer_create(&b, "invitee", &rv_profile_rendezvous, RV_FLAG_INVITEE);
    ok(rv_session_report_delivery_failure(b.s, RV_E_OUTOFMEMORY) == RV_E_INVALID_STATE, "before connecting\n");
    ok(connect_pair(&a, &b, NULL), "connect\n");
    ok(check_delivery(&a, &b, data, 2), "data\n");
    ok(rv_session_report_delivery_failure(b.s, RV_E_OUTOFMEMORY) == RV_S_OK, "report\n");
    ok(peer_wait_events(&a, a.n + 1, 5000), "no event at the sender\n");
    i = find_event(&a, REC_SEND_ERROR, 0);
    ok(i >= 0 && a.ev[i].hr == RV_E_OUTOFMEMORY, "send error %d\n", i);
    ok(rv_session_get_state(a.s) == RV_STATE_CONNECTED, "the sender still connected\n");
    ok(check_delivery(&a, &b, data, 2), "data after the report\n");
    peer_destroy(&a);
    peer_destroy(&b);
}

static void test_many_messages(void)
{
    struct peer a, b;
    uint32_t i, sent = 0;
    int bad = 0;

    peer_create(&a, "inviter", &rv_profile_rendezvous, RV_FLAG_INVITER);
    peer_create(&b, "invitee", &rv_profile_rendezvous, RV_FLAG_INVITEE);
    b.keep_data = 0;
    ok(connect_pair(&a, &b, NULL), "connect\n");
    for (i = 0; i < 5000; i++)
    {
        uint16_t units[3] = { (uint16_t)i, (uint16_t)(i >> 16), 0xabcd };

        if (rv_session_send_context_data(a.s, units, 1 + i % 3) == RV_S_OK) sent += 1 + i % 3;
        else bad++;
    }
    ok(!bad, "%d sends failed\n", bad);
    ok(peer_wait_data_units(&b, sent, 20000),
       "received %lu of %u units\n", (unsigned long)b.data_units, sent);
    ok(b.data_events == 5000, "%ld events\n", b.data_events);
    peer_destroy(&a);
    peer_destroy(&b);
}

/* The owner's thread reads the socket (rv_session_read_now), taking it over
 * from the I/O thread: every message arrives once and in order, and the end
 * still comes. */
static void test_read_now(void)
{
    enum rv_state terminated = RV_STATE_TERMINATED;
    struct peer a, b;
    uint64_t deadline;
    uintptr_t handle = 0;
    uint32_t i, sent = 0, in_order = 0;
    int j;

    ok(rv_session_read_now(NULL) == RV_E_POINTER, "read_now(NULL)\n");
    ok(rv_session_get_socket(NULL, &handle) == RV_E_POINTER, "get_socket(NULL)\n");
    peer_create(&a, "inviter", &rv_profile_rendezvous, RV_FLAG_INVITER);
    peer_create(&b, "invitee", &rv_profile_rendezvous, RV_FLAG_INVITEE);
    ok(rv_session_get_socket(b.s, NULL) == RV_E_POINTER, "get_socket(s, NULL)\n");
    ok(rv_session_get_socket(b.s, &handle) == RV_S_FALSE, "a socket before connecting\n");
    ok(rv_session_read_now(b.s) == RV_S_OK, "read_now before connecting\n");
    ok(connect_pair(&a, &b, NULL), "connect\n");
    ok(rv_session_get_socket(b.s, &handle) == RV_S_OK && handle != (uintptr_t)RV_INVALID_SOCKET,
       "no socket when connected\n");

    for (i = 0; i < 400; i++)
    {
        uint16_t units[2] = { (uint16_t)i, (uint16_t)~i };

        if (rv_session_send_context_data(a.s, units, 2) == RV_S_OK) sent++;
    }
    ok(sent == 400, "%u sends\n", sent);
    deadline = rv_time_ms() + 20000;
    while (b.data_events < (long)sent && rv_time_ms() < deadline)
    {
        ok(rv_session_read_now(b.s) == RV_S_OK, "read_now\n");
        rv_session_dispatch(b.s);
    }
    for (j = 0; j < b.n; j++)
        if (b.ev[j].kind == REC_DATA && b.ev[j].count == 2 && b.ev[j].units[0] == (uint16_t)in_order &&
            b.ev[j].units[1] == (uint16_t)~in_order)
            in_order++;
    ok(b.data_events == (long)sent && in_order == sent, "%ld events, %u in order\n", b.data_events, in_order);

    /* The peer goes: a host read sees the end as the I/O thread would. */
    peer_destroy(&a);
    deadline = rv_time_ms() + 5000;
    while (b.last_state != RV_STATE_TERMINATED && rv_time_ms() < deadline)
    {
        rv_session_read_now(b.s);
        if (!rv_session_dispatch(b.s)) continue;
        rv_session_wait(b.s, 10);
    }
    ok(cond_state(&b, &terminated), "state %d after the peer went\n", b.last_state);
    ok(rv_session_get_socket(b.s, &handle) == RV_S_FALSE, "a socket after the end\n");
    peer_destroy(&b);
}

/* An owner that reads its connection and lets its queue fill to the incoming
 * limit is not stalled: the dispatch that makes room reads on, as the I/O
 * thread would have. */
static void test_read_now_throttled(void)
{
    static uint16_t units[8192];
    const uint32_t frame = sizeof(units), most_queued = (RV_MAX_INCOMING_BYTES + 262144) / frame + 1;
    struct peer a, b;
    uint32_t sent = 0, refused = 0;
    uint64_t deadline;

    peer_create(&a, "inviter", &rv_profile_rendezvous, RV_FLAG_INVITER);
    peer_create(&b, "invitee", &rv_profile_rendezvous, RV_FLAG_INVITEE);
    b.keep_data = 0;
    ok(connect_pair(&a, &b, NULL), "connect\n");

    /* The owner reads and does not dispatch: its queue reaches the limit, then the sender's. */
    deadline = rv_time_ms() + 20000;
    while (refused < 100 && rv_time_ms() < deadline)
    {
        if (rv_session_send_context_data(a.s, units, sizeof(units) / sizeof(units[0])) == RV_S_OK)
        {
            sent++;
            refused = 0;
        }
        else
        {
            refused++;
            rv_sleep_ms(5);
        }
        rv_session_read_now(b.s);
    }
    ok(sent > most_queued, "only %u frames went\n", sent);
    ok(!b.data_events, "%ld events before dispatching\n", b.data_events);

    /* Dispatch alone: more than the full queue arrives. */
    while (rv_session_dispatch(b.s) == RV_S_OK) {}
    ok(b.data_events > (long)most_queued, "%ld events of %u sent\n", b.data_events, sent);
    deadline = rv_time_ms() + 20000;
    while (b.data_events < (long)sent && rv_time_ms() < deadline)
    {
        rv_session_read_now(b.s);
        if (rv_session_dispatch(b.s) != RV_S_OK) rv_sleep_ms(5);
    }
    ok(b.data_events == (long)sent, "%ld of %u frames\n", b.data_events, sent);
    peer_destroy(&a);
    peer_destroy(&b);
}

/* Reads without dispatching, for up to ms. */
static void read_only(struct peer *p, uint32_t ms)
{
    uint64_t deadline = rv_time_ms() + ms;

    while (rv_time_ms() < deadline)
    {
        rv_session_read_now(p->s);
        rv_sleep_ms(5);
    }
}

/* Small events share allocations (under Wine each heap block costs about as
 * much as the rest of the event's delivery), and the shared blocks outlive
 * the connection that filled them, or go with the session. */
static void test_small_events_share_blocks(void)
{
    static const uint16_t units[16] = { 'S', 'L', 'A', 'B' };
    enum rv_state cancelled = RV_STATE_CANCELLED;
    struct peer a, b;
    long before, allocations;
    uint32_t i, sent = 0;

    peer_create(&a, "inviter", &rv_profile_rendezvous, RV_FLAG_INVITER);
    peer_create(&b, "invitee", &rv_profile_rendezvous, RV_FLAG_INVITEE);
    b.keep_data = 0;
    ok(connect_pair(&a, &b, NULL), "connect\n");
    rv_session_read_now(b.s);

    for (i = 0; i < 600; i++)
        if (rv_session_send_context_data(a.s, units, 16) == RV_S_OK) sent++;
    ok(sent == 600, "%u sends\n", sent);
    before = total_allocations();
    read_only(&b, 300);
    allocations = total_allocations() - before;
    while (rv_session_dispatch(b.s) == RV_S_OK) {}
    ok(b.data_events >= 300, "only %ld events arrived\n", b.data_events);
    ok(allocations * 16 <= b.data_events + 16, "%ld allocations for %ld events\n", allocations, b.data_events);
    ok(rv_session_get_socket(b.s, &(uintptr_t){0}) == RV_S_OK, "not connected\n");

    /* The connection ends while its events wait: they arrive whole, then the end. */
    for (i = 0; i < 600; i++) rv_session_send_context_data(a.s, units, 16);
    read_only(&b, 100);
    ok(rv_session_terminate(a.s, RV_S_OK, NULL, 0) == RV_S_OK, "terminate\n");
    read_only(&b, 300);
    ok(rv_session_get_socket(b.s, &(uintptr_t){0}) == RV_S_FALSE, "still connected\n");
    ok(peer_wait_state(&b, RV_STATE_CANCELLED, 5000) || cond_state(&b, &cancelled), "state %d\n", b.last_state);
    ok(b.data_events == (long)sent + 600, "%ld of %u events\n", b.data_events, sent + 600);
    peer_destroy(&a);
    peer_destroy(&b);

    /* A session destroyed with its events waiting frees their blocks. */
    peer_create(&a, "inviter", &rv_profile_rendezvous, RV_FLAG_INVITER);
    peer_create(&b, "invitee", &rv_profile_rendezvous, RV_FLAG_INVITEE);
    ok(connect_pair(&a, &b, NULL), "connect\n");
    for (i = 0; i < 600; i++) rv_session_send_context_data(a.s, units, 16);
    read_only(&b, 300);
    peer_destroy(&b);
    peer_destroy(&a);
    ok(wait_live_allocations(0, 5000) == 0, "%ld allocations live\n", live_allocations());
}

static void test_ipv6(void)
{
    char invitation[RV_INVITATION_BUFFER_SIZE];
    struct peer a, b;
    rv_result hr;

    peer_create(&a, "inviter", &rv_profile_rendezvous, RV_FLAG_INVITER);
    peer_create(&b, "invitee", &rv_profile_rendezvous, RV_FLAG_INVITEE);
    hr = rv_session_invite(a.s, "::1", 0, invitation, sizeof(invitation));
    if (hr)
    {
        trace("no IPv6 loopback (%#x), skipping\n", (unsigned)hr);
        ok(rv_session_get_state(a.s) == RV_STATE_READY, "failed invite changed state\n");
    }
    else
    {
        char address[64];

        ok(!strncmp(invitation, "rv1:[::1]:", 10), "invitation %s\n", invitation);
        ok(!rv_session_receive_invitation(b.s, invitation), "receive\n");
        ok(!rv_session_accept(b.s), "accept\n");
        ok(peer_wait_state(&b, RV_STATE_CONNECTED, 5000), "invitee not connected\n");
        ok(peer_wait_state(&a, RV_STATE_CONNECTED, 5000), "inviter not connected\n");
        rv_session_get_peer_address(b.s, address, sizeof(address));
        ok(!strcmp(address, "::1"), "peer address %s\n", address);
    }
    peer_destroy(&a);
    peer_destroy(&b);
}

static void test_parallel_sessions(void)
{
    struct peer *a = malloc(16 * sizeof(*a)), *b = malloc(16 * sizeof(*b));
    char invitation[16][RV_INVITATION_BUFFER_SIZE];
    int i, connected = 0;

    for (i = 0; i < 16; i++)
    {
        peer_create(&a[i], "inviter", &rv_profile_messenger, RV_FLAG_INVITER);
        peer_create(&b[i], "invitee", &rv_profile_messenger, RV_FLAG_INVITEE);
        rv_session_invite(a[i].s, NULL, 0, invitation[i], sizeof(invitation[i]));
    }
    /* Cross-delivery must not happen: each invitee gets its own inviter. */
    for (i = 0; i < 16; i++)
    {
        rv_session_receive_invitation(b[i].s, invitation[i]);
        rv_session_accept(b[i].s);
    }
    for (i = 0; i < 16; i++)
    {
        uint16_t unit = (uint16_t)i;

        if (!peer_wait_state(&b[i], RV_STATE_CONNECTED, 5000) ||
            !peer_wait_state(&a[i], RV_STATE_CONNECTED, 5000))
            continue;
        connected++;
        rv_session_send_context_data(b[i].s, &unit, 1);
    }
    ok(connected == 16, "%d connected\n", connected);
    for (i = 0; i < 16; i++)
    {
        int k;

        peer_wait_data_units(&a[i], 1, 5000);
        k = find_event(&a[i], REC_DATA, 0);
        ok(k >= 0 && a[i].ev[k].units[0] == i, "session %d got the wrong data\n", i);
    }
    for (i = 0; i < 16; i++)
    {
        peer_destroy(&a[i]);
        peer_destroy(&b[i]);
    }
    free(a);
    free(b);
}

START_TEST(flows)
{
    install_counting_allocator();
    test_accept_flow();
    test_terminate_from_invitee(1);
    test_terminate_from_invitee(0);
    test_decline();
    test_decline_unreachable();
    test_cancel_inviter_before_accept();
    test_cancel_connected(1);
    test_cancel_connected(0);
    test_cancel_invitee_accepted();
    test_cancel_invitee_invitation();
    test_invalid_calls();
    test_byte_exact();
    test_late_role();
    test_invite_with();
    test_delivery_failure();
    test_many_messages();
    test_read_now();
    test_read_now_throttled();
    test_small_events_share_blocks();
    test_ipv6();
    test_parallel_sessions();
    ok(wait_live_allocations(0, 2000) == 0, "%ld allocations leaked\n", live_allocations());
}
