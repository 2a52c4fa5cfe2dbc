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

#define COBJMACROS

#include <windows.h>
#include <ole2.h>
#include <olectl.h>

#include "module.h"
#include "face.h"

#include "wine/debug.h"

WINE_DEFAULT_DEBUG_CHANNEL(rendezvous);

static void dispatch_face(struct wake_target *wake)
{
    struct session_face *face = CONTAINING_RECORD(wake, struct session_face, wake);

    /* The sinks are looked up once for the burst. */
    event_source_hold_sinks(&face->events);
    rv_session_dispatch(face->core);
    event_source_release_sinks(&face->events);
}

HRESULT session_face_init(struct session_face *face, IUnknown *outer, REFIID events_iid,
                          const struct rv_profile *profile, uint32_t role,
                          const struct rv_session_callbacks *callbacks, void (*free)(struct work_guard *guard))
{
    HRESULT hr;

    work_guard_init(&face->guard, free);
    if (FAILED(hr = wake_target_init(&face->wake, &face->guard, dispatch_face))) return hr;
    if (FAILED(hr = rv_session_create(profile, role, callbacks, face, &face->core)))
    {
        wake_target_remove(&face->wake);
        return hr;
    }
    InitializeCriticalSection(&face->cs);
    event_source_init(&face->events, outer, events_iid);
    lock_module();
    return S_OK;
}

void session_face_close(struct session_face *face)
{
    wake_target_remove(&face->wake);
    if (work_guard_close(&face->guard))
    {
        /* No handler runs after this (but for one of this thread that
         * released from inside its event, which the core allows). */
        rv_session_destroy(face->core);
        face->core = NULL;
    }
    connection_point_unadvise_all(&face->events.point);
}

void session_face_destroy(struct session_face *face)
{
    /* The core is still there only when another thread's events outlasted
     * the last Release. */
    rv_session_destroy(face->core);
    connection_point_destroy(&face->events.point);
    DeleteCriticalSection(&face->cs);
    unlock_module();
}

void session_face_wake(void *face)
{
    wake_target_signal(&((struct session_face *)face)->wake);
}

void session_face_dispatch_now(struct session_face *face)
{
    wake_target_dispatch_here(&face->wake);
}

void session_face_state_changed(struct session_face *face, DISPID dispid, enum rv_state state)
{
    wake_target_follow_session(&face->wake, face->core, state);
    session_face_fire_i4(face, dispid, state);
}

void session_face_fire_i4(struct session_face *face, DISPID dispid, LONG value)
{
    VARIANT arg;

    V_VT(&arg) = VT_I4;
    V_I4(&arg) = value;
    event_source_fire(&face->events, dispid, &arg, 1);
}

void session_face_fire_termination(struct session_face *face, DISPID dispid, HRESULT hr,
                                   const WCHAR *units, UINT count)
{
    VARIANT args[2];

    V_VT(&args[1]) = VT_I4;
    V_I4(&args[1]) = hr;
    V_VT(&args[0]) = VT_BSTR;
    if (!(V_BSTR(&args[0]) = SysAllocStringLen(units, count)) && count)
        WARN("OnTermination loses %u units of data\n", count);
    event_source_fire(&face->events, dispid, args, 2);
    SysFreeString(V_BSTR(&args[0]));
}

HRESULT session_face_get_id(struct session_face *face, BSTR *id)
{
    uint8_t bytes[RV_SESSION_ID_SIZE];
    WCHAR text[40];
    GUID guid;
    HRESULT hr;

    *id = NULL;
    if (FAILED(hr = rv_session_get_id(face->core, bytes))) return hr;
    guid.Data1 = (bytes[0] << 24) | (bytes[1] << 16) | (bytes[2] << 8) | bytes[3];
    guid.Data2 = (bytes[4] << 8) | bytes[5];
    guid.Data3 = (bytes[6] << 8) | bytes[7];
    memcpy(guid.Data4, bytes + 8, 8);
    StringFromGUID2(&guid, text, ARRAY_SIZE(text));
    return (*id = SysAllocString(text)) ? S_OK : E_OUTOFMEMORY;
}
