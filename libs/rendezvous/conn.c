/*
 * Rendezvous core: peer connections: their lifecycle, output, input and routing
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

#include <string.h>

#include "rv_core.h"

/* The session layer above, which hears what happens on its connections. */
static const struct conn_upcalls *up;

/* The closing list and its tickets, under core.lock. */
static struct rv_conn *closing_conns;       /* orphans of destroyed sessions, see session_hand_over_conns */
static unsigned int n_closing;
static uint32_t last_ticket;

/* ---- connections ---- */

struct rv_conn *conn_new(struct rv_session *s)
{
    struct rv_conn *c;

    if (!(c = rv_alloc(sizeof(*c)))) return NULL;
    memset(c, 0, sizeof(*c));
    c->session = s;
    c->sock = RV_INVALID_SOCKET;
    rv_decoder_init(&c->dec, s->profile.max_context_units);
    return c;
}

void conn_discard(struct rv_conn *c)
{
    channel_clear(c);
    rv_socket_close(c->sock);
    rv_free(c->answer);
    rv_free(c->cancel);
    rv_free(c);
}

void conn_link(struct rv_conn *c)
{
    struct rv_session *s = c->session;

    c->next = s->conns;
    s->conns = c;
}

static void conn_free_buffers(struct rv_conn *c)
{
    struct rv_out *o;

    while ((o = c->out_head))
    {
        c->out_head = o->next;
        out_free(o);
    }
    c->out_tail = NULL;
    c->out_bytes = 0;
    c->out_data = 0;
    if (c->rx_event) event_free(c->rx_event);
    c->rx_event = NULL;
    slab_release(c);
    rv_free(c->rx_block);
    c->rx_block = NULL;
    rv_free(c->answer);
    c->answer = NULL;
    c->answer_len = 0;
    rv_free(c->cancel);
    c->cancel = NULL;
    c->cancel_len = 0;
    /* A connection that ends gives back the spare blocks too: they serve a
     * stream, and a closed one is often the last of its kind. */
    large_trim();
}

/* Detaches c from its session's lists and counters. */
static void conn_unlink(struct rv_conn *c)
{
    struct rv_session *s = c->session;
    struct rv_conn **p;

    for (p = &s->conns; *p; p = &(*p)->next)
    {
        if (*p != c) continue;
        *p = c->next;
        break;
    }
    if (s->active == c) s->active = NULL;
    if (s->listener == c) s->listener = NULL;
    if (c->pending) s->n_pending--;
    c->pending = 0;
}

/*
 * Closing a socket with unread input makes TCP send RST, and the peer may then
 * lose what it had not read yet: shut the write side and drain first.
 */
static void conn_close_socket(struct rv_conn *c)
{
    uint8_t buffer[4096];
    size_t drained = 0;

    if (c->sock == RV_INVALID_SOCKET) return;
    if (c->phase != PHASE_LISTEN && c->phase != PHASE_CONNECTING)
    {
        if (!c->shut) rv_socket_shutdown_write(c->sock);
        while (drained < RV_CLOSE_DRAIN_BYTES)
        {
            rv_result err;
            long n = rv_socket_recv(c->sock, buffer, sizeof(buffer), &err);

            if (n <= 0) break;
            drained += (size_t)n;
        }
    }
    rv_socket_close(c->sock);
    c->sock = RV_INVALID_SOCKET;
}

/*
 * The socket closes at once; the structure is freed by the I/O thread at the
 * start of its next round, since its poll array may still point to it.
 */
void conn_close(struct rv_conn *c)
{
    struct rv_conn **p;

    if (c->dead) return;
    if (c->session) conn_unlink(c);
    else if (c->orphan)
    {
        for (p = &closing_conns; *p; p = &(*p)->next)
        {
            if (*p != c) continue;
            *p = c->next;
            break;
        }
        n_closing--;
        c->orphan = 0;
    }
    c->pending = 0;
    c->dead = 1;
    c->session = NULL;
    channel_clear(c);
    conn_free_buffers(c);
    conn_close_socket(c);
    io_bury(c);
    io_signal();
}

void session_close_conns(struct rv_session *s, int keep_detached)
{
    struct rv_conn *c, *next;

    for (c = s->conns; c; c = next)
    {
        next = c->next;
        if (keep_detached && c->detached) continue;
        conn_close(c);
    }
}

/* Something the peer is still owed: queued frames, a handshake answer, or a linger for its EOF. */
static int conn_has_last_words(const struct rv_conn *c)
{
    switch (c->phase)
    {
    case PHASE_CLOSING:
        return 1;
    case PHASE_ESTABLISHED:
        return c->ctl_sent < c->ctl_len || c->out_head || c->n_errors || c->errors_owed || c->final_cancel;
    case PHASE_CONNECTING:
    case PHASE_WAIT_CHALLENGE:
    case PHASE_WAIT_CONFIRM:
        /* A declining or cancelling invitee still tells the inviter. */
        return c->detached;
    default:
        return 0;
    }
}

/* An orphan whose last frames are all in the kernel. */
static int conn_delivered(const struct rv_conn *c)
{
    if (c->phase == PHASE_CLOSING) return c->shut;
    /* A declining invitee has said everything once RESPONSE is out. */
    return c->phase == PHASE_WAIT_CONFIRM && c->intent == RV_INTENT_DECLINE && c->ctl_sent == c->ctl_len;
}

uint32_t session_hand_over_conns(struct rv_session *s)
{
    uint64_t now = rv_time_ms();
    struct rv_conn *c, *next;
    uint32_t ticket = 0;

    for (c = s->conns; c; c = next)
    {
        next = c->next;
        /* Without a poll entry it could not progress: close it instead. */
        if (!conn_has_last_words(c) || reserve_poll_entries(core.n_sessions, n_closing + 1))
        {
            conn_close(c);
            continue;
        }
        conn_unlink(c);
        c->detached = 1;
        /* Queued frames go out, then the write side is shut as after terminate. */
        if (c->phase == PHASE_ESTABLISHED) c->phase = PHASE_CLOSING;
        if (!c->deadline || c->deadline > now + RV_LINGER_MS) c->deadline = now + RV_LINGER_MS;
        /* From here on nothing may reach the session: it is about to be freed. */
        c->session = NULL;
        c->orphan = 1;
        if (!conn_delivered(c))
        {
            if (!ticket && !(ticket = ++last_ticket)) ticket = ++last_ticket;
            c->ticket = ticket;
        }
        c->next = closing_conns;
        closing_conns = c;
        n_closing++;
    }
    s->conns = NULL;
    s->active = s->listener = NULL;
    io_signal();
    return ticket;
}

static int handover_pending(uint32_t ticket)
{
    struct rv_conn *c;

    for (c = closing_conns; c; c = c->next)
        if (c->ticket == ticket && !conn_delivered(c)) return 1;
    return 0;
}

static unsigned int conn_closing_count(void)
{
    return n_closing;
}

static void close_closing_conns(void)
{
    while (closing_conns) conn_close(closing_conns);
}

/* A control frame goes out next, so it takes the next nonces now. */
void conn_append(struct rv_conn *c, struct rv_out *o)
{
    if (c->out_tail) c->out_tail->next = o;
    else c->out_head = o;
    c->out_tail = o;
    c->out_bytes += o->size;
    if (o->is_data) c->out_data++;
}

void session_cancel_conns(struct rv_session *s, uint8_t *block, uint32_t length)
{
    struct rv_conn *c, *next;
    uint64_t now = rv_time_ms();

    for (c = s->conns; c; c = next)
    {
        next = c->next;
        if (c->detached) continue;
        switch (c->phase)
        {
        case PHASE_WAIT_RESPONSE:
            /* The invitee may already trust us: tell it, so it ends DECLINED. */
            c->detached = 1;
            c->pending = 0;
            s->n_pending--;
            c->final_cancel = 1;
            c->phase = PHASE_CLOSING;
            c->deadline = now + RV_LINGER_MS;
            break;
        case PHASE_CONNECTING:
        case PHASE_WAIT_CHALLENGE:
            /* RESPONSE not sent yet: it will say "decline", with the cancel's data. */
            c->detached = 1;
            c->intent = RV_INTENT_DECLINE;
            rv_free(c->answer);
            c->answer = NULL;
            c->answer_len = 0;
            if (block && length > RV_CANCEL_HEADER_SIZE)
            {
                /* The data moves to the front of the block. */
                c->answer_len = (uint16_t)(length - RV_CANCEL_HEADER_SIZE);
                memmove(block, block + RV_CANCEL_HEADER_SIZE, c->answer_len);
                c->answer = block;
                block = NULL;
            }
            break;
        case PHASE_WAIT_CONFIRM:
            /* We checked the inviter's proof: it may have our data. */
            c->detached = 1;
            c->final_cancel = 1;
            c->cancel = block;
            c->cancel_len = block ? (uint16_t)length : 0;
            block = NULL;
            break;
        case PHASE_ESTABLISHED:
            c->detached = 1;
            c->final_cancel = 1;
            c->phase = PHASE_CLOSING;
            c->deadline = now + RV_LINGER_MS;
            c->cancel = block;
            c->cancel_len = block ? (uint16_t)length : 0;
            block = NULL;
            conn_write_now(c);
            break;
        default:
            conn_close(c);
            break;
        }
    }
    /* Only one connection is authenticated; nobody else gets the data. */
    rv_free(block);
    s->active = NULL;
    io_signal();
}

/*
 * A failure on a connection: the session ends if the connection carries it.
 * Context data still queued will not arrive, so the sender hears of it first.
 */
void conn_fail(struct rv_conn *c, rv_result hr)
{
    struct rv_session *s = c->session;

    if (s && !c->detached && s->active == c && !state_is_final(s->state))
    {
        up->failed(s, hr, c->out_data != 0);
    }
    conn_close(c);
}

/* ---- output ---- */

static void conn_on_readable(struct rv_conn *c);

static int conn_can_send_queue(const struct rv_conn *c)
{
    return c->phase == PHASE_ESTABLISHED || c->phase == PHASE_CLOSING;
}

/* One SEND_ERROR frame for each message this side could not deliver: a few
 * with their own hr, then counted, but never dropped. */
static void conn_owe_send_error(struct rv_conn *c, rv_result hr)
{
    if (c->n_errors < sizeof(c->errors) / sizeof(c->errors[0]) && !c->errors_owed)
        c->errors[c->n_errors++] = hr;
    else if (c->errors_owed < UINT32_MAX)
    {
        c->owed_hr = hr;
        c->errors_owed++;
    }
}

static void conn_fill_ctl(struct rv_conn *c)
{
    uint8_t payload[4];

    if (c->ctl_sent < c->ctl_len || !conn_can_send_queue(c)) return;
    c->ctl_len = c->ctl_sent = 0;
    if (c->n_errors)
    {
        rv_put_u32(payload, (uint32_t)c->errors[0]);
        memmove(c->errors, c->errors + 1, (size_t)(c->n_errors - 1) * sizeof(c->errors[0]));
        c->n_errors--;
        channel_set_ctl(c, RV_FRAME_SEND_ERROR, payload, sizeof(payload));
    }
    else if (c->errors_owed)
    {
        rv_put_u32(payload, (uint32_t)c->owed_hr);
        c->errors_owed--;
        channel_set_ctl(c, RV_FRAME_SEND_ERROR, payload, sizeof(payload));
    }
    else if (c->final_cancel && !c->out_head)
    {
        c->final_cancel = 0;
        channel_set_ctl(c, RV_FRAME_CANCEL, c->cancel, c->cancel_len);
        /* At process exit a killed thread may hold the heap's lock; the block goes with the process. */
        if (!core.exiting) rv_free(c->cancel);
        c->cancel = NULL;
        c->cancel_len = 0;
    }
}

/* Whether c has something to write. */
static int conn_wants_output(struct rv_conn *c)
{
    if (c->ctl_sent < c->ctl_len || c->seal_failed) return 1;
    if (!conn_can_send_queue(c)) return 0;
    return c->out_head || c->n_errors || c->errors_owed || c->final_cancel;
}

/* Writes what the socket takes of what c owes, a started frame first, then
 * control frames.  Returns 0, or -1 with *err when the socket failed. */
static int conn_write_owed(struct rv_conn *c, rv_result *err)
{
    for (;;)
    {
        struct rv_out *o = c->out_head;
        const uint8_t *p;
        size_t n;
        int is_ctl;
        long r;

        if (c->seal_failed)
        {
            /* A control frame could not be sealed: nonces used up. */
            *err = RV_E_PROTOCOL;
            return -1;
        }
        if (o && o->sealed && conn_can_send_queue(c))
        {
            /* A frame already sealed (its nonces taken) goes out whole before anything else. */
            p = o->bytes + o->sent;
            n = o->size - o->sent;
            is_ctl = 0;
        }
        else
        {
            conn_fill_ctl(c);
            if (c->ctl_sent < c->ctl_len)
            {
                p = c->ctl + c->ctl_sent;
                n = (size_t)(c->ctl_len - c->ctl_sent);
                is_ctl = 1;
            }
            else if (o && conn_can_send_queue(c))
            {
                p = o->bytes + o->sent;
                n = o->size - o->sent;
                is_ctl = 0;
            }
            else if (c->seal_failed) continue;
            else return 0;
        }
        /* Sealed as it starts: the nonces follow the order on the wire. */
        if (!is_ctl && channel_seal_out(c, o))
        {
            *err = RV_E_PROTOCOL;
            return -1;
        }

        r = rv_socket_send(c->sock, p, n, err);
        if (r == -1) return 0;
        if (r < 0) return -1;
        network_wait_progress((uint64_t)r);
        if (is_ctl) c->ctl_sent += (uint16_t)r;
        else
        {
            o->sent += (uint32_t)r;
            if (o->sent == o->size)
            {
                c->out_head = o->next;
                if (!c->out_head) c->out_tail = NULL;
                c->out_bytes -= o->size;
                if (o->is_data) c->out_data--;
                out_free(o);
            }
        }
    }
}

/* A closing connection whose frames are all out: half-close, and wait a little for the peer's EOF. */
static void conn_shut_when_done(struct rv_conn *c)
{
    uint64_t drain_end;

    if (c->phase != PHASE_CLOSING || c->shut || conn_wants_output(c)) return;
    drain_end = rv_time_ms() + RV_DRAIN_MS;
    rv_socket_shutdown_write(c->sock);
    c->shut = 1;
    if (!c->deadline || c->deadline > drain_end) c->deadline = drain_end;
}

/* Writes what the socket takes.  Returns 0, or -1 when the connection was closed. */
static int conn_flush(struct rv_conn *c)
{
    rv_result err = RV_E_FAIL;

    if (conn_write_owed(c, &err))
    {
        /* What the peer sent before it went away is delivered first, in order. */
        conn_on_readable(c);
        if (!c->dead) conn_fail(c, err);
        return -1;
    }
    conn_shut_when_done(c);
    return 0;
}

/*
 * From an API call, core.lock held: hands what was just queued straight to the
 * socket, so that it does not wait for the I/O thread (which a process exit
 * may kill at any moment).  Returns 1 when the I/O thread still has something
 * to do: the rest, a new deadline, or a failure, which it reports after what
 * the peer sent before it.
 */
int conn_write_now(struct rv_conn *c)
{
    rv_result err = RV_E_FAIL;
    unsigned int was_shut = c->shut;

    if (c->dead || c->sock == RV_INVALID_SOCKET) return 0;
    if (conn_write_owed(c, &err)) return 1;
    conn_shut_when_done(c);
    return conn_wants_output(c) || c->shut != was_shut;
}

/* ---- input ---- */

static int frame_expected(const struct rv_conn *c, uint8_t type)
{
    switch (c->phase)
    {
    case PHASE_WAIT_HELLO:     return type == RV_FRAME_HELLO;
    case PHASE_WAIT_RESPONSE:  return type == RV_FRAME_RESPONSE;
    case PHASE_WAIT_CHALLENGE: return type == RV_FRAME_CHALLENGE;
    case PHASE_WAIT_CONFIRM:   return type == RV_FRAME_CONFIRM || type == RV_FRAME_CANCEL;
    case PHASE_ESTABLISHED:
        return type == RV_FRAME_DATA || type == RV_FRAME_SEND_ERROR ||
               type == RV_FRAME_TERMINATE || type == RV_FRAME_CANCEL;
    case PHASE_CLOSING:        return 1;
    default:                   return 0;
    }
}

/* A sealed payload is opened in its buffer: chunk by chunk as they come whole. */
static void conn_read_into(struct rv_conn *c, uint8_t *buffer, uint32_t capacity)
{
    c->rx_buf = buffer && capacity >= c->dec.wire ? buffer : NULL;
    c->rx_opened = 0;
    rv_decoder_set_buffer(&c->dec, buffer, capacity);
}

/* Chooses where the payload goes; the length is already validated. */
static void conn_on_header(struct rv_conn *c)
{
    uint32_t length = c->dec.length, wire = c->dec.wire;
    int wanted = !c->detached && c->phase == PHASE_ESTABLISHED;

    c->rx_dropped = 0;
    switch (c->dec.type)
    {
    case RV_FRAME_DATA:
        if (wanted)
        {
            size_t size = sizeof(struct rv_event) + wire;
            int large = size >= RV_LARGE_MIN;
            struct rv_slab *slab = NULL;
            struct rv_event *ev;

            if (large) ev = large_alloc(size);
            else if (size <= SLAB_EVENT_MAX) ev = slab_event_alloc(c, size, &slab);
            else ev = rv_alloc(size);
            if (ev)
            {
                memset(ev, 0, sizeof(*ev));
                ev->slab = slab;
                ev->kind = EV_CONTEXT_DATA;
                ev->allocated = 1;
                ev->large = large;
                ev->count = length / 2;
                ev->units = (const uint16_t *)(ev + 1);
                ev->charge = sizeof(*ev) + wire;
                c->rx_event = ev;
                conn_read_into(c, (uint8_t *)(ev + 1), wire);
                return;
            }
            /* Still opened when small, so that a forged frame ends the session. */
            c->rx_dropped = 1;
            if (wire <= sizeof(c->small))
            {
                conn_read_into(c, c->small, wire);
                return;
            }
        }
        conn_read_into(c, NULL, 0);
        return;
    case RV_FRAME_TERMINATE:
        if (wanted && (c->rx_block = rv_alloc(wire)))
        {
            conn_read_into(c, c->rx_block, wire);
            return;
        }
        /* Without memory the data is dropped; the hr still arrives when the frame fits. */
        if (wire <= sizeof(c->small)) conn_read_into(c, c->small, wire);
        else conn_read_into(c, NULL, 0);
        return;
    default:
        conn_read_into(c, c->small, wire <= sizeof(c->small) ? wire : 0);
        return;
    }
}

static void units_from_le(uint8_t *bytes, uint32_t count)
{
    static const uint16_t one = 1;
    uint32_t i;

    /* Nothing to do on a little-endian host. */
    if (*(const uint8_t *)&one) return;
    /* In place: each unit is read before its own two bytes are rewritten. */
    for (i = 0; i < count; i++)
    {
        uint16_t u = (uint16_t)(bytes[2 * i] | bytes[2 * i + 1] << 8);

        memcpy(bytes + 2 * i, &u, sizeof(u));
    }
}

static void conn_on_frame(struct rv_conn *c)
{
    struct rv_session *s = c->session;
    uint8_t type = c->dec.type;
    uint32_t length = c->dec.length;
    rv_result hr;

    if ((hr = channel_open_frame(c)))
    {
        if (c->phase == PHASE_WAIT_RESPONSE) up->handshake_rejected(c);
        else conn_fail(c, hr);
        return;
    }
    if (c->phase == PHASE_CLOSING) return;
    if (c->phase != PHASE_ESTABLISHED)
    {
        up->handshake_frame(c);
        return;
    }
    if (c->detached) return;
    switch (type)
    {
    case RV_FRAME_DATA:
        if (c->rx_event)
        {
            struct rv_event *ev = c->rx_event;

            c->rx_event = NULL;
            units_from_le((uint8_t *)(ev + 1), ev->count);
            up->data(s, ev);
        }
        else if (c->rx_dropped)
        {
            /* Could not store it: the sender gets OnSendError. */
            conn_owe_send_error(c, RV_E_OUTOFMEMORY);
        }
        return;
    case RV_FRAME_SEND_ERROR:
        up->send_error(s, (rv_result)rv_get_u32(c->small));
        return;
    case RV_FRAME_TERMINATE:
    {
        uint8_t *block = c->rx_block;

        c->rx_block = NULL;
        if (block) units_from_le(block + 4, (length - 4) / 2);
        up->terminated(c, (rv_result)rv_get_u32(block ? block : c->small), block, block ? length : 0);
        return;
    }
    case RV_FRAME_CANCEL:
        up->cancelled(c);
        return;
    }
}

/* Whether c's session holds too much unread input for c to be read now. */
static int conn_throttled(struct rv_conn *c)
{
    struct rv_session *s = c->session;

    if (c->detached || c->phase != PHASE_ESTABLISHED) return 0;
    if (s->ev_bytes < RV_MAX_INCOMING_BYTES) return 0;
    s->throttled = 1;
    return 1;
}

static void conn_on_eof(struct rv_conn *c, rv_result hr)
{
    /* Handshakes of the inviter and lingering connections end quietly. */
    if (c->phase == PHASE_CLOSING || c->detached || c->pending) conn_close(c);
    else conn_fail(c, hr);
}

static void conn_consume(struct rv_conn *c, const uint8_t *data, size_t size)
{
    rv_result hr;

    while (!c->dead)
    {
        enum rv_decode_status status;
        size_t used = rv_decoder_feed(&c->dec, data, size, &status);

        data += used;
        size -= used;
        switch (status)
        {
        case RV_DECODE_MORE:
            if (c->rx_buf && (hr = channel_open_arrived(c))) conn_fail(c, hr);
            return;
        case RV_DECODE_ERROR:
            conn_on_eof(c, RV_E_PROTOCOL);
            return;
        case RV_DECODE_HEADER:
            if (!frame_expected(c, c->dec.type))
            {
                conn_on_eof(c, RV_E_PROTOCOL);
                return;
            }
            conn_on_header(c);
            break;
        case RV_DECODE_FRAME:
            conn_on_frame(c);
            break;
        }
    }
}

/* Every read happens under core.lock, so one buffer serves every connection. */
static uint8_t read_buffer[262144];

/*
 * until_empty: read until the socket would block (before a failure is
 * reported); else stop after a short read, which took all there was: the
 * level-triggered poll says when more comes, and a read that would block
 * costs a system call (a wineserver round trip under Wine).
 * Host threads read too (conn_read_now), under the same lock.
 */
static void conn_read(struct rv_conn *c, int until_empty)
{
    int budget = 16;

    while (!c->dead && budget--)
    {
        rv_result err = RV_E_FAIL;
        long n;

        if (conn_throttled(c)) return;
        n = rv_socket_recv(c->sock, read_buffer, sizeof(read_buffer), &err);
        if (n == -1) return;
        /* An inviter closes on a HELLO that does not authenticate: another secret. */
        if (n <= 0 && c->phase == PHASE_WAIT_CHALLENGE)
        {
            conn_on_eof(c, RV_E_ACCESS_DENIED);
            return;
        }
        if (n == 0)
        {
            conn_on_eof(c, RV_E_CONNECTION_RESET);
            return;
        }
        if (n < 0)
        {
            conn_on_eof(c, err);
            return;
        }
        conn_consume(c, read_buffer, (size_t)n);
        if (!until_empty && (size_t)n < sizeof(read_buffer)) return;
    }
}

/* The connection that carries its session's data. */
static int conn_carries_session(const struct rv_conn *c)
{
    return !c->dead && !c->detached && c->phase == PHASE_ESTABLISHED;
}

int conn_read_by_host(const struct rv_conn *c)
{
    return c->host_reads && conn_carries_session(c) && c->session && !c->session->closing;
}

/*
 * From the first call on, the owner reads the connection: the I/O thread no
 * longer polls it for input (only to send what a call could not), so that one
 * reader at a time takes the data, the end of the stream included, and a
 * Windows owner gets one FD_READ per read of its own, not one more for each
 * read of the I/O thread.  A destroyed session's connection goes back to the
 * I/O thread.
 */
static void conn_take_input(struct rv_conn *c)
{
    if (c->host_reads) return;
    c->host_reads = 1;
    /* The I/O thread drops it from its poll for input. */
    io_signal();
}

void conn_read_now(struct rv_conn *c)
{
    if (!conn_carries_session(c)) return;
    conn_take_input(c);
    conn_read(c, 0);
    /* What the frames asked for (a delivery failure to report) goes out from the I/O thread. */
    if (!c->dead && conn_wants_output(c)) io_signal();
}

int conn_get_socket(const struct rv_conn *c, rv_socket *sock)
{
    if (!conn_carries_session(c)) return 0;
    *sock = c->sock;
    return 1;
}

/*
 * The owner's thread hears of this socket, and the I/O thread does not: both
 * of what arrives, which the owner reads, and of room to send after a send
 * would have blocked, which it passes on to the I/O thread.  Once the
 * connection no longer carries the session (terminated, handed over), the
 * I/O thread takes the socket back (conn_take_back).
 */
int conn_route(struct rv_conn *c, uintptr_t window, uint32_t message)
{
    if (!conn_carries_session(c)) return 0;
    if (!c->routed)
    {
        if (rv_socket_route(c->sock, window, message)) return 0;
        c->routed = 1;
    }
    conn_take_input(c);
    return 1;
}

rv_result conn_routed_event(struct rv_conn *c, uintptr_t socket, uintptr_t lparam)
{
    unsigned int events;

    if (!c->routed || !conn_read_by_host(c) || (uintptr_t)c->sock != socket) return RV_S_FALSE;
    events = rv_socket_routed_event(c->sock, lparam);
    if ((events & RV_ROUTED_WRITABLE) && conn_wants_output(c)) io_signal();
    if (events & RV_ROUTED_READABLE) conn_read_now(c);
    return RV_S_OK;
}

/* I/O thread: a routed connection that no longer carries its session is polled here again. */
static void conn_take_back(struct rv_conn *c)
{
    if (!c->routed || c->dead || conn_read_by_host(c)) return;
    rv_socket_unroute(c->sock);
    c->routed = 0;
}

static void conn_on_readable(struct rv_conn *c)
{
    conn_read(c, 1);
}

/*
 * A full set of pending connections makes room for a new one: the oldest that
 * has not sent a HELLO that opens goes (its input is read first, so a genuine
 * invitee whose HELLO is waiting is not the one), and idle connections cannot
 * lock the invitee out.  0 when every pending connection has authenticated.
 */
static int evict_idle_pending(struct rv_session *s)
{
    struct rv_conn *c, *oldest;

    for (;;)
    {
        oldest = NULL;
        for (c = s->conns; c; c = c->next)
            if (c->pending && !c->dead && c->phase == PHASE_WAIT_HELLO && (!oldest || c->seq < oldest->seq))
                oldest = c;
        if (!oldest) return 0;
        conn_read(oldest, 0);
        if (oldest->dead) return 1;
        if (oldest->phase != PHASE_WAIT_HELLO) continue;
        conn_close(oldest);
        return 1;
    }
}

static void listener_on_readable(struct rv_conn *l)
{
    struct rv_session *s = l->session;
    int budget = 8;

    while (!l->dead && budget--)
    {
        struct rv_conn *c;
        rv_socket sock;
        rv_result hr = rv_socket_accept(l->sock, &sock, NULL);

        if (hr == RV_S_FALSE) return;
        if (hr)
        {
            l->deadline = rv_time_ms() + RV_ACCEPT_BACKOFF_MS;
            return;
        }
        if (s->state != RV_STATE_INVITATION ||
            (s->n_pending >= RV_MAX_PENDING_CONNECTIONS && !evict_idle_pending(s)) || !(c = conn_new(s)))
        {
            rv_socket_close(sock);
            continue;
        }
        c->sock = sock;
        c->phase = PHASE_WAIT_HELLO;
        c->pending = 1;
        c->accepted = rv_time_ms();
        c->seq = ++s->accept_seq;
        c->deadline = c->accepted + (s->hs_timeout < RV_HELLO_TIMEOUT_MS ? s->hs_timeout : RV_HELLO_TIMEOUT_MS);
        s->n_pending++;
        conn_link(c);
        /* The poll says when the next one is there; an accept that would block costs a round trip. */
        if (!rv_socket_may_read(l->sock)) return;
    }
}

static void conn_on_connected(struct rv_conn *c, rv_result hr)
{
    if (hr == RV_S_FALSE) return;
    if (hr)
    {
        if (c->detached) conn_close(c);
        else conn_fail(c, hr == RV_E_FAIL ? RV_E_CONNECTION_REFUSED : hr);
        return;
    }
    c->phase = PHASE_WAIT_CHALLENGE;
    conn_flush(c);
}

static void conn_on_poll(struct rv_conn *c, short revents)
{
    switch (c->phase)
    {
    case PHASE_LISTEN:
        listener_on_readable(c);
        return;
    case PHASE_CONNECTING:
        conn_on_connected(c, rv_socket_connect_status(c->sock));
        return;
    default:
        if ((revents & (RV_POLL_OUT | RV_POLL_ERR)) && conn_wants_output(c) && conn_flush(c)) return;
        if (!c->dead && (revents & (RV_POLL_IN | RV_POLL_ERR))) conn_read(c, 0);
        if (!c->dead && conn_wants_output(c)) conn_flush(c);
        return;
    }
}

static void conn_on_deadline(struct rv_conn *c)
{
    switch (c->phase)
    {
    case PHASE_LISTEN:
        c->deadline = 0; /* accept backoff over */
        return;
    case PHASE_CONNECTING:
    case PHASE_WAIT_CHALLENGE:
    case PHASE_WAIT_CONFIRM:
        if (c->detached) conn_close(c);
        else conn_fail(c, RV_E_TIMEOUT);
        return;
    default:
        conn_close(c);
        return;
    }
}

rv_result rv_session_report_delivery_failure(struct rv_session *s, rv_result hr)
{
    struct rv_conn *c;
    rv_result ret = RV_S_OK;

    if (!s) return RV_E_POINTER;
    rv_mutex_lock(&core.lock);
    c = s->active;
    if (s->closing || s->state != RV_STATE_CONNECTED || !c || c->detached || c->phase != PHASE_ESTABLISHED)
        ret = RV_E_INVALID_STATE;
    else
    {
        /* Sent as a SEND_ERROR frame, in order with the rest of the output. */
        conn_owe_send_error(c, hr);
        io_signal();
    }
    rv_mutex_unlock(&core.lock);
    return ret;
}

/* ---- what the I/O thread asks (core.lock held) ---- */

static short conn_poll_events(struct rv_conn *c, uint64_t now)
{
    short events = 0;

    switch (c->phase)
    {
    case PHASE_LISTEN:
        if (!c->deadline || c->deadline <= now) events = RV_POLL_IN;
        break;
    case PHASE_CONNECTING:
        events = RV_POLL_OUT;
        break;
    default:
        if (!conn_read_by_host(c) && !conn_throttled(c)) events |= RV_POLL_IN;
        if (conn_wants_output(c)) events |= RV_POLL_OUT;
        break;
    }
    return events;
}

static unsigned int poll_add(rv_pollfd *fds, struct rv_conn **owners, unsigned int n, unsigned int cap,
                             struct rv_conn *c, uint64_t now, uint64_t *next)
{
    short events;

    conn_take_back(c);
    events = conn_poll_events(c, now);

    if (c->deadline && c->deadline < *next) *next = c->deadline;
    /* The invitation's end wakes the loop too. */
    if (c->phase == PHASE_LISTEN && c->session && c->session->expires < *next) *next = c->session->expires;
    /* WSAPoll may miss a failed connect: look again soon. */
    if (c->phase == PHASE_CONNECTING && now + 50 < *next) *next = now + 50;
    if (!events || n >= cap) return n;
    fds[n].fd = c->sock;
    fds[n].events = events;
    fds[n].revents = 0;
    owners[n] = c;
    return n + 1;
}

static unsigned int conn_poll_set(rv_pollfd *fds, struct rv_conn **owners, unsigned int cap, uint64_t now,
                                  uint64_t *next)
{
    unsigned int n = 1;
    struct rv_session *s;
    struct rv_conn *c;

    for (s = core.sessions; s; s = s->next)
        for (c = s->conns; c; c = c->next) n = poll_add(fds, owners, n, cap, c, now, next);
    for (c = closing_conns; c; c = c->next) n = poll_add(fds, owners, n, cap, c, now, next);
    return n;
}

/* An invitation past its lifetime: the listener and the handshakes in progress
 * close quietly; the inviter hears nothing and stays in RV_STATE_INVITATION. */
static void session_expire(struct rv_session *s)
{
    struct rv_conn *c, *next;

    for (c = s->conns; c; c = next)
    {
        next = c->next;
        if (c->phase == PHASE_LISTEN || c->pending) conn_close(c);
    }
}

/* Returns 1 when c was closed (closing it may have taken others of its session with it). */
static int conn_check_deadline(struct rv_conn *c, uint64_t now)
{
    if (c->phase == PHASE_LISTEN && c->session && c->session->expires <= now &&
        c->session->state == RV_STATE_INVITATION)
    {
        session_expire(c->session);
        return 1;
    }
    if (c->phase == PHASE_CONNECTING)
    {
        conn_on_connected(c, rv_socket_connect_status(c->sock));
        if (c->dead) return 1;
    }
    if (c->deadline && c->deadline <= now)
    {
        conn_on_deadline(c);
        if (c->dead) return 1;
    }
    return 0;
}

static void conn_check_deadlines(uint64_t now)
{
    struct rv_session *s;
    struct rv_conn *c, *next;

    for (s = core.sessions; s; s = s->next)
    {
        for (c = s->conns; c; c = next)
        {
            next = c->next;
            if (conn_check_deadline(c, now)) break;
        }
    }
    /* An orphan only ever closes itself, so the next one stays linked. */
    for (c = closing_conns; c; c = next)
    {
        next = c->next;
        conn_check_deadline(c, now);
    }
}

static void conn_deliver_up(void)
{
    up->deliver();
}

/* What a connection still owes its peer when the process exits: its queue, a
 * composed frame, or a linger for the peer's EOF. */
static int conn_owes_at_exit(const struct rv_conn *c)
{
    if (c->dead || c->sock == RV_INVALID_SOCKET) return 0;
    if (c->phase == PHASE_ESTABLISHED || c->phase == PHASE_CLOSING) return 1;
    return c->phase != PHASE_LISTEN && c->phase != PHASE_CONNECTING && c->ctl_sent < c->ctl_len;
}

static void conn_close_at_exit(struct rv_conn *c)
{
    rv_socket_close(c->sock);
    c->sock = RV_INVALID_SOCKET;
}

/* Writes what it can, half-closes once all is out, and asks for what is needed next. */
static unsigned int exit_poll_add(rv_pollfd *fds, struct rv_conn **owners, unsigned int n, unsigned int cap,
                                  struct rv_conn *c)
{
    rv_result err = RV_E_FAIL;

    if (!conn_owes_at_exit(c) || n >= cap) return n;
    if (!c->shut)
    {
        if (conn_write_owed(c, &err))
        {
            conn_close_at_exit(c);
            return n;
        }
        if (!conn_wants_output(c))
        {
            rv_socket_shutdown_write(c->sock);
            c->shut = 1;
        }
    }
    fds[n].fd = c->sock;
    fds[n].events = c->shut ? RV_POLL_IN : RV_POLL_IN | RV_POLL_OUT;
    fds[n].revents = 0;
    owners[n] = c;
    return n + 1;
}

static unsigned int conn_exit_poll_set(rv_pollfd *fds, struct rv_conn **owners, unsigned int cap)
{
    struct rv_session *s;
    struct rv_conn *c;
    unsigned int n = 0;

    for (s = core.sessions; s; s = s->next)
        for (c = s->conns; c; c = c->next) n = exit_poll_add(fds, owners, n, cap, c);
    for (c = closing_conns; c; c = c->next) n = exit_poll_add(fds, owners, n, cap, c);
    return n;
}

/* Reads and drops what the peer still sends, so that closing sends no reset;
 * the peer's EOF, or a failure, ends the connection. */
static void conn_exit_on_ready(struct rv_conn *c, short revents)
{
    uint8_t buffer[4096];
    rv_result err;
    long r;

    if (!(revents & (RV_POLL_IN | RV_POLL_ERR))) return;
    while ((r = rv_socket_recv(c->sock, buffer, sizeof(buffer), &err)) > 0) {}
    if (r != -1) conn_close_at_exit(c);
}

static const struct io_client conn_io_client =
{
    conn_poll_set,
    conn_on_poll,
    conn_check_deadlines,
    conn_deliver_up,
    conn_closing_count,
    close_closing_conns,
    handover_pending,
    conn_exit_poll_set,
    conn_exit_on_ready,
};

void conn_init(const struct conn_upcalls *upcalls)
{
    rv_mutex_lock(&core.lock);
    up = upcalls;
    rv_mutex_unlock(&core.lock);
    io_set_client(&conn_io_client);
}
