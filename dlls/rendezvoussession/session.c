/*
 * RendezvousSession: IRendezvousSession for IM hosts, over the rendezvous core
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

#include <stdio.h>
#include <windows.h>
#include <ole2.h>
#include <olectl.h>

#include "rendezvoussession_private.h"
#include "rendezvous.h"

#include "wine/debug.h"

WINE_DEFAULT_DEBUG_CHANNEL(rendezvous);

/* Longest remote user name we keep, in UTF-16 units. */
#define MAX_REMOTE_USER 1024
/* Longest bind address a host may pass to CreateInvitation. */
#define MAX_ADDRESS 64

struct session
{
    IRendezvousSession IRendezvousSession_iface;
    IRendezvousSessionHost IRendezvousSessionHost_iface;
    struct event_source events;     /* the container and its one point */
    LONG refcount;
    struct work_guard guard;           /* the memory, through events in flight */

    struct rv_session *core;
    CRITICAL_SECTION cs;     /* guards remote_user */
    BSTR remote_user;

    /* Where the core's wakes go (wake.c). */
    struct wake_target wake;
};

static inline struct session *impl_from_IRendezvousSession(IRendezvousSession *iface)
{
    return CONTAINING_RECORD(iface, struct session, IRendezvousSession_iface);
}

static inline struct session *impl_from_IRendezvousSessionHost(IRendezvousSessionHost *iface)
{
    return CONTAINING_RECORD(iface, struct session, IRendezvousSessionHost_iface);
}

/* Event dispatch */

static void dispatch_session(struct wake_target *wake)
{
    struct session *s = CONTAINING_RECORD(wake, struct session, wake);
    rv_session_dispatch(s->core);
}

/* Called by the core from any thread, never while the session is being freed. */
static void session_wake(void *user)
{
    struct session *s = user;
    wake_target_signal(&s->wake);
}

/* Runs the events that a call on this thread queued, so that hosts and sinks
 * see them before the call returns, as the documented sample does. */
static void dispatch_now(struct session *s)
{
    wake_target_dispatch_here(&s->wake);
}

/* Core handlers: these fire DRendezvousSessionEvents.  The dispatch's work
 * frame keeps s, whatever a sink releases. */

static void on_state_changed(void *user, enum rv_state new_state, enum rv_state prev_state)
{
    struct session *s = user;
    VARIANT arg;

    TRACE("%p, state %d -> %d.\n", s, prev_state, new_state);

    wake_target_follow_session(&s->wake, s->core, new_state);

    /* The argument is the new state; see docs/behaviour.md. */
    V_VT(&arg) = VT_I4;
    V_I4(&arg) = new_state;
    event_source_fire(&s->events, DISPID_EVENT_ON_STATE_CHANGED, &arg, 1);
}

static void on_context_data(void *user, const uint16_t *units, uint32_t count)
{
    struct session *s = user;
    VARIANT arg;

    TRACE("%p, %u units.\n", s, count);

    V_VT(&arg) = VT_BSTR;
    if (!(V_BSTR(&arg) = SysAllocStringLen(units, count)))
    {
        /* The sender's sinks hear of it through OnSendError. */
        WARN("cannot deliver %u units of context data\n", count);
        rv_session_report_delivery_failure(s->core, E_OUTOFMEMORY);
        return;
    }
    event_source_fire(&s->events, DISPID_EVENT_ON_CONTEXT_DATA, &arg, 1);
    SysFreeString(V_BSTR(&arg));
}

static void on_termination(void *user, rv_result hr, const uint16_t *units, uint32_t count)
{
    struct session *s = user;
    VARIANT args[2];

    TRACE("%p, %#x, %u units.\n", s, hr, count);

    /* Standard order: rgvarg[0] is the last parameter. */
    V_VT(&args[1]) = VT_I4;
    V_I4(&args[1]) = hr;
    V_VT(&args[0]) = VT_BSTR;
    /* Without memory for the data the event still comes, with "": the end
     * and its HRESULT matter more than the text. */
    if (!(V_BSTR(&args[0]) = SysAllocStringLen(units, count)) && count)
        WARN("OnTermination loses %u units of data\n", count);
    event_source_fire(&s->events, DISPID_EVENT_ON_TERMINATION, args, 2);
    SysFreeString(V_BSTR(&args[0]));
}

static void on_send_error(void *user, rv_result hr)
{
    struct session *s = user;
    VARIANT arg;

    TRACE("%p, %#x.\n", s, hr);

    V_VT(&arg) = VT_I4;
    V_I4(&arg) = hr;
    event_source_fire(&s->events, DISPID_EVENT_ON_SEND_ERROR, &arg, 1);
}

static const struct rv_session_callbacks session_callbacks =
{
    session_wake,
    on_state_changed,
    on_context_data,
    on_termination,
    on_send_error,
};

/* IRendezvousSession */

static HRESULT WINAPI session_QueryInterface(IRendezvousSession *iface, REFIID riid, void **obj)
{
    struct session *s = impl_from_IRendezvousSession(iface);

    TRACE("%p, %s, %p.\n", s, debugstr_guid(riid), obj);

    if (!obj) return E_POINTER;
    if (IsEqualGUID(riid, &IID_IUnknown) || IsEqualGUID(riid, &IID_IRendezvousSession))
        *obj = &s->IRendezvousSession_iface;
    else if (IsEqualGUID(riid, &IID_IRendezvousSessionHost) || IsEqualGUID(riid, &IID_IDispatch))
        *obj = &s->IRendezvousSessionHost_iface;
    else if (IsEqualGUID(riid, &IID_IConnectionPointContainer))
        *obj = &s->events.IConnectionPointContainer_iface;
    else
    {
        WARN("no interface %s\n", debugstr_guid(riid));
        *obj = NULL;
        return E_NOINTERFACE;
    }
    IUnknown_AddRef((IUnknown *)*obj);
    return S_OK;
}

static ULONG WINAPI session_AddRef(IRendezvousSession *iface)
{
    struct session *s = impl_from_IRendezvousSession(iface);
    ULONG refcount = InterlockedIncrement(&s->refcount);

    TRACE("%p, refcount %lu.\n", s, refcount);
    return refcount;
}

static void session_free(struct work_guard *guard)
{
    struct session *s = CONTAINING_RECORD(guard, struct session, guard);

    TRACE("%p.\n", s);

    /* Only when another thread's events outlasted the last Release. */
    rv_session_destroy(s->core);
    connection_point_destroy(&s->events.point);
    SysFreeString(s->remote_user);
    DeleteCriticalSection(&s->cs);
    CoTaskMemFree(s);
    unlock_module();
}

/* The client's last Release: the session ends and the sinks are let go of
 * before it returns, whatever events are in flight. */
static void session_close(struct session *s)
{
    wake_target_remove(&s->wake);
    if (work_guard_close(&s->guard))
    {
        /* No handler runs after this (but for one of this thread that
         * released from inside its event, which the core allows). */
        rv_session_destroy(s->core);
        s->core = NULL;
    }
    connection_point_unadvise_all(&s->events.point);
    work_guard_release(&s->guard);
}

static ULONG WINAPI session_Release(IRendezvousSession *iface)
{
    struct session *s = impl_from_IRendezvousSession(iface);
    ULONG refcount = InterlockedDecrement(&s->refcount);

    TRACE("%p, refcount %lu.\n", s, refcount);

    if (!refcount) session_close(s);
    return refcount;
}

static HRESULT WINAPI session_get_State(IRendezvousSession *iface, RENDEZVOUS_SESSION_STATE *state)
{
    struct session *s = impl_from_IRendezvousSession(iface);

    TRACE("%p, %p.\n", s, state);

    if (!state) return E_POINTER;
    *state = (RENDEZVOUS_SESSION_STATE)rv_session_get_state(s->core);
    return S_OK;
}

static HRESULT WINAPI session_get_RemoteUser(IRendezvousSession *iface, BSTR *user)
{
    struct session *s = impl_from_IRendezvousSession(iface);
    HRESULT hr = S_OK;

    TRACE("%p, %p.\n", s, user);

    if (!user) return E_POINTER;
    EnterCriticalSection(&s->cs);
    if (!(*user = SysAllocStringLen(s->remote_user, SysStringLen(s->remote_user)))) hr = E_OUTOFMEMORY;
    LeaveCriticalSection(&s->cs);
    return hr;
}

static HRESULT WINAPI session_get_Flags(IRendezvousSession *iface, LONG *flags)
{
    struct session *s = impl_from_IRendezvousSession(iface);

    TRACE("%p, %p.\n", s, flags);

    if (!flags) return E_POINTER;
    *flags = rv_session_get_flags(s->core);
    return S_OK;
}

static HRESULT WINAPI session_SendContextData(IRendezvousSession *iface, BSTR data)
{
    struct session *s = impl_from_IRendezvousSession(iface);
    HRESULT hr;

    TRACE("%p, %u units.\n", s, SysStringLen(data));

    /* The core applies every rule: NULL, length, state, allocation. */
    hr = rv_session_send_context_data(s->core, data, SysStringLen(data));
    dispatch_now(s);
    return hr;
}

static HRESULT WINAPI session_Terminate(IRendezvousSession *iface, HRESULT result, BSTR data)
{
    struct session *s = impl_from_IRendezvousSession(iface);
    HRESULT hr;

    TRACE("%p, %#lx, %u units.\n", s, result, SysStringLen(data));

    hr = rv_session_terminate(s->core, result, data, SysStringLen(data));
    dispatch_now(s);
    return hr;
}

static const IRendezvousSessionVtbl session_vtbl =
{
    session_QueryInterface,
    session_AddRef,
    session_Release,
    session_get_State,
    session_get_RemoteUser,
    session_get_Flags,
    session_SendContextData,
    session_Terminate,
};

/* IRendezvousSessionHost */

static HRESULT WINAPI host_QueryInterface(IRendezvousSessionHost *iface, REFIID riid, void **obj)
{
    struct session *s = impl_from_IRendezvousSessionHost(iface);
    return IRendezvousSession_QueryInterface(&s->IRendezvousSession_iface, riid, obj);
}

static ULONG WINAPI host_AddRef(IRendezvousSessionHost *iface)
{
    struct session *s = impl_from_IRendezvousSessionHost(iface);
    return IRendezvousSession_AddRef(&s->IRendezvousSession_iface);
}

static ULONG WINAPI host_Release(IRendezvousSessionHost *iface)
{
    struct session *s = impl_from_IRendezvousSessionHost(iface);
    return IRendezvousSession_Release(&s->IRendezvousSession_iface);
}

static HRESULT WINAPI host_GetTypeInfoCount(IRendezvousSessionHost *iface, UINT *count)
{
    TRACE("%p, %p.\n", iface, count);

    if (!count) return E_POINTER;
    *count = 1;
    return S_OK;
}

static HRESULT WINAPI host_GetTypeInfo(IRendezvousSessionHost *iface, UINT index, LCID lcid, ITypeInfo **info)
{
    TRACE("%p, %u, %#lx, %p.\n", iface, index, lcid, info);

    return dispatch_get_type_info(&rendezvous_typeinfo, IRendezvousSessionHost_tid, index, info);
}

static HRESULT WINAPI host_GetIDsOfNames(IRendezvousSessionHost *iface, REFIID riid, LPOLESTR *names,
                                         UINT count, LCID lcid, DISPID *ids)
{
    TRACE("%p, %s, %p, %u, %#lx, %p.\n", iface, debugstr_guid(riid), names, count, lcid, ids);

    return dispatch_get_ids_of_names(&rendezvous_typeinfo, IRendezvousSessionHost_tid, riid, names,
                                     count, ids);
}

static HRESULT WINAPI host_Invoke(IRendezvousSessionHost *iface, DISPID id, REFIID riid, LCID lcid,
                                  WORD flags, DISPPARAMS *params, VARIANT *result, EXCEPINFO *excepinfo,
                                  UINT *argerr)
{
    TRACE("%p, %ld, %s, %#lx, %#x, %p, %p, %p, %p.\n", iface, id, debugstr_guid(riid), lcid, flags,
          params, result, excepinfo, argerr);

    return dispatch_invoke(&rendezvous_typeinfo, IRendezvousSessionHost_tid, iface, id, riid, flags, params,
                           result, excepinfo, argerr);
}

static HRESULT WINAPI host_Initialize(IRendezvousSessionHost *iface, LONG flags)
{
    struct session *s = impl_from_IRendezvousSessionHost(iface);

    TRACE("%p, %#lx.\n", s, flags);

    return rv_session_set_role(s->core, flags);
}

static rv_result take_invitation(void *ctx, const char *text)
{
    WCHAR textW[RV_INVITATION_BUFFER_SIZE];
    BSTR *invitation = ctx;
    unsigned int i;

    for (i = 0; text[i] && i < RV_INVITATION_MAX_LENGTH; i++) textW[i] = (unsigned char)text[i];
    textW[i] = 0;
    return (*invitation = SysAllocString(textW)) ? S_OK : E_OUTOFMEMORY;
}

static HRESULT WINAPI host_CreateInvitation(IRendezvousSessionHost *iface, BSTR address, BSTR *invitation)
{
    struct session *s = impl_from_IRendezvousSessionHost(iface);
    char host[MAX_ADDRESS + 1];
    unsigned int i, len = SysStringLen(address);
    HRESULT hr;

    TRACE("%p, %s, %p.\n", s, debugstr_w(address), invitation);

    if (!invitation) return E_POINTER;
    *invitation = NULL;
    if (len > MAX_ADDRESS) return E_INVALIDARG;
    /* Numeric addresses only: the text goes to the peer as it is. */
    for (i = 0; i < len; i++)
    {
        if (address[i] <= ' ' || address[i] >= 0x7f) return E_INVALIDARG;
        host[i] = address[i];
    }
    host[len] = 0;

    /* Within range by construction: the registry value is clamped. */
    rv_session_set_invitation_lifetime(s->core, backend_get_invitation_lifetime());
    /* The BSTR is made before the session changes, so that its failure
     * changes nothing. */
    hr = rv_session_invite_with(s->core, len ? host : NULL, 0, take_invitation, invitation);
    dispatch_now(s);
    return hr;
}

static HRESULT WINAPI host_ReceiveInvitation(IRendezvousSessionHost *iface, BSTR invitation)
{
    struct session *s = impl_from_IRendezvousSessionHost(iface);
    char text[RV_INVITATION_BUFFER_SIZE];
    unsigned int i, len = SysStringLen(invitation);
    HRESULT hr;

    TRACE("%p, %u characters.\n", s, SysStringLen(invitation));

    if (!len || len > RV_INVITATION_MAX_LENGTH) return E_INVALIDARG;
    for (i = 0; i < len; i++)
    {
        if (!invitation[i] || invitation[i] >= 0x80) return E_INVALIDARG;
        text[i] = invitation[i];
    }
    text[len] = 0;
    hr = rv_session_receive_invitation(s->core, text);
    dispatch_now(s);
    return hr;
}

static HRESULT WINAPI host_Accept(IRendezvousSessionHost *iface)
{
    struct session *s = impl_from_IRendezvousSessionHost(iface);
    HRESULT hr;

    TRACE("%p.\n", s);

    hr = rv_session_accept(s->core);
    dispatch_now(s);
    return hr;
}

static HRESULT WINAPI host_Decline(IRendezvousSessionHost *iface)
{
    struct session *s = impl_from_IRendezvousSessionHost(iface);
    HRESULT hr;

    TRACE("%p.\n", s);

    hr = rv_session_decline(s->core);
    dispatch_now(s);
    return hr;
}

static HRESULT WINAPI host_Cancel(IRendezvousSessionHost *iface)
{
    struct session *s = impl_from_IRendezvousSessionHost(iface);
    HRESULT hr;

    TRACE("%p.\n", s);

    hr = rv_session_cancel(s->core);
    dispatch_now(s);
    return hr;
}

static HRESULT WINAPI host_put_RemoteUser(IRendezvousSessionHost *iface, BSTR name)
{
    struct session *s = impl_from_IRendezvousSessionHost(iface);
    BSTR copy;

    TRACE("%p, %s.\n", s, debugstr_w(name));

    if (SysStringLen(name) > MAX_REMOTE_USER) return E_INVALIDARG;
    if (!(copy = SysAllocStringLen(name, SysStringLen(name)))) return E_OUTOFMEMORY;
    EnterCriticalSection(&s->cs);
    SysFreeString(s->remote_user);
    s->remote_user = copy;
    LeaveCriticalSection(&s->cs);
    return S_OK;
}

static HRESULT WINAPI host_get_MaxContextData(IRendezvousSessionHost *iface, LONG *units)
{
    TRACE("%p, %p.\n", iface, units);

    if (!units) return E_POINTER;
    *units = rv_profile_rendezvous.max_context_units;
    return S_OK;
}

static HRESULT WINAPI host_get_SessionId(IRendezvousSessionHost *iface, BSTR *id)
{
    struct session *s = impl_from_IRendezvousSessionHost(iface);
    uint8_t bytes[RV_SESSION_ID_SIZE];
    WCHAR text[40];
    GUID guid;
    HRESULT hr;

    TRACE("%p, %p.\n", s, id);

    if (!id) return E_POINTER;
    *id = NULL;
    if (FAILED(hr = rv_session_get_id(s->core, bytes))) return hr;
    /* The 16 bytes as a GUID in wire (big-endian) order. */
    guid.Data1 = (bytes[0] << 24) | (bytes[1] << 16) | (bytes[2] << 8) | bytes[3];
    guid.Data2 = (bytes[4] << 8) | bytes[5];
    guid.Data3 = (bytes[6] << 8) | bytes[7];
    memcpy(guid.Data4, bytes + 8, 8);
    StringFromGUID2(&guid, text, ARRAY_SIZE(text));
    if (!(*id = SysAllocString(text))) return E_OUTOFMEMORY;
    return S_OK;
}

static HRESULT WINAPI host_get_SecurityCode(IRendezvousSessionHost *iface, BSTR *code)
{
    struct session *s = impl_from_IRendezvousSessionHost(iface);

    TRACE("%p, %p.\n", s, code);

    return module_security_code(s->core, code);
}

static const IRendezvousSessionHostVtbl host_vtbl =
{
    host_QueryInterface,
    host_AddRef,
    host_Release,
    host_GetTypeInfoCount,
    host_GetTypeInfo,
    host_GetIDsOfNames,
    host_Invoke,
    host_Initialize,
    host_CreateInvitation,
    host_ReceiveInvitation,
    host_Accept,
    host_Decline,
    host_Cancel,
    host_put_RemoteUser,
    host_get_MaxContextData,
    host_get_SessionId,
    host_get_SecurityCode,
};

HRESULT rendezvous_session_create(REFIID riid, void **obj)
{
    struct session *s;
    HRESULT hr;

    TRACE("%s, %p.\n", debugstr_guid(riid), obj);

    if (!(s = CoTaskMemAlloc(sizeof(*s)))) return E_OUTOFMEMORY;
    memset(s, 0, sizeof(*s));
    s->IRendezvousSession_iface.lpVtbl = &session_vtbl;
    s->IRendezvousSessionHost_iface.lpVtbl = &host_vtbl;
    s->refcount = 1;
    work_guard_init(&s->guard, session_free);

    if (FAILED(hr = wake_target_init(&s->wake, &s->guard, dispatch_session)))
    {
        CoTaskMemFree(s);
        return hr;
    }
    if (FAILED(hr = rv_session_create(&rv_profile_rendezvous, 0, &session_callbacks, s, &s->core)))
    {
        wake_target_remove(&s->wake);
        CoTaskMemFree(s);
        return hr;
    }
    InitializeCriticalSection(&s->cs);
    event_source_init(&s->events, (IUnknown *)&s->IRendezvousSession_iface, &DIID_DRendezvousSessionEvents);
    lock_module();

    hr = IRendezvousSession_QueryInterface(&s->IRendezvousSession_iface, riid, obj);
    IRendezvousSession_Release(&s->IRendezvousSession_iface);
    return hr;
}
