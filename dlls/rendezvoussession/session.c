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
    struct com_object object;
    struct session_face face;       /* its cs guards remote_user */
    BSTR remote_user;
};

static inline struct session *impl_from_IRendezvousSession(IRendezvousSession *iface)
{
    return CONTAINING_RECORD(iface, struct session, IRendezvousSession_iface);
}

static inline struct session *impl_from_IRendezvousSessionHost(IRendezvousSessionHost *iface)
{
    return CONTAINING_RECORD(iface, struct session, IRendezvousSessionHost_iface);
}

static inline struct session *impl_from_face(void *face)
{
    return CONTAINING_RECORD(face, struct session, face);
}

/* Core handlers: these fire DRendezvousSessionEvents.  The dispatch's work
 * frame keeps the session, whatever a sink releases. */

static void on_state_changed(void *user, enum rv_state new_state, enum rv_state prev_state)
{
    struct session *session = impl_from_face(user);

    TRACE("%p, state %d -> %d.\n", session, prev_state, new_state);

    session_face_state_changed(&session->face, DISPID_EVENT_ON_STATE_CHANGED, new_state);
}

static void on_context_data(void *user, const uint16_t *units, uint32_t count)
{
    struct session *session = impl_from_face(user);
    VARIANT arg;

    TRACE("%p, %u units.\n", session, count);

    V_VT(&arg) = VT_BSTR;
    if (!(V_BSTR(&arg) = SysAllocStringLen(units, count)))
    {
        /* The sender's sinks hear of it through OnSendError. */
        WARN("cannot deliver %u units of context data\n", count);
        rv_session_report_delivery_failure(session->face.core, E_OUTOFMEMORY);
        return;
    }
    event_source_fire(&session->face.events, DISPID_EVENT_ON_CONTEXT_DATA, &arg, 1);
    SysFreeString(V_BSTR(&arg));
}

static void on_termination(void *user, rv_result hr, const uint16_t *units, uint32_t count)
{
    struct session *session = impl_from_face(user);

    TRACE("%p, %#x, %u units.\n", session, hr, count);

    session_face_fire_termination(&session->face, DISPID_EVENT_ON_TERMINATION, hr, units, count);
}

static void on_send_error(void *user, rv_result hr)
{
    struct session *session = impl_from_face(user);

    TRACE("%p, %#x.\n", session, hr);

    session_face_fire_i4(&session->face, DISPID_EVENT_ON_SEND_ERROR, hr);
}

static const struct rv_session_callbacks session_callbacks =
{
    session_face_wake,
    on_state_changed,
    on_context_data,
    on_termination,
    on_send_error,
};

/* IRendezvousSession */

static const struct object_interface session_interfaces[] =
{
    { &IID_IRendezvousSession, offsetof(struct session, IRendezvousSession_iface) },
    { &IID_IRendezvousSessionHost, offsetof(struct session, IRendezvousSessionHost_iface) },
    { &IID_IDispatch, offsetof(struct session, IRendezvousSessionHost_iface) },
    { &IID_IConnectionPointContainer, offsetof(struct session, face.events.IConnectionPointContainer_iface) },
    { NULL }
};

FORWARD_IUNKNOWN_METHODS(session, IRendezvousSession, &impl_from_IRendezvousSession(iface)->object.IUnknown_iface)

static void session_free(struct work_guard *guard)
{
    struct session *session = CONTAINING_RECORD(guard, struct session, face.guard);

    TRACE("%p.\n", session);

    SysFreeString(session->remote_user);
    session_face_destroy(&session->face);
    CoTaskMemFree(session);
}

/* The client's last Release: the session ends and the sinks are let go of
 * before it returns, whatever events are in flight. */
static void session_final_release(struct com_object *object)
{
    struct session *session = CONTAINING_RECORD(object, struct session, object);

    session_face_close(&session->face);
    work_guard_release(&session->face.guard);
}

static HRESULT WINAPI session_get_State(IRendezvousSession *iface, RENDEZVOUS_SESSION_STATE *state)
{
    struct session *session = impl_from_IRendezvousSession(iface);

    TRACE("%p, %p.\n", session, state);

    if (!state) return E_POINTER;
    *state = (RENDEZVOUS_SESSION_STATE)rv_session_get_state(session->face.core);
    return S_OK;
}

static HRESULT WINAPI session_get_RemoteUser(IRendezvousSession *iface, BSTR *user)
{
    struct session *session = impl_from_IRendezvousSession(iface);
    HRESULT hr = S_OK;

    TRACE("%p, %p.\n", session, user);

    if (!user) return E_POINTER;
    EnterCriticalSection(&session->face.cs);
    if (!(*user = SysAllocStringLen(session->remote_user, SysStringLen(session->remote_user)))) hr = E_OUTOFMEMORY;
    LeaveCriticalSection(&session->face.cs);
    return hr;
}

static HRESULT WINAPI session_get_Flags(IRendezvousSession *iface, LONG *flags)
{
    struct session *session = impl_from_IRendezvousSession(iface);

    TRACE("%p, %p.\n", session, flags);

    if (!flags) return E_POINTER;
    *flags = rv_session_get_flags(session->face.core);
    return S_OK;
}

static HRESULT WINAPI session_SendContextData(IRendezvousSession *iface, BSTR data)
{
    struct session *session = impl_from_IRendezvousSession(iface);
    HRESULT hr;

    TRACE("%p, %u units.\n", session, SysStringLen(data));

    /* The core applies every rule: NULL, length, state, allocation. */
    hr = rv_session_send_context_data(session->face.core, data, SysStringLen(data));
    session_face_dispatch_now(&session->face);
    return hr;
}

static HRESULT WINAPI session_Terminate(IRendezvousSession *iface, HRESULT result, BSTR data)
{
    struct session *session = impl_from_IRendezvousSession(iface);
    HRESULT hr;

    TRACE("%p, %#lx, %u units.\n", session, result, SysStringLen(data));

    hr = rv_session_terminate(session->face.core, result, data, SysStringLen(data));
    session_face_dispatch_now(&session->face);
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

FORWARD_IUNKNOWN_METHODS(host, IRendezvousSessionHost, &impl_from_IRendezvousSessionHost(iface)->object.IUnknown_iface)

DUAL_DISPATCH_METHODS(host, IRendezvousSessionHost, &rendezvous_typeinfo, IRendezvousSessionHost_tid)

static HRESULT WINAPI host_Initialize(IRendezvousSessionHost *iface, LONG flags)
{
    struct session *session = impl_from_IRendezvousSessionHost(iface);

    TRACE("%p, %#lx.\n", session, flags);

    return rv_session_set_role(session->face.core, flags);
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
    struct session *session = impl_from_IRendezvousSessionHost(iface);
    char host[MAX_ADDRESS + 1];
    unsigned int i, len = SysStringLen(address);
    HRESULT hr;

    TRACE("%p, %s, %p.\n", session, debugstr_w(address), invitation);

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
    rv_session_set_invitation_lifetime(session->face.core, backend_get_invitation_lifetime());
    /* The BSTR is made before the session changes, so that its failure
     * changes nothing. */
    hr = rv_session_invite_with(session->face.core, len ? host : NULL, 0, take_invitation, invitation);
    session_face_dispatch_now(&session->face);
    return hr;
}

static HRESULT WINAPI host_ReceiveInvitation(IRendezvousSessionHost *iface, BSTR invitation)
{
    struct session *session = impl_from_IRendezvousSessionHost(iface);
    char text[RV_INVITATION_BUFFER_SIZE];
    unsigned int i, len = SysStringLen(invitation);
    HRESULT hr;

    TRACE("%p, %u characters.\n", session, SysStringLen(invitation));

    if (!len || len > RV_INVITATION_MAX_LENGTH) return E_INVALIDARG;
    for (i = 0; i < len; i++)
    {
        if (!invitation[i] || invitation[i] >= 0x80) return E_INVALIDARG;
        text[i] = invitation[i];
    }
    text[len] = 0;
    hr = rv_session_receive_invitation(session->face.core, text);
    session_face_dispatch_now(&session->face);
    return hr;
}

static HRESULT WINAPI host_Accept(IRendezvousSessionHost *iface)
{
    struct session *session = impl_from_IRendezvousSessionHost(iface);
    HRESULT hr;

    TRACE("%p.\n", session);

    hr = rv_session_accept(session->face.core);
    session_face_dispatch_now(&session->face);
    return hr;
}

static HRESULT WINAPI host_Decline(IRendezvousSessionHost *iface)
{
    struct session *session = impl_from_IRendezvousSessionHost(iface);
    HRESULT hr;

    TRACE("%p.\n", session);

    hr = rv_session_decline(session->face.core);
    session_face_dispatch_now(&session->face);
    return hr;
}

static HRESULT WINAPI host_Cancel(IRendezvousSessionHost *iface)
{
    struct session *session = impl_from_IRendezvousSessionHost(iface);
    HRESULT hr;

    TRACE("%p.\n", session);

    hr = rv_session_cancel(session->face.core);
    session_face_dispatch_now(&session->face);
    return hr;
}

static HRESULT WINAPI host_put_RemoteUser(IRendezvousSessionHost *iface, BSTR name)
{
    struct session *session = impl_from_IRendezvousSessionHost(iface);
    BSTR copy;

    TRACE("%p, %s.\n", session, debugstr_w(name));

    if (SysStringLen(name) > MAX_REMOTE_USER) return E_INVALIDARG;
    if (!(copy = SysAllocStringLen(name, SysStringLen(name)))) return E_OUTOFMEMORY;
    EnterCriticalSection(&session->face.cs);
    SysFreeString(session->remote_user);
    session->remote_user = copy;
    LeaveCriticalSection(&session->face.cs);
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
    struct session *session = impl_from_IRendezvousSessionHost(iface);

    TRACE("%p, %p.\n", session, id);

    if (!id) return E_POINTER;
    return session_face_get_id(&session->face, id);
}

static HRESULT WINAPI host_get_SecurityCode(IRendezvousSessionHost *iface, BSTR *code)
{
    struct session *session = impl_from_IRendezvousSessionHost(iface);

    TRACE("%p, %p.\n", session, code);

    return module_security_code(session->face.core, code);
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
    struct session *session;
    HRESULT hr;

    TRACE("%s, %p.\n", debugstr_guid(riid), obj);

    if (!(session = CoTaskMemAlloc(sizeof(*session)))) return E_OUTOFMEMORY;
    memset(session, 0, sizeof(*session));
    session->IRendezvousSession_iface.lpVtbl = &session_vtbl;
    session->IRendezvousSessionHost_iface.lpVtbl = &host_vtbl;
    com_object_init(&session->object, session, session_interfaces, session_final_release);
    if (FAILED(hr = session_face_init(&session->face, (IUnknown *)&session->IRendezvousSession_iface,
                                      &DIID_DRendezvousSessionEvents, &rv_profile_rendezvous, 0,
                                      &session_callbacks, session_free)))
    {
        CoTaskMemFree(session);
        return hr;
    }

    hr = IRendezvousSession_QueryInterface(&session->IRendezvousSession_iface, riid, obj);
    IRendezvousSession_Release(&session->IRendezvousSession_iface);
    return hr;
}
