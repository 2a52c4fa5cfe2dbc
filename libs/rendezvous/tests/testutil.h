/*
 * Shared helpers for the rendezvous core tests: counting allocator, event
 * recorder, and a raw-socket peer that speaks the wire protocol by hand
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

#ifndef __WINE_RV_TESTUTIL_H
#define __WINE_RV_TESTUTIL_H

#include <string.h>

#include <sodium.h>

#include "rv_private.h"
#include "rv_port.h"
#include "rv_noise.h"
#include "rvtest.h"

/* ---- counting allocator with fault injection ---- */

enum fail_filter
{
    FAIL_ANY_THREAD,
    FAIL_ONLY_THREAD,     /* count only allocations made by fail_thread */
    FAIL_OTHER_THREADS,   /* count only allocations made by other threads */
};

static rv_mutex alloc_lock = RV_MUTEX_INIT;
static long alloc_live, alloc_total, alloc_failed;
static size_t alloc_live_bytes, alloc_peak_bytes;
static long fail_countdown;          /* 0 = off; the N-th counted allocation fails */
static int fail_repeat;              /* keep failing after the first */
static enum fail_filter fail_mode;
static rv_thread_id fail_thread;

#define ALLOC_HEADER 16

static void *counting_alloc(size_t size)
{
    uint8_t *p;
    int fail = 0;

    rv_mutex_lock(&alloc_lock);
    if (fail_countdown)
    {
        int counted = fail_mode == FAIL_ANY_THREAD ||
                      (fail_mode == FAIL_ONLY_THREAD && rv_thread_equal(fail_thread, rv_thread_self())) ||
                      (fail_mode == FAIL_OTHER_THREADS && !rv_thread_equal(fail_thread, rv_thread_self()));

        if (counted && !--fail_countdown)
        {
            fail = 1;
            if (fail_repeat) fail_countdown = 1;
        }
    }
    if (fail)
    {
        alloc_failed++;
        rv_mutex_unlock(&alloc_lock);
        return NULL;
    }
    rv_mutex_unlock(&alloc_lock);

    if (!(p = malloc(size + ALLOC_HEADER))) return NULL;
    memcpy(p, &size, sizeof(size));
    rv_mutex_lock(&alloc_lock);
    alloc_live++;
    alloc_total++;
    alloc_live_bytes += size;
    if (alloc_live_bytes > alloc_peak_bytes) alloc_peak_bytes = alloc_live_bytes;
    rv_mutex_unlock(&alloc_lock);
    return p + ALLOC_HEADER;
}

static void counting_free(void *ptr)
{
    uint8_t *p = (uint8_t *)ptr - ALLOC_HEADER;
    size_t size;

    memcpy(&size, p, sizeof(size));
    rv_mutex_lock(&alloc_lock);
    alloc_live--;
    alloc_live_bytes -= size;
    rv_mutex_unlock(&alloc_lock);
    free(p);
}

static inline void install_counting_allocator(void)
{
    rv_set_allocator(counting_alloc, counting_free);
}

/* Fails the n-th counted allocation from now (n >= 1); 0 disables. */
static inline void fail_allocation(long n, enum fail_filter mode, int repeat)
{
    rv_mutex_lock(&alloc_lock);
    fail_countdown = n;
    fail_mode = mode;
    fail_repeat = repeat;
    fail_thread = rv_thread_self();
    rv_mutex_unlock(&alloc_lock);
}

static inline long live_allocations(void)
{
    long n;

    rv_mutex_lock(&alloc_lock);
    n = alloc_live;
    rv_mutex_unlock(&alloc_lock);
    return n;
}

static inline long total_allocations(void)
{
    long n;

    rv_mutex_lock(&alloc_lock);
    n = alloc_total;
    rv_mutex_unlock(&alloc_lock);
    return n;
}

static inline size_t live_bytes(void)
{
    size_t n;

    rv_mutex_lock(&alloc_lock);
    n = alloc_live_bytes;
    rv_mutex_unlock(&alloc_lock);
    return n;
}

static inline size_t reset_peak_bytes(void)
{
    size_t n;

    rv_mutex_lock(&alloc_lock);
    n = alloc_peak_bytes;
    alloc_peak_bytes = alloc_live_bytes;
    rv_mutex_unlock(&alloc_lock);
    return n;
}

/* ---- event recorder ---- */

enum rec_kind
{
    REC_STATE = 1,
    REC_DATA,
    REC_TERMINATION,
    REC_SEND_ERROR,
    REC_ANSWER,
};

struct rec_event
{
    enum rec_kind kind;
    enum rv_state new_state;
    enum rv_state prev_state;
    enum rv_answer answer;
    rv_result hr;
    uint32_t count;
    uint16_t *units;      /* test-owned copy (malloc) */
};

#define MAX_RECORDED 512

struct peer
{
    struct rv_session *s;
    const char *name;
    struct rec_event ev[MAX_RECORDED];
    int n;
    int overflow;
    long wakes;           /* under alloc_lock, from any thread */
    enum rv_state last_state;
    long data_events;
    uint64_t data_units;
    int keep_data;        /* copy payloads into ev[].units */
    void (*hook)(struct peer *p, const struct rec_event *ev);
    void *context;
};

static void rec_wake(void *user)
{
    struct peer *p = user;

    rv_mutex_lock(&alloc_lock);
    p->wakes++;
    rv_mutex_unlock(&alloc_lock);
}

static struct rec_event *rec_add(struct peer *p, enum rec_kind kind)
{
    struct rec_event *ev;

    if (p->n >= MAX_RECORDED)
    {
        p->overflow++;
        return NULL;
    }
    ev = &p->ev[p->n++];
    memset(ev, 0, sizeof(*ev));
    ev->kind = kind;
    return ev;
}

static void rec_state(void *user, enum rv_state new_state, enum rv_state prev_state)
{
    struct peer *p = user;
    struct rec_event *ev = rec_add(p, REC_STATE);

    p->last_state = new_state;
    if (!ev) return;
    ev->new_state = new_state;
    ev->prev_state = prev_state;
    if (p->hook) p->hook(p, ev);
}

static void rec_data(void *user, const uint16_t *units, uint32_t count)
{
    struct peer *p = user;
    struct rec_event *ev;

    p->data_events++;
    p->data_units += count;
    if (!p->keep_data)
    {
        if (p->hook)
        {
            struct rec_event tmp;

            memset(&tmp, 0, sizeof(tmp));
            tmp.kind = REC_DATA;
            tmp.count = count;
            p->hook(p, &tmp);
        }
        return;
    }
    if (!(ev = rec_add(p, REC_DATA))) return;
    ev->count = count;
    ev->units = malloc(count * sizeof(uint16_t) + 1);
    memcpy(ev->units, units, count * sizeof(uint16_t));
    if (p->hook) p->hook(p, ev);
}

static void rec_termination(void *user, rv_result hr, const uint16_t *units, uint32_t count)
{
    struct peer *p = user;
    struct rec_event *ev = rec_add(p, REC_TERMINATION);

    if (!ev) return;
    ev->hr = hr;
    ev->count = count;
    ev->units = malloc(count * sizeof(uint16_t) + 1);
    if (count) memcpy(ev->units, units, count * sizeof(uint16_t));
    if (p->hook) p->hook(p, ev);
}

static void rec_send_error(void *user, rv_result hr)
{
    struct peer *p = user;
    struct rec_event *ev = rec_add(p, REC_SEND_ERROR);

    if (!ev) return;
    ev->hr = hr;
    if (p->hook) p->hook(p, ev);
}

static inline void rec_answer(void *user, enum rv_answer answer, rv_result hr, const uint16_t *units,
                              uint32_t count)
{
    struct peer *p = user;
    struct rec_event *ev = rec_add(p, REC_ANSWER);

    if (!ev) return;
    ev->answer = answer;
    ev->hr = hr;
    ev->count = count;
    ev->units = malloc(count * sizeof(uint16_t) + 1);
    if (count) memcpy(ev->units, units, count * sizeof(uint16_t));
    if (p->hook) p->hook(p, ev);
}

/* Without on_answer, as a face that does not ask for answers. */
static const struct rv_session_callbacks rec_callbacks =
{
    rec_wake, rec_state, rec_data, rec_termination, rec_send_error, NULL,
};

static inline void peer_reset_log(struct peer *p)
{
    int i;

    for (i = 0; i < p->n; i++) free(p->ev[i].units);
    p->n = 0;
    p->overflow = 0;
}

static inline rv_result peer_create(struct peer *p, const char *name, const struct rv_profile *profile,
                                    uint32_t flags)
{
    memset(p, 0, sizeof(*p));
    p->name = name;
    p->keep_data = 1;
    return rv_session_create(profile, flags, &rec_callbacks, p, &p->s);
}

static inline void peer_destroy(struct peer *p)
{
    rv_session_destroy(p->s);
    p->s = NULL;
    peer_reset_log(p);
}

static inline long peer_wakes(struct peer *p)
{
    long n;

    rv_mutex_lock(&alloc_lock);
    n = p->wakes;
    rv_mutex_unlock(&alloc_lock);
    return n;
}

/* Dispatches until cond(p) holds or timeout_ms passes. */
static inline int peer_pump_until(struct peer *p, int (*cond)(struct peer *p, void *arg), void *arg,
                                  uint32_t timeout_ms)
{
    uint64_t deadline = rv_time_ms() + timeout_ms;

    for (;;)
    {
        uint64_t now;

        rv_session_dispatch(p->s);
        if (cond(p, arg)) return 1;
        now = rv_time_ms();
        if (now >= deadline) return 0;
        rv_session_wait(p->s, (uint32_t)(deadline - now));
    }
}

static int cond_state(struct peer *p, void *arg)
{
    return p->last_state == *(enum rv_state *)arg;
}

static inline int peer_wait_state(struct peer *p, enum rv_state state, uint32_t timeout_ms)
{
    return peer_pump_until(p, cond_state, &state, timeout_ms);
}

static int cond_count(struct peer *p, void *arg)
{
    return p->n >= *(int *)arg;
}

static inline int peer_wait_events(struct peer *p, int count, uint32_t timeout_ms)
{
    return peer_pump_until(p, cond_count, &count, timeout_ms);
}

static int cond_never(struct peer *p, void *arg)
{
    (void)p; (void)arg;
    return 0;
}

/* Dispatches whatever arrives during timeout_ms. */
static inline void peer_pump(struct peer *p, uint32_t timeout_ms)
{
    peer_pump_until(p, cond_never, NULL, timeout_ms);
}

static int cond_data_units(struct peer *p, void *arg)
{
    return p->data_units >= *(uint64_t *)arg;
}

static inline int peer_wait_data_units(struct peer *p, uint64_t units, uint32_t timeout_ms)
{
    return peer_pump_until(p, cond_data_units, &units, timeout_ms);
}

static inline int find_event(struct peer *p, enum rec_kind kind, int start)
{
    int i;

    for (i = start; i < p->n; i++) if (p->ev[i].kind == kind) return i;
    return -1;
}

static inline int count_events(struct peer *p, enum rec_kind kind)
{
    int i, n = 0;

    for (i = 0; i < p->n; i++) if (p->ev[i].kind == kind) n++;
    return n;
}

/* Checks that the log is exactly the given states in order (state events only). */
static inline int states_are(struct peer *p, const enum rv_state *states, int count)
{
    int i, k = 0;
    enum rv_state prev = RV_STATE_READY;

    for (i = 0; i < p->n; i++)
    {
        if (p->ev[i].kind != REC_STATE) continue;
        if (k >= count || p->ev[i].new_state != states[k] || p->ev[i].prev_state != prev) return 0;
        prev = states[k++];
    }
    return k == count;
}

/* Full inviter/invitee setup to CONNECTED on loopback; returns 1 on success. */
static inline int connect_pair(struct peer *inviter, struct peer *invitee, char *invitation)
{
    char buffer[RV_INVITATION_BUFFER_SIZE];
    char *text = invitation ? invitation : buffer;

    if (rv_session_invite(inviter->s, NULL, 0, text, RV_INVITATION_BUFFER_SIZE)) return 0;
    if (rv_session_receive_invitation(invitee->s, text)) return 0;
    if (rv_session_accept(invitee->s)) return 0;
    if (!peer_wait_state(invitee, RV_STATE_CONNECTED, 10000)) return 0;
    if (!peer_wait_state(inviter, RV_STATE_CONNECTED, 10000)) return 0;
    return 1;
}

static inline uint16_t *make_units(uint32_t count, uint32_t seed)
{
    uint16_t *units = malloc((count ? count : 1) * sizeof(uint16_t));
    uint32_t i;

    for (i = 0; i < count; i++) units[i] = (uint16_t)(seed + i * 2654435761u);
    return units;
}

/* ---- raw peer: blocking helpers over the port layer with bounded waits ---- */

static inline int raw_wait(rv_socket s, short events, uint32_t timeout_ms)
{
    rv_pollfd pfd;

    pfd.fd = s;
    pfd.events = events;
    pfd.revents = 0;
    return rv_poll(&pfd, 1, (int)timeout_ms) > 0;
}

static inline void raw_forget(rv_socket s);

static inline rv_socket raw_connect(const struct rv_invitation *inv, uint32_t timeout_ms)
{
    struct rv_addr addr;
    rv_socket s = RV_INVALID_SOCKET;
    uint64_t deadline = rv_time_ms() + timeout_ms;
    rv_result hr;

    memset(&addr, 0, sizeof(addr));
    addr.family = inv->family;
    memcpy(addr.bytes, inv->addr, 16);
    addr.port = inv->port;
    hr = rv_socket_connect(&addr, &s);
    if (RV_FAILED(hr))
    {
        rv_socket_close(s);
        return RV_INVALID_SOCKET;
    }
    while (hr == RV_S_FALSE && rv_time_ms() < deadline)
    {
        raw_wait(s, RV_POLL_OUT, 20);
        hr = rv_socket_connect_status(s);
    }
    if (hr != RV_S_OK)
    {
        rv_socket_close(s);
        return RV_INVALID_SOCKET;
    }
    raw_forget(s);
    return s;
}

static inline int raw_send(rv_socket s, const void *data, size_t size, uint32_t timeout_ms)
{
    const uint8_t *p = data;
    uint64_t deadline = rv_time_ms() + timeout_ms;

    while (size)
    {
        rv_result err;
        long n = rv_socket_send(s, p, size, &err);

        if (n == -2) return 0;
        if (n == -1)
        {
            if (rv_time_ms() >= deadline) return 0;
            raw_wait(s, RV_POLL_OUT, 20);
            continue;
        }
        p += n;
        size -= (size_t)n;
    }
    return 1;
}

/* 1 when all bytes arrived, 0 on EOF, error or timeout. */
static inline int raw_recv(rv_socket s, void *data, size_t size, uint32_t timeout_ms)
{
    uint8_t *p = data;
    uint64_t deadline = rv_time_ms() + timeout_ms;

    while (size)
    {
        rv_result err;
        long n = rv_socket_recv(s, p, size, &err);

        if (n == 0 || n == -2) return 0;
        if (n == -1)
        {
            if (rv_time_ms() >= deadline) return 0;
            raw_wait(s, RV_POLL_IN, 20);
            continue;
        }
        p += n;
        size -= (size_t)n;
    }
    return 1;
}

/* 1 when the peer closed (EOF or reset) within timeout_ms; data is discarded. */
static inline int raw_wait_closed(rv_socket s, uint32_t timeout_ms)
{
    uint64_t deadline = rv_time_ms() + timeout_ms;
    uint8_t buffer[256];

    for (;;)
    {
        rv_result err;
        long n = rv_socket_recv(s, buffer, sizeof(buffer), &err);

        if (n == 0 || n == -2) return 1;
        if (n == -1)
        {
            if (rv_time_ms() >= deadline) return 0;
            raw_wait(s, RV_POLL_IN, 20);
        }
    }
}

/*
 * The raw peer's channel: the ciphers of each socket whose handshake went
 * through, after which raw_send_frame and raw_recv_frame seal and open.
 */
struct raw_channel
{
    rv_socket              s;
    int                    used;
    struct rv_noise_cipher tx, rx;
    uint8_t                hash[RV_NOISE_HASH_SIZE];
};

static struct raw_channel raw_channels[64];

static inline struct raw_channel *raw_channel(rv_socket s)
{
    unsigned int i;

    for (i = 0; i < sizeof(raw_channels) / sizeof(raw_channels[0]); i++)
        if (raw_channels[i].used && raw_channels[i].s == s) return &raw_channels[i];
    return NULL;
}

/* A new connection on s: what a closed one had is gone. */
static inline void raw_forget(rv_socket s)
{
    struct raw_channel *ch;

    while ((ch = raw_channel(s))) memset(ch, 0, sizeof(*ch));
}

static inline struct raw_channel *raw_channel_new(rv_socket s)
{
    unsigned int i;

    raw_forget(s);
    for (i = 0; i < sizeof(raw_channels) / sizeof(raw_channels[0]); i++)
    {
        if (raw_channels[i].used) continue;
        raw_channels[i].used = 1;
        raw_channels[i].s = s;
        return &raw_channels[i];
    }
    return NULL;
}

static inline rv_socket raw_accept(rv_socket listener)
{
    rv_socket s;

    if (rv_socket_accept(listener, &s, NULL) != RV_S_OK) return RV_INVALID_SOCKET;
    raw_forget(s);
    return s;
}

/* The wire form of a frame: sealed when s has a channel.  Returns its size; *out is malloc'd. */
static inline size_t raw_frame_bytes(rv_socket s, uint8_t type, const void *payload, uint32_t size,
                                     uint8_t **out)
{
    static const uint8_t empty[1];
    struct raw_channel *ch = raw_channel(s);
    uint32_t wire = ch ? rv_sealed_size(size) : size, i, chunks = rv_seal_chunks(size);
    uint8_t *frame = malloc(RV_FRAME_HEADER_SIZE + wire);

    if (!payload) payload = empty;
    rv_frame_write_header(frame, type, size);
    if (!ch)
    {
        if (size) memcpy(frame + RV_FRAME_HEADER_SIZE, payload, size);
    }
    else for (i = 0; i < chunks; i++)
    {
        uint32_t n = size - i * RV_SEAL_CHUNK < RV_SEAL_CHUNK ? size - i * RV_SEAL_CHUNK : RV_SEAL_CHUNK;
        size_t len;

        rv_noise_encrypt(&ch->tx, frame, RV_FRAME_HEADER_SIZE, (const uint8_t *)payload + i * RV_SEAL_CHUNK, n,
                         frame + RV_FRAME_HEADER_SIZE + i * (RV_SEAL_CHUNK + RV_SEAL_TAG), n + RV_SEAL_TAG, &len);
    }
    *out = frame;
    return RV_FRAME_HEADER_SIZE + wire;
}

static inline int raw_send_frame(rv_socket s, uint8_t type, const void *payload, uint32_t size)
{
    uint8_t *frame;
    size_t len = raw_frame_bytes(s, type, payload, size, &frame);
    int ret = raw_send(s, frame, len, 5000);

    free(frame);
    return ret;
}

/* Reads one frame with a payload of at most `size` bytes, opened when s has a
 * channel; returns its type or -1 (also for a frame that does not open). */
static inline int raw_recv_frame(rv_socket s, void *payload, uint32_t size, uint32_t *length,
                                 uint32_t timeout_ms)
{
    struct raw_channel *ch = raw_channel(s);
    uint8_t header[RV_FRAME_HEADER_SIZE], *wire;
    uint32_t len, i;
    int ret;

    if (!raw_recv(s, header, sizeof(header), timeout_ms)) return -1;
    len = rv_get_u32(header + 4);
    if (len > size) return -1;
    if (!ch)
    {
        if (len && !raw_recv(s, payload, len, timeout_ms)) return -1;
        if (length) *length = len;
        return header[0];
    }
    wire = malloc(rv_sealed_size(len));
    ret = raw_recv(s, wire, rv_sealed_size(len), timeout_ms) ? header[0] : -1;
    for (i = 0; ret >= 0 && i < rv_seal_chunks(len); i++)
    {
        uint32_t n = len - i * RV_SEAL_CHUNK < RV_SEAL_CHUNK ? len - i * RV_SEAL_CHUNK : RV_SEAL_CHUNK;
        size_t out;

        if (rv_noise_decrypt(&ch->rx, header, sizeof(header), wire + i * (RV_SEAL_CHUNK + RV_SEAL_TAG),
                             n + RV_SEAL_TAG, (uint8_t *)payload + i * RV_SEAL_CHUNK, n, &out))
            ret = -1;
    }
    free(wire);
    if (ret >= 0 && length) *length = len;
    return ret;
}

static inline void raw_prologue(const uint8_t *sid, uint8_t prologue[30 + RV_SESSION_ID_SIZE])
{
    memcpy(prologue, "wine-rendezvous peer channel 2", 30);
    memcpy(prologue + 30, sid, RV_SESSION_ID_SIZE);
}

static inline int raw_split(rv_socket s, struct rv_noise *hs)
{
    struct raw_channel *ch = raw_channel_new(s);
    int ret;

    if (!ch) return 0;
    ret = !rv_noise_handshake_hash(hs, ch->hash) && !rv_noise_split(hs, &ch->tx, &ch->rx);
    rv_noise_clear(hs);
    return ret;
}

/* Options of raw_handshake_ex. */
struct raw_hs
{
    const uint8_t *replay_hello;    /* send these HELLO bytes: no keys, so only a recorded RESPONSE follows */
    const uint8_t *response;        /* RESPONSE payload on the wire instead of the sealed one */
    uint32_t       response_len;
    int            stop_after_challenge;
    uint8_t        hello[RV_HELLO_SIZE];                          /* out: the HELLO sent */
    uint8_t        sealed_response[RV_RESPONSE_SIZE + RV_SEAL_TAG]; /* out: the RESPONSE payload sent */
};

/*
 * Handshake by hand as the invitee, with inv's secret and session id.
 * Returns 1 when CONFIRM opened (or CHALLENGE authenticated, when stopping there).
 */
static inline int raw_handshake_ex(rv_socket s, const struct rv_invitation *inv, uint8_t intent,
                                   struct raw_hs *opt)
{
    uint8_t prologue[30 + RV_SESSION_ID_SIZE], challenge[RV_CHALLENGE_SIZE], response[RV_RESPONSE_SIZE];
    uint8_t confirm[16], *frame;
    struct rv_noise hs;
    size_t len;
    uint32_t got;

    raw_forget(s);
    raw_prologue(inv->session_id, prologue);
    if (rv_noise_init(&hs, 1, prologue, sizeof(prologue), inv->secret, NULL)) return 0;
    if (opt->replay_hello) memcpy(opt->hello, opt->replay_hello, RV_HELLO_SIZE);
    else if (rv_noise_write_message(&hs, NULL, 0, opt->hello, RV_HELLO_SIZE, &len)) return 0;
    if (!raw_send_frame(s, RV_FRAME_HELLO, opt->hello, RV_HELLO_SIZE)) return 0;
    if (raw_recv_frame(s, challenge, sizeof(challenge), &got, 5000) != RV_FRAME_CHALLENGE ||
        got != RV_CHALLENGE_SIZE)
        return 0;
    if (!opt->replay_hello)
    {
        if (rv_noise_read_message(&hs, challenge, sizeof(challenge), NULL, 0, &len)) return 0;
        if (!raw_split(s, &hs)) return 0;
    }
    rv_noise_clear(&hs);
    if (opt->stop_after_challenge) return !opt->replay_hello;
    response[0] = intent;
    response[1] = response[2] = response[3] = 0;
    if (!opt->replay_hello)
    {
        len = raw_frame_bytes(s, RV_FRAME_RESPONSE, response, sizeof(response), &frame);
        memcpy(opt->sealed_response, frame + RV_FRAME_HEADER_SIZE, sizeof(opt->sealed_response));
        free(frame);
    }
    if (opt->response)
    {
        uint8_t header[RV_FRAME_HEADER_SIZE];

        rv_frame_write_header(header, RV_FRAME_RESPONSE, opt->response_len - RV_SEAL_TAG);
        if (!raw_send(s, header, sizeof(header), 5000) || !raw_send(s, opt->response, opt->response_len, 5000))
            return 0;
    }
    else
    {
        uint8_t header[RV_FRAME_HEADER_SIZE];

        rv_frame_write_header(header, RV_FRAME_RESPONSE, sizeof(response));
        if (!raw_send(s, header, sizeof(header), 5000) ||
            !raw_send(s, opt->sealed_response, sizeof(opt->sealed_response), 5000))
            return 0;
    }
    if (opt->replay_hello) return raw_recv(s, confirm, 8, 2000);
    return raw_recv_frame(s, confirm, sizeof(confirm), &got, 5000) == RV_FRAME_CONFIRM && !got;
}

static inline int raw_handshake(rv_socket s, const struct rv_invitation *inv, uint8_t intent,
                                int stop_after_challenge)
{
    struct raw_hs opt;

    memset(&opt, 0, sizeof(opt));
    opt.stop_after_challenge = stop_after_challenge;
    return raw_handshake_ex(s, inv, intent, &opt);
}

/*
 * The inviter's side by hand on an accepted socket: reads HELLO, answers
 * CHALLENGE.  Returns 1 when HELLO authenticated (then s has a channel).
 */
static inline int raw_answer_hello(rv_socket s, const struct rv_invitation *inv)
{
    uint8_t prologue[30 + RV_SESSION_ID_SIZE], hello[RV_HELLO_SIZE], challenge[RV_CHALLENGE_SIZE];
    struct rv_noise hs;
    uint32_t got;
    size_t len;

    raw_forget(s);
    raw_prologue(inv->session_id, prologue);
    if (raw_recv_frame(s, hello, sizeof(hello), &got, 5000) != RV_FRAME_HELLO || got != RV_HELLO_SIZE) return 0;
    if (rv_noise_init(&hs, 0, prologue, sizeof(prologue), inv->secret, NULL) ||
        rv_noise_read_message(&hs, hello, sizeof(hello), NULL, 0, &len) ||
        rv_noise_write_message(&hs, NULL, 0, challenge, sizeof(challenge), &len))
    {
        rv_noise_clear(&hs);
        return 0;
    }
    if (!raw_send_frame(s, RV_FRAME_CHALLENGE, challenge, sizeof(challenge))) return 0;
    return raw_split(s, &hs);
}

/* Waits until live allocations drop to `expect` (the I/O thread frees closed connections). */
static inline long wait_live_allocations(long expect, uint32_t timeout_ms)
{
    uint64_t deadline = rv_time_ms() + timeout_ms;
    long n;

    while ((n = live_allocations()) != expect && rv_time_ms() < deadline) rv_sleep_ms(5);
    return n;
}

#endif /* __WINE_RV_TESTUTIL_H */
