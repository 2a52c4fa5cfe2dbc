/*
 * An attacker on the path: a TCP relay between two real peers
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
 * The invitee is given an invitation that points at the relay, which
 * forwards to the inviter frame by frame and, on the invitee's second DATA
 * frame, does one of the things an active attacker can: flip any byte, drop,
 * replay, reorder, truncate, or inject a forged frame of each type.  Each
 * time the inviter's session must end (ERROR_INVALID_DATA for anything that
 * fails to open) with nothing altered delivered.  A passive relay sees no
 * plaintext, and a relay that knows the secret and runs a handshake with each
 * side leaves the two with different security codes.
 */

#include <string.h>

#include "rv_noise.h"
#include "testutil.h"

#define UNITS_PER_FRAME 8
#define FRAMES 4

enum attack
{
    ATTACK_NONE,
    ATTACK_FLIP,        /* arg: the byte of the frame on the wire */
    ATTACK_DROP,
    ATTACK_REPLAY,
    ATTACK_REORDER,
    ATTACK_TRUNCATE,    /* the frame less its last byte, then the connection closes */
    ATTACK_FORGE,       /* arg: the frame type injected before the target */
};

/* One direction of the relay: bytes read and not yet forwarded. */
struct pipe
{
    rv_socket from, to;
    uint8_t buf[1 << 18];
    size_t len;
    int sealed;         /* past the handshake: frames carry tags */
    unsigned int data_frames;
    uint8_t held[1024]; /* a frame kept back to reorder */
    size_t held_len;
};

struct relay
{
    rv_socket listener;
    uint16_t port;
    struct rv_addr target;
    enum attack attack;
    uint32_t arg;
    struct rv_thread thread;
    volatile int stop;
    /* Everything that crossed, both ways, for the passive checks. */
    uint8_t *seen;
    size_t seen_len, seen_cap;
    int attacked;
};

static size_t sealed_wire_size(uint32_t length)
{
    size_t chunks = (length + RV_NOISE_MAX_PLAINTEXT - 1) / RV_NOISE_MAX_PLAINTEXT;

    return length + RV_NOISE_TAG_SIZE * (chunks ? chunks : 1);
}

static int frame_is_sealed(uint8_t type)
{
    return type != RV_FRAME_HELLO && type != RV_FRAME_CHALLENGE;
}

/* Bytes of the first complete frame in the pipe, or 0. */
static size_t frame_ready(const struct pipe *p)
{
    uint32_t length;
    size_t size;

    if (p->len < RV_FRAME_HEADER_SIZE) return 0;
    length = rv_get_u32(p->buf + 4);
    size = RV_FRAME_HEADER_SIZE + (frame_is_sealed(p->buf[0]) ? sealed_wire_size(length) : length);
    if (size > sizeof(p->buf)) return sizeof(p->buf) < p->len ? p->len : 0;
    return p->len >= size ? size : 0;
}

static int send_all(rv_socket s, const uint8_t *data, size_t size)
{
    return raw_send(s, data, size, 5000);
}

static void seen_add(struct relay *r, const uint8_t *data, size_t size)
{
    if (r->seen_len + size > r->seen_cap)
    {
        r->seen_cap = (r->seen_len + size) * 2;
        r->seen = realloc(r->seen, r->seen_cap);
    }
    memcpy(r->seen + r->seen_len, data, size);
    r->seen_len += size;
}

/* The invitee's frames pass through here; returns 0 to cut the connection. */
static int forward_up(struct relay *r, struct pipe *p, uint8_t *frame, size_t size)
{
    uint8_t forged[RV_FRAME_HEADER_SIZE + 64];
    uint32_t forged_len;

    if (frame[0] != RV_FRAME_DATA || ++p->data_frames < 2 || r->attacked)
    {
        if (p->held_len && frame[0] == RV_FRAME_DATA && p->data_frames == 3)
        {
            /* The later frame first, then the one held back. */
            if (!send_all(p->to, frame, size)) return 0;
            return send_all(p->to, p->held, p->held_len);
        }
        return send_all(p->to, frame, size);
    }
    r->attacked = 1;
    switch (r->attack)
    {
    case ATTACK_FLIP:
        if (r->arg < size) frame[r->arg] ^= 0x01;
        return send_all(p->to, frame, size);
    case ATTACK_DROP:
        return 1;
    case ATTACK_REPLAY:
        return send_all(p->to, frame, size) && send_all(p->to, frame, size);
    case ATTACK_REORDER:
        if (size > sizeof(p->held)) return 0;
        memcpy(p->held, frame, size);
        p->held_len = size;
        r->attacked = 0;    /* forward_up sends it after the next DATA frame */
        p->data_frames = 2;
        r->attack = ATTACK_NONE;
        return 1;
    case ATTACK_TRUNCATE:
        send_all(p->to, frame, size - 1);
        return 0;
    case ATTACK_FORGE:
        /* A plausible frame of that type, with a tag the attacker had to guess. */
        forged_len = r->arg == RV_FRAME_DATA ? 2 * UNITS_PER_FRAME :
                     r->arg == RV_FRAME_TERMINATE || r->arg == RV_FRAME_SEND_ERROR ? 4 :
                     r->arg == RV_FRAME_RESPONSE ? 4 : 0;
        rv_frame_write_header(forged, (uint8_t)r->arg, forged_len);
        randombytes_buf(forged + RV_FRAME_HEADER_SIZE, sealed_wire_size(forged_len));
        if (!send_all(p->to, forged, RV_FRAME_HEADER_SIZE + sealed_wire_size(forged_len))) return 0;
        return send_all(p->to, frame, size);
    default:
        return send_all(p->to, frame, size);
    }
}

static int pump_pipe(struct relay *r, struct pipe *p, int up)
{
    rv_result err;
    size_t size;
    long n;

    n = rv_socket_recv(p->from, p->buf + p->len, sizeof(p->buf) - p->len, &err);
    if (n == -1) return 1;
    if (n <= 0) return 0;
    seen_add(r, p->buf + p->len, (size_t)n);
    p->len += (size_t)n;
    while ((size = frame_ready(p)))
    {
        uint8_t *frame = malloc(size);
        int keep;

        memcpy(frame, p->buf, size);
        memmove(p->buf, p->buf + size, p->len - size);
        p->len -= size;
        keep = up ? forward_up(r, p, frame, size) : send_all(p->to, frame, size);
        free(frame);
        if (!keep) return 0;
    }
    return 1;
}

/* The first client of the listener, within 10 s. */
static rv_socket accept_one(rv_socket listener, volatile int *stop)
{
    uint64_t deadline = rv_time_ms() + 10000;
    rv_socket client = RV_INVALID_SOCKET;
    struct rv_addr peer;

    while (client == RV_INVALID_SOCKET && !*stop && rv_time_ms() < deadline)
        if (raw_wait(listener, RV_POLL_IN, 20)) rv_socket_accept(listener, &client, &peer);
    return client;
}

/* Waits a little for either side; fds[0] is a, fds[1] is b. */
static int poll_pair(rv_socket a, rv_socket b, rv_pollfd fds[2])
{
    fds[0].fd = a;
    fds[1].fd = b;
    fds[0].events = fds[1].events = RV_POLL_IN;
    fds[0].revents = fds[1].revents = 0;
    return rv_poll(fds, 2, 20) > 0;
}

/* The relay listens on loopback; `relayed` is inv pointed at it. */
static int relay_listen(struct relay *r, struct rv_invitation inv, char *relayed)
{
    struct rv_addr addr;

    memset(&addr, 0, sizeof(addr));
    addr.family = 4;
    addr.bytes[0] = 127;
    addr.bytes[3] = 1;
    if (rv_socket_listen(&addr, 4, &r->listener, &r->port)) return 0;
    inv.family = 4;
    memcpy(inv.addr, addr.bytes, sizeof(inv.addr));
    inv.port = r->port;
    return !rv_invitation_format(&inv, relayed, RV_INVITATION_BUFFER_SIZE);
}

static void relay_main(void *arg)
{
    static struct pipe up, down;
    struct relay *r = arg;
    rv_socket client, server = RV_INVALID_SOCKET;
    uint64_t deadline = rv_time_ms() + 10000;
    rv_result hr = RV_S_FALSE;

    if ((client = accept_one(r->listener, &r->stop)) == RV_INVALID_SOCKET) return;
    if (RV_SUCCEEDED(rv_socket_connect(&r->target, &server)))
    {
        while ((hr = rv_socket_connect_status(server)) == RV_S_FALSE && rv_time_ms() < deadline)
            raw_wait(server, RV_POLL_OUT, 20);
    }
    memset(&up, 0, sizeof(up));
    memset(&down, 0, sizeof(down));
    up.from = down.to = client;
    up.to = down.from = server;
    while (hr == RV_S_OK && !r->stop)
    {
        rv_pollfd fds[2];

        if (!poll_pair(client, server, fds)) continue;
        if (fds[0].revents && !pump_pipe(r, &up, 1)) break;
        if (fds[1].revents && !pump_pipe(r, &down, 0)) break;
    }
    rv_socket_close(client);
    rv_socket_close(server);
}

/* A relay in front of the inviter that wrote `text`; the invitee gets `relayed`. */
static int relay_start(struct relay *r, const char *text, char *relayed, enum attack attack, uint32_t arg)
{
    struct rv_invitation inv;

    memset(r, 0, sizeof(*r));
    r->attack = attack;
    r->arg = arg;
    if (rv_invitation_parse(text, &inv)) return 0;
    memset(&r->target, 0, sizeof(r->target));
    r->target.family = inv.family;
    memcpy(r->target.bytes, inv.addr, sizeof(inv.addr));
    r->target.port = inv.port;
    if (!relay_listen(r, inv, relayed)) return 0;
    return !rv_thread_start(&r->thread, relay_main, r);
}

static void relay_stop(struct relay *r)
{
    r->stop = 1;
    rv_thread_join(&r->thread);
    rv_socket_close(r->listener);
    free(r->seen);
}

static int contains(const uint8_t *hay, size_t hay_len, const void *needle, size_t len)
{
    size_t i;

    for (i = 0; i + len <= hay_len; i++)
        if (!memcmp(hay + i, needle, len)) return 1;
    return 0;
}

/* The invitee's strings: frame i holds units i*100 + 0..7. */
static void make_frame_units(uint16_t *units, unsigned int i)
{
    unsigned int j;

    for (j = 0; j < UNITS_PER_FRAME; j++) units[j] = (uint16_t)(0x4100 + i * 100 + j);
}

/* What the inviter got is exactly the first frames, unaltered, in order. */
static int delivered_prefix(struct peer *p, unsigned int *count)
{
    uint16_t expect[UNITS_PER_FRAME];
    unsigned int n = 0;
    int i;

    for (i = 0; i < p->n; i++)
    {
        if (p->ev[i].kind != REC_DATA) continue;
        make_frame_units(expect, n);
        if (p->ev[i].count != UNITS_PER_FRAME || memcmp(p->ev[i].units, expect, sizeof(expect))) return 0;
        n++;
    }
    *count = n;
    return 1;
}

/* One session through the relay; returns the inviter's termination result. */
static rv_result run_attacked(enum attack attack, uint32_t arg, unsigned int *delivered, int *prefix_ok,
                              int *other_events)
{
    char text[RV_INVITATION_BUFFER_SIZE], relayed[RV_INVITATION_BUFFER_SIZE];
    struct peer inviter, invitee;
    struct relay relay;
    uint16_t units[UNITS_PER_FRAME];
    rv_result hr = RV_S_OK;
    unsigned int i;
    int t;

    memset(&inviter, 0, sizeof(inviter));
    memset(&invitee, 0, sizeof(invitee));
    inviter.keep_data = 1;
    *delivered = 0;
    *prefix_ok = 0;
    *other_events = 0;
    if (peer_create(&inviter, "inviter", &rv_profile_rendezvous, RV_FLAG_INVITER) ||
        peer_create(&invitee, "invitee", &rv_profile_rendezvous, RV_FLAG_INVITEE))
        return RV_E_FAIL;
    rv_session_invite(inviter.s, NULL, 0, text, sizeof(text));
    if (!relay_start(&relay, text, relayed, attack, arg)) return RV_E_FAIL;
    rv_session_receive_invitation(invitee.s, relayed);
    rv_session_accept(invitee.s);
    if (peer_wait_state(&invitee, RV_STATE_CONNECTED, 5000) && peer_wait_state(&inviter, RV_STATE_CONNECTED, 5000))
    {
        for (i = 0; i < FRAMES; i++)
        {
            make_frame_units(units, i);
            rv_session_send_context_data(invitee.s, units, UNITS_PER_FRAME);
        }
        /* More bytes after the attack, then the end: a stretched frame cannot wait forever. */
        rv_session_terminate(invitee.s, RV_S_OK, units, UNITS_PER_FRAME);
        peer_wait_state(&inviter, RV_STATE_TERMINATED, 5000);
        peer_pump(&inviter, 50);
    }
    ok(inviter.last_state == RV_STATE_TERMINATED, "attack %d/%u: the inviter ended in state %d\n", attack, arg,
       inviter.last_state);
    if ((t = find_event(&inviter, REC_TERMINATION, 0)) >= 0) hr = inviter.ev[t].hr;
    *prefix_ok = delivered_prefix(&inviter, delivered);
    *other_events = count_events(&inviter, REC_SEND_ERROR) + count_events(&inviter, REC_TERMINATION) - 1;
    peer_destroy(&invitee);
    peer_destroy(&inviter);
    relay_stop(&relay);
    return hr;
}

/* Every byte of the target frame: header, ciphertext and tag. */
static void test_flip_each_byte(void)
{
    size_t size = RV_FRAME_HEADER_SIZE + sealed_wire_size(2 * UNITS_PER_FRAME);
    unsigned int delivered;
    int prefix_ok, others;
    uint32_t i;
    rv_result hr;

    for (i = 0; i < size; i++)
    {
        hr = run_attacked(ATTACK_FLIP, i, &delivered, &prefix_ok, &others);
        /* A flipped header may also stretch the frame until the connection ends. */
        ok(hr == RV_E_PROTOCOL || (i < RV_FRAME_HEADER_SIZE && hr == RV_E_CONNECTION_RESET),
           "byte %u flipped: ended with %#x\n", i, hr);
        ok(prefix_ok && delivered == 1, "byte %u flipped: %u frames delivered (in order: %d)\n", i, delivered,
           prefix_ok);
        ok(!others, "byte %u flipped: %d other events\n", i, others);
    }
}

static void test_stream_attacks(void)
{
    static const struct { enum attack attack; const char *name; unsigned int delivered; } cases[] =
    {
        { ATTACK_DROP, "drop", 1 },
        { ATTACK_REPLAY, "replay", 2 },
        { ATTACK_REORDER, "reorder", 1 },
        { ATTACK_TRUNCATE, "truncate", 1 },
    };
    unsigned int i, delivered;
    int prefix_ok, others;
    rv_result hr;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
    {
        hr = run_attacked(cases[i].attack, 0, &delivered, &prefix_ok, &others);
        /* Truncated and then closed: the stream ends inside a frame. */
        ok(hr == RV_E_PROTOCOL || (cases[i].attack == ATTACK_TRUNCATE && hr == RV_E_CONNECTION_RESET),
           "%s: ended with %#x\n", cases[i].name, hr);
        ok(prefix_ok && delivered == cases[i].delivered, "%s: %u frames delivered (in order: %d)\n",
           cases[i].name, delivered, prefix_ok);
        ok(!others, "%s: %d other events\n", cases[i].name, others);
    }
}

static void test_forged_frames(void)
{
    static const uint8_t types[] =
    {
        RV_FRAME_RESPONSE, RV_FRAME_CONFIRM, RV_FRAME_DATA, RV_FRAME_SEND_ERROR, RV_FRAME_TERMINATE,
        RV_FRAME_CANCEL,
    };
    unsigned int i, delivered;
    int prefix_ok, others;
    rv_result hr;

    for (i = 0; i < sizeof(types); i++)
    {
        hr = run_attacked(ATTACK_FORGE, types[i], &delivered, &prefix_ok, &others);
        ok(hr == RV_E_PROTOCOL, "forged frame of type %u: ended with %#x\n", types[i], hr);
        ok(prefix_ok && delivered == 1, "forged frame of type %u: %u frames delivered (in order: %d)\n",
           types[i], delivered, prefix_ok);
        ok(!others, "forged frame of type %u: %d other events\n", types[i], others);
    }
}

/* A listener on the path learns nothing it could use: no data, no secret. */
static void test_passive(void)
{
    char text[RV_INVITATION_BUFFER_SIZE], relayed[RV_INVITATION_BUFFER_SIZE];
    struct peer inviter, invitee;
    struct rv_invitation inv;
    struct relay relay;
    uint16_t units[UNITS_PER_FRAME];
    uint8_t le[2 * UNITS_PER_FRAME];
    unsigned int i;

    peer_create(&inviter, "inviter", &rv_profile_rendezvous, RV_FLAG_INVITER);
    peer_create(&invitee, "invitee", &rv_profile_rendezvous, RV_FLAG_INVITEE);
    rv_session_invite(inviter.s, NULL, 0, text, sizeof(text));
    rv_invitation_parse(text, &inv);
    ok(relay_start(&relay, text, relayed, ATTACK_NONE, 0), "the relay did not start\n");
    rv_session_receive_invitation(invitee.s, relayed);
    rv_session_accept(invitee.s);
    ok(peer_wait_state(&invitee, RV_STATE_CONNECTED, 5000), "not connected through the relay\n");
    ok(peer_wait_state(&inviter, RV_STATE_CONNECTED, 5000), "not connected through the relay\n");
    make_frame_units(units, 0);
    rv_session_send_context_data(invitee.s, units, UNITS_PER_FRAME);
    rv_session_send_context_data(inviter.s, units, UNITS_PER_FRAME);
    ok(peer_wait_data_units(&inviter, UNITS_PER_FRAME, 5000), "the data did not arrive\n");
    ok(peer_wait_data_units(&invitee, UNITS_PER_FRAME, 5000), "the data did not arrive\n");
    rv_session_terminate(invitee.s, RV_S_OK, units, UNITS_PER_FRAME);
    ok(peer_wait_state(&inviter, RV_STATE_CANCELLED, 5000), "the end did not arrive\n");
    peer_destroy(&invitee);
    peer_destroy(&inviter);
    relay.stop = 1;
    rv_thread_join(&relay.thread);

    for (i = 0; i < UNITS_PER_FRAME; i++)
    {
        le[2 * i] = (uint8_t)units[i];
        le[2 * i + 1] = (uint8_t)(units[i] >> 8);
    }
    ok(relay.seen_len > 0, "the relay saw nothing\n");
    /* Half the string is enough to call it readable. */
    ok(!contains(relay.seen, relay.seen_len, le, sizeof(le) / 2), "the context data crossed in clear\n");
    ok(!contains(relay.seen, relay.seen_len, inv.secret, 8), "the secret crossed the wire\n");
    rv_socket_close(relay.listener);
    free(relay.seen);
}

/* ---- a relay that knows the secret: a handshake with each side ---- */

struct mitm
{
    struct relay base;
    struct rv_invitation inv;
    struct rv_noise_cipher in_tx, in_rx, out_tx, out_rx;
};

static int recv_frame(rv_socket s, uint8_t *frame, size_t cap, size_t *size)
{
    uint32_t length;
    size_t wire;

    if (!raw_recv(s, frame, RV_FRAME_HEADER_SIZE, 5000)) return 0;
    length = rv_get_u32(frame + 4);
    wire = frame_is_sealed(frame[0]) ? sealed_wire_size(length) : length;
    if (RV_FRAME_HEADER_SIZE + wire > cap || (wire && !raw_recv(s, frame + RV_FRAME_HEADER_SIZE, wire, 5000)))
        return 0;
    *size = RV_FRAME_HEADER_SIZE + wire;
    return 1;
}

/* Opens a one-chunk sealed frame with one side's key and seals it with the other's. */
static int reseal(uint8_t *frame, size_t size, struct rv_noise_cipher *rx, struct rv_noise_cipher *tx)
{
    uint8_t plain[1024];
    size_t n, out;

    if (size - RV_FRAME_HEADER_SIZE > sizeof(plain)) return 0;
    if (rv_noise_decrypt(rx, frame, RV_FRAME_HEADER_SIZE, frame + RV_FRAME_HEADER_SIZE, size - RV_FRAME_HEADER_SIZE,
                         plain, sizeof(plain), &n))
        return 0;
    return !rv_noise_encrypt(tx, frame, RV_FRAME_HEADER_SIZE, plain, n, frame + RV_FRAME_HEADER_SIZE,
                             size - RV_FRAME_HEADER_SIZE, &out);
}

static void mitm_main(void *arg)
{
    struct mitm *m = arg;
    uint8_t prologue[30 + RV_SESSION_ID_SIZE], frame[1024], msg[128];
    struct rv_noise in, out;
    rv_socket client, server = RV_INVALID_SOCKET;
    size_t size, n;
    int up_frames = 0, down_frames = 0;

    memcpy(prologue, "wine-rendezvous peer channel 2", 30);
    memcpy(prologue + 30, m->inv.session_id, RV_SESSION_ID_SIZE);
    if ((client = accept_one(m->base.listener, &m->base.stop)) == RV_INVALID_SOCKET) return;
    /* The invitee's side: the relay answers as the inviter. */
    rv_noise_init(&in, 0, prologue, sizeof(prologue), m->inv.secret, NULL);
    if (!recv_frame(client, frame, sizeof(frame), &size) || frame[0] != RV_FRAME_HELLO ||
        rv_noise_read_message(&in, frame + RV_FRAME_HEADER_SIZE, size - RV_FRAME_HEADER_SIZE, msg, sizeof(msg), &n) ||
        rv_noise_write_message(&in, NULL, 0, msg, sizeof(msg), &n) ||
        !raw_send_frame(client, RV_FRAME_CHALLENGE, msg, (uint32_t)n) || rv_noise_split(&in, &m->in_tx, &m->in_rx))
        goto done;
    /* The inviter's side: the relay connects as the invitee. */
    server = raw_connect(&m->inv, 5000);
    rv_noise_init(&out, 1, prologue, sizeof(prologue), m->inv.secret, NULL);
    if (server == RV_INVALID_SOCKET || rv_noise_write_message(&out, NULL, 0, msg, sizeof(msg), &n) ||
        !raw_send_frame(server, RV_FRAME_HELLO, msg, (uint32_t)n) ||
        !recv_frame(server, frame, sizeof(frame), &size) || frame[0] != RV_FRAME_CHALLENGE ||
        rv_noise_read_message(&out, frame + RV_FRAME_HEADER_SIZE, size - RV_FRAME_HEADER_SIZE, msg, sizeof(msg), &n) ||
        rv_noise_split(&out, &m->out_tx, &m->out_rx))
        goto done;
    /* RESPONSE up, CONFIRM down, then whatever comes, re-sealed. */
    while (!m->base.stop && up_frames + down_frames < 16)
    {
        rv_pollfd fds[2];

        if (!poll_pair(client, server, fds)) continue;
        if (fds[0].revents)
        {
            if (!recv_frame(client, frame, sizeof(frame), &size) || !reseal(frame, size, &m->in_rx, &m->out_tx) ||
                !raw_send(server, frame, size, 5000))
                break;
            up_frames++;
        }
        if (fds[1].revents)
        {
            if (!recv_frame(server, frame, sizeof(frame), &size) || !reseal(frame, size, &m->out_rx, &m->in_tx) ||
                !raw_send(client, frame, size, 5000))
                break;
            down_frames++;
        }
    }
done:
    rv_noise_clear(&in);
    rv_noise_clear(&out);
    rv_socket_close(client);
    rv_socket_close(server);
}

/* Whoever knows the secret can sit in the middle, but the two codes then differ. */
static void test_security_codes(void)
{
    char text[RV_INVITATION_BUFFER_SIZE], relayed[RV_INVITATION_BUFFER_SIZE];
    char code_inviter[RV_SECURITY_CODE_DIGITS + 1], code_invitee[RV_SECURITY_CODE_DIGITS + 1];
    struct peer inviter, invitee;
    struct mitm m;
    uint16_t units[UNITS_PER_FRAME];

    memset(&m, 0, sizeof(m));
    peer_create(&inviter, "inviter", &rv_profile_rendezvous, RV_FLAG_INVITER);
    peer_create(&invitee, "invitee", &rv_profile_rendezvous, RV_FLAG_INVITEE);
    rv_session_invite(inviter.s, NULL, 0, text, sizeof(text));
    rv_invitation_parse(text, &m.inv);
    ok(relay_listen(&m.base, m.inv, relayed), "the relay cannot listen\n");
    ok(!rv_thread_start(&m.base.thread, mitm_main, &m), "the relay did not start\n");
    rv_session_receive_invitation(invitee.s, relayed);
    rv_session_accept(invitee.s);
    ok(peer_wait_state(&invitee, RV_STATE_CONNECTED, 5000), "the invitee did not connect through the relay\n");
    ok(peer_wait_state(&inviter, RV_STATE_CONNECTED, 5000), "the inviter did not connect through the relay\n");
    /* It can read and write everything... */
    make_frame_units(units, 0);
    rv_session_send_context_data(invitee.s, units, UNITS_PER_FRAME);
    ok(peer_wait_data_units(&inviter, UNITS_PER_FRAME, 5000), "the relayed data did not arrive\n");
    /* ...but the users, comparing codes, see it. */
    ok(!rv_session_get_security_code(inviter.s, code_inviter), "no code at the inviter\n");
    ok(!rv_session_get_security_code(invitee.s, code_invitee), "no code at the invitee\n");
    ok(strlen(code_inviter) == RV_SECURITY_CODE_DIGITS && strspn(code_inviter, "0123456789") == RV_SECURITY_CODE_DIGITS,
       "code %s\n", code_inviter);
    ok(strcmp(code_inviter, code_invitee), "both sides show %s through a relay that knows the secret\n",
       code_inviter);
    peer_destroy(&invitee);
    peer_destroy(&inviter);
    m.base.stop = 1;
    rv_thread_join(&m.base.thread);
    rv_socket_close(m.base.listener);
    rv_noise_cipher_clear(&m.in_tx);
    rv_noise_cipher_clear(&m.in_rx);
    rv_noise_cipher_clear(&m.out_tx);
    rv_noise_cipher_clear(&m.out_rx);
}

START_TEST(relay)
{
    install_counting_allocator();
    test_passive();
    test_security_codes();
    test_stream_attacks();
    test_forged_frames();
    test_flip_each_byte();
    ok(wait_live_allocations(0, 2000) == 0, "%ld allocations leaked\n", live_allocations());
}
