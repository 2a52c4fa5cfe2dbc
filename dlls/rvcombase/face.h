/*
 * The COM face of a core session, shared by RendezvousSession and MsgrSession
 *
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

#ifndef __RENDEZVOUS_FACE_H
#define __RENDEZVOUS_FACE_H

#include "rendezvous.h"
#include "events.h"
#include "wake.h"

/*
 * What a COM object that runs a core session embeds: the core, the events it
 * fires, and the guard and wake that bring the core's events to the object's
 * apartment.  The core's handlers get the face as their user pointer.
 */
struct session_face
{
    struct event_source events;     /* the container and its one point */
    struct work_guard guard;        /* the memory, through events in flight */
    struct rv_session *core;
    struct wake_target wake;        /* where the core's wakes go (wake.c) */
    CRITICAL_SECTION cs;            /* for the object's own fields */
};

/* Makes the core and locks the module; on failure the caller frees its memory.
 * callbacks->wake must be session_face_wake; free runs when the guard's last
 * reference goes and calls session_face_destroy. */
HRESULT session_face_init(struct session_face *face, IUnknown *outer, REFIID events_iid,
                          const struct rv_profile *profile, uint32_t role,
                          const struct rv_session_callbacks *callbacks, void (*free)(struct work_guard *guard));
/* At the client's last Release: no wake or event reaches the object after it
 * (but for one of this thread that released from inside its event), and the
 * sinks are let go of.  The caller then drops the guard's reference. */
void session_face_close(struct session_face *face);
/* From the guard's free: the core, the point, the lock and the module lock. */
void session_face_destroy(struct session_face *face);

/* The core's wake callback, from any thread. */
void session_face_wake(void *face);
/* Runs the events a call on this thread queued, so that hosts and sinks see
 * them before the call returns, as the documented sample does. */
void session_face_dispatch_now(struct session_face *face);

/* From the core's state handler: follows the state (wake.c) and fires it, as a
 * VT_I4 (the new state; see docs/behaviour.md). */
void session_face_state_changed(struct session_face *face, DISPID dispid, enum rv_state state);
void session_face_fire_i4(struct session_face *face, DISPID dispid, LONG value);
/* OnTermination(hr, data) in the standard order: rgvarg[0] is the last
 * parameter.  Without memory for the data the event still comes, with "":
 * the end and its HRESULT matter more than the text. */
void session_face_fire_termination(struct session_face *face, DISPID dispid, HRESULT hr,
                                   const WCHAR *units, UINT count);

/* The session's id as a GUID string, the 16 bytes in wire (big-endian) order. */
HRESULT session_face_get_id(struct session_face *face, BSTR *id);

#endif /* __RENDEZVOUS_FACE_H */
