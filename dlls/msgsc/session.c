/*
 * MsgrSession: IMsgrSession over the rendezvous core
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
 * SESSION_STATE is the core's state, value for value, and the context-data
 * rules are the core's rv_profile_messenger.  What is Messenger's own lives
 * here: the application, the contact, the addresses, the application data of
 * the answers and the events (docs/behaviour.md, "Messenger").  Events are
 * delivered as RendezvousSession delivers them: an object made in an STA
 * fires on that thread, one made in the MTA on thread-pool threads.
 */

#define COBJMACROS

#include <stdio.h>
#include <windows.h>
#include <ole2.h>
#include <olectl.h>

#include "msgsc_private.h"

#include "wine/debug.h"

WINE_DEFAULT_DEBUG_CHANNEL(msgsc);

#define DEFAULT_LOCAL_ADDRESS L"127.0.0.1"
#define E_INVALID_STATE HRESULT_FROM_WIN32(ERROR_INVALID_STATE)

struct session
{
    IMsgrSession IMsgrSession_iface;
    IMsgrSessionHost IMsgrSessionHost_iface;
    struct msgr_lock lock;
    struct com_object object;
    struct session_face face;       /* its cs guards what follows */
    WCHAR app[MSGR_GUID_LENGTH + 1];    /* "" until known */
    BSTR app_name;
    BSTR app_url;
    BOOL app_registered;            /* the application is registered on this machine */
    IDispatch *user;                /* inviter: the contact Invite named */
    BSTR local_address;             /* NULL: DEFAULT_LOCAL_ADDRESS */
    BSTR invitation;                /* inviter: the text for the peer */
    BSTR context_data;              /* the last context data received */
    VARIANT_BOOL handled;
    HRESULT end_hr;                 /* this side's own Cancel or Decline */
    BSTR end_data;
    DWORD launched_pid;             /* Launch: the application's process */
    DWORD rot_cookie;               /* and the session's entry in the ROT */

    BOOL terminated;                /* OnTermination was fired; dispatch only */
};

static inline struct session *impl_from_IMsgrSession(IMsgrSession *iface)
{
    return CONTAINING_RECORD(iface, struct session, IMsgrSession_iface);
}

static inline struct session *impl_from_IMsgrSessionHost(IMsgrSessionHost *iface)
{
    return CONTAINING_RECORD(iface, struct session, IMsgrSessionHost_iface);
}

static const IMsgrSessionVtbl session_vtbl;

/* Only our own objects, whatever a caller passes as an IDispatch. */
static struct session *session_from_dispatch(IDispatch *iface)
{
    IMsgrSession *msgr;
    struct session *session = NULL;

    if (SUCCEEDED(IDispatch_QueryInterface(iface, &IID_IMsgrSession, (void **)&msgr)))
    {
        if (msgr->lpVtbl == &session_vtbl) session = impl_from_IMsgrSession(msgr);
        IMsgrSession_Release(msgr);
    }
    return session;
}

static inline struct session *impl_from_face(void *face)
{
    return CONTAINING_RECORD(face, struct session, face);
}

/* Core handlers: they fire DMsgrSessionEvents.  The dispatch's work frame
 * keeps the session, whatever a sink releases. */

/* A BSTR event argument; without memory the event still comes, with "". */
static void fire_bstr(struct session *session, DISPID dispid, const WCHAR *units, UINT count)
{
    VARIANT arg;

    V_VT(&arg) = VT_BSTR;
    if (!(V_BSTR(&arg) = SysAllocStringLen(units, count)) && count)
        WARN("event %ld loses %u units of data\n", dispid, count);
    event_source_fire(&session->face.events, dispid, &arg, 1);
    SysFreeString(V_BSTR(&arg));
}

static void fire_termination(struct session *session, HRESULT hr, const WCHAR *units, UINT count)
{
    session->terminated = TRUE;
    session_face_fire_termination(&session->face, DISPID_ONTERMINATION, hr, units, count);
}

static void revoke_launch(struct session *session)
{
    IRunningObjectTable *rot;
    DWORD cookie;

    EnterCriticalSection(&session->face.cs);
    cookie = session->rot_cookie;
    session->rot_cookie = 0;
    LeaveCriticalSection(&session->face.cs);
    if (!cookie || FAILED(GetRunningObjectTable(0, &rot))) return;
    IRunningObjectTable_Revoke(rot, cookie);
    IRunningObjectTable_Release(rot);
}

static void on_state_changed(void *user, enum rv_state new_state, enum rv_state prev_state)
{
    struct session *session = impl_from_face(user);
    BOOL final = new_state == RV_STATE_CANCELLED || new_state == RV_STATE_DECLINED ||
                 new_state == RV_STATE_TERMINATED;

    TRACE("%p, state %d -> %d.\n", session, prev_state, new_state);

    if (final && !session->terminated)
    {
        HRESULT hr;
        BSTR data;

        /* This side ended it: OnTermination with its own reason and data. */
        EnterCriticalSection(&session->face.cs);
        hr = session->end_hr ? session->end_hr : SR_SESSION_CANCELLED_LOCAL;
        data = session->end_data;
        session->end_data = NULL;
        LeaveCriticalSection(&session->face.cs);
        fire_termination(session, hr, data, SysStringLen(data));
        SysFreeString(data);
    }
    /* The argument is the new state, as RendezvousSession's. */
    session_face_state_changed(&session->face, DISPID_ONSTATECHANGED, new_state);
    if (final) revoke_launch(session);
}

static void on_context_data(void *user, const uint16_t *units, uint32_t count)
{
    struct session *session = impl_from_face(user);
    BSTR kept, old;
    VARIANT arg;

    TRACE("%p, %u units.\n", session, count);

    /* One copy for ContextData, one for the sinks, which may send more. */
    V_VT(&arg) = VT_BSTR;
    V_BSTR(&arg) = SysAllocStringLen(units, count);
    kept = SysAllocStringLen(units, count);
    if (!V_BSTR(&arg) || !kept)
    {
        WARN("cannot deliver %u units of context data\n", count);
        SysFreeString(V_BSTR(&arg));
        SysFreeString(kept);
        rv_session_report_delivery_failure(session->face.core, E_OUTOFMEMORY);
        return;
    }
    EnterCriticalSection(&session->face.cs);
    old = session->context_data;
    session->context_data = kept;
    LeaveCriticalSection(&session->face.cs);
    SysFreeString(old);
    event_source_fire(&session->face.events, DISPID_ONCONTEXTDATA, &arg, 1);
    SysFreeString(V_BSTR(&arg));
}

/* The core's failures, as Messenger's session results. */
static HRESULT map_failure(rv_result hr)
{
    switch (hr)
    {
    case RV_E_CONNECTION_RESET:
    case RV_E_CONNECTION_REFUSED:
        return SR_CONNECTION_FAILURE;
    case RV_E_ACCESS_DENIED:
        return SR_AUTHENTICATION_FAILED;
    case RV_E_TIMEOUT:
        return SR_SESSION_TIMEOUT;
    case RV_E_PROTOCOL:
        return SR_SESSION_PROTOCOL_ERROR;
    default:
        return FAILED(hr) ? hr : SR_CONNECTION_FAILURE;
    }
}

static void on_termination(void *user, rv_result hr, const uint16_t *units, uint32_t count)
{
    struct session *session = impl_from_face(user);

    TRACE("%p, %#x, %u units.\n", session, hr, count);

    /* The core fails a session with TERMINATED; a peer's TERMINATE ends it CANCELLED. */
    if (rv_session_get_state(session->face.core) == RV_STATE_TERMINATED) hr = map_failure(hr);
    fire_termination(session, hr, units, count);
}

static void on_send_error(void *user, rv_result hr)
{
    struct session *session = impl_from_face(user);

    TRACE("%p, %#x.\n", session, hr);

    session_face_fire_i4(&session->face, DISPID_ONSENDERROR, hr);
}

static void on_answer(void *user, enum rv_answer answer, rv_result hr, const uint16_t *units, uint32_t count)
{
    struct session *session = impl_from_face(user);

    TRACE("%p, answer %d, %#x, %u units.\n", session, answer, hr, count);

    switch (answer)
    {
    case RV_ANSWER_ACCEPTED:
        fire_bstr(session, DISPID_ONACCEPTED, units, count);
        break;
    case RV_ANSWER_DECLINED:
        fire_bstr(session, DISPID_ONDECLINED, units, count);
        fire_termination(session, SR_INVITATION_DECLINED, units, count);
        break;
    case RV_ANSWER_CANCELLED:
        fire_bstr(session, DISPID_ONCANCELLED, units, count);
        /* The canceller's reason, when it gave a failure. */
        fire_termination(session, FAILED(hr) ? hr : SR_SESSION_CANCELLED_REMOTE, units, count);
        break;
    }
}

static const struct rv_session_callbacks session_callbacks =
{
    session_face_wake,
    on_state_changed,
    on_context_data,
    on_termination,
    on_send_error,
    on_answer,
};

/* IMsgrSession */

static const struct object_interface session_interfaces[] =
{
    { &IID_IMsgrSession, offsetof(struct session, IMsgrSession_iface) },
    { &IID_IDispatch, offsetof(struct session, IMsgrSession_iface) },
    { &IID_IMsgrSessionHost, offsetof(struct session, IMsgrSessionHost_iface) },
    { &IID_IConnectionPointContainer, offsetof(struct session, face.events.IConnectionPointContainer_iface) },
    { &IID_IMsgrLock, offsetof(struct session, lock.IMsgrLock_iface) },
    { NULL }
};

FORWARD_IUNKNOWN_METHODS(session, IMsgrSession, &impl_from_IMsgrSession(iface)->object.IUnknown_iface)

static void wipe_string(BSTR str)
{
    if (str) SecureZeroMemory(str, SysStringByteLen(str));
    SysFreeString(str);
}

static void session_free(struct work_guard *guard)
{
    struct session *session = CONTAINING_RECORD(guard, struct session, face.guard);

    TRACE("%p.\n", session);

    SysFreeString(session->app_name);
    SysFreeString(session->app_url);
    SysFreeString(session->local_address);
    wipe_string(session->invitation);
    wipe_string(session->context_data);
    SysFreeString(session->end_data);
    session_face_destroy(&session->face);
    CoTaskMemFree(session);
}

/* The client's last Release: the session ends, and the sinks and the contact
 * are let go of before it returns, whatever events are in flight. */
static void session_final_release(struct com_object *object)
{
    struct session *session = CONTAINING_RECORD(object, struct session, object);
    IDispatch *user;

    session_face_close(&session->face);
    EnterCriticalSection(&session->face.cs);
    user = session->user;
    session->user = NULL;
    LeaveCriticalSection(&session->face.cs);
    if (user) IDispatch_Release(user);
    work_guard_release(&session->face.guard);
}

DUAL_DISPATCH_METHODS(session, IMsgrSession, &msgsc_typeinfo, IMsgrSession_tid)

/* A copy of str (may be NULL: ""), or an error. */
static HRESULT copy_string(const WCHAR *str, UINT length, BSTR *out)
{
    return (*out = SysAllocStringLen(str, length)) ? S_OK : E_OUTOFMEMORY;
}

static HRESULT WINAPI session_get_Application(IMsgrSession *iface, BSTR *guid)
{
    struct session *session = impl_from_IMsgrSession(iface);
    HRESULT hr;

    TRACE("%p, %p.\n", session, guid);

    if (!guid) return E_INVALIDARG;
    *guid = NULL;
    EnterCriticalSection(&session->face.cs);
    if (!session->app[0]) hr = SR_APP_NOT_SPECIFIED;
    else hr = copy_string(session->app, MSGR_GUID_LENGTH, guid);
    LeaveCriticalSection(&session->face.cs);
    return hr;
}

static HRESULT WINAPI session_put_Application(IMsgrSession *iface, BSTR guid)
{
    struct session *session = impl_from_IMsgrSession(iface);
    BSTR name, url, old_name, old_url;
    HRESULT hr;

    TRACE("%p, %s.\n", session, debugstr_w(guid));

    if ((hr = msgr_check_app_guid(guid, SysStringLen(guid))) != S_OK) return hr;
    /* Only the inviter chooses, before it invites. */
    if ((rv_session_get_flags(session->face.core) & RV_FLAG_INVITEE) ||
        rv_session_get_state(session->face.core) != RV_STATE_READY)
        return SR_SESSION_NOT_READY;
    if ((hr = msgr_lookup_app(guid, &name, &url, NULL)) == S_FALSE)
    {
        WARN("application %s is not registered\n", debugstr_w(guid));
        return SR_APP_NOT_REGISTERED;
    }
    if (FAILED(hr)) return hr;

    EnterCriticalSection(&session->face.cs);
    memcpy(session->app, guid, MSGR_GUID_LENGTH * sizeof(WCHAR));
    session->app[MSGR_GUID_LENGTH] = 0;
    old_name = session->app_name;
    old_url = session->app_url;
    session->app_name = name;
    session->app_url = url;
    session->app_registered = TRUE;
    LeaveCriticalSection(&session->face.cs);
    SysFreeString(old_name);
    SysFreeString(old_url);
    return S_OK;
}

static HRESULT WINAPI session_get_State(IMsgrSession *iface, SESSION_STATE *state)
{
    struct session *session = impl_from_IMsgrSession(iface);

    TRACE("%p, %p.\n", session, state);

    if (!state) return E_INVALIDARG;
    *state = (SESSION_STATE)rv_session_get_state(session->face.core);
    return S_OK;
}

struct invite_context
{
    struct session *session;
    const WCHAR *appdata;
    UINT appdata_len;
    BSTR text;
};

/* The core's text, before anything is visible: no failure here changes the session. */
static rv_result take_invitation(void *ctx, const char *core)
{
    struct invite_context *invite = ctx;
    struct session *session = invite->session;
    HRESULT hr;

    EnterCriticalSection(&session->face.cs);
    hr = msgr_invitation_format(session->app, session->app_name, SysStringLen(session->app_name),
                                session->app_url, SysStringLen(session->app_url), invite->appdata,
                                invite->appdata_len, core, &invite->text);
    LeaveCriticalSection(&session->face.cs);
    return hr;
}

static HRESULT WINAPI session_Invite(IMsgrSession *iface, IDispatch *user, BSTR appdata)
{
    struct session *session = impl_from_IMsgrSession(iface);
    struct invite_context invite = { session, appdata, SysStringLen(appdata), NULL };
    char host[MSGR_MAX_LOCAL_ADDRESS + 1];
    BOOL have_host = FALSE;
    BSTR old;
    UINT i, len;
    HRESULT hr;

    TRACE("%p, %p, %u units.\n", session, user, SysStringLen(appdata));

    if (!user || invite.appdata_len > MSGR_MAX_APPDATA_UNITS) return E_INVALIDARG;
    if ((rv_session_get_flags(session->face.core) & RV_FLAG_INVITEE) ||
        rv_session_get_state(session->face.core) != RV_STATE_READY)
        return SR_SESSION_NOT_READY;

    EnterCriticalSection(&session->face.cs);
    if (!session->app[0]) hr = SR_APP_NOT_SPECIFIED;
    else
    {
        hr = S_OK;
        /* Where to listen: LocalAddress, if set. */
        if ((len = SysStringLen(session->local_address)))
        {
            have_host = TRUE;
            for (i = 0; i < len; i++)
            {
                if (session->local_address[i] <= ' ' || session->local_address[i] >= 0x7f)
                    hr = SR_NETWORK_CONFIG_FAILURE;
                host[i] = (char)session->local_address[i];
            }
            host[len] = 0;
        }
    }
    LeaveCriticalSection(&session->face.cs);
    if (FAILED(hr)) return hr;

    hr = rv_session_invite_with(session->face.core, have_host ? host : NULL, 0, take_invitation, &invite);
    if (SUCCEEDED(hr))
    {
        IDispatch_AddRef(user);
        EnterCriticalSection(&session->face.cs);
        if (session->user) IDispatch_Release(session->user);
        session->user = user;
        old = session->invitation;
        session->invitation = invite.text;
        LeaveCriticalSection(&session->face.cs);
        wipe_string(old);
    }
    else if (hr == RV_E_INVALIDARG) hr = SR_NETWORK_CONFIG_FAILURE;
    else if (hr == RV_E_INVALID_STATE) hr = SR_SESSION_NOT_READY;
    else if (hr != RV_E_OUTOFMEMORY)
    {
        WARN("cannot listen: %#lx\n", hr);
        hr = SR_INVITATION_SEND_FAILURE;
    }
    session_face_dispatch_now(&session->face);
    return hr;
}

static BOOL is_invitee_waiting(struct session *session)
{
    return (rv_session_get_flags(session->face.core) & RV_FLAG_INVITEE) &&
           rv_session_get_state(session->face.core) == RV_STATE_INVITATION;
}

/* Records the OnTermination this side fires for its own Cancel or Decline. */
static HRESULT set_end(struct session *session, HRESULT reason, BSTR data)
{
    BSTR copy = NULL, old;

    if (SysStringLen(data) && !(copy = SysAllocStringLen(data, SysStringLen(data)))) return E_OUTOFMEMORY;
    EnterCriticalSection(&session->face.cs);
    old = session->end_data;
    session->end_hr = reason;
    session->end_data = copy;
    LeaveCriticalSection(&session->face.cs);
    SysFreeString(old);
    return S_OK;
}

static void clear_end(struct session *session)
{
    BSTR old;

    EnterCriticalSection(&session->face.cs);
    old = session->end_data;
    session->end_hr = S_OK;
    session->end_data = NULL;
    LeaveCriticalSection(&session->face.cs);
    SysFreeString(old);
}

static HRESULT WINAPI session_Decline(IMsgrSession *iface, BSTR appdata)
{
    struct session *session = impl_from_IMsgrSession(iface);
    UINT len = SysStringLen(appdata);
    HRESULT hr;

    TRACE("%p, %u units.\n", session, len);

    if (len > MSGR_MAX_APPDATA_UNITS) return E_INVALIDARG;
    if (!(rv_session_get_flags(session->face.core) & RV_FLAG_INVITEE)) return SR_NOT_INVITEE;
    if (!is_invitee_waiting(session)) return SR_SESSION_STATE_INVALID;
    if (FAILED(hr = set_end(session, SR_INVITATION_DECLINED, appdata))) return hr;
    if (FAILED(hr = rv_session_decline_ex(session->face.core, appdata, len)))
    {
        clear_end(session);
        if (hr == RV_E_INVALID_STATE) hr = SR_SESSION_STATE_INVALID;
        else if (hr != RV_E_OUTOFMEMORY) hr = SR_DECLINE_SEND_FAILURE;
    }
    session_face_dispatch_now(&session->face);
    return hr;
}

static HRESULT WINAPI session_Cancel(IMsgrSession *iface, LONG reason, BSTR appdata)
{
    struct session *session = impl_from_IMsgrSession(iface);
    UINT len = SysStringLen(appdata);
    enum rv_state state;
    HRESULT hr;

    TRACE("%p, %#lx, %u units.\n", session, reason, len);

    if (len > MSGR_MAX_APPDATA_UNITS) return E_INVALIDARG;
    state = rv_session_get_state(session->face.core);
    if (state == RV_STATE_CANCELLED || state == RV_STATE_DECLINED || state == RV_STATE_TERMINATED) return E_FAIL;
    if (FAILED(hr = set_end(session, SR_SESSION_CANCELLED_LOCAL, appdata))) return hr;
    if (FAILED(hr = rv_session_cancel_ex(session->face.core, reason, appdata, len)))
    {
        clear_end(session);
        if (hr != RV_E_OUTOFMEMORY) hr = E_FAIL;
    }
    session_face_dispatch_now(&session->face);
    return hr;
}

static HRESULT WINAPI session_Accept(IMsgrSession *iface, BSTR appdata)
{
    struct session *session = impl_from_IMsgrSession(iface);
    UINT len = SysStringLen(appdata);
    HRESULT hr;

    TRACE("%p, %u units.\n", session, len);

    if (len > MSGR_MAX_APPDATA_UNITS) return E_INVALIDARG;
    if (!is_invitee_waiting(session)) return SR_SESSION_STATE_INVALID;
    if (FAILED(hr = rv_session_accept_ex(session->face.core, appdata, len)))
    {
        if (hr == RV_E_INVALID_STATE) hr = SR_SESSION_STATE_INVALID;
        else if (hr != RV_E_OUTOFMEMORY) hr = SR_ACCEPT_SEND_FAILURE;
    }
    session_face_dispatch_now(&session->face);
    return hr;
}

static HRESULT WINAPI session_get_RemoteAddress(IMsgrSession *iface, BSTR *address)
{
    struct session *session = impl_from_IMsgrSession(iface);
    char text[64];
    WCHAR textW[64];
    HRESULT hr;
    UINT i;

    TRACE("%p, %p.\n", session, address);

    if (!address) return E_INVALIDARG;
    *address = NULL;
    /* Known once the peers are connected. */
    if ((hr = rv_session_get_peer_address(session->face.core, text, sizeof(text))) != RV_S_OK)
        return hr == RV_S_FALSE ? S_FALSE : E_OUTOFMEMORY;
    for (i = 0; text[i]; i++) textW[i] = (unsigned char)text[i];
    textW[i] = 0;
    return copy_string(textW, i, address);
}

static HRESULT WINAPI session_get_SessionID(IMsgrSession *iface, BSTR *id)
{
    struct session *session = impl_from_IMsgrSession(iface);

    TRACE("%p, %p.\n", session, id);

    if (!id) return E_INVALIDARG;
    /* As RendezvousSession shows it. */
    return session_face_get_id(&session->face, id);
}

static HRESULT WINAPI session_get_ContextData(IMsgrSession *iface, BSTR *data)
{
    struct session *session = impl_from_IMsgrSession(iface);
    HRESULT hr;

    TRACE("%p, %p.\n", session, data);

    if (!data) return E_INVALIDARG;
    *data = NULL;
    EnterCriticalSection(&session->face.cs);
    if (!session->context_data) hr = S_FALSE;
    else hr = copy_string(session->context_data, SysStringLen(session->context_data), data);
    LeaveCriticalSection(&session->face.cs);
    return hr;
}

static HRESULT WINAPI session_get_ApplicationName(IMsgrSession *iface, BSTR *name)
{
    struct session *session = impl_from_IMsgrSession(iface);
    HRESULT hr;

    TRACE("%p, %p.\n", session, name);

    if (!name) return E_INVALIDARG;
    *name = NULL;
    EnterCriticalSection(&session->face.cs);
    if (!session->app[0]) hr = SR_APP_NOT_SPECIFIED;
    else hr = copy_string(session->app_name, SysStringLen(session->app_name), name);
    LeaveCriticalSection(&session->face.cs);
    return hr;
}

static HRESULT WINAPI session_get_ApplicationURL(IMsgrSession *iface, BSTR *url)
{
    struct session *session = impl_from_IMsgrSession(iface);
    HRESULT hr;

    TRACE("%p, %p.\n", session, url);

    if (!url) return E_INVALIDARG;
    *url = NULL;
    EnterCriticalSection(&session->face.cs);
    if (!session->app[0]) hr = SR_APP_NOT_SPECIFIED;
    else hr = copy_string(session->app_url, SysStringLen(session->app_url), url);
    LeaveCriticalSection(&session->face.cs);
    return hr;
}

static HRESULT WINAPI session_get_Flags(IMsgrSession *iface, LONG *flags)
{
    struct session *session = impl_from_IMsgrSession(iface);

    TRACE("%p, %p.\n", session, flags);

    if (!flags) return E_INVALIDARG;
    /* SF_INVITER and SF_INVITEE are the core's role flags. */
    *flags = rv_session_get_flags(session->face.core);
    EnterCriticalSection(&session->face.cs);
    if (session->app_registered) *flags |= SF_APP_INVITE_COMPATIBLE;
    LeaveCriticalSection(&session->face.cs);
    return S_OK;
}

static HRESULT WINAPI session_get_User(IMsgrSession *iface, IDispatch **user)
{
    struct session *session = impl_from_IMsgrSession(iface);
    HRESULT hr = S_OK;

    TRACE("%p, %p.\n", session, user);

    if (!user) return E_INVALIDARG;
    EnterCriticalSection(&session->face.cs);
    if ((*user = session->user)) IDispatch_AddRef(*user);
    else hr = SR_NO_USER_INVITED;
    LeaveCriticalSection(&session->face.cs);
    return hr;
}

static HRESULT WINAPI session_put_LocalAddress(IMsgrSession *iface, BSTR address)
{
    struct session *session = impl_from_IMsgrSession(iface);
    UINT len = SysStringLen(address), i;
    BSTR copy, old;

    TRACE("%p, %s.\n", session, debugstr_wn(address, len));

    if (!len) return E_INVALIDARG;
    /* Documented: too long is E_OUTOFMEMORY. */
    if (len > MSGR_MAX_LOCAL_ADDRESS) return E_OUTOFMEMORY;
    for (i = 0; i < len; i++)
        if (!address[i]) return E_INVALIDARG;
    if (FAILED(copy_string(address, len, &copy))) return E_OUTOFMEMORY;
    EnterCriticalSection(&session->face.cs);
    old = session->local_address;
    session->local_address = copy;
    LeaveCriticalSection(&session->face.cs);
    SysFreeString(old);
    return S_OK;
}

static HRESULT WINAPI session_get_LocalAddress(IMsgrSession *iface, BSTR *address)
{
    struct session *session = impl_from_IMsgrSession(iface);
    HRESULT hr;

    TRACE("%p, %p.\n", session, address);

    if (!address) return E_INVALIDARG;
    EnterCriticalSection(&session->face.cs);
    if (session->local_address) hr = copy_string(session->local_address, SysStringLen(session->local_address), address);
    else hr = copy_string(DEFAULT_LOCAL_ADDRESS, ARRAY_SIZE(DEFAULT_LOCAL_ADDRESS) - 1, address);
    LeaveCriticalSection(&session->face.cs);
    return hr;
}

static HRESULT WINAPI session_SendContextData(IMsgrSession *iface, BSTR data)
{
    struct session *session = impl_from_IMsgrSession(iface);
    HRESULT hr;

    TRACE("%p, %u units.\n", session, SysStringLen(data));

    /* rv_profile_messenger has every rule: 300 units, five sends, the states. */
    hr = rv_session_send_context_data(session->face.core, data, SysStringLen(data));
    session_face_dispatch_now(&session->face);
    return hr;
}

static const IMsgrSessionVtbl session_vtbl =
{
    session_QueryInterface,
    session_AddRef,
    session_Release,
    session_GetTypeInfoCount,
    session_GetTypeInfo,
    session_GetIDsOfNames,
    session_Invoke,
    session_get_Application,
    session_put_Application,
    session_get_State,
    session_Invite,
    session_Decline,
    session_Cancel,
    session_Accept,
    session_get_RemoteAddress,
    session_get_SessionID,
    session_get_ContextData,
    session_get_ApplicationName,
    session_get_ApplicationURL,
    session_get_Flags,
    session_get_User,
    session_put_LocalAddress,
    session_get_LocalAddress,
    session_SendContextData,
};

/* IMsgrSessionHost */

FORWARD_IUNKNOWN_METHODS(host, IMsgrSessionHost, &impl_from_IMsgrSessionHost(iface)->object.IUnknown_iface)

DUAL_DISPATCH_METHODS(host, IMsgrSessionHost, &msgsc_typeinfo, IMsgrSessionHost_tid)

static HRESULT WINAPI host_get_Invitation(IMsgrSessionHost *iface, BSTR *invitation)
{
    struct session *session = impl_from_IMsgrSessionHost(iface);
    HRESULT hr;

    TRACE("%p, %p.\n", session, invitation);

    if (!invitation) return E_POINTER;
    *invitation = NULL;
    EnterCriticalSection(&session->face.cs);
    if (!session->invitation) hr = E_INVALID_STATE;
    else hr = copy_string(session->invitation, SysStringLen(session->invitation), invitation);
    LeaveCriticalSection(&session->face.cs);
    return hr;
}

static HRESULT WINAPI host_get_Handled(IMsgrSessionHost *iface, VARIANT_BOOL *handled)
{
    struct session *session = impl_from_IMsgrSessionHost(iface);

    TRACE("%p, %p.\n", session, handled);

    if (!handled) return E_POINTER;
    EnterCriticalSection(&session->face.cs);
    *handled = session->handled;
    LeaveCriticalSection(&session->face.cs);
    return S_OK;
}

static HRESULT WINAPI host_get_SecurityCode(IMsgrSessionHost *iface, BSTR *code)
{
    struct session *session = impl_from_IMsgrSessionHost(iface);

    TRACE("%p, %p.\n", session, code);

    return module_security_code(session->face.core, code);
}

/* Launch: "msgr-launch:PID" in the running object table names the session a
 * launched application asks for with GetLaunchingSession(PID). */
static HRESULT launch_moniker(DWORD pid, IMoniker **moniker)
{
    WCHAR item[32];

    swprintf(item, ARRAY_SIZE(item), L"WineMsgrLaunch%lu", pid);
    return CreateItemMoniker(L"!", item, moniker);
}

static HRESULT fire_before_launch(struct session *session, VARIANT_BOOL *enable)
{
    VARIANT arg;

    *enable = VARIANT_TRUE;
    V_VT(&arg) = VT_BOOL | VT_BYREF;
    V_BOOLREF(&arg) = enable;
    event_source_fire(&session->face.events, DISPID_BEFOREAPPLAUNCH, &arg, 1);
    return S_OK;
}

/* Starts the registered command line suspended. */
static HRESULT start_application(BSTR path, PROCESS_INFORMATION *pi)
{
    STARTUPINFOW si = { sizeof(si) };
    WCHAR *cmdline;
    HRESULT hr = S_OK;

    /* CreateProcess may write to its command line. */
    if (!(cmdline = CoTaskMemAlloc((SysStringLen(path) + 1) * sizeof(WCHAR)))) return E_OUTOFMEMORY;
    memcpy(cmdline, path, (SysStringLen(path) + 1) * sizeof(WCHAR));
    if (!CreateProcessW(NULL, cmdline, NULL, NULL, FALSE, CREATE_SUSPENDED, NULL, NULL, &si, pi))
    {
        WARN("cannot start %s: %lu\n", debugstr_w(path), GetLastError());
        hr = SR_APPLICATION_LAUNCH_FAILED;
    }
    CoTaskMemFree(cmdline);
    return hr;
}

/* Launch for an application that is not registered here: Messenger declines
 * and points the user at the application's URL. */
static HRESULT decline_unregistered_app(struct session *session, BSTR name, BSTR url)
{
    VARIANT args[2];
    HRESULT hr;

    if (FAILED(hr = set_end(session, SR_APP_NOT_REGISTERED, NULL))) return hr;
    if (FAILED(hr = rv_session_decline_ex(session->face.core, NULL, 0)))
    {
        clear_end(session);
        if (hr == RV_E_INVALID_STATE) return SR_SESSION_STATE_INVALID;
        if (hr != RV_E_OUTOFMEMORY) return SR_DECLINE_SEND_FAILURE;
        return hr;
    }
    /* OnAppNotPresent(bstrAppName, bstrAppURL), rgvarg in reverse. */
    V_VT(&args[1]) = VT_BSTR;
    V_BSTR(&args[1]) = name;
    V_VT(&args[0]) = VT_BSTR;
    V_BSTR(&args[0]) = url;
    event_source_fire(&session->face.events, DISPID_ONAPPNOTPRESENT, args, 2);
    return SR_APP_NOT_REGISTERED;
}

/* Puts the session in the running object table for the application Launch
 * started suspended, so that it finds the session, then lets it run; an
 * application that cannot find it is killed. */
static HRESULT register_launch(struct session *session, IRunningObjectTable *rot, const PROCESS_INFORMATION *pi)
{
    IMoniker *moniker = NULL;
    DWORD cookie = 0;
    HRESULT hr;

    if (FAILED(hr = launch_moniker(pi->dwProcessId, &moniker)) ||
        FAILED(hr = IRunningObjectTable_Register(rot, ROTFLAGS_REGISTRATIONKEEPSALIVE,
                                                 (IUnknown *)&session->IMsgrSession_iface, moniker, &cookie)))
    {
        WARN("cannot register the session: %#lx\n", hr);
        TerminateProcess(pi->hProcess, 1);
        if (moniker) IMoniker_Release(moniker);
        return SR_APPLICATION_LAUNCH_FAILED;
    }
    IMoniker_Release(moniker);
    EnterCriticalSection(&session->face.cs);
    session->launched_pid = pi->dwProcessId;
    session->rot_cookie = cookie;
    LeaveCriticalSection(&session->face.cs);
    ResumeThread(pi->hThread);
    return S_OK;
}

static HRESULT WINAPI host_Launch(IMsgrSessionHost *iface)
{
    struct session *session = impl_from_IMsgrSessionHost(iface);
    PROCESS_INFORMATION pi = { 0 };
    IRunningObjectTable *rot = NULL;
    BSTR name = NULL, url = NULL, path = NULL;
    WCHAR app[MSGR_GUID_LENGTH + 1];
    VARIANT_BOOL enable;
    HRESULT hr;

    TRACE("%p.\n", session);

    if (!is_invitee_waiting(session)) return SR_SESSION_STATE_INVALID;
    EnterCriticalSection(&session->face.cs);
    memcpy(app, session->app, sizeof(app));
    hr = copy_string(session->app_name, SysStringLen(session->app_name), &name);
    if (SUCCEEDED(hr)) hr = copy_string(session->app_url, SysStringLen(session->app_url), &url);
    LeaveCriticalSection(&session->face.cs);
    if (SUCCEEDED(hr)) hr = msgr_lookup_app(app, NULL, NULL, &path);
    if (FAILED(hr)) goto done;

    if (hr == S_FALSE)
    {
        hr = decline_unregistered_app(session, name, url);
        goto done;
    }

    /* Everything that can fail for want of memory comes before the accept. */
    if (FAILED(hr = GetRunningObjectTable(0, &rot))) goto done;
    if (FAILED(hr = rv_session_accept_ex(session->face.core, NULL, 0)))
    {
        if (hr == RV_E_INVALID_STATE) hr = SR_SESSION_STATE_INVALID;
        else if (hr != RV_E_OUTOFMEMORY) hr = SR_ACCEPT_SEND_FAILURE;
        goto done;
    }
    session_face_dispatch_now(&session->face);
    event_source_fire(&session->face.events, DISPID_ONREADYTOLAUNCH, NULL, 0);
    fire_before_launch(session, &enable);
    if (!enable)
    {
        TRACE("a sink keeps the application from starting\n");
        goto done;
    }

    /* Suspended until the session is in the table, so that it can find it. */
    if (FAILED(hr = start_application(path, &pi))) goto failed;
    if (FAILED(hr = register_launch(session, rot, &pi))) goto failed;
    goto done;

failed:
    /* Accepted but not started: the inviter hears why. */
    set_end(session, SR_APPLICATION_LAUNCH_FAILED, NULL);
    rv_session_cancel_ex(session->face.core, SR_APPLICATION_LAUNCH_FAILED, NULL, 0);
done:
    if (pi.hThread) CloseHandle(pi.hThread);
    if (pi.hProcess) CloseHandle(pi.hProcess);
    if (rot) IRunningObjectTable_Release(rot);
    SysFreeString(name);
    SysFreeString(url);
    SysFreeString(path);
    session_face_dispatch_now(&session->face);
    return hr;
}

static const IMsgrSessionHostVtbl host_vtbl =
{
    host_QueryInterface,
    host_AddRef,
    host_Release,
    host_GetTypeInfoCount,
    host_GetTypeInfo,
    host_GetIDsOfNames,
    host_Invoke,
    host_get_Invitation,
    host_get_Handled,
    host_Launch,
    host_get_SecurityCode,
};

HRESULT msgr_session_get_launching(DWORD pid, IDispatch **ret)
{
    IRunningObjectTable *rot;
    IMoniker *moniker;
    IUnknown *unk;
    HRESULT hr;

    if (FAILED(hr = GetRunningObjectTable(0, &rot))) return E_FAIL;
    if (SUCCEEDED(hr = launch_moniker(pid, &moniker)))
    {
        hr = IRunningObjectTable_GetObject(rot, moniker, &unk);
        IMoniker_Release(moniker);
    }
    IRunningObjectTable_Release(rot);
    if (FAILED(hr))
    {
        WARN("no session launched process %lu: %#lx\n", pid, hr);
        return hr == E_OUTOFMEMORY ? hr : E_FAIL;
    }
    hr = IUnknown_QueryInterface(unk, &IID_IDispatch, (void **)ret);
    IUnknown_Release(unk);
    return FAILED(hr) ? E_FAIL : S_OK;
}

/* role: RV_FLAG_INVITER for CreateSession's sessions, RV_FLAG_INVITEE for a received invitation's. */
static HRESULT session_new(uint32_t role, struct session **ret)
{
    struct session *session;
    HRESULT hr;

    if (!(session = CoTaskMemAlloc(sizeof(*session)))) return E_OUTOFMEMORY;
    memset(session, 0, sizeof(*session));
    session->IMsgrSession_iface.lpVtbl = &session_vtbl;
    session->IMsgrSessionHost_iface.lpVtbl = &host_vtbl;
    session->lock.IMsgrLock_iface.lpVtbl = &msgr_lock_vtbl;
    session->lock.outer = &session->object.IUnknown_iface;
    com_object_init(&session->object, session, session_interfaces, session_final_release);
    if (FAILED(hr = session_face_init(&session->face, (IUnknown *)&session->IMsgrSession_iface,
                                      &DIID_DMsgrSessionEvents, &rv_profile_messenger, role,
                                      &session_callbacks, session_free)))
    {
        CoTaskMemFree(session);
        return hr;
    }
    *ret = session;
    return S_OK;
}

HRESULT msgr_session_create(REFIID riid, void **obj)
{
    struct session *session;
    HRESULT hr;

    TRACE("%s, %p.\n", debugstr_guid(riid), obj);

    if (FAILED(hr = session_new(RV_FLAG_INVITER, &session))) return hr;
    hr = IMsgrSession_QueryInterface(&session->IMsgrSession_iface, riid, obj);
    IMsgrSession_Release(&session->IMsgrSession_iface);
    return hr;
}

HRESULT msgr_session_create_invitee(const WCHAR *text, UINT length, IDispatch **ret, BSTR *appdata)
{
    struct msgr_invitation inv;
    BSTR name = NULL, url = NULL;
    struct session *session;
    HRESULT hr, registered;

    *ret = NULL;
    *appdata = NULL;
    if (FAILED(hr = msgr_invitation_parse(text, length, &inv))) return hr;
    /* Name and URL as registered here, else as the inviter has them. */
    if (FAILED(hr = registered = msgr_lookup_app(inv.app, &name, &url, NULL))) goto done;
    if (FAILED(hr = session_new(RV_FLAG_INVITEE, &session))) goto done;

    if (FAILED(hr = rv_session_receive_invitation(session->face.core, inv.core)))
    {
        IMsgrSession_Release(&session->IMsgrSession_iface);
        goto done;
    }
    memcpy(session->app, inv.app, sizeof(session->app));
    session->app_registered = registered == S_OK;
    if (registered == S_OK)
    {
        session->app_name = name;
        session->app_url = url;
        name = url = NULL;
    }
    else
    {
        session->app_name = inv.name;
        session->app_url = inv.url;
        inv.name = inv.url = NULL;
    }
    *appdata = inv.appdata;
    inv.appdata = NULL;
    *ret = (IDispatch *)&session->IMsgrSession_iface;
    session_face_dispatch_now(&session->face);

done:
    SysFreeString(name);
    SysFreeString(url);
    msgr_invitation_clear(&inv);
    return hr;
}

void msgr_session_set_handled(IDispatch *dispatch, VARIANT_BOOL handled)
{
    struct session *session = session_from_dispatch(dispatch);

    if (!session) return;
    EnterCriticalSection(&session->face.cs);
    session->handled = handled;
    LeaveCriticalSection(&session->face.cs);
}
