/*
 * Unit tests: hostile peers (wrong secret, replay, timeouts, protocol
 * violations, vanishing peers, floods)
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
#include "rv_core.h"

/* Inviter in INVITATION with a short handshake timeout; returns its parsed invitation. */
static void start_inviter(struct peer *a, const struct rv_profile *profile, char *text,
                          struct rv_invitation *inv, uint32_t hs_timeout)
{
    peer_create(a, "inviter", profile, RV_FLAG_INVITER);
    a->keep_data = 0;
    rv_session_set_handshake_timeout(a->s, hs_timeout);
    ok(!rv_session_invite(a->s, NULL, 0, text, RV_INVITATION_BUFFER_SIZE), "invite\n");
    ok(!rv_invitation_parse(text, inv), "parse own invitation\n");
    peer_wait_state(a, RV_STATE_INVITATION, 1000);
}

/* The genuine invitee still gets in after the attacks. */
static void genuine_invitee(struct peer *a, const char *text)
{
    struct peer b;

    peer_create(&b, "invitee", &rv_profile_rendezvous, RV_FLAG_INVITEE);
    ok(!rv_session_receive_invitation(b.s, text), "receive\n");
    ok(!rv_session_accept(b.s), "accept\n");
    ok(peer_wait_state(&b, RV_STATE_CONNECTED, 5000), "genuine invitee not connected (%d)\n", b.last_state);
    ok(peer_wait_state(a, RV_STATE_CONNECTED, 5000), "inviter not connected\n");
    peer_destroy(&b);
}

static void test_wrong_secret(void)
{
    char text[RV_INVITATION_BUFFER_SIZE], forged[RV_INVITATION_BUFFER_SIZE];
    struct rv_invitation inv;
    struct peer a, b;
    size_t len;
    int k;

    start_inviter(&a, &rv_profile_rendezvous, text, &inv, 2000);
    strcpy(forged, text);
    len = strlen(forged);
    forged[len - 1] = forged[len - 1] == '0' ? '1' : '0';

    peer_create(&b, "attacker", &rv_profile_rendezvous, RV_FLAG_INVITEE);
    ok(!rv_session_receive_invitation(b.s, forged), "receive forged\n");
    ok(!rv_session_accept(b.s), "accept\n");
    ok(peer_wait_state(&b, RV_STATE_TERMINATED, 5000), "wrong secret not TERMINATED (%d)\n", b.last_state);
    k = find_event(&b, REC_TERMINATION, 0);
    ok(k >= 0 && b.ev[k].hr == RV_E_ACCESS_DENIED, "hr %#x\n", k >= 0 ? (unsigned)b.ev[k].hr : 0);
    {
        char code[7] = "x";

        ok(rv_session_get_security_code(b.s, code) == RV_E_INVALID_STATE && !code[0], "code without a channel\n");
    }
    peer_destroy(&b);

    peer_pump(&a, 300);
    ok(a.n == 1 && a.ev[0].new_state == RV_STATE_INVITATION, "inviter saw %d events\n", a.n);
    genuine_invitee(&a, text);
    peer_destroy(&a);
}

static void test_bad_response(void)
{
    char text[RV_INVITATION_BUFFER_SIZE];
    struct rv_invitation inv;
    uint8_t bogus[RV_RESPONSE_SIZE + RV_SEAL_TAG];
    struct raw_hs opt;
    struct peer a;
    rv_socket s;

    start_inviter(&a, &rv_profile_rendezvous, text, &inv, 2000);

    /* Knows the session id, not the secret: HELLO does not authenticate, no CHALLENGE. */
    s = raw_connect(&inv, 2000);
    inv.secret[0] ^= 1;
    ok(!raw_handshake(s, &inv, RV_INTENT_ACCEPT, 1),
       "forged secret verified the inviter\n");
    inv.secret[0] ^= 1;
    rv_socket_close(s);

    /* Sends a forged RESPONSE: connection closed, no event. */
    s = raw_connect(&inv, 2000);
    memset(&opt, 0, sizeof(opt));
    memset(bogus, 0x42, sizeof(bogus));
    opt.response = bogus;
    opt.response_len = sizeof(bogus);
    ok(!raw_handshake_ex(s, &inv, RV_INTENT_ACCEPT, &opt), "forged RESPONSE accepted\n");
    ok(raw_wait_closed(s, 2000), "connection not closed\n");
    rv_socket_close(s);

    /* The sealed RESPONSE with its intent changed on the way. */
    s = raw_connect(&inv, 2000);
    memset(&opt, 0, sizeof(opt));
    opt.stop_after_challenge = 1;
    ok(raw_handshake_ex(s, &inv, RV_INTENT_ACCEPT, &opt), "challenge\n");
    {
        uint8_t response[RV_RESPONSE_SIZE] = { RV_INTENT_ACCEPT }, *frame;
        size_t len = raw_frame_bytes(s, RV_FRAME_RESPONSE, response, sizeof(response), &frame);

        frame[RV_FRAME_HEADER_SIZE] ^= RV_INTENT_ACCEPT ^ RV_INTENT_DECLINE;
        raw_send(s, frame, len, 2000);
        free(frame);
    }
    ok(raw_wait_closed(s, 2000), "intent swap not rejected\n");
    rv_socket_close(s);

    /* Wrong session id in the prologue */
    s = raw_connect(&inv, 2000);
    inv.session_id[3] ^= 0x80;
    ok(!raw_handshake(s, &inv, RV_INTENT_ACCEPT, 1), "wrong session id answered\n");
    inv.session_id[3] ^= 0x80;
    rv_socket_close(s);

    /* A HELLO of the old protocol, and a real one with a byte changed */
    {
        uint8_t hello[RV_HELLO_SIZE], prologue[30 + RV_SESSION_ID_SIZE];
        struct rv_noise hs;
        size_t len;

        memset(hello, 0, sizeof(hello));
        hello[0] = 1;
        memcpy(hello + 4, inv.session_id, 16);
        s = raw_connect(&inv, 2000);
        raw_send_frame(s, RV_FRAME_HELLO, hello, sizeof(hello));
        ok(raw_wait_closed(s, 2000), "version 1 accepted\n");
        rv_socket_close(s);
        raw_prologue(inv.session_id, prologue);
        rv_noise_init(&hs, 1, prologue, sizeof(prologue), inv.secret, NULL);
        rv_noise_write_message(&hs, NULL, 0, hello, sizeof(hello), &len);
        rv_noise_clear(&hs);
        hello[40] ^= 1;
        s = raw_connect(&inv, 2000);
        raw_send_frame(s, RV_FRAME_HELLO, hello, sizeof(hello));
        ok(raw_wait_closed(s, 2000), "changed HELLO accepted\n");
        rv_socket_close(s);
    }

    /* Frames out of order before authentication: no allocation for a huge DATA header. */
    {
        uint8_t header[RV_FRAME_HEADER_SIZE];
        size_t before = live_bytes();

        rv_frame_write_header(header, RV_FRAME_DATA, 2 * 65536);
        s = raw_connect(&inv, 2000);
        raw_send(s, header, sizeof(header), 1000);
        ok(raw_wait_closed(s, 2000), "DATA before auth accepted\n");
        ok(live_bytes() < before + 65536, "DATA before auth allocated %lu bytes\n",
           (unsigned long)(live_bytes() - before));
        rv_socket_close(s);
        s = raw_connect(&inv, 2000);
        raw_send(s, "garbage!garbage!", 16, 1000);
        ok(raw_wait_closed(s, 2000), "garbage accepted\n");
        rv_socket_close(s);
    }

    peer_pump(&a, 200);
    ok(a.n == 1, "inviter saw %d events\n", a.n);
    genuine_invitee(&a, text);
    peer_destroy(&a);
}

static void test_replay(void)
{
    char text[RV_INVITATION_BUFFER_SIZE];
    struct rv_invitation inv;
    struct raw_hs first, replay;
    struct peer a;
    rv_socket s;

    start_inviter(&a, &rv_profile_rendezvous, text, &inv, 2000);

    /* First run: record HELLO and what a valid RESPONSE was, never send it. */
    s = raw_connect(&inv, 2000);
    memset(&first, 0, sizeof(first));
    first.stop_after_challenge = 1;
    ok(raw_handshake_ex(s, &inv, RV_INTENT_ACCEPT, &first), "first challenge\n");
    {
        uint8_t response[RV_RESPONSE_SIZE] = { RV_INTENT_ACCEPT }, *frame;

        raw_frame_bytes(s, RV_FRAME_RESPONSE, response, sizeof(response), &frame);
        memcpy(first.sealed_response, frame + RV_FRAME_HEADER_SIZE, sizeof(first.sealed_response));
        free(frame);
    }
    rv_socket_close(s);

    /* Replay the same HELLO and the recorded RESPONSE: the inviter's fresh key makes it fail. */
    s = raw_connect(&inv, 2000);
    memset(&replay, 0, sizeof(replay));
    replay.replay_hello = first.hello;
    replay.response = first.sealed_response;
    replay.response_len = sizeof(first.sealed_response);
    ok(!raw_handshake_ex(s, &inv, RV_INTENT_ACCEPT, &replay), "replayed handshake accepted\n");
    ok(raw_wait_closed(s, 2000), "replay not closed\n");
    rv_socket_close(s);

    peer_pump(&a, 200);
    ok(a.n == 1, "inviter saw %d events\n", a.n);

    /* A complete valid handshake, then its bytes again: the listener is gone. */
    s = raw_connect(&inv, 2000);
    memset(&first, 0, sizeof(first));
    ok(raw_handshake_ex(s, &inv, RV_INTENT_ACCEPT, &first), "valid raw handshake\n");
    ok(peer_wait_state(&a, RV_STATE_CONNECTED, 5000), "inviter not connected\n");
    {
        rv_socket again = raw_connect(&inv, 1000);

        memset(&replay, 0, sizeof(replay));
        replay.replay_hello = first.hello;
        replay.response = first.sealed_response;
        replay.response_len = sizeof(first.sealed_response);
        ok(again == RV_INVALID_SOCKET || !raw_handshake_ex(again, &inv, RV_INTENT_ACCEPT, &replay),
           "second invitee accepted\n");
        rv_socket_close(again);
    }
    rv_socket_close(s);
    ok(peer_wait_state(&a, RV_STATE_TERMINATED, 5000), "raw peer closing not noticed\n");
    peer_destroy(&a);
}

static void test_auth_failure_limit(void)
{
    char text[RV_INVITATION_BUFFER_SIZE];
    struct rv_invitation inv;
    uint8_t bogus[RV_RESPONSE_SIZE + RV_SEAL_TAG];
    struct raw_hs opt;
    struct peer a;
    int i, k;

    start_inviter(&a, &rv_profile_rendezvous, text, &inv, 2000);
    memset(bogus, 0, sizeof(bogus));
    for (i = 0; i < RV_MAX_AUTH_FAILURES; i++)
    {
        rv_socket s = raw_connect(&inv, 2000);

        if (s == RV_INVALID_SOCKET) break;
        /* Forged RESPONSEs and HELLOs with another secret count alike. */
        memset(&opt, 0, sizeof(opt));
        opt.response = bogus;
        opt.response_len = sizeof(bogus);
        inv.secret[5] ^= i & 1;
        raw_handshake_ex(s, &inv, RV_INTENT_ACCEPT, &opt);
        inv.secret[5] ^= i & 1;
        raw_wait_closed(s, 2000);
        rv_socket_close(s);
        if (i == RV_MAX_AUTH_FAILURES - 2)
        {
            peer_pump(&a, 50);
            ok(a.n == 1, "event before the limit\n");
        }
    }
    ok(peer_wait_state(&a, RV_STATE_TERMINATED, 5000), "invitation not revoked\n");
    k = find_event(&a, REC_TERMINATION, 0);
    ok(k >= 0 && a.ev[k].hr == RV_E_ACCESS_DENIED, "revoked with %#x\n", k >= 0 ? (unsigned)a.ev[k].hr : 0);
    peer_destroy(&a);
}

static void test_pending_limit(void)
{
    char text[RV_INVITATION_BUFFER_SIZE];
    rv_socket idle[RV_MAX_PENDING_CONNECTIONS], extra;
    struct rv_invitation inv;
    struct peer a;
    int i;

    start_inviter(&a, &rv_profile_rendezvous, text, &inv, 10000);
    for (i = 0; i < RV_MAX_PENDING_CONNECTIONS; i++)
    {
        idle[i] = raw_connect(&inv, 2000);
        rv_sleep_ms(20);
    }
    rv_sleep_ms(100);
    /* One over the limit: the oldest idle connection makes room for it. */
    extra = raw_connect(&inv, 2000);
    ok(extra != RV_INVALID_SOCKET, "no connection over the limit\n");
    ok(raw_wait_closed(idle[0], 500), "the oldest idle connection was kept\n");
    ok(!raw_wait_closed(idle[1], 200), "a newer idle connection was closed\n");
    ok(!raw_wait_closed(extra, 200), "the newest connection was closed\n");
    /* Silent connections get 2 s for their HELLO: closed by the inviter, no event. */
    for (i = 1; i < RV_MAX_PENDING_CONNECTIONS; i++)
        ok(raw_wait_closed(idle[i], 3000), "silent connection %d not timed out\n", i);
    ok(raw_wait_closed(extra, 3000), "silent connection not timed out\n");
    for (i = 0; i < RV_MAX_PENDING_CONNECTIONS; i++) rv_socket_close(idle[i]);
    rv_socket_close(extra);
    peer_pump(&a, 50);
    ok(a.n == 1, "inviter saw %d events\n", a.n);
    genuine_invitee(&a, text);
    peer_destroy(&a);
}

/* An invitation past its lifetime connects to nothing, and the inviter hears nothing. */
static void test_expired_invitation(void)
{
    char text[RV_INVITATION_BUFFER_SIZE];
    struct rv_invitation inv;
    struct peer a, b;
    rv_socket pending;
    int t;

    peer_create(&a, "inviter", &rv_profile_rendezvous, RV_FLAG_INVITER);
    ok(rv_session_set_invitation_lifetime(a.s, 0) == RV_E_INVALIDARG, "lifetime 0 taken\n");
    ok(rv_session_set_invitation_lifetime(a.s, RV_MAX_INVITATION_LIFETIME_MS + 1) == RV_E_INVALIDARG,
       "lifetime over the limit taken\n");
    ok(!rv_session_set_invitation_lifetime(a.s, 300), "lifetime refused\n");
    ok(!rv_session_invite(a.s, NULL, 0, text, sizeof(text)), "invite\n");
    ok(!rv_invitation_parse(text, &inv), "parse own invitation\n");
    /* A handshake still in progress goes with it, well before its own 2 s. */
    pending = raw_connect(&inv, 1000);
    ok(pending != RV_INVALID_SOCKET, "no connection before the end\n");
    ok(raw_wait_closed(pending, 1200), "the pending connection outlived the invitation\n");
    rv_socket_close(pending);

    peer_create(&b, "invitee", &rv_profile_rendezvous, RV_FLAG_INVITEE);
    ok(!rv_session_receive_invitation(b.s, text), "receive\n");
    ok(!rv_session_accept(b.s), "accept\n");
    ok(peer_wait_state(&b, RV_STATE_TERMINATED, 5000), "the invitee ended in state %d\n", b.last_state);
    t = find_event(&b, REC_TERMINATION, 0);
    ok(t >= 0 && b.ev[t].hr == RV_E_CONNECTION_REFUSED, "the invitee ended with %#x\n", t >= 0 ? b.ev[t].hr : 0);
    peer_pump(&a, 100);
    ok(a.n == 1 && a.last_state == RV_STATE_INVITATION, "the inviter saw %d events, state %d\n", a.n,
       a.last_state);
    ok(rv_session_get_state(a.s) == RV_STATE_INVITATION, "the inviter left RV_STATE_INVITATION\n");
    peer_destroy(&b);
    peer_destroy(&a);
}

/* 64 idle connections, each reopened as soon as it closes, beside the invitee. */
#define FLOOD_CONNECTIONS 64

struct idle_flood
{
    struct rv_invitation inv;
    rv_socket socks[FLOOD_CONNECTIONS];
    volatile int stop;
    long reopened;
};

static void idle_flood_main(void *arg)
{
    struct idle_flood *f = arg;
    uint8_t byte;
    rv_result err;
    int i;

    while (!f->stop)
    {
        for (i = 0; i < FLOOD_CONNECTIONS && !f->stop; i++)
        {
            if (f->socks[i] != RV_INVALID_SOCKET && rv_socket_recv(f->socks[i], &byte, 1, &err) == -1) continue;
            rv_socket_close(f->socks[i]);
            f->socks[i] = raw_connect(&f->inv, 1000);
            f->reopened++;
        }
        rv_sleep_ms(5);
    }
}

static void test_idle_flood(void)
{
    char text[RV_INVITATION_BUFFER_SIZE];
    struct idle_flood flood;
    struct rv_thread thread;
    struct peer a;
    int i;

    start_inviter(&a, &rv_profile_rendezvous, text, &flood.inv, 10000);
    flood.stop = 0;
    flood.reopened = 0;
    for (i = 0; i < FLOOD_CONNECTIONS; i++) flood.socks[i] = raw_connect(&flood.inv, 1000);
    ok(!rv_thread_start(&thread, idle_flood_main, &flood), "the flood did not start\n");
    rv_sleep_ms(200);
    genuine_invitee(&a, text);
    flood.stop = 1;
    rv_thread_join(&thread);
    ok(flood.reopened > 0, "the inviter closed no idle connection\n");
    for (i = 0; i < FLOOD_CONNECTIONS; i++) rv_socket_close(flood.socks[i]);
    peer_destroy(&a);
}

/* A fake inviter: listens and runs `script` against the invitee. */
static void fake_inviter(uint32_t hs_timeout, int script, rv_result expect)
{
    struct rv_invitation inv;
    struct rv_addr addr;
    char text[RV_INVITATION_BUFFER_SIZE];
    rv_socket listener, s = RV_INVALID_SOCKET;
    struct peer b;
    uint64_t start;
    int k, i;

    memset(&addr, 0, sizeof(addr));
    addr.family = 4;
    addr.bytes[0] = 127;
    addr.bytes[3] = 1;
    ok(!rv_socket_listen(&addr, 4, &listener, &addr.port), "listen\n");
    memset(&inv, 0, sizeof(inv));
    inv.family = 4;
    memcpy(inv.addr, addr.bytes, 4);
    inv.port = addr.port;
    rv_random(inv.session_id, 16);
    rv_random(inv.secret, 32);
    rv_invitation_format(&inv, text, sizeof(text));

    peer_create(&b, "invitee", &rv_profile_rendezvous, RV_FLAG_INVITEE);
    rv_session_set_handshake_timeout(b.s, hs_timeout);
    rv_session_receive_invitation(b.s, text);
    start = rv_time_ms();
    ok(!rv_session_accept(b.s), "accept\n");
    for (i = 0; i < 200 && s == RV_INVALID_SOCKET; i++)
    {
        raw_wait(listener, RV_POLL_IN, 20);
        s = raw_accept(listener);
    }
    ok(s != RV_INVALID_SOCKET, "invitee did not connect\n");
    if (script >= 4)
    {
        /* A fake inviter with another secret closes on HELLO. */
        if (script == 4) inv.secret[0] ^= 1;
        ok(raw_answer_hello(s, &inv) == (script != 4), "script %d: HELLO\n", script);
        if (script == 4)
        {
            rv_socket_close(s);
            s = RV_INVALID_SOCKET;
        }
        else if (script == 5)
        {
            /* A CONFIRM changed on the way. */
            uint8_t *frame;
            size_t len = raw_frame_bytes(s, RV_FRAME_CONFIRM, NULL, 0, &frame);

            frame[len - 1] ^= 0x10;
            raw_send(s, frame, len, 1000);
            free(frame);
        }
        else
        {
            /* A CONFIRM in clear, with bytes where the tag goes. */
            static const uint8_t clear_confirm[RV_FRAME_HEADER_SIZE + RV_SEAL_TAG] = { RV_FRAME_CONFIRM };

            raw_send(s, clear_confirm, sizeof(clear_confirm), 1000);
        }
    }
    else if (script)
    {
        uint8_t hello[RV_HELLO_SIZE], challenge[RV_CHALLENGE_SIZE];

        raw_recv_frame(s, hello, sizeof(hello), NULL, 2000);
        memset(challenge, 0x33, sizeof(challenge));
        if (script == 1) raw_send_frame(s, RV_FRAME_CHALLENGE, challenge, sizeof(challenge));
        else if (script == 2) raw_send(s, "\x05\0\0\0\x03\0\0\0abc", 11, 1000);
        else if (script == 3) raw_send_frame(s, RV_FRAME_CANCEL, NULL, 0);
    }
    ok(peer_wait_state(&b, RV_STATE_TERMINATED, hs_timeout + 5000),
       "invitee not TERMINATED (%d)\n", b.last_state);
    k = find_event(&b, REC_TERMINATION, 0);
    ok(k >= 0 && b.ev[k].hr == expect, "script %d: hr %#x\n", script, k >= 0 ? (unsigned)b.ev[k].hr : 0);
    if (!script)
        ok(rv_time_ms() - start >= hs_timeout - 50 && rv_time_ms() - start < hs_timeout + 3000,
           "timeout after %lu ms\n", (unsigned long)(rv_time_ms() - start));
    peer_destroy(&b);
    rv_socket_close(s);
    rv_socket_close(listener);
}

static void test_invitee_hostile_inviter(void)
{
    fake_inviter(400, 0, RV_E_TIMEOUT);              /* never answers */
    fake_inviter(5000, 1, RV_E_ACCESS_DENIED);       /* wrong proof */
    fake_inviter(5000, 2, RV_E_PROTOCOL);            /* DATA during the handshake */
    fake_inviter(5000, 3, RV_E_PROTOCOL);            /* CANCEL from an unauthenticated inviter */
    fake_inviter(5000, 4, RV_E_ACCESS_DENIED);       /* closes on our HELLO: another secret */
    fake_inviter(5000, 5, RV_E_PROTOCOL);            /* CONFIRM that does not open */
    fake_inviter(5000, 6, RV_E_PROTOCOL);            /* CONFIRM in clear */
}

/* An authenticated raw invitee connected to a real inviter. */
/* The session ended TERMINATED with RV_E_PROTOCOL and closed the connection; both go. */
#define check_protocol_end(a, s) check_protocol_end_(a, s, __LINE__)
static void check_protocol_end_(struct peer *a, rv_socket s, int line)
{
    int k;

    rvtest_ok(__FILE__, line, peer_wait_state(a, RV_STATE_TERMINATED, 5000), "not TERMINATED (%d)\n",
              a->last_state);
    k = find_event(a, REC_TERMINATION, 0);
    rvtest_ok(__FILE__, line, k >= 0 && a->ev[k].hr == RV_E_PROTOCOL, "hr %#x\n",
              k >= 0 ? (unsigned)a->ev[k].hr : 0);
    rvtest_ok(__FILE__, line, raw_wait_closed(s, 2000), "connection kept\n");
    rv_socket_close(s);
    peer_destroy(a);
}

static rv_socket raw_connected(struct peer *a, const struct rv_profile *profile, struct rv_invitation *inv)
{
    char text[RV_INVITATION_BUFFER_SIZE];
    rv_socket s;

    start_inviter(a, profile, text, inv, 5000);
    s = raw_connect(inv, 2000);
    ok(raw_handshake(s, inv, RV_INTENT_ACCEPT, 0), "raw handshake\n");
    ok(peer_wait_state(a, RV_STATE_CONNECTED, 5000), "inviter not connected\n");
    return s;
}

static void test_vanish_mid_frame(void)
{
    struct rv_invitation inv;
    struct peer a;
    uint64_t start;
    rv_socket s;
    int k;

    s = raw_connected(&a, &rv_profile_rendezvous, &inv);
    raw_send(s, "\x05\0\0\0\x64\0\0\0partial...", 18, 1000);
    peer_pump(&a, 100);
    ok(rv_session_get_state(a.s) == RV_STATE_CONNECTED, "partial frame ended the session\n");
    start = rv_time_ms();
    rv_socket_close(s);
    ok(peer_wait_state(&a, RV_STATE_TERMINATED, 3000), "vanished peer not noticed\n");
    ok(rv_time_ms() - start < 3000, "took %lu ms\n", (unsigned long)(rv_time_ms() - start));
    k = find_event(&a, REC_TERMINATION, 0);
    ok(k >= 0 && a.ev[k].hr == RV_E_CONNECTION_RESET && !a.ev[k].count,
       "hr %#x\n", k >= 0 ? (unsigned)a.ev[k].hr : 0);
    ok(!a.data_events, "partial data delivered\n");
    peer_destroy(&a);
}

static void test_slow_peer(void)
{
    uint8_t *frame;
    struct rv_invitation inv;
    struct peer a;
    rv_socket s;
    size_t i, size;

    s = raw_connected(&a, &rv_profile_rendezvous, &inv);
    a.keep_data = 1;
    size = raw_frame_bytes(s, RV_FRAME_DATA, "s\0l\0o\0w\0\0\xd8", 10, &frame);
    for (i = 0; i < size; i++)
    {
        raw_send(s, frame + i, 1, 1000);
        rv_sleep_ms(3);
        rv_session_dispatch(a.s);
    }
    ok(peer_wait_data_units(&a, 5, 3000), "slow frame not delivered\n");
    {
        int k = find_event(&a, REC_DATA, 0);

        ok(k >= 0 && a.ev[k].count == 5 && a.ev[k].units[0] == 's' && a.ev[k].units[4] == 0xd800,
           "slow frame content\n");
    }
    free(frame);
    rv_socket_close(s);
    peer_destroy(&a);
}

static void violation(const void *bytes, size_t size, const char *what)
{
    struct rv_invitation inv;
    struct peer a;
    rv_socket s;
    size_t before;
    int k;

    s = raw_connected(&a, &rv_profile_messenger, &inv);
    before = live_bytes();
    raw_send(s, bytes, size, 1000);
    ok(peer_wait_state(&a, RV_STATE_TERMINATED, 3000), "%s: not TERMINATED\n", what);
    k = find_event(&a, REC_TERMINATION, 0);
    ok(k >= 0 && a.ev[k].hr == RV_E_PROTOCOL, "%s: hr %#x\n", what, k >= 0 ? (unsigned)a.ev[k].hr : 0);
    ok(!a.data_events, "%s: data delivered\n", what);
    ok(live_bytes() <= before + 4096, "%s: allocated %ld bytes\n", what, (long)(live_bytes() - before));
    ok(raw_wait_closed(s, 2000), "%s: connection kept\n", what);
    rv_socket_close(s);
    peer_destroy(&a);
}

/* Both peers show the same code, which the raw peer's handshake hash gives too. */
static void test_security_code(void)
{
    char code_a[7], code_b[7], code_raw[7];
    struct rv_invitation inv;
    struct peer a, b;
    rv_socket s;
    int i;

    peer_create(&a, "inviter", &rv_profile_rendezvous, RV_FLAG_INVITER);
    peer_create(&b, "invitee", &rv_profile_rendezvous, RV_FLAG_INVITEE);
    ok(rv_session_get_security_code(a.s, code_a) == RV_E_INVALID_STATE, "code before the handshake\n");
    ok(rv_session_get_security_code(NULL, code_a) == RV_E_POINTER, "NULL session\n");
    ok(rv_session_get_security_code(a.s, NULL) == RV_E_POINTER, "NULL code\n");
    ok(connect_pair(&a, &b, NULL), "connect\n");
    ok(!rv_session_get_security_code(a.s, code_a), "inviter's code\n");
    ok(!rv_session_get_security_code(b.s, code_b), "invitee's code\n");
    ok(strlen(code_a) == 6 && !strcmp(code_a, code_b), "codes differ: %s %s\n", code_a, code_b);
    for (i = 0; i < 6; i++) ok(code_a[i] >= '0' && code_a[i] <= '9', "not a digit: %s\n", code_a);
    /* Kept once the session ends. */
    ok(!rv_session_cancel(a.s), "cancel\n");
    ok(peer_wait_state(&b, RV_STATE_DECLINED, 5000), "invitee not DECLINED\n");
    ok(!rv_session_get_security_code(b.s, code_b) && !strcmp(code_a, code_b), "code after the end\n");
    peer_destroy(&a);
    peer_destroy(&b);

    s = raw_connected(&a, &rv_profile_rendezvous, &inv);
    ok(raw_channel(s) && !rv_security_code(raw_channel(s)->hash, code_raw), "raw code\n");
    ok(!rv_session_get_security_code(a.s, code_a) && !strcmp(code_a, code_raw), "raw peer's code differs\n");
    rv_socket_close(s);
    peer_destroy(&a);
}

/* A raw peer connected to a, which has been sent one good DATA frame ("ok"):
 * its bytes, for a replay, in *frame (to free). */
static rv_socket tamper_start(struct peer *a, uint8_t **frame, size_t *size)
{
    static const uint8_t first[] = { 'o', 0, 'k', 0 };
    struct rv_invitation inv;
    rv_socket s;

    s = raw_connected(a, &rv_profile_rendezvous, &inv);
    a->keep_data = 1;
    *size = raw_frame_bytes(s, RV_FRAME_DATA, first, sizeof(first), frame);
    raw_send(s, *frame, *size, 2000);
    return s;
}

/* The session ended with hr, having delivered the good frame and nothing else. */
static void tamper_check_end(struct peer *a, rv_socket s, rv_result hr, const char *name)
{
    int k;

    ok(peer_wait_state(a, RV_STATE_TERMINATED, 5000), "%s: not TERMINATED (%d)\n", name, a->last_state);
    k = find_event(a, REC_TERMINATION, 0);
    ok(k >= 0 && a->ev[k].hr == hr, "%s: hr %#x\n", name, k >= 0 ? (unsigned)a->ev[k].hr : 0);
    ok(a->data_events == 1, "%s: %ld frames delivered\n", name, a->data_events);
    ok(a->data_units == 2, "%s: %lu units delivered\n", name, (unsigned long)a->data_units);
    ok(raw_wait_closed(s, 2000), "%s: connection kept\n", name);
    rv_socket_close(s);
    peer_destroy(a);
}

/*
 * what: 0 a byte of the payload changed, 1 a tag changed, 2 a frame replayed,
 * 3 two frames swapped, 4 a frame left out, 5 a frame in clear, 6 the header
 * (associated data) changed, 7 a frame cut short.  The session ends with
 * RV_E_PROTOCOL, and nothing of the bad frame or those after it arrives.
 */
static void tampered(int what, const char *name)
{
    static const uint8_t second[] = { 'b', 0, 'a', 0, 'd', 0 };
    uint8_t *f1, *f2, *f3;
    size_t n1, n2, n3;
    struct peer a;
    rv_socket s;

    s = tamper_start(&a, &f1, &n1);
    n2 = raw_frame_bytes(s, RV_FRAME_DATA, second, sizeof(second), &f2);
    n3 = raw_frame_bytes(s, RV_FRAME_DATA, second, sizeof(second), &f3);
    switch (what)
    {
    case 0: f2[RV_FRAME_HEADER_SIZE] ^= 0x20; raw_send(s, f2, n2, 2000); break;
    case 1: f2[n2 - 1] ^= 0x01; raw_send(s, f2, n2, 2000); break;
    case 2: raw_send(s, f1, n1, 2000); break;
    case 3: raw_send(s, f3, n3, 2000); raw_send(s, f2, n2, 2000); break;
    case 4: raw_send(s, f3, n3, 2000); break;
    case 5: raw_send(s, "\x05\0\0\0\x06\0\0\0bad\0\0\0" "0123456789abcdef", 30, 2000); break;
    case 6:
        /* Still a valid header: a DATA frame of 4 bytes instead of 6, its tag shifted. */
        f2[4] = 4;
        raw_send(s, f2, n2 - 2, 2000);
        break;
    case 7: raw_send(s, f2, n2 - 3, 2000); rv_socket_shutdown_write(s); break;
    }
    tamper_check_end(&a, s, what == 7 ? RV_E_CONNECTION_RESET : RV_E_PROTOCOL, name);
    free(f1);
    free(f2);
    free(f3);
}

static void test_tampering(void)
{
    tampered(0, "changed payload");
    tampered(1, "changed tag");
    tampered(2, "replayed frame");
    tampered(3, "swapped frames");
    tampered(4, "dropped frame");
    tampered(5, "frame in clear");
    tampered(6, "changed header");
    tampered(7, "truncated frame");
}

/*
 * A frame of three chunks (65536 units) tampered with after its first chunk,
 * which opens: what: 0 a byte of the second chunk changed, 1 the last tag
 * changed, 2 the first two chunks swapped, 3 the second chunk left out, 4 the
 * frame cut short inside its last chunk.  The session ends (RV_E_PROTOCOL, or
 * RV_E_CONNECTION_RESET when cut short) and nothing of that frame arrives,
 * not even the chunks that opened.
 */
static void tampered_chunks(int what, const char *name)
{
    const size_t chunk = RV_SEAL_CHUNK + RV_SEAL_TAG, body = RV_FRAME_HEADER_SIZE;
    uint16_t *units = make_units(65536, 7);
    uint8_t *f1, *f2, *swap;
    size_t n1, n2;
    struct peer a;
    rv_socket s;

    s = tamper_start(&a, &f1, &n1);
    n2 = raw_frame_bytes(s, RV_FRAME_DATA, units, 65536 * sizeof(uint16_t), &f2);
    ok(rv_seal_chunks(65536 * sizeof(uint16_t)) == 3 && n2 == body + 2 * chunk + 34 + RV_SEAL_TAG,
       "%s: %lu bytes on the wire\n", name, (unsigned long)n2);
    switch (what)
    {
    case 0:
        f2[body + chunk + 100] ^= 0x04;
        raw_send(s, f2, n2, 2000);
        break;
    case 1:
        f2[n2 - 1] ^= 0x80;
        raw_send(s, f2, n2, 2000);
        break;
    case 2:
        swap = malloc(chunk);
        memcpy(swap, f2 + body, chunk);
        memcpy(f2 + body, f2 + body + chunk, chunk);
        memcpy(f2 + body + chunk, swap, chunk);
        free(swap);
        raw_send(s, f2, n2, 2000);
        break;
    case 3:
        /* The header still says three chunks: the rest never comes whole. */
        raw_send(s, f2, body + chunk, 2000);
        raw_send(s, f2 + body + 2 * chunk, n2 - body - 2 * chunk, 2000);
        rv_socket_shutdown_write(s);
        break;
    case 4:
        raw_send(s, f2, n2 - 5, 2000);
        rv_socket_shutdown_write(s);
        break;
    }
    tamper_check_end(&a, s, what >= 3 ? RV_E_CONNECTION_RESET : RV_E_PROTOCOL, name);
    free(f1);
    free(f2);
    free(units);
}

static void test_tampered_chunks(void)
{
    tampered_chunks(0, "changed second chunk");
    tampered_chunks(1, "changed last tag");
    tampered_chunks(2, "swapped chunks");
    tampered_chunks(3, "dropped chunk");
    tampered_chunks(4, "cut in the last chunk");
}

/* A direction ends the session well before its nonces run out. */
static void test_nonce_exhaustion(void)
{
    static const uint16_t units[] = { 'n', 'o' };
    uint8_t payload[8];
    struct rv_invitation inv;
    struct peer a;
    uint32_t len;
    rv_socket s;
    int k;

    /* Sending: the last nonce below the bound goes out, the next frame ends the session. */
    s = raw_connected(&a, &rv_profile_rendezvous, &inv);
    rv_mutex_lock(&core.lock);
    rv_noise_cipher_set_nonce(&a.s->active->tx, RV_CHANNEL_MAX_NONCES - 1);
    rv_mutex_unlock(&core.lock);
    raw_channel(s)->rx.n = RV_CHANNEL_MAX_NONCES - 1;
    ok(!rv_session_send_context_data(a.s, units, 2), "send\n");
    ok(raw_recv_frame(s, payload, sizeof(payload), &len, 2000) == RV_FRAME_DATA && len == 4, "last frame\n");
    rv_session_send_context_data(a.s, units, 2);
    check_protocol_end(&a, s);

    /* A control frame (SEND_ERROR) beyond the bound. */
    s = raw_connected(&a, &rv_profile_rendezvous, &inv);
    rv_mutex_lock(&core.lock);
    rv_noise_cipher_set_nonce(&a.s->active->tx, RV_CHANNEL_MAX_NONCES);
    rv_mutex_unlock(&core.lock);
    ok(!rv_session_report_delivery_failure(a.s, RV_E_OUTOFMEMORY), "report\n");
    check_protocol_end(&a, s);

    /* Receiving: a frame beyond the bound is not opened. */
    s = raw_connected(&a, &rv_profile_rendezvous, &inv);
    rv_mutex_lock(&core.lock);
    rv_noise_cipher_set_nonce(&a.s->active->rx, RV_CHANNEL_MAX_NONCES);
    rv_mutex_unlock(&core.lock);
    raw_channel(s)->tx.n = RV_CHANNEL_MAX_NONCES;
    raw_send_frame(s, RV_FRAME_DATA, "n\0o\0", 4);
    ok(peer_wait_state(&a, RV_STATE_TERMINATED, 5000), "not TERMINATED (%d)\n", a.last_state);
    k = find_event(&a, REC_TERMINATION, 0);
    ok(k >= 0 && a.ev[k].hr == RV_E_PROTOCOL, "hr %#x\n", k >= 0 ? (unsigned)a.ev[k].hr : 0);
    ok(!a.data_events, "data delivered\n");
    rv_socket_close(s);
    peer_destroy(&a);
}

/* Frames of several chunks, the largest the profile allows, both ways. */
static void test_large_sealed_frames(void)
{
    static const uint32_t counts[] = { 32759, 32760, 65519, 65536, 100000 };
    struct rv_profile profile = rv_profile_rendezvous;
    struct peer a, b;
    unsigned int i;

    profile.max_context_units = 100000;
    profile.max_successful_sends = 0;
    peer_create(&a, "inviter", &profile, RV_FLAG_INVITER);
    peer_create(&b, "invitee", &profile, RV_FLAG_INVITEE);
    a.keep_data = b.keep_data = 1;
    ok(connect_pair(&a, &b, NULL), "connect\n");
    for (i = 0; i < sizeof(counts) / sizeof(counts[0]); i++)
    {
        uint16_t *units = make_units(counts[i], i);
        int k;

        ok(!rv_session_send_context_data(a.s, units, counts[i]), "send %u\n", counts[i]);
        ok(!rv_session_send_context_data(b.s, units, counts[i]), "send back %u\n", counts[i]);
        ok(peer_wait_data_units(&b, counts[i], 5000) && peer_wait_data_units(&a, counts[i], 5000),
           "%u units not delivered\n", counts[i]);
        k = find_event(&b, REC_DATA, 0);
        ok(k >= 0 && b.ev[k].count == counts[i] && !memcmp(b.ev[k].units, units, 2 * counts[i]),
           "%u units differ\n", counts[i]);
        k = find_event(&a, REC_DATA, 0);
        ok(k >= 0 && a.ev[k].count == counts[i] && !memcmp(a.ev[k].units, units, 2 * counts[i]),
           "%u units differ at the inviter\n", counts[i]);
        peer_reset_log(&a);
        peer_reset_log(&b);
        a.data_units = b.data_units = 0;
        free(units);
    }
    ok(rv_session_get_state(a.s) == RV_STATE_CONNECTED && rv_session_get_state(b.s) == RV_STATE_CONNECTED,
       "session ended\n");
    peer_destroy(&a);
    peer_destroy(&b);
}

static void test_violations(void)
{
    violation("\x05\x01\0\0\x02\0\0\0ab", 10, "reserved bit");
    violation("\x05\0\0\0\x03\0\0\0abc", 11, "odd length");
    violation("\x05\0\0\0\x5a\x02\0\0", 8, "301 units to a messenger session");
    violation("\x05\0\0\0\xff\xff\xff\x7f", 8, "2 GiB length");
    violation("\x05\0\0\0\0\0\0\0", 8, "empty data");
    violation("\x09\0\0\0\0\0\0\0", 8, "unknown type");
    violation("\x01\0\0\0\x30\0\0\0", 8, "HELLO after the handshake");
    violation("\x04\0\0\0\0\0\0\0", 8, "CONFIRM to the inviter");
    violation("\x06\0\0\0\x05\0\0\0", 8, "long SEND_ERROR");
    violation("\x07\0\0\0\x02\0\0\0", 8, "short TERMINATE");
}

static void test_remote_frames(void)
{
    struct rv_invitation inv;
    struct peer a;
    rv_socket s;
    uint8_t payload[10];
    int k;

    /* SEND_ERROR from the peer reaches on_send_error; TERMINATE with data ends the session. */
    s = raw_connected(&a, &rv_profile_rendezvous, &inv);
    rv_put_u32(payload, 0x8007000e);
    raw_send_frame(s, RV_FRAME_SEND_ERROR, payload, 4);
    rv_put_u32(payload, 0x12345678);
    memcpy(payload + 4, "o\0k\0\0\0", 6);
    raw_send_frame(s, RV_FRAME_TERMINATE, payload, 10);
    ok(peer_wait_state(&a, RV_STATE_CANCELLED, 3000), "not CANCELLED\n");
    k = find_event(&a, REC_SEND_ERROR, 0);
    ok(k >= 0 && a.ev[k].hr == RV_E_OUTOFMEMORY, "send error %#x\n", k >= 0 ? (unsigned)a.ev[k].hr : 0);
    k = find_event(&a, REC_TERMINATION, 0);
    ok(k >= 0 && a.ev[k].hr == 0x12345678 && a.ev[k].count == 3 && a.ev[k].units[1] == 'k' &&
       !a.ev[k].units[2],
       "termination\n");
    ok(raw_wait_closed(s, 2000), "connection kept after TERMINATE\n");
    rv_socket_close(s);
    peer_destroy(&a);
}

static void test_send_fails_at_socket(void)
{
    struct rv_invitation inv;
    struct peer a;
    uint16_t *units = make_units(65536, 1);
    rv_socket s;
    int i, k, sent = 0;

    /* The raw peer never reads, then resets the connection with data unread. */
    s = raw_connected(&a, &rv_profile_rendezvous, &inv);
    /* Fill the kernel buffers, then our own queue, so that data is still queued. */
    for (i = 0; i < 1000; i++)
    {
        if (!rv_session_send_context_data(a.s, units, 65536)) sent++;
        else
        {
            rv_sleep_ms(100);
            if (rv_session_send_context_data(a.s, units, 65536)) break;
            sent++;
        }
    }
    ok(i < 1000, "queue never filled after %d sends\n", sent);
    rv_socket_close(s);
    ok(peer_wait_state(&a, RV_STATE_TERMINATED, 5000), "not TERMINATED\n");
    k = find_event(&a, REC_SEND_ERROR, 0);
    ok(k >= 0, "no send error\n");
    ok(k >= 0 && k < find_event(&a, REC_TERMINATION, 0), "send error after termination\n");
    k = find_event(&a, REC_TERMINATION, 0);
    ok(k >= 0 && RV_FAILED(a.ev[k].hr), "termination hr %#x\n", k >= 0 ? (unsigned)a.ev[k].hr : 0);
    free(units);
    peer_destroy(&a);
}

static void test_outgoing_bound(void)
{
    struct rv_invitation inv;
    struct peer a;
    uint16_t *units = make_units(65536, 1);
    rv_result hr = RV_S_OK;
    rv_socket s;
    int i;

    s = raw_connected(&a, &rv_profile_rendezvous, &inv);
    for (i = 0; i < 200 && hr == RV_S_OK; i++) hr = rv_session_send_context_data(a.s, units, 65536);
    ok(hr == RV_E_OUTOFMEMORY, "queue never full: %#x after %d\n", (unsigned)hr, i);
    ok(live_bytes() < RV_MAX_OUTGOING_BYTES + (1 << 20),
       "queue holds %lu bytes\n", (unsigned long)live_bytes());
    ok(rv_session_get_state(a.s) == RV_STATE_CONNECTED, "full queue changed state\n");
    rv_socket_close(s);
    free(units);
    peer_destroy(&a);
}

/* Floods the inviter without dispatching: memory must stay bounded. */
static void test_flood(uint32_t units_per_frame)
{
    struct rv_invitation inv;
    struct peer a;
    uint8_t *chunk;
    size_t frame_size = RV_FRAME_HEADER_SIZE + rv_sealed_size(2 * units_per_frame), chunk_size, peak, off = 0;
    uint8_t *payload = malloc(2 * (size_t)units_per_frame);
    uint64_t deadline, frames = 0, total = 0;
    uint32_t i, per_chunk, k;
    int blocked = 0;
    rv_socket s;

    /* Whole frames batched into chunks of about 64 KiB, one send per chunk. */
    per_chunk = frame_size >= 65536 ? 1 : (uint32_t)(65536 / frame_size);
    chunk_size = per_chunk * frame_size;
    chunk = malloc(chunk_size);
    for (i = 0; i < 2 * units_per_frame; i++) payload[i] = (uint8_t)i;
    s = raw_connected(&a, &rv_profile_rendezvous, &inv);
    reset_peak_bytes();

    /* Write until the peer stops reading (backpressure) or 48 MiB went out. */
    deadline = rv_time_ms() + 20000;
    while (!blocked && total < (48u << 20) && rv_time_ms() < deadline)
    {
        /* Each frame sealed anew: its own nonce. */
        for (k = 0; k < per_chunk; k++)
        {
            uint8_t *frame;

            raw_frame_bytes(s, RV_FRAME_DATA, payload, 2 * units_per_frame, &frame);
            memcpy(chunk + k * frame_size, frame, frame_size);
            free(frame);
        }
        off = 0;
        while (off < chunk_size)
        {
            rv_result err;
            long n = rv_socket_send(s, chunk + off, chunk_size - off, &err);

            if (n > 0) off += (size_t)n;
            else if (n == -1 && raw_wait(s, RV_POLL_OUT, 500)) continue;
            else break;
        }
        total += off;
        frames += per_chunk;
        blocked = off < chunk_size;
    }
    ok(blocked, "flood never blocked: %lu bytes written\n", (unsigned long)total);
    peak = reset_peak_bytes();
    ok(peak < RV_MAX_INCOMING_BYTES + (3 << 20), "flood of %u-unit frames: peak %lu bytes\n",
       units_per_frame, (unsigned long)peak);
    ok(rv_session_get_state(a.s) == RV_STATE_CONNECTED, "flood ended the session\n");

    /* Drain: the rest of the chunk goes out, everything written arrives. */
    deadline = rv_time_ms() + 30000;
    while (rv_time_ms() < deadline)
    {
        rv_session_dispatch(a.s);
        if (blocked && off < chunk_size)
        {
            rv_result err;
            long n = rv_socket_send(s, chunk + off, chunk_size - off, &err);

            if (n > 0) off += (size_t)n;
        }
        if (off == chunk_size && a.data_events == (long)frames) break;
        rv_session_wait(a.s, 20);
    }
    ok(a.data_events == (long)frames,
       "%ld of %lu frames delivered\n", a.data_events, (unsigned long)frames);
    ok(a.data_units == frames * units_per_frame, "units %lu\n", (unsigned long)a.data_units);
    free(chunk);
    free(payload);
    rv_socket_close(s);
    peer_destroy(&a);
}

START_TEST(hostile)
{
    install_counting_allocator();
    test_wrong_secret();
    test_bad_response();
    test_replay();
    test_auth_failure_limit();
    test_pending_limit();
    test_idle_flood();
    test_expired_invitation();
    test_invitee_hostile_inviter();
    test_vanish_mid_frame();
    test_slow_peer();
    test_security_code();
    test_tampering();
    test_tampered_chunks();
    test_nonce_exhaustion();
    test_large_sealed_frames();
    test_violations();
    test_remote_frames();
    test_send_fails_at_socket();
    test_outgoing_bound();
    test_flood(65536);
    test_flood(1);
    ok(wait_live_allocations(0, 2000) == 0, "%ld allocations leaked\n", live_allocations());
}
