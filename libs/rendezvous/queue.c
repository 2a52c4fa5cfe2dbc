/*
 * Rendezvous core: a session's event queue, below the session API and the
 * handshake, which both queue events and states through it
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

/* ---- a session's events and states (core.lock held) ---- */

void session_queue_event(struct rv_session *s, struct rv_event *ev)
{
    if (s->closing)
    {
        event_free(ev);
        return;
    }
    ev->next = NULL;
    if (s->ev_tail) s->ev_tail->next = ev;
    else s->ev_head = ev;
    s->ev_tail = ev;
    s->ev_bytes += ev->charge;

    /* One wake per dispatch round: later events ride on the pending one. */
    if (!s->wake_pending)
    {
        s->wake_pending = 1;
        if (s->cb.wake && !s->wake_queued)
        {
            s->wake_queued = 1;
            s->wake_next = NULL;
            if (core.wake_tail) core.wake_tail->wake_next = s;
            else core.wake_head = s;
            core.wake_tail = s;
        }
    }
    rv_cond_broadcast(&core.event_cond);
}

void session_set_state(struct rv_session *s, enum rv_state state)
{
    struct rv_event *ev;

    if (s->state == state) return;
    /* States only move forward, so there are at most four changes. */
    if (s->n_state_events >= RV_MAX_STATE_EVENTS) return;
    ev = &s->state_events[s->n_state_events++];
    memset(ev, 0, sizeof(*ev));
    ev->kind = EV_STATE;
    ev->new_state = state;
    ev->prev_state = s->state;
    s->state = state;
    session_queue_event(s, ev);
}

void session_queue_termination(struct rv_session *s, rv_result hr, void *block,
                               const uint16_t *units, uint32_t count, size_t charge)
{
    struct rv_event *ev = &s->term_event;

    if (s->term_used)
    {
        rv_free(block);
        return;
    }
    s->term_used = 1;
    memset(ev, 0, sizeof(*ev));
    ev->kind = EV_TERMINATION;
    ev->hr = hr;
    ev->block = block;
    ev->units = units;
    ev->count = count;
    ev->charge = charge;
    session_queue_event(s, ev);
}

void session_queue_send_error(struct rv_session *s, rv_result hr)
{
    struct rv_event *ev;

    if (!s->send_error_queued)
    {
        /* The transport's own failure needs no allocation. */
        s->send_error_queued = 1;
        ev = &s->send_error_event;
        memset(ev, 0, sizeof(*ev));
    }
    else if (!(ev = rv_alloc(sizeof(*ev))))
    {
        /* No memory for a notice of its own: it comes with the queued one
         * (count is the number of further notices), never dropped. */
        s->send_error_event.count++;
        return;
    }
    else
    {
        memset(ev, 0, sizeof(*ev));
        ev->allocated = 1;
        ev->charge = sizeof(*ev);
    }
    ev->kind = EV_SEND_ERROR;
    ev->hr = hr;
    session_queue_event(s, ev);
}

void session_queue_answer(struct rv_session *s, enum rv_answer answer, rv_result hr,
                          const uint8_t *data, uint32_t length)
{
    struct rv_event *ev;
    uint16_t *units = NULL;
    uint32_t i, count = length / 2;

    if (!s->cb.on_answer || s->n_answers >= RV_MAX_ANSWER_EVENTS || count > RV_MAX_APPDATA_UNITS) return;
    /* Without memory the data is dropped; the answer still arrives. */
    if (count && !(units = rv_alloc((size_t)count * sizeof(*units)))) count = 0;
    for (i = 0; i < count; i++) units[i] = (uint16_t)(data[2 * i] | data[2 * i + 1] << 8);
    ev = &s->answer_events[s->n_answers++];
    memset(ev, 0, sizeof(*ev));
    ev->kind = EV_ANSWER;
    ev->answer = (uint8_t)answer;
    ev->hr = hr;
    ev->block = units;
    ev->units = units;
    ev->count = count;
    ev->charge = (size_t)count * sizeof(*units);
    session_queue_event(s, ev);
}

void session_fail(struct rv_session *s, rv_result hr)
{
    if (state_is_final(s->state)) return;
    session_close_conns(s, 1);
    session_queue_termination(s, hr, NULL, NULL, 0, 0);
    session_set_state(s, RV_STATE_TERMINATED);
}
