/*
 * The legacy bridge: IRendezvousSession over an IMsgrSession
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
 * XP's Remote Assistance ran over Windows Messenger sessions.  This object
 * lets a Messenger session, ours or anyone's, stand in for the IM program's
 * IRendezvousSession: SESSION_STATE and RENDEZVOUS_SESSION_STATE are the same
 * values, SF_INVITER/SF_INVITEE the same bits as RSF_INVITER/RSF_INVITEE, and
 * the flags add RSF_REMOTE_LEGACYSESSION.  Context data keeps the Messenger
 * rules (300 units, five sends), since the Messenger session carries it;
 * Terminate is the Messenger session's Cancel.  DMsgrSessionEvents become
 * DRendezvousSessionEvents; the events Remote Assistance has no use for
 * (OnAccepted, OnDeclined, OnCancelled, OnAppNotPresent, OnReadyToLaunch,
 * BeforeAppLaunch) are not passed on.
 */

#define COBJMACROS

#include <windows.h>
#include <ole2.h>
#include <olectl.h>

#include "msgsc_private.h"

#include "wine/debug.h"

WINE_DEFAULT_DEBUG_CHANNEL(msgsc);

#define MAX_REMOTE_USER 1024
#define E_INVALID_STATE HRESULT_FROM_WIN32(ERROR_INVALID_STATE)

struct bridge
{
    IRendezvousSession IRendezvousSession_iface;
    struct event_source events;     /* the container and its one point */
    struct com_object object;
    struct work_guard guard;    /* the memory, through events in flight */

    IMsgrSession *msgr;
    IConnectionPoint *msgr_point;
    DWORD cookie;
    struct event_sink *sink;    /* the DMsgrSessionEvents sink */
    BSTR remote_user;

    CRITICAL_SECTION cs;
    BOOL terminating;           /* Terminate cancelled the session */
    HRESULT terminate_hr;       /* and the hr it gave */
};

static inline struct bridge *impl_from_IRendezvousSession(IRendezvousSession *iface)
{
    return CONTAINING_RECORD(iface, struct bridge, IRendezvousSession_iface);
}

/* The DMsgrSessionEvents sink holds no reference on its bridge, which holds
 * the Messenger session that holds the sink; each event it passes on is work
 * of the bridge's guard. */
static BOOL sink_enter_bridge(void *owner, void *frame)
{
    struct bridge *bridge = owner;

    return work_guard_enter(&bridge->guard, frame);
}

/* Argument index (rgvarg order) as type vt; argerr tells which one failed. */
static HRESULT get_arg(DISPPARAMS *params, UINT index, VARTYPE vt, VARIANT *out, UINT *argerr)
{
    HRESULT hr;

    VariantInit(out);
    if (FAILED(hr = VariantChangeType(out, &params->rgvarg[index], 0, vt)))
    {
        if (hr == E_OUTOFMEMORY) return hr;
        if (argerr) *argerr = index;
        return DISP_E_TYPEMISMATCH;
    }
    return S_OK;
}

static HRESULT sink_invoke(struct event_sink *sink, DISPID id, WORD flags, DISPPARAMS *params, VARIANT *result,
                           UINT *argerr)
{
    struct work_frame frame;
    VARIANT args[2];
    struct bridge *bridge;
    UINT expected;
    HRESULT hr;

    switch (id)
    {
    case DISPID_ONSTATECHANGED:
    case DISPID_ONCONTEXTDATA:
    case DISPID_ONSENDERROR:
        expected = 1;
        break;
    case DISPID_ONTERMINATION:
        expected = 2;
        break;
    case DISPID_ONAPPNOTPRESENT:
    case DISPID_ONACCEPTED:
    case DISPID_ONDECLINED:
    case DISPID_ONCANCELLED:
    case DISPID_ONREADYTOLAUNCH:
    case DISPID_BEFOREAPPLAUNCH:
        /* Nothing Remote Assistance has a use for. */
        return S_OK;
    default:
        WARN("unknown DISPID %ld\n", id);
        return DISP_E_MEMBERNOTFOUND;
    }
    if (!params || !params->rgvarg) return E_INVALIDARG;
    if (params->cNamedArgs) return DISP_E_NONAMEDARGS;
    if (params->cArgs != expected) return DISP_E_BADPARAMCOUNT;
    if (!(bridge = event_sink_hold_owner(sink, &frame))) return S_OK;

    switch (id)
    {
    case DISPID_ONSTATECHANGED:
        if (SUCCEEDED(hr = get_arg(params, 0, VT_I4, &args[0], argerr)))
        {
            /* SS_* are RSS_* up to SS_TERMINATED; Messenger's fallback states are unknown here. */
            if (V_I4(&args[0]) < SS_UNKNOWN || V_I4(&args[0]) > SS_TERMINATED) V_I4(&args[0]) = RSS_UNKNOWN;
            event_source_fire(&bridge->events, DISPID_EVENT_ON_STATE_CHANGED, args, 1);
        }
        break;
    case DISPID_ONCONTEXTDATA:
        if (SUCCEEDED(hr = get_arg(params, 0, VT_BSTR, &args[0], argerr)))
        {
            event_source_fire(&bridge->events, DISPID_EVENT_ON_CONTEXT_DATA, args, 1);
            VariantClear(&args[0]);
        }
        break;
    case DISPID_ONSENDERROR:
        if (SUCCEEDED(hr = get_arg(params, 0, VT_I4, &args[0], argerr)))
            event_source_fire(&bridge->events, DISPID_EVENT_ON_SEND_ERROR, args, 1);
        break;
    default:
        /* OnTermination(hr, bstrAppData): the BSTR is rgvarg[0]. */
        if (SUCCEEDED(hr = get_arg(params, 1, VT_I4, &args[1], argerr)) &&
            SUCCEEDED(hr = get_arg(params, 0, VT_BSTR, &args[0], argerr)))
        {
            EnterCriticalSection(&bridge->cs);
            /* The end Remote Assistance asked for, with its own hr. */
            if (bridge->terminating) V_I4(&args[1]) = bridge->terminate_hr;
            bridge->terminating = FALSE;
            LeaveCriticalSection(&bridge->cs);
            event_source_fire(&bridge->events, DISPID_EVENT_ON_TERMINATION, args, 2);
            VariantClear(&args[0]);
        }
        break;
    }
    work_guard_leave(&frame);
    return hr;
}

static const struct event_sink_ops sink_ops =
{
    sink_invoke,
    sink_enter_bridge,
    NULL,
};

/* IRendezvousSession */

static const struct object_interface bridge_interfaces[] =
{
    { &IID_IRendezvousSession, offsetof(struct bridge, IRendezvousSession_iface) },
    { &IID_IConnectionPointContainer, offsetof(struct bridge, events.IConnectionPointContainer_iface) },
    { NULL }
};

FORWARD_IUNKNOWN_METHODS(bridge, IRendezvousSession, &impl_from_IRendezvousSession(iface)->object.IUnknown_iface)

static void bridge_free(struct work_guard *guard)
{
    struct bridge *bridge = CONTAINING_RECORD(guard, struct bridge, guard);

    TRACE("%p.\n", bridge);

    connection_point_destroy(&bridge->events.point);
    SysFreeString(bridge->remote_user);
    DeleteCriticalSection(&bridge->cs);
    CoTaskMemFree(bridge);
    unlock_module();
}

/* The client's last Release: the Messenger session and the sinks are let go
 * of before it returns, whatever events are in flight. */
static void bridge_final_release(struct com_object *object)
{
    struct bridge *bridge = CONTAINING_RECORD(object, struct bridge, object);
    HRESULT hr;

    event_sink_detach(bridge->sink);
    work_guard_close(&bridge->guard);
    if (FAILED(hr = IConnectionPoint_Unadvise(bridge->msgr_point, bridge->cookie))) WARN("Unadvise failed: %#lx\n", hr);
    IConnectionPoint_Release(bridge->msgr_point);
    IMsgrSession_Release(bridge->msgr);
    IDispatch_Release(&bridge->sink->IDispatch_iface);
    connection_point_unadvise_all(&bridge->events.point);
    work_guard_release(&bridge->guard);
}

static HRESULT WINAPI bridge_get_State(IRendezvousSession *iface, RENDEZVOUS_SESSION_STATE *state)
{
    struct bridge *bridge = impl_from_IRendezvousSession(iface);
    SESSION_STATE msgr_state;
    HRESULT hr;

    TRACE("%p, %p.\n", bridge, state);

    if (!state) return E_POINTER;
    if (FAILED(hr = IMsgrSession_get_State(bridge->msgr, &msgr_state))) return hr;
    *state = msgr_state >= SS_UNKNOWN && msgr_state <= SS_TERMINATED ? (RENDEZVOUS_SESSION_STATE)msgr_state
                                                                     : RSS_UNKNOWN;
    return S_OK;
}

static HRESULT WINAPI bridge_get_RemoteUser(IRendezvousSession *iface, BSTR *user)
{
    struct bridge *bridge = impl_from_IRendezvousSession(iface);

    TRACE("%p, %p.\n", bridge, user);

    if (!user) return E_POINTER;
    if (!(*user = SysAllocStringLen(bridge->remote_user, SysStringLen(bridge->remote_user)))) return E_OUTOFMEMORY;
    return S_OK;
}

static HRESULT WINAPI bridge_get_Flags(IRendezvousSession *iface, LONG *flags)
{
    struct bridge *bridge = impl_from_IRendezvousSession(iface);
    LONG msgr_flags;
    HRESULT hr;

    TRACE("%p, %p.\n", bridge, flags);

    if (!flags) return E_POINTER;
    if (FAILED(hr = IMsgrSession_get_Flags(bridge->msgr, &msgr_flags))) return hr;
    /* Only the role: SF_APP_INVITE_COMPATIBLE has RSF_ORIGINAL_INVITER's value. */
    *flags = (msgr_flags & (SF_INVITER | SF_INVITEE)) | RSF_REMOTE_LEGACYSESSION;
    return S_OK;
}

static HRESULT WINAPI bridge_SendContextData(IRendezvousSession *iface, BSTR data)
{
    struct bridge *bridge = impl_from_IRendezvousSession(iface);

    TRACE("%p, %u units.\n", bridge, SysStringLen(data));

    return IMsgrSession_SendContextData(bridge->msgr, data);
}

static HRESULT WINAPI bridge_Terminate(IRendezvousSession *iface, HRESULT result, BSTR data)
{
    struct bridge *bridge = impl_from_IRendezvousSession(iface);
    SESSION_STATE state;
    HRESULT hr;

    TRACE("%p, %#lx, %u units.\n", bridge, result, SysStringLen(data));

    if (SysStringLen(data) > MSGR_MAX_APPDATA_UNITS) return E_INVALIDARG;
    if (FAILED(hr = IMsgrSession_get_State(bridge->msgr, &state))) return hr;
    if (state != SS_INVITATION && state != SS_ACCEPTED && state != SS_CONNECTED) return E_INVALID_STATE;

    EnterCriticalSection(&bridge->cs);
    bridge->terminating = TRUE;
    bridge->terminate_hr = result;
    LeaveCriticalSection(&bridge->cs);
    if (FAILED(hr = IMsgrSession_Cancel(bridge->msgr, result, data)))
    {
        EnterCriticalSection(&bridge->cs);
        bridge->terminating = FALSE;
        LeaveCriticalSection(&bridge->cs);
    }
    return hr;
}

static const IRendezvousSessionVtbl bridge_vtbl =
{
    bridge_QueryInterface,
    bridge_AddRef,
    bridge_Release,
    bridge_get_State,
    bridge_get_RemoteUser,
    bridge_get_Flags,
    bridge_SendContextData,
    bridge_Terminate,
};

HRESULT msgr_bridge_create(IDispatch *session, BSTR remote_user, IUnknown **ret)
{
    IConnectionPointContainer *container = NULL;
    IConnectionPoint *point = NULL;
    struct event_sink *sink = NULL;
    IMsgrSession *msgr = NULL;
    struct bridge *bridge = NULL;
    BSTR user = NULL;
    HRESULT hr;

    TRACE("%p, %s, %p.\n", session, debugstr_w(remote_user), ret);

    if (SysStringLen(remote_user) > MAX_REMOTE_USER) return E_INVALIDARG;
    if (FAILED(IDispatch_QueryInterface(session, &IID_IMsgrSession, (void **)&msgr)))
    {
        WARN("%p is no IMsgrSession\n", session);
        return E_INVALIDARG;
    }
    if (FAILED(IMsgrSession_QueryInterface(msgr, &IID_IConnectionPointContainer, (void **)&container)) ||
        FAILED(IConnectionPointContainer_FindConnectionPoint(container, &DIID_DMsgrSessionEvents, &point)))
    {
        WARN("%p has no DMsgrSessionEvents point\n", session);
        hr = E_INVALIDARG;
        point = NULL;
        goto failed;
    }
    if (!(user = SysAllocStringLen(remote_user, SysStringLen(remote_user))) ||
        !(bridge = CoTaskMemAlloc(sizeof(*bridge))))
    {
        hr = E_OUTOFMEMORY;
        goto failed;
    }
    if (FAILED(hr = event_sink_create(&DIID_DMsgrSessionEvents, &msgsc_typeinfo, DMsgrSessionEvents_tid,
                                      &sink_ops, bridge, &sink)))
        goto failed;

    memset(bridge, 0, sizeof(*bridge));
    bridge->IRendezvousSession_iface.lpVtbl = &bridge_vtbl;
    com_object_init(&bridge->object, bridge, bridge_interfaces, bridge_final_release);
    work_guard_init(&bridge->guard, bridge_free);
    bridge->msgr = msgr;
    bridge->msgr_point = point;
    bridge->sink = sink;
    bridge->remote_user = user;
    /* Ready for events before the Advise: they may come at once, on any thread. */
    InitializeCriticalSection(&bridge->cs);
    event_source_init(&bridge->events, (IUnknown *)&bridge->IRendezvousSession_iface, &DIID_DRendezvousSessionEvents);
    if (FAILED(hr = IConnectionPoint_Advise(point, (IUnknown *)&sink->IDispatch_iface, &bridge->cookie)))
    {
        WARN("Advise failed: %#lx\n", hr);
        connection_point_destroy(&bridge->events.point);
        DeleteCriticalSection(&bridge->cs);
        goto failed;
    }
    lock_module();
    IConnectionPointContainer_Release(container);
    *ret = (IUnknown *)&bridge->IRendezvousSession_iface;
    return S_OK;

failed:
    if (point) IConnectionPoint_Release(point);
    if (container) IConnectionPointContainer_Release(container);
    if (msgr) IMsgrSession_Release(msgr);
    SysFreeString(user);
    if (sink) IDispatch_Release(&sink->IDispatch_iface);
    CoTaskMemFree(bridge);
    return hr;
}
