/*
 * Rendezvous core: the handshake's frame handlers of a connection
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

static void note_remote(struct rv_conn *c)
{
    struct rv_session *s = c->session;

    if (!rv_socket_peer(c->sock, &s->remote)) s->remote_known = 1;
}

/* Another secret, session or version, or a replayed HELLO: no event, keep listening, bounded. */
void inviter_reject(struct rv_conn *c)
{
    struct rv_session *s = c->session;

    conn_close(c);
    if (++s->auth_failures >= RV_MAX_AUTH_FAILURES) session_fail(s, RV_E_ACCESS_DENIED);
}

static void inviter_on_hello(struct rv_conn *c)
{
    if (channel_on_hello(c, c->session->secret, c->session->id)) inviter_reject(c);
    else
    {
        c->phase = PHASE_WAIT_RESPONSE;
        /* The first message came in time: the rest of the handshake gets the whole bound. */
        c->deadline = c->accepted + c->session->hs_timeout;
    }
}

static void inviter_on_response(struct rv_conn *c)
{
    struct rv_session *s = c->session;
    uint8_t intent = c->small[0];
    const uint8_t *appdata = c->small + RV_RESPONSE_SIZE;
    uint32_t appdata_len = c->dec.length - RV_RESPONSE_SIZE;
    struct rv_conn *other, *next;

    /* It opened, so the invitee sent it. */
    if ((intent != RV_INTENT_ACCEPT && intent != RV_INTENT_DECLINE) ||
        c->small[1] || c->small[2] || c->small[3])
    {
        conn_close(c);
        return;
    }

    /* One invitee per invitation. */
    c->pending = 0;
    s->n_pending--;
    for (other = s->conns; other; other = next)
    {
        next = other->next;
        if (other != c) conn_close(other);
    }
    channel_set_ctl(c, RV_FRAME_CONFIRM, NULL, 0);
    session_queue_answer(s, intent == RV_INTENT_ACCEPT ? RV_ANSWER_ACCEPTED : RV_ANSWER_DECLINED, RV_S_OK,
                         appdata, appdata_len);
    if (intent == RV_INTENT_ACCEPT)
    {
        c->phase = PHASE_ESTABLISHED;
        c->deadline = 0;
        s->active = c;
        channel_established(c);
        note_remote(c);
        session_set_state(s, RV_STATE_ACCEPTED);
        session_set_state(s, RV_STATE_CONNECTED);
    }
    else
    {
        c->detached = 1;
        c->phase = PHASE_CLOSING;
        c->deadline = rv_time_ms() + RV_LINGER_MS;
        session_set_state(s, RV_STATE_DECLINED);
    }
}

static void invitee_on_challenge(struct rv_conn *c)
{
    uint8_t payload[RV_RESPONSE_SIZE + RV_APPDATA_BYTES];

    if (channel_on_challenge(c))
    {
        conn_fail(c, RV_E_ACCESS_DENIED);
        return;
    }
    payload[0] = c->intent;
    payload[1] = payload[2] = payload[3] = 0;
    if (c->answer_len) memcpy(payload + RV_RESPONSE_SIZE, c->answer, c->answer_len);
    channel_set_ctl(c, RV_FRAME_RESPONSE, payload, RV_RESPONSE_SIZE + c->answer_len);
    rv_free(c->answer);
    c->answer = NULL;
    c->answer_len = 0;
    c->phase = PHASE_WAIT_CONFIRM;
}

static void invitee_on_confirm(struct rv_conn *c)
{
    struct rv_session *s = c->session;

    if (c->intent == RV_INTENT_DECLINE)
    {
        conn_close(c);
        return;
    }
    if (c->detached)
    {
        uint64_t linger_end = rv_time_ms() + RV_LINGER_MS;

        /* Cancelled after RESPONSE went out: CANCEL follows, then close.  An orphan keeps its earlier bound. */
        c->phase = PHASE_CLOSING;
        if (!c->orphan || c->deadline > linger_end) c->deadline = linger_end;
        return;
    }
    c->deadline = 0;
    c->phase = PHASE_ESTABLISHED;
    channel_established(c);
    note_remote(c);
    session_set_state(s, RV_STATE_CONNECTED);
}

/* A CANCEL from the authenticated peer is in c->small. */
void queue_cancel_answer(struct rv_conn *c)
{
    uint32_t length = c->dec.length;

    if (!length) session_queue_answer(c->session, RV_ANSWER_CANCELLED, RV_S_OK, NULL, 0);
    else session_queue_answer(c->session, RV_ANSWER_CANCELLED, (rv_result)rv_get_u32(c->small),
                              c->small + RV_CANCEL_HEADER_SIZE, length - RV_CANCEL_HEADER_SIZE);
}

/* An authenticated inviter cancelled before confirming. */
static void invitee_on_cancel(struct rv_conn *c)
{
    struct rv_session *s = c->session;
    int mine = !c->detached && s->active == c;

    if (mine) queue_cancel_answer(c);
    conn_close(c);
    if (mine) session_set_state(s, RV_STATE_DECLINED);
}

void handshake_on_frame(struct rv_conn *c)
{
    switch (c->phase)
    {
    case PHASE_WAIT_HELLO:
        inviter_on_hello(c);
        return;
    case PHASE_WAIT_RESPONSE:
        inviter_on_response(c);
        return;
    case PHASE_WAIT_CHALLENGE:
        invitee_on_challenge(c);
        return;
    case PHASE_WAIT_CONFIRM:
        if (c->dec.type == RV_FRAME_CONFIRM) invitee_on_confirm(c);
        else invitee_on_cancel(c);
        return;
    default:
        return;
    }
}
