/*
 * RendezvousApplication: the Remote Assistance side of a rendezvous session
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
 * An IM program creates one of these per session and hands it its
 * IRendezvousSession; the handshake (handshake.c) does the rest.  Events from
 * the IM are queued by the sink and handled from this object's window, on the
 * thread that called SetRendezvousSession, never inside the IM's own call.
 */

#define COBJMACROS

#include <windows.h>
#include <ole2.h>
#include <olectl.h>

#include "rendezvoussession_private.h"

#include "wine/debug.h"

WINE_DEFAULT_DEBUG_CHANNEL(rendezvous);

/* Events queued and not yet handled; more is a flood. */
#define MAX_QUEUED_EVENTS 32

enum app_kind
{
    APP_ASK,
    APP_OFFER,
};

enum event_kind
{
    EVENT_STATE,            /* the sink sets state_pending instead of queuing it */
    EVENT_DATA,
    EVENT_TERMINATION,
    EVENT_SEND_ERROR,
};

struct app_event
{
    struct app_event *next;
    enum event_kind kind;
    HRESULT hr;
    BSTR data;
};

struct application
{
    IRendezvousApplication IRendezvousApplication_iface;
    struct com_object object;
    enum app_kind kind;
    BOOL used;                  /* a session was accepted once */
    IConnectionPointContainer *container;  /* released at the end: a release is a round trip */
    IConnectionPoint *point;
    DWORD cookie;
    struct event_sink *sink;    /* holds a reference on us until detached */
    HWND window;

    /* Filled by the sink, on whatever thread the IM calls it. */
    CRITICAL_SECTION cs;
    struct app_event *head, *tail;
    unsigned int queued;
    BOOL state_pending;
    BOOL posted;
    HRESULT lost;               /* an event could not be queued */

    BOOL busy;                  /* app_run is running */
    struct handshake handshake;
};

static inline struct application *impl_from_IRendezvousApplication(IRendezvousApplication *iface)
{
    return CONTAINING_RECORD(iface, struct application, IRendezvousApplication_iface);
}

static void app_addref(struct application *app)
{
    IRendezvousApplication_AddRef(&app->IRendezvousApplication_iface);
}

static void app_release(struct application *app)
{
    IRendezvousApplication_Release(&app->IRendezvousApplication_iface);
}

/* The sink's queue */

static void post_events(struct application *app)
{
    /* app->cs held */
    if (app->posted || !app->window) return;
    if (PostMessageW(app->window, WM_RA_EVENTS, 0, 0)) app->posted = TRUE;
    else ERR("cannot post to %p: %lu\n", app->window, GetLastError());
}

static HRESULT queue_event(struct application *app, enum event_kind kind, HRESULT hr, BSTR data)
{
    struct app_event *event;

    EnterCriticalSection(&app->cs);
    if (app->queued >= MAX_QUEUED_EVENTS)
    {
        WARN("event flood, dropping event %u\n", kind);
        if (!app->lost) app->lost = RA_E_BAD_MESSAGE;
        post_events(app);
        LeaveCriticalSection(&app->cs);
        SysFreeString(data);
        return S_OK;
    }
    if (!(event = CoTaskMemAlloc(sizeof(*event))))
    {
        /* The session cannot go on without it: it ends once the queue is handled. */
        if (!app->lost) app->lost = E_OUTOFMEMORY;
        post_events(app);
        LeaveCriticalSection(&app->cs);
        SysFreeString(data);
        return E_OUTOFMEMORY;
    }
    event->next = NULL;
    event->kind = kind;
    event->hr = hr;
    event->data = data;
    if (app->tail) app->tail->next = event;
    else app->head = event;
    app->tail = event;
    app->queued++;
    post_events(app);
    LeaveCriticalSection(&app->cs);
    return S_OK;
}

static void queue_state_check(struct application *app)
{
    EnterCriticalSection(&app->cs);
    app->state_pending = TRUE;
    post_events(app);
    LeaveCriticalSection(&app->cs);
}

static void free_events(struct application *app)
{
    struct app_event *event, *next;

    EnterCriticalSection(&app->cs);
    event = app->head;
    app->head = app->tail = NULL;
    app->queued = 0;
    app->state_pending = FALSE;
    LeaveCriticalSection(&app->cs);
    for (; event; event = next)
    {
        next = event->next;
        SysFreeString(event->data);
        CoTaskMemFree(event);
    }
}

/* The DRendezvousSessionEvents sink */

/* The sink's application, with a reference for the event. */
static BOOL sink_hold_app(void *owner, void *context)
{
    app_addref(owner);
    return TRUE;
}

/* The IM released the sink before we detached it. */
static void sink_orphaned(void *owner, struct event_sink *sink)
{
    struct application *app = owner;

    EnterCriticalSection(&app->cs);
    if (app->sink == sink) app->sink = NULL;
    LeaveCriticalSection(&app->cs);
    app_release(app);
}

static BOOL is_integer_type(VARTYPE vt)
{
    switch (vt & ~VT_BYREF)
    {
    case VT_I1: case VT_I2: case VT_I4: case VT_I8: case VT_INT:
    case VT_UI1: case VT_UI2: case VT_UI4: case VT_UI8: case VT_UINT:
    case VT_ERROR:
        return TRUE;
    default:
        return FALSE;
    }
}

/* Coerces argument index (rgvarg order) to a LONG. */
static HRESULT get_long_arg(DISPPARAMS *params, UINT index, LONG *value, UINT *argerr)
{
    VARIANT v;
    HRESULT hr;

    VariantInit(&v);
    if ((V_VT(&params->rgvarg[index]) & ~VT_BYREF) == VT_ERROR)
    {
        *value = (V_VT(&params->rgvarg[index]) & VT_BYREF) ? *V_ERRORREF(&params->rgvarg[index])
                                                           : V_ERROR(&params->rgvarg[index]);
        return S_OK;
    }
    if (FAILED(hr = VariantChangeType(&v, &params->rgvarg[index], 0, VT_I4)))
    {
        if (argerr) *argerr = index;
        return DISP_E_TYPEMISMATCH;
    }
    *value = V_I4(&v);
    return S_OK;
}

/* The number of OnStateChanged, only checked as the state is read with
 * get_State whatever the argument says, and of OnSendError. */
static HRESULT read_number(DISPPARAMS *params, LONG *value, BSTR *data, UINT *argerr)
{
    return get_long_arg(params, 0, value, argerr);
}

static HRESULT read_context_data(DISPPARAMS *params, LONG *value, BSTR *data, UINT *argerr)
{
    VARIANT v;
    HRESULT hr;

    VariantInit(&v);
    if (FAILED(hr = VariantChangeType(&v, &params->rgvarg[0], 0, VT_BSTR)))
    {
        if (hr == E_OUTOFMEMORY) return hr;
        if (argerr) *argerr = 0;
        return DISP_E_TYPEMISMATCH;
    }
    *data = V_BSTR(&v);
    return S_OK;
}

static HRESULT read_termination(DISPPARAMS *params, LONG *value, BSTR *data, UINT *argerr)
{
    /* Standard order puts the last parameter, the BSTR, in rgvarg[0]; the
     * published sample sends the LONG there.  Whichever is the number. */
    UINT index = 1;
    HRESULT hr;

    if (is_integer_type(V_VT(&params->rgvarg[0])) && !is_integer_type(V_VT(&params->rgvarg[1])))
        index = 0;
    if (FAILED(hr = get_long_arg(params, index, value, argerr))) return hr;
    TRACE("OnTermination(%#lx), hr in rgvarg[%u]\n", *value, index);
    return S_OK;
}

/* The events of DRendezvousSessionEvents: their arguments, how the number
 * (state, hr or error) or the text is read from them, and what is queued. */
static const struct sink_event
{
    DISPID id;
    UINT args;
    HRESULT (*read)(DISPPARAMS *params, LONG *value, BSTR *data, UINT *argerr);
    enum event_kind kind;
}
sink_events[] =
{
    { DISPID_EVENT_ON_STATE_CHANGED, 1, read_number, EVENT_STATE },
    { DISPID_EVENT_ON_CONTEXT_DATA, 1, read_context_data, EVENT_DATA },
    { DISPID_EVENT_ON_TERMINATION, 2, read_termination, EVENT_TERMINATION },
    { DISPID_EVENT_ON_SEND_ERROR, 1, read_number, EVENT_SEND_ERROR },
};

/* The flags and shape of an event's arguments. */
static HRESULT check_event(const struct sink_event *event, WORD flags, DISPPARAMS *params)
{
    if (!(flags & DISPATCH_METHOD)) return DISP_E_MEMBERNOTFOUND;
    if (!params) return E_INVALIDARG;
    if (params->cNamedArgs) return DISP_E_NONAMEDARGS;
    if (params->cArgs != event->args) return DISP_E_BADPARAMCOUNT;
    if (!params->rgvarg) return E_INVALIDARG;
    return S_OK;
}

static HRESULT sink_invoke(struct event_sink *sink, DISPID id, WORD flags, DISPPARAMS *params, VARIANT *result,
                           UINT *argerr)
{
    const struct sink_event *event = NULL;
    struct application *app;
    BSTR data = NULL;
    LONG value = 0;
    HRESULT hr;
    UINT i;

    for (i = 0; i < ARRAY_SIZE(sink_events); i++)
        if (sink_events[i].id == id) event = &sink_events[i];
    if (!event)
    {
        WARN("unknown DISPID %ld\n", id);
        return DISP_E_MEMBERNOTFOUND;
    }
    if (FAILED(hr = check_event(event, flags, params))) return hr;
    if (result) VariantInit(result);
    if (FAILED(hr = event->read(params, &value, &data, argerr))) return hr;
    TRACE("DISPID %ld: %#lx, %u units of data\n", id, value, SysStringLen(data));

    /* The sink may outlive its application; then there is nobody to tell. */
    if (!(app = event_sink_hold_owner(sink, NULL)))
    {
        SysFreeString(data);
        return S_OK;
    }
    if (event->kind == EVENT_STATE)
    {
        queue_state_check(app);
        hr = S_OK;
    }
    else hr = queue_event(app, event->kind, value, data);
    app_release(app);
    return hr;
}

static const struct event_sink_ops sink_ops =
{
    sink_invoke,
    sink_hold_app,
    sink_orphaned,
};

static HRESULT create_sink(struct application *app, struct event_sink **ret)
{
    HRESULT hr;

    if (FAILED(hr = event_sink_create(&DIID_DRendezvousSessionEvents, &rendezvous_typeinfo,
                                      DRendezvousSessionEvents_tid, &sink_ops, app, ret)))
        return hr;
    /* The sink's reference, until it is detached. */
    app_addref(app);
    return S_OK;
}

/* The handshake's end of a session: the documented end (unadvise, release),
 * then the sink and the queue. */
static void handshake_ended(struct handshake *hs, IRendezvousSession *session)
{
    struct application *app = CONTAINING_RECORD(hs, struct application, handshake);
    IConnectionPointContainer *container = app->container;
    IConnectionPoint *point = app->point;
    struct event_sink *sink;
    struct application *held = NULL;
    HRESULT hr;

    app->point = NULL;
    app->container = NULL;
    if (point)
    {
        if (FAILED(hr = IConnectionPoint_Unadvise(point, app->cookie)))
            WARN("Unadvise failed: %#lx\n", hr);
        IConnectionPoint_Release(point);
    }
    /* Kept from SetRendezvousSession: its release is a round trip too. */
    if (container) IConnectionPointContainer_Release(container);
    if (session) IRendezvousSession_Release(session);

    EnterCriticalSection(&app->cs);
    sink = app->sink;
    app->sink = NULL;
    LeaveCriticalSection(&app->cs);
    if (sink)
    {
        /* An IM that keeps the sink after Unadvise keeps it alone. */
        held = event_sink_detach(sink);
        IDispatch_Release(&sink->IDispatch_iface);
    }

    free_events(app);
    if (held) app_release(held);
}

/* The backend job's message keeps this object alive. */
static void handshake_hold(struct handshake *hs)
{
    app_addref(CONTAINING_RECORD(hs, struct application, handshake));
}

static const struct handshake_ops handshake_ops =
{
    handshake_hold,
    handshake_ended,
};

/* Takes the next thing to do off the queue: a state check, a lost event, or
 * an event (NULL when none). */
static struct app_event *next_event(struct application *app, BOOL *check, HRESULT *lost)
{
    struct app_event *event;

    EnterCriticalSection(&app->cs);
    app->posted = FALSE;
    *check = app->state_pending;
    app->state_pending = FALSE;
    *lost = app->lost;
    app->lost = S_OK;
    event = *check || *lost ? NULL : app->head;
    if (event)
    {
        if (!(app->head = event->next)) app->tail = NULL;
        app->queued--;
    }
    LeaveCriticalSection(&app->cs);
    return event;
}

static void handle_event(struct application *app, struct app_event *event)
{
    struct handshake *hs = &app->handshake;

    if (handshake_active(hs))
    {
        switch (event->kind)
        {
        case EVENT_STATE:
            handshake_check_state(hs);
            break;
        case EVENT_DATA:
            handshake_data(hs, event->data);
            break;
        case EVENT_TERMINATION:
            /* The session is over, whatever get_State says. */
            TRACE("%p: terminated with %#lx\n", app, event->hr);
            handshake_end(hs);
            break;
        case EVENT_SEND_ERROR:
            handshake_terminate(hs, FAILED(event->hr) ? event->hr : RA_E_BAD_MESSAGE);
            break;
        }
    }
    if (event->data) SecureZeroMemory(event->data, SysStringByteLen(event->data));
    SysFreeString(event->data);
    CoTaskMemFree(event);
}

/* The state machine's only loop.  The caller holds a reference on app. */
static void app_run(struct application *app)
{
    struct app_event *event;
    BOOL check;
    HRESULT lost;

    if (app->busy) return;
    app->busy = TRUE;
    for (;;)
    {
        if (handshake_run_pending(&app->handshake)) continue;

        event = next_event(app, &check, &lost);
        if (lost) handshake_terminate(&app->handshake, lost);
        else if (check) handshake_check_state(&app->handshake);
        else if (event) handle_event(app, event);
        else break;
    }
    app->busy = FALSE;
}

static LRESULT CALLBACK app_wndproc(HWND hwnd, UINT msg, WPARAM wparam, LPARAM lparam)
{
    struct application *app = (struct application *)GetWindowLongPtrW(hwnd, GWLP_USERDATA);

    switch (msg)
    {
    case WM_RA_EVENTS:
        if (!app) return 0;
        app_addref(app);
        app_run(app);
        app_release(app);
        return 0;

    case WM_RA_BACKEND:
    {
        struct backend_job *job = (struct backend_job *)lparam;

        /* The job kept app alive until now. */
        if (app && handshake_take_backend(&app->handshake, job))
        {
            app_addref(app);
            app_run(app);
            app_release(app);
        }
        backend_release(job);
        if (app) app_release(app);
        return 0;
    }

    case WM_TIMER:
        if (wparam != HANDSHAKE_TIMER || !app) break;
        handshake_timer_fired(&app->handshake);
        app_addref(app);
        app_run(app);
        app_release(app);
        return 0;
    }
    return DefWindowProcW(hwnd, msg, wparam, lparam);
}

static ATOM window_class;

static BOOL CALLBACK init_window_class(INIT_ONCE *once, void *param, void **context)
{
    WNDCLASSW wc = {0};

    wc.lpfnWndProc = app_wndproc;
    wc.hInstance = rendezvous_instance;
    wc.lpszClassName = L"WineRendezvousApplication";
    window_class = RegisterClassW(&wc);
    return window_class != 0;
}

void rendezvous_application_unregister_class(void)
{
    if (window_class) UnregisterClassW(L"WineRendezvousApplication", rendezvous_instance);
}

static HRESULT create_window(struct application *app)
{
    static INIT_ONCE once = INIT_ONCE_STATIC_INIT;

    if (app->window) return S_OK;
    if (!InitOnceExecuteOnce(&once, init_window_class, NULL, NULL)) return E_FAIL;
    if (!(app->window = CreateWindowExW(0, L"WineRendezvousApplication", NULL, 0, 0, 0, 0, 0, HWND_MESSAGE,
                                        NULL, rendezvous_instance, NULL)))
    {
        ERR("cannot create a window: %lu\n", GetLastError());
        return E_FAIL;
    }
    SetWindowLongPtrW(app->window, GWLP_USERDATA, (LONG_PTR)app);
    return S_OK;
}

/* IRendezvousApplication */

static const struct object_interface application_interfaces[] =
{
    { &IID_IRendezvousApplication, offsetof(struct application, IRendezvousApplication_iface) },
    { NULL }
};

FORWARD_IUNKNOWN_METHODS(application, IRendezvousApplication,
                         &impl_from_IRendezvousApplication(iface)->object.IUnknown_iface)

static void application_final_release(struct com_object *object)
{
    struct application *app = CONTAINING_RECORD(object, struct application, object);

    /* The sink and any job hold references: nothing of a session is left. */
    free_events(app);
    if (app->window)
    {
        if (GetWindowThreadProcessId(app->window, NULL) == GetCurrentThreadId())
            DestroyWindow(app->window);
        else
        {
            SetWindowLongPtrW(app->window, GWLP_USERDATA, 0);
            PostMessageW(app->window, WM_CLOSE, 0, 0);
        }
    }
    handshake_free(&app->handshake);
    DeleteCriticalSection(&app->cs);
    CoTaskMemFree(app);
    unlock_module();
}

/* Errors of the IM's session object while we set up: it is not a usable session. */
static HRESULT session_error(HRESULT hr)
{
    return hr == E_OUTOFMEMORY ? E_OUTOFMEMORY : E_INVALIDARG;
}

/* The interfaces of the IM's session.  Out of process, one round trip asks for
 * all of them (IMultiQI): each costs as much as a call.  host is NULL for
 * another IM's session, which has no security code. */
static HRESULT query_session(IUnknown *unk, IRendezvousSession **session, IConnectionPointContainer **container,
                             IRendezvousSessionHost **host)
{
    MULTI_QI results[3] =
    {
        { &IID_IRendezvousSession }, { &IID_IConnectionPointContainer }, { &IID_IRendezvousSessionHost },
    };
    unsigned int i;
    IMultiQI *multi;

    if (SUCCEEDED(IUnknown_QueryInterface(unk, &IID_IMultiQI, (void **)&multi)))
    {
        IMultiQI_QueryMultipleInterfaces(multi, ARRAY_SIZE(results), results);
        IMultiQI_Release(multi);
    }
    else
    {
        for (i = 0; i < ARRAY_SIZE(results); i++)
            results[i].hr = IUnknown_QueryInterface(unk, results[i].pIID, (void **)&results[i].pItf);
    }
    for (i = 0; i < ARRAY_SIZE(results); i++)
        if (FAILED(results[i].hr)) results[i].pItf = NULL;
    *session = (IRendezvousSession *)results[0].pItf;
    *container = (IConnectionPointContainer *)results[1].pItf;
    *host = (IRendezvousSessionHost *)results[2].pItf;
    if (!*session)
    {
        WARN("%p is no IRendezvousSession: %#lx\n", unk, results[0].hr);
        return E_INVALIDARG;
    }
    if (!*container)
    {
        WARN("%p is no connection point container: %#lx\n", unk, results[1].hr);
        return E_INVALIDARG;
    }
    return S_OK;
}

/* The DRendezvousSessionEvents point of the IM's session. */
static HRESULT find_events_point(IConnectionPointContainer *container, IConnectionPoint **point)
{
    HRESULT hr;

    *point = NULL;
    hr = IConnectionPointContainer_FindConnectionPoint(container, &DIID_DRendezvousSessionEvents, point);
    if (FAILED(hr) || !*point)
    {
        WARN("%p has no DRendezvousSessionEvents point: %#lx\n", container, hr);
        *point = NULL;
        return E_INVALIDARG;
    }
    return S_OK;
}

/* Our role in the IM's session (RSF_INVITER or RSF_INVITEE) and the remote
 * user; the caller frees *user, even on failure. */
static HRESULT read_session(IRendezvousSession *session, LONG *role, BSTR *user)
{
    LONG flags;
    HRESULT hr;

    if (FAILED(hr = IRendezvousSession_get_Flags(session, &flags)))
    {
        WARN("get_Flags failed: %#lx\n", hr);
        return session_error(hr);
    }
    *role = flags & (RSF_INVITER | RSF_INVITEE);
    if (*role != RSF_INVITER && *role != RSF_INVITEE)
    {
        WARN("flags %#lx name no role\n", flags);
        return E_INVALIDARG;
    }
    if (FAILED(hr = IRendezvousSession_get_RemoteUser(session, user)))
    {
        WARN("get_RemoteUser failed: %#lx\n", hr);
        return session_error(hr);
    }
    /* The state is looked at once this call is over (queue_state_check). */
    TRACE("flags %#lx, remote user %s\n", flags, debugstr_w(*user));
    return S_OK;
}

static HRESULT WINAPI application_SetRendezvousSession(IRendezvousApplication *iface, IUnknown *unk)
{
    struct application *app = impl_from_IRendezvousApplication(iface);
    IConnectionPointContainer *container = NULL;
    IRendezvousSessionHost *host = NULL;
    IRendezvousSession *session = NULL;
    IConnectionPoint *point = NULL;
    struct event_sink *sink = NULL;
    BSTR user = NULL;
    DWORD cookie = 0;
    LONG role = 0;
    BOOL sharer;
    HRESULT hr;

    TRACE("%p, %p.\n", app, unk);

    if (!unk)
    {
        WARN("no session\n");
        return E_INVALIDARG;
    }
    if (app->used)
    {
        WARN("this object already served a session\n");
        return RA_E_ALREADY_SET;
    }

    if (FAILED(hr = query_session(unk, &session, &container, &host))) goto failed;
    if (FAILED(hr = find_events_point(container, &point))) goto failed;
    if (FAILED(hr = read_session(session, &role, &user))) goto failed;
    if (FAILED(hr = create_window(app))) goto failed;
    if (FAILED(hr = create_sink(app, &sink))) goto failed;
    if (FAILED(hr = IConnectionPoint_Advise(point, (IUnknown *)&sink->IDispatch_iface, &cookie)))
    {
        WARN("Advise failed: %#lx\n", hr);
        hr = session_error(hr);
        goto failed;
    }

    app->used = TRUE;
    app->container = container;
    app->point = point;
    app->cookie = cookie;
    EnterCriticalSection(&app->cs);
    app->sink = sink;
    LeaveCriticalSection(&app->cs);
    /* Ask: the inviter shares its screen; Offer: the invitee does. */
    sharer = (app->kind == APP_ASK) == (role == RSF_INVITER);
    handshake_begin(&app->handshake, &handshake_ops, session, host, app->window, sharer, user);
    SysFreeString(user);
    TRACE("%p is the %s\n", app, sharer ? "sharer" : "helper");
    /* The state may already be RSS_CONNECTED (the published sample sets it
     * first): look at it once the IM's call is over. */
    queue_state_check(app);
    return S_OK;

failed:
    if (sink)
    {
        struct application *held = event_sink_detach(sink);

        IDispatch_Release(&sink->IDispatch_iface);
        if (held) app_release(held);
    }
    SysFreeString(user);
    if (point) IConnectionPoint_Release(point);
    if (container) IConnectionPointContainer_Release(container);
    if (host) IRendezvousSessionHost_Release(host);
    if (session) IRendezvousSession_Release(session);
    return hr;
}

static const IRendezvousApplicationVtbl application_vtbl =
{
    application_QueryInterface,
    application_AddRef,
    application_Release,
    application_SetRendezvousSession,
};

static HRESULT application_create(enum app_kind kind, REFIID riid, void **obj)
{
    struct application *app;
    HRESULT hr;

    if (!(app = CoTaskMemAlloc(sizeof(*app)))) return E_OUTOFMEMORY;
    memset(app, 0, sizeof(*app));
    app->IRendezvousApplication_iface.lpVtbl = &application_vtbl;
    com_object_init(&app->object, app, application_interfaces, application_final_release);
    app->kind = kind;
    InitializeCriticalSection(&app->cs);
    lock_module();

    hr = IRendezvousApplication_QueryInterface(&app->IRendezvousApplication_iface, riid, obj);
    IRendezvousApplication_Release(&app->IRendezvousApplication_iface);
    return hr;
}

HRESULT rendezvous_application_create_ask(REFIID riid, void **obj)
{
    TRACE("%s, %p.\n", debugstr_guid(riid), obj);

    return application_create(APP_ASK, riid, obj);
}

HRESULT rendezvous_application_create_offer(REFIID riid, void **obj)
{
    TRACE("%s, %p.\n", debugstr_guid(riid), obj);

    return application_create(APP_OFFER, riid, obj);
}
