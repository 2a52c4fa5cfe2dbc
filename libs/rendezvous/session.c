/*
 * Rendezvous core: session API, state machine and dispatch
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

const struct rv_profile rv_profile_rendezvous =
{
    65536, 0, RV_E_INVALIDARG, RV_E_INVALIDARG, RV_E_INVALID_STATE, RV_E_INVALID_STATE,
};

const struct rv_profile rv_profile_messenger =
{
    300, 5, RV_SR_CONTEXT_DATA_OVER_LIMIT, RV_SR_CONTEXT_DATA_OVER_LIMIT,
    RV_SR_NOT_VALID_FOR_APP_INVITE, RV_SR_SESSION_NOT_READY,
};

/* ---- events (core.lock held) ---- */

static void wake_list_remove(struct rv_session *s)
{
    struct rv_session **p, *prev = NULL;

    if (!s->wake_queued) return;
    for (p = &core.wake_head; *p; prev = *p, p = &(*p)->wake_next)
    {
        if (*p != s) continue;
        *p = s->wake_next;
        if (core.wake_tail == s) core.wake_tail = prev;
        break;
    }
    s->wake_next = NULL;
    s->wake_queued = 0;
}

void session_deliver_wakes(struct rv_session *only)
{
    for (;;)
    {
        struct rv_session *s = only ? only : core.wake_head;
        void (*wake)(void *user);
        void *user;

        if (!s || !s->wake_queued) break;
        wake_list_remove(s);
        if (!s->closing && (wake = s->cb.wake))
        {
            user = s->user;
            s->in_wake++;
            rv_mutex_unlock(&core.lock);
            wake(user);
            rv_mutex_lock(&core.lock);
            s->in_wake--;
            if (s->closing) rv_cond_broadcast(&core.idle_cond);
        }
        if (only) break;
    }
}

static void unlock_and_wake(struct rv_session *s)
{
    session_deliver_wakes(s);
    rv_mutex_unlock(&core.lock);
}

/* ---- what the connections report (core.lock held) ---- */

static void session_on_terminated(struct rv_conn *c, rv_result hr, uint8_t *block, uint32_t length)
{
    struct rv_session *s = c->session;
    uint32_t count = block ? (length - 4) / 2 : 0;

    conn_close(c);
    session_queue_termination(s, hr, block, block ? (const uint16_t *)(block + 4) : NULL, count, length);
    session_set_state(s, RV_STATE_CANCELLED);
}

static void session_on_cancelled(struct rv_conn *c)
{
    struct rv_session *s = c->session;

    queue_cancel_answer(c);
    conn_close(c);
    session_set_state(s, RV_STATE_DECLINED);
}

/* Context data still queued will not arrive, so the sender hears of it first. */
static void session_on_conn_failed(struct rv_session *s, rv_result hr, int lost)
{
    if (lost) session_queue_send_error(s, hr);
    session_fail(s, hr);
}

static void session_deliver_all_wakes(void)
{
    session_deliver_wakes(NULL);
}

static const struct conn_upcalls session_upcalls =
{
    handshake_on_frame,
    inviter_reject,
    session_queue_event,
    session_queue_send_error,
    session_on_terminated,
    session_on_cancelled,
    session_on_conn_failed,
    session_deliver_all_wakes,
};

/* ---- lifetime ---- */

rv_result rv_session_create(const struct rv_profile *profile, uint32_t role_flags,
                            const struct rv_session_callbacks *callbacks, void *user,
                            struct rv_session **out)
{
    struct rv_session *s;
    rv_result hr;

    if (!out) return RV_E_POINTER;
    *out = NULL;
    if (!profile || (role_flags && role_flags != RV_FLAG_INVITER && role_flags != RV_FLAG_INVITEE))
        return RV_E_INVALIDARG;
    if (!profile->max_context_units || profile->max_context_units > RV_MAX_CONTEXT_UNITS_LIMIT)
        return RV_E_INVALIDARG;

    if (!(s = rv_alloc(sizeof(*s)))) return RV_E_OUTOFMEMORY;
    memset(s, 0, sizeof(*s));
    s->profile = *profile;
    if (callbacks) s->cb = *callbacks;
    s->user = user;
    s->flags = role_flags;
    s->state = RV_STATE_READY;
    s->hs_timeout = RV_DEFAULT_HANDSHAKE_TIMEOUT;
    s->lifetime = RV_DEFAULT_INVITATION_LIFETIME_MS;
    if ((hr = rv_random(s->id, sizeof(s->id))))
    {
        rv_free(s);
        return hr;
    }
    conn_init(&session_upcalls);

    rv_mutex_lock(&core.lock);
    s->next = core.sessions;
    if (core.sessions) core.sessions->prev = s;
    core.sessions = s;
    rv_mutex_unlock(&core.lock);
    *out = s;
    return RV_S_OK;
}

rv_result rv_session_set_role(struct rv_session *s, uint32_t role_flags)
{
    rv_result hr = RV_S_OK;

    if (!s) return RV_E_POINTER;
    if (role_flags != RV_FLAG_INVITER && role_flags != RV_FLAG_INVITEE) return RV_E_INVALIDARG;
    rv_mutex_lock(&core.lock);
    if (s->closing || s->flags || s->state != RV_STATE_READY) hr = RV_E_INVALID_STATE;
    else s->flags = role_flags;
    rv_mutex_unlock(&core.lock);
    return hr;
}

/* Returns the handover ticket of the frames still to be written, 0 if none. */
static uint32_t session_close_locked(struct rv_session *s)
{
    struct rv_event *ev;
    uint32_t ticket;

    rv_store_flag(&s->closing, 1);
    if (s->prev) s->prev->next = s->next;
    else core.sessions = s->next;
    if (s->next) s->next->prev = s->prev;
    s->prev = s->next = NULL;
    wake_list_remove(s);
    ticket = session_hand_over_conns(s);
    while ((ev = s->ev_head))
    {
        s->ev_head = ev->next;
        event_free(ev);
    }
    s->ev_tail = NULL;
    s->ev_bytes = 0;
    rv_wipe(s->secret, sizeof(s->secret));
    rv_wipe(s->hash, sizeof(s->hash));
    return ticket;
}

/* wait: see io_release; NULL when freed by a dispatch, which never waits for the network. */
static void session_free(struct rv_session *s, struct network_wait *wait)
{
    int held;

    rv_mutex_lock(&core.lock);
    /* A wake in flight on the I/O thread still uses the session. */
    while (s->in_wake) rv_cond_wait(&core.idle_cond, &core.lock, 100);
    held = s->io_held;
    rv_mutex_unlock(&core.lock);
    rv_wipe(s, sizeof(*s));
    rv_free(s);
    if (held) io_release(wait);
}

/* The I/O thread (and its waker's sockets) starts with the first session that
 * goes on the network, not with the first object: a session only created, or
 * only handed an invitation, costs no thread.  Called without core.lock. */
static rv_result session_hold_io(struct rv_session *s)
{
    rv_result hr;
    int held;

    rv_mutex_lock(&core.lock);
    held = s->io_held;
    rv_mutex_unlock(&core.lock);
    if (held) return RV_S_OK;
    if ((hr = io_acquire())) return hr;
    rv_mutex_lock(&core.lock);
    held = s->io_held;
    s->io_held = 1;
    rv_mutex_unlock(&core.lock);
    /* Another thread of the owner's got there first: one count per session. */
    if (held) io_release(NULL);
    return RV_S_OK;
}

void rv_session_destroy(struct rv_session *s)
{
    rv_thread_id self = rv_thread_self();
    struct network_wait wait;
    uint32_t ticket;

    if (!s) return;
    /* The I/O thread cannot join itself: destroying from wake is not allowed. */
    if (io_on_thread()) return;
    rv_mutex_lock(&core.lock);
    if (s->closing)
    {
        rv_mutex_unlock(&core.lock);
        return;
    }
    network_wait_start(&wait);
    ticket = session_close_locked(s);
    if (s->dispatch_depth && rv_thread_equal(s->dispatch_thread, self))
    {
        /* Inside a handler: the outermost dispatch frees it, and nobody waits for the frames. */
        s->destroy_deferred = 1;
        rv_mutex_unlock(&core.lock);
        return;
    }
    while (s->dispatch_depth) rv_cond_wait(&core.idle_cond, &core.lock, 100);
    /* The kernel gets the last frames before we return: the process may exit right after. */
    if (ticket) io_wait_handover(ticket, &wait);
    rv_mutex_unlock(&core.lock);
    session_free(s, &wait);
}

/* ---- getters and settings ---- */

enum rv_state rv_session_get_state(struct rv_session *s)
{
    enum rv_state state;

    if (!s) return RV_STATE_UNKNOWN;
    rv_mutex_lock(&core.lock);
    state = s->state;
    rv_mutex_unlock(&core.lock);
    return state;
}

uint32_t rv_session_get_flags(struct rv_session *s)
{
    return s ? s->flags : 0;
}

rv_result rv_session_get_id(struct rv_session *s, uint8_t id[RV_SESSION_ID_SIZE])
{
    if (!s || !id) return RV_E_POINTER;
    rv_mutex_lock(&core.lock);
    memcpy(id, s->id, RV_SESSION_ID_SIZE);
    rv_mutex_unlock(&core.lock);
    return RV_S_OK;
}

rv_result rv_session_get_peer_address(struct rv_session *s, char *buffer, size_t size)
{
    char text[48];
    rv_result hr = RV_S_FALSE;
    size_t n;

    if (!s || !buffer) return RV_E_POINTER;
    if (size) buffer[0] = 0;
    rv_mutex_lock(&core.lock);
    if (s->remote_known)
    {
        n = rv_format_ip(s->remote.family, s->remote.bytes, text);
        if (n < size)
        {
            memcpy(buffer, text, n + 1);
            hr = RV_S_OK;
        }
        else hr = RV_E_INVALIDARG;
    }
    rv_mutex_unlock(&core.lock);
    return hr;
}

rv_result rv_session_set_handshake_timeout(struct rv_session *s, uint32_t timeout_ms)
{
    if (!s) return RV_E_POINTER;
    if (!timeout_ms || timeout_ms > 600000) return RV_E_INVALIDARG;
    rv_mutex_lock(&core.lock);
    s->hs_timeout = timeout_ms;
    rv_mutex_unlock(&core.lock);
    return RV_S_OK;
}

rv_result rv_session_set_invitation_lifetime(struct rv_session *s, uint32_t lifetime_ms)
{
    if (!s) return RV_E_POINTER;
    if (!lifetime_ms || lifetime_ms > RV_MAX_INVITATION_LIFETIME_MS) return RV_E_INVALIDARG;
    rv_mutex_lock(&core.lock);
    s->lifetime = lifetime_ms;
    rv_mutex_unlock(&core.lock);
    return RV_S_OK;
}

/* ---- operations ---- */

static int parse_bind_host(const char *host, struct rv_addr *addr)
{
    static const uint8_t zero[16];
    size_t len = 0;

    memset(addr, 0, sizeof(*addr));
    if (!host)
    {
        addr->family = 4;
        addr->bytes[0] = 127;
        addr->bytes[3] = 1;
        return 1;
    }
    while (len < 64 && host[len]) len++;
    if (len >= 64) return 0;
    if (rv_parse_ipv4(host, len, addr->bytes)) addr->family = 4;
    else if (rv_parse_ipv6(host, len, addr->bytes)) addr->family = 6;
    else if (len > 2 && host[0] == '[' && host[len - 1] == ']' &&
             rv_parse_ipv6(host + 1, len - 2, addr->bytes)) addr->family = 6;
    else return 0;
    /* A wildcard address cannot be written into an invitation. */
    return memcmp(addr->bytes, zero, addr->family == 4 ? 4 : 16) != 0;
}

struct copy_invitation
{
    char *buffer;
};

static rv_result copy_invitation(void *ctx, const char *text)
{
    struct copy_invitation *copy = ctx;

    memcpy(copy->buffer, text, strlen(text) + 1);
    return RV_S_OK;
}

rv_result rv_session_invite(struct rv_session *s, const char *bind_host, uint16_t port,
                            char *invitation, size_t size)
{
    struct copy_invitation copy = { invitation };

    if (!s || !invitation) return RV_E_POINTER;
    if (size < RV_INVITATION_BUFFER_SIZE) return RV_E_INVALIDARG;
    return rv_session_invite_with(s, bind_host, port, copy_invitation, &copy);
}

rv_result rv_session_invite_with(struct rv_session *s, const char *bind_host, uint16_t port,
                                 rv_result (*take)(void *ctx, const char *invitation), void *ctx)
{
    struct rv_invitation inv;
    struct rv_addr addr;
    struct rv_conn *c;
    char text[RV_INVITATION_BUFFER_SIZE];
    rv_socket sock;
    uint16_t bound;
    rv_result hr;

    if (!s || !take) return RV_E_POINTER;
    if (!parse_bind_host(bind_host, &addr)) return RV_E_INVALIDARG;
    addr.port = port;
    if ((hr = session_hold_io(s))) return hr;

    rv_mutex_lock(&core.lock);
    if (s->closing || !(s->flags & RV_FLAG_INVITER) || s->state != RV_STATE_READY)
    {
        hr = RV_E_INVALID_STATE;
        goto done;
    }
    if ((hr = rv_random(s->secret, sizeof(s->secret)))) goto done;
    if (!(c = conn_new(s)))
    {
        hr = RV_E_OUTOFMEMORY;
        goto done;
    }
    if ((hr = rv_socket_listen(&addr, 8, &sock, &bound)))
    {
        conn_discard(c);
        goto done;
    }

    memset(&inv, 0, sizeof(inv));
    inv.family = addr.family;
    memcpy(inv.addr, addr.bytes, sizeof(inv.addr));
    inv.port = bound;
    memcpy(inv.session_id, s->id, sizeof(inv.session_id));
    memcpy(inv.secret, s->secret, sizeof(inv.secret));
    rv_invitation_format(&inv, text, sizeof(text));
    rv_wipe(&inv, sizeof(inv));
    /* The owner takes the text before anything is visible, so that its own
     * failure (say, no memory for a copy) leaves the session as it was. */
    hr = take(ctx, text);
    rv_wipe(text, sizeof(text));
    if (hr)
    {
        rv_socket_close(sock);
        conn_discard(c);
        goto done;
    }

    c->sock = sock;
    c->phase = PHASE_LISTEN;
    conn_link(c);
    s->listener = c;
    s->expires = rv_time_ms() + s->lifetime;
    session_set_state(s, RV_STATE_INVITATION);
    io_signal();

done:
    if (hr) rv_wipe(s->secret, sizeof(s->secret));
    unlock_and_wake(s);
    return hr;
}

rv_result rv_session_receive_invitation(struct rv_session *s, const char *invitation)
{
    struct rv_invitation inv;
    rv_result hr;

    if (!s) return RV_E_POINTER;
    rv_mutex_lock(&core.lock);
    if (s->closing || !(s->flags & RV_FLAG_INVITEE) || s->state != RV_STATE_READY)
    {
        hr = RV_E_INVALID_STATE;
        goto done;
    }
    if ((hr = rv_invitation_parse(invitation, &inv)))
    {
        hr = RV_E_INVALIDARG;
        goto done;
    }
    memset(&s->peer, 0, sizeof(s->peer));
    s->peer.family = inv.family;
    memcpy(s->peer.bytes, inv.addr, sizeof(inv.addr));
    s->peer.port = inv.port;
    memcpy(s->id, inv.session_id, sizeof(s->id));
    memcpy(s->secret, inv.secret, sizeof(s->secret));
    rv_wipe(&inv, sizeof(inv));
    session_set_state(s, RV_STATE_INVITATION);

done:
    unlock_and_wake(s);
    return hr;
}

static void put_units(uint8_t *p, const uint16_t *units, uint32_t count)
{
    static const uint16_t one = 1;
    uint32_t i;

    /* UTF-16LE on the wire: on a little-endian host, a plain copy. */
    if (*(const uint8_t *)&one)
    {
        if (count) memcpy(p, units, (size_t)count * sizeof(*units));
        return;
    }
    for (i = 0; i < count; i++)
    {
        p[2 * i] = (uint8_t)units[i];
        p[2 * i + 1] = (uint8_t)(units[i] >> 8);
    }
}

static rv_result check_appdata(const uint16_t *units, uint32_t count)
{
    if (count > RV_MAX_APPDATA_UNITS || (count && !units)) return RV_E_INVALIDARG;
    return RV_S_OK;
}

static rv_result invitee_connect(struct rv_session *s, uint8_t intent, const uint16_t *units,
                                 uint32_t count)
{
    struct rv_conn *c;
    rv_socket sock = RV_INVALID_SOCKET;
    rv_result hr, connect_hr;

    if (!s) return RV_E_POINTER;
    if ((hr = check_appdata(units, count))) return hr;
    if ((hr = session_hold_io(s))) return hr;
    rv_mutex_lock(&core.lock);
    if (s->closing || !(s->flags & RV_FLAG_INVITEE) || s->state != RV_STATE_INVITATION)
    {
        hr = RV_E_INVALID_STATE;
        goto done;
    }
    if (!(c = conn_new(s)))
    {
        hr = RV_E_OUTOFMEMORY;
        goto done;
    }
    if (count)
    {
        if (!(c->answer = rv_alloc(2 * (size_t)count)))
        {
            conn_discard(c);
            hr = RV_E_OUTOFMEMORY;
            goto done;
        }
        put_units(c->answer, units, count);
        c->answer_len = (uint16_t)(2 * count);
    }
    if ((hr = channel_start(c, s->secret, s->id)))
    {
        conn_discard(c);
        goto done;
    }
    connect_hr = rv_socket_connect(&s->peer, &sock);
    if (sock == RV_INVALID_SOCKET)
    {
        /* No socket at all (descriptor table full...): nothing changed. */
        hr = connect_hr;
        conn_discard(c);
        goto done;
    }
    hr = RV_S_OK;

    c->sock = sock;
    c->intent = intent;
    c->deadline = rv_time_ms() + s->hs_timeout;
    c->phase = connect_hr == RV_S_OK ? PHASE_WAIT_CHALLENGE : PHASE_CONNECTING;
    conn_link(c);

    if (intent == RV_INTENT_ACCEPT)
    {
        s->active = c;
        session_set_state(s, RV_STATE_ACCEPTED);
    }
    else
    {
        c->detached = 1;
        session_set_state(s, RV_STATE_DECLINED);
    }
    if (RV_FAILED(connect_hr))
    {
        /* An immediate refusal is reported like a late one. */
        if (c->detached) conn_close(c);
        else session_fail(s, connect_hr);
    }
    io_signal();

done:
    unlock_and_wake(s);
    return hr;
}

rv_result rv_session_accept(struct rv_session *s)
{
    return invitee_connect(s, RV_INTENT_ACCEPT, NULL, 0);
}

rv_result rv_session_decline(struct rv_session *s)
{
    return invitee_connect(s, RV_INTENT_DECLINE, NULL, 0);
}

rv_result rv_session_accept_ex(struct rv_session *s, const uint16_t *units, uint32_t count)
{
    return invitee_connect(s, RV_INTENT_ACCEPT, units, count);
}

rv_result rv_session_decline_ex(struct rv_session *s, const uint16_t *units, uint32_t count)
{
    return invitee_connect(s, RV_INTENT_DECLINE, units, count);
}

/* block: NULL for a CANCEL without payload, else reason + UTF-16LE data (rv_alloc, taken). */
static rv_result session_cancel(struct rv_session *s, uint8_t *block, uint32_t length)
{
    rv_result hr = RV_S_OK;

    rv_mutex_lock(&core.lock);
    if (s->closing || state_is_final(s->state))
    {
        hr = RV_E_INVALID_STATE;
        rv_free(block);
    }
    else
    {
        session_cancel_conns(s, block, length);
        session_set_state(s, RV_STATE_CANCELLED);
    }
    unlock_and_wake(s);
    return hr;
}

rv_result rv_session_cancel(struct rv_session *s)
{
    if (!s) return RV_E_POINTER;
    return session_cancel(s, NULL, 0);
}

rv_result rv_session_cancel_ex(struct rv_session *s, rv_result reason, const uint16_t *units,
                               uint32_t count)
{
    uint32_t length = RV_CANCEL_HEADER_SIZE + 2 * count;
    uint8_t *block;
    rv_result hr;

    if (!s) return RV_E_POINTER;
    if ((hr = check_appdata(units, count))) return hr;
    if (!(block = rv_alloc(length))) return RV_E_OUTOFMEMORY;
    rv_put_u32(block, (uint32_t)reason);
    put_units(block + RV_CANCEL_HEADER_SIZE, units, count);
    return session_cancel(s, block, length);
}

rv_result rv_session_terminate(struct rv_session *s, rv_result hr, const uint16_t *units,
                               uint32_t count)
{
    struct rv_out *frame = NULL;
    uint16_t *copy = NULL;
    rv_result ret = RV_S_OK;

    if (!s) return RV_E_POINTER;
    if (count && !units) return RV_E_INVALIDARG;
    rv_mutex_lock(&core.lock);
    if (count > s->profile.max_context_units)
    {
        ret = RV_E_INVALIDARG;
        goto done;
    }
    if (s->closing || (s->state != RV_STATE_INVITATION && s->state != RV_STATE_ACCEPTED &&
                       s->state != RV_STATE_CONNECTED))
    {
        ret = RV_E_INVALID_STATE;
        goto done;
    }
    if (count)
    {
        if (!(copy = rv_alloc((size_t)count * sizeof(*copy))))
        {
            ret = RV_E_OUTOFMEMORY;
            goto done;
        }
        memcpy(copy, units, (size_t)count * sizeof(*copy));
    }
    if (s->state == RV_STATE_CONNECTED && s->active)
    {
        if (!(frame = out_new(RV_FRAME_TERMINATE, 4 + 2 * count, 0)))
        {
            rv_free(copy);
            ret = RV_E_OUTOFMEMORY;
            goto done;
        }
        rv_put_u32(frame->bytes + RV_FRAME_HEADER_SIZE, (uint32_t)hr);
        put_units(frame->bytes + RV_FRAME_HEADER_SIZE + 4, units, count);
    }

    if (frame)
    {
        struct rv_conn *c = s->active;

        /* Queued frames go first, then TERMINATE, then the socket closes. */
        conn_append(c, frame);
        c->detached = 1;
        c->phase = PHASE_CLOSING;
        c->deadline = rv_time_ms() + RV_LINGER_MS;
        s->active = NULL;
        if (conn_write_now(c)) io_signal();
    }
    else session_cancel_conns(s, NULL, 0);
    session_queue_termination(s, hr, copy, copy, count, (size_t)count * 2);
    session_set_state(s, RV_STATE_CANCELLED);

done:
    unlock_and_wake(s);
    return ret;
}

rv_result rv_session_send_context_data(struct rv_session *s, const uint16_t *units,
                                       uint32_t count)
{
    struct rv_out *frame;
    rv_result hr = RV_S_OK;

    if (!s) return RV_E_POINTER;
    /* Order: NULL/empty, length, state, send count, memory. */
    if (!units || !count) return RV_E_INVALIDARG;
    rv_mutex_lock(&core.lock);
    if (count > s->profile.max_context_units) hr = s->profile.hr_over_length;
    else if (s->state == RV_STATE_INVITATION) hr = s->profile.hr_in_invitation;
    else if (s->state != RV_STATE_CONNECTED || s->closing || !s->active) hr = s->profile.hr_not_connected;
    else if (s->profile.max_successful_sends && s->sends_ok >= s->profile.max_successful_sends)
        hr = s->profile.hr_over_count;
    else if (s->active->out_bytes + RV_FRAME_HEADER_SIZE + 2 * (size_t)count > RV_MAX_OUTGOING_BYTES)
        hr = RV_E_OUTOFMEMORY;
    else if (!(frame = out_new(RV_FRAME_DATA, 2 * count, 1)))
        hr = RV_E_OUTOFMEMORY;
    else
    {
        put_units(frame->bytes + RV_FRAME_HEADER_SIZE, units, count);
        conn_append(s->active, frame);
        s->sends_ok++;
        /* Straight to the socket when it takes the frame; else the I/O thread writes it. */
        if (conn_write_now(s->active)) io_signal();
    }
    rv_mutex_unlock(&core.lock);
    return hr;
}

/* ---- dispatch ---- */

/* Calls the owner's callback for ev, the core's lock not held. */
static void deliver_event(struct rv_session *s, const struct rv_session_callbacks *cb, void *user,
                          const struct rv_event *ev, rv_result send_error_hr, uint32_t send_errors)
{
    switch (ev->kind)
    {
    case EV_STATE:
        if (cb->on_state_changed) cb->on_state_changed(user, ev->new_state, ev->prev_state);
        break;
    case EV_CONTEXT_DATA:
        if (cb->on_context_data) cb->on_context_data(user, ev->units, ev->count);
        break;
    case EV_TERMINATION:
        if (cb->on_termination) cb->on_termination(user, ev->hr, ev->units, ev->count);
        break;
    case EV_SEND_ERROR:
        /* One call per undelivered message, however they were coalesced. */
        while (send_errors-- && cb->on_send_error && !rv_load_flag(&s->closing)) cb->on_send_error(user, send_error_hr);
        break;
    case EV_ANSWER:
        if (cb->on_answer) cb->on_answer(user, (enum rv_answer)ev->answer, ev->hr, ev->units, ev->count);
        break;
    }
}

/* Under core.lock: frees the events this dispatch delivered. */
static void free_delivered(struct rv_session *s)
{
    struct rv_event *ev;

    while ((ev = s->delivered))
    {
        s->delivered = ev->next;
        event_free(ev);
    }
}

/* Under core.lock: takes the next burst of events off the queue, so that they are
 * delivered without the lock per event, which cost as much as the firing itself
 * (bench row 2).  Returns the number taken.  read_due: see rv_session_dispatch. */
static unsigned int take_batch(struct rv_session *s, int *read_due)
{
    struct rv_event *ev, *last = NULL;
    size_t bytes = 0;

    free_delivered(s);
    while ((ev = s->ev_head) && s->batch_left < RV_DISPATCH_BATCH &&
           (!last || bytes + ev->charge <= RV_DISPATCH_BATCH_BYTES))
    {
        s->ev_head = ev->next;
        if (!s->ev_head) s->ev_tail = NULL;
        s->ev_bytes -= ev->charge;
        bytes += ev->charge;
        if (ev == &s->send_error_event)
        {
            /* Once off the queue it may be queued again at once, rewritten under
             * the lock while the batch is delivered without it: a copy goes instead. */
            s->batch_send_error = *ev;
            s->send_error_queued = 0;
            ev = &s->batch_send_error;
        }
        if (last) last->next = ev;
        else s->batch = ev;
        last = ev;
        s->batch_left++;
    }
    if (s->batch_left && s->throttled && s->ev_bytes < RV_MAX_INCOMING_BYTES)
    {
        /* Room again: let the reader of this session's socket go on. */
        s->throttled = 0;
        if (s->active && conn_read_by_host(s->active)) *read_due = 1;
        else io_signal();
    }
    return s->batch_left;
}

/* Without core.lock, on the dispatching thread: the batch is this thread's alone. */
static void deliver_next(struct rv_session *s, const struct rv_session_callbacks *cb, void *user)
{
    struct rv_event *ev = s->batch;

    if (--s->batch_left) s->batch = ev->next;
    else s->batch = NULL;
    /* A dispatch nested in the handler may take the send error's copy again:
     * what the handler needs is read first. */
    deliver_event(s, cb, user, ev, ev->hr, ev->kind == EV_SEND_ERROR ? 1 + ev->count : 0);
    /* The copy of the send error has nothing to free. */
    if (ev == &s->batch_send_error) return;
    ev->next = s->delivered;
    s->delivered = ev;
}

rv_result rv_session_dispatch(struct rv_session *s)
{
    rv_thread_id self = rv_thread_self();
    rv_result hr = RV_S_FALSE;
    struct rv_session_callbacks cb;
    void *user;
    int read_due = 0;

    if (!s) return RV_E_POINTER;
    if (io_on_thread()) return RV_E_INVALID_STATE;
    rv_mutex_lock(&core.lock);
    if (s->dispatch_depth && !rv_thread_equal(s->dispatch_thread, self))
    {
        rv_mutex_unlock(&core.lock);
        return RV_S_FALSE;
    }
    s->dispatch_depth++;
    s->dispatch_thread = self;
    s->wake_pending = 0;
    cb = s->cb;
    user = s->user;

    while (!s->closing)
    {
        /* A dispatch nested in a handler goes on with its caller's batch: order holds. */
        if (!s->batch_left && !take_batch(s, &read_due))
        {
            /* Throttled before: the owner reads its connection here, as it alone does. */
            if (!read_due) break;
            read_due = 0;
            if (s->active && conn_read_by_host(s->active)) conn_read_now(s->active);
            continue;
        }
        rv_mutex_unlock(&core.lock);
        /* A handler may destroy the session: then nothing more is delivered. */
        while (s->batch_left && !rv_load_flag(&s->closing))
        {
            deliver_next(s, &cb, user);
            hr = RV_S_OK;
        }
        rv_mutex_lock(&core.lock);
    }

    /* Destroyed mid-batch: the rest is dropped with the queue. */
    while (s->batch_left)
    {
        struct rv_event *ev = s->batch;

        s->batch = --s->batch_left ? ev->next : NULL;
        if (ev != &s->batch_send_error) event_free(ev);
    }
    free_delivered(s);
    if (!--s->dispatch_depth)
    {
        if (s->destroy_deferred)
        {
            rv_mutex_unlock(&core.lock);
            session_free(s, NULL);
            return hr;
        }
        rv_cond_broadcast(&core.idle_cond);
    }
    rv_mutex_unlock(&core.lock);
    return hr;
}

rv_result rv_session_get_socket(struct rv_session *s, uintptr_t *handle)
{
    rv_socket sock;
    rv_result hr = RV_S_FALSE;

    if (!s || !handle) return RV_E_POINTER;
    rv_mutex_lock(&core.lock);
    if (s->active && !s->closing && conn_get_socket(s->active, &sock))
    {
        *handle = (uintptr_t)sock;
        hr = RV_S_OK;
    }
    rv_mutex_unlock(&core.lock);
    return hr;
}

rv_result rv_session_read_now(struct rv_session *s)
{
    if (!s) return RV_E_POINTER;
    if (io_on_thread()) return RV_E_INVALID_STATE;
    rv_mutex_lock(&core.lock);
    if (s->active && !s->closing) conn_read_now(s->active);
    /* The caller dispatches next: what was queued needs no wake. */
    wake_list_remove(s);
    rv_mutex_unlock(&core.lock);
    return RV_S_OK;
}

rv_result rv_session_route_socket(struct rv_session *s, uintptr_t window, uint32_t message, uintptr_t *socket)
{
    rv_result hr = RV_S_FALSE;

    if (!s || !socket) return RV_E_POINTER;
    if (io_on_thread()) return RV_E_INVALID_STATE;
    rv_mutex_lock(&core.lock);
    if (s->active && !s->closing && conn_route(s->active, window, message))
    {
        *socket = (uintptr_t)s->active->sock;
        hr = RV_S_OK;
    }
    rv_mutex_unlock(&core.lock);
    return hr;
}

rv_result rv_session_socket_event(struct rv_session *s, uintptr_t socket, uintptr_t lparam)
{
    rv_result hr = RV_S_FALSE;

    if (!s) return RV_E_POINTER;
    if (io_on_thread()) return RV_E_INVALID_STATE;
    rv_mutex_lock(&core.lock);
    if (s->active && !s->closing) hr = conn_routed_event(s->active, socket, lparam);
    /* The caller dispatches next: what was queued needs no wake. */
    if (hr == RV_S_OK) wake_list_remove(s);
    rv_mutex_unlock(&core.lock);
    return hr;
}

rv_result rv_session_wait(struct rv_session *s, uint32_t timeout_ms)
{
    uint64_t deadline, now;
    rv_result hr;

    if (!s) return RV_E_POINTER;
    deadline = rv_time_ms() + timeout_ms;
    rv_mutex_lock(&core.lock);
    while (!s->ev_head && !s->closing && (now = rv_time_ms()) < deadline)
        rv_cond_wait(&core.event_cond, &core.lock, (uint32_t)(deadline - now));
    hr = s->ev_head ? RV_S_OK : RV_S_FALSE;
    rv_mutex_unlock(&core.lock);
    return hr;
}
