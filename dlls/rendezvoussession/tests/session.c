/*
 * Conformance tests for RendezvousSession: IRendezvousSession, its host
 * interface and its DRendezvousSessionEvents connection point
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
 * Not a crosstest unit: it tests this project's own classes or choices
 * (docs/behaviour.md) beside documented facts, so it is built into
 * rendezvoussession_test.exe only.  What Windows documents is tested alone in api.c
 * and typelib.c, which 'make crosstest' also builds for Windows.
 */

/* Most return codes here are this project's choices (docs/behaviour.md);
 * the documented ones are S_OK, E_INVALIDARG and E_OUTOFMEMORY of
 * SendContextData and the DISPIDs and argument types of the events. */

#define COBJMACROS

#include <stdio.h>
#include <windows.h>
#include <ole2.h>
#include <olectl.h>

#include "rendezvoussession.h"
#include "winerendezvous.h"

#include "wine/test.h"
#include "child.h"
#include "unload.h"

#define E_INVALID_STATE HRESULT_FROM_WIN32(ERROR_INVALID_STATE)

/* Exported by oleaut32, but not in mingw-w64's headers or i686 import library. */
static void (WINAPI *pSetOaNoCache)(void);
#define MAX_CONTEXT_DATA 65536
#define WAIT_MS 10000

/* A DRendezvousSessionEvents sink that records what it receives. */

#define MAX_RECORDS 64

/* What a sink does from inside one event (test_reentry). */
enum reaction
{
    REACT_NONE,
    REACT_SEND,         /* SendContextData on its session */
    REACT_UNADVISE,     /* Unadvise of its own cookie */
    REACT_TERMINATE,    /* Terminate on its session */
    REACT_RELEASE,      /* Release of the last reference to its session, which the test gave it */
};

struct record
{
    DISPID dispid;
    LONG state;         /* OnStateChanged argument */
    LONG hr;            /* OnTermination / OnSendError argument */
    BSTR data;          /* OnContextData / OnTermination argument */
    DWORD thread;
    const IID *riid;
    WORD flags;
    UINT args;
    VARTYPE vt[2];
};

struct sink
{
    IDispatch IDispatch_iface;
    LONG refcount;
    BOOL has_dispatch;  /* FALSE: QueryInterface refuses IDispatch and the DIID */
    LONG count;
    struct record records[MAX_RECORDS];
    LONG data_events;
    HRESULT invoke_result;
    /* Reactions, to test re-entrancy. */
    IConnectionPoint *unadvise_point;
    DWORD unadvise_cookie;
    /* From inside its first OnContextData, advises advise_sink there. */
    IConnectionPoint *advise_point;
    struct sink *advise_sink;
    DWORD advise_cookie;
    IRendezvousSession *terminate_session;
    IRendezvousSession *send_session;
    /* One reaction, to the first event with react_dispid (and, for
     * OnStateChanged, react_state). */
    enum reaction reaction;
    DISPID react_dispid;
    LONG react_state;
    IRendezvousSession *react_session;
    IConnectionPoint *react_point;
    DWORD react_cookie;
    BOOL reacted;
    HRESULT react_hr;
    LONG count_at_reaction;
};

/* Called just before a reaction, for tests that must stop failing allocations then. */
static void (*before_reaction)(void);

static void react(struct sink *sink)
{
    BSTR str;

    sink->reacted = TRUE;
    sink->count_at_reaction = sink->count;
    if (before_reaction) before_reaction();
    switch (sink->reaction)
    {
    case REACT_SEND:
        str = SysAllocString(L"sent from inside an event");
        sink->react_hr = IRendezvousSession_SendContextData(sink->react_session, str);
        SysFreeString(str);
        break;
    case REACT_UNADVISE:
        sink->react_hr = IConnectionPoint_Unadvise(sink->react_point, sink->react_cookie);
        break;
    case REACT_TERMINATE:
        str = SysAllocString(L"terminated from inside an event");
        sink->react_hr = IRendezvousSession_Terminate(sink->react_session, E_ABORT, str);
        SysFreeString(str);
        break;
    case REACT_RELEASE:
        /* The object goes away now or when the event returns; either way safely. */
        IRendezvousSession_Release(sink->react_session);
        sink->react_session = NULL;
        sink->react_hr = S_OK;
        break;
    case REACT_NONE:
        break;
    }
}

static inline struct sink *impl_from_IDispatch(IDispatch *iface)
{
    return CONTAINING_RECORD(iface, struct sink, IDispatch_iface);
}

static HRESULT WINAPI sink_QueryInterface(IDispatch *iface, REFIID riid, void **obj)
{
    struct sink *sink = impl_from_IDispatch(iface);

    if (IsEqualGUID(riid, &IID_IUnknown) ||
        (sink->has_dispatch && (IsEqualGUID(riid, &IID_IDispatch) ||
                                IsEqualGUID(riid, &DIID_DRendezvousSessionEvents))))
    {
        *obj = iface;
        IDispatch_AddRef(iface);
        return S_OK;
    }
    *obj = NULL;
    return E_NOINTERFACE;
}

static ULONG WINAPI sink_AddRef(IDispatch *iface)
{
    return InterlockedIncrement(&impl_from_IDispatch(iface)->refcount);
}

static ULONG WINAPI sink_Release(IDispatch *iface)
{
    return InterlockedDecrement(&impl_from_IDispatch(iface)->refcount);
}

static HRESULT WINAPI sink_GetTypeInfoCount(IDispatch *iface, UINT *count)
{
    *count = 0;
    return S_OK;
}

static HRESULT WINAPI sink_GetTypeInfo(IDispatch *iface, UINT index, LCID lcid, ITypeInfo **info)
{
    *info = NULL;
    return DISP_E_BADINDEX;
}

static HRESULT WINAPI sink_GetIDsOfNames(IDispatch *iface, REFIID riid, LPOLESTR *names, UINT count,
                                         LCID lcid, DISPID *ids)
{
    return DISP_E_UNKNOWNNAME;
}

static HRESULT WINAPI sink_Invoke(IDispatch *iface, DISPID id, REFIID riid, LCID lcid, WORD flags,
                                  DISPPARAMS *params, VARIANT *result, EXCEPINFO *excepinfo, UINT *argerr)
{
    struct sink *sink = impl_from_IDispatch(iface);
    LONG index = InterlockedIncrement(&sink->count) - 1;
    struct record *r = index < MAX_RECORDS ? sink->records + index : NULL;
    unsigned int i;

    if (r)
    {
        r->dispid = id;
        r->thread = GetCurrentThreadId();
        r->riid = riid;
        r->flags = flags;
        r->args = params->cArgs;
        for (i = 0; i < params->cArgs && i < 2; i++) r->vt[i] = V_VT(&params->rgvarg[i]);
        if (id == DISPID_EVENT_ON_STATE_CHANGED && params->cArgs == 1)
            r->state = V_I4(&params->rgvarg[0]);
        if (id == DISPID_EVENT_ON_SEND_ERROR && params->cArgs == 1)
            r->hr = V_I4(&params->rgvarg[0]);
        if (id == DISPID_EVENT_ON_CONTEXT_DATA && params->cArgs == 1 && V_VT(&params->rgvarg[0]) == VT_BSTR)
            r->data = SysAllocStringLen(V_BSTR(&params->rgvarg[0]), SysStringLen(V_BSTR(&params->rgvarg[0])));
        if (id == DISPID_EVENT_ON_TERMINATION && params->cArgs == 2 && V_VT(&params->rgvarg[0]) == VT_BSTR)
        {
            r->hr = V_I4(&params->rgvarg[1]);
            r->data = SysAllocStringLen(V_BSTR(&params->rgvarg[0]), SysStringLen(V_BSTR(&params->rgvarg[0])));
        }
    }
    if (id == DISPID_EVENT_ON_CONTEXT_DATA) InterlockedIncrement(&sink->data_events);

    if (sink->unadvise_point)
    {
        IConnectionPoint *point = sink->unadvise_point;

        sink->unadvise_point = NULL;
        ok(IConnectionPoint_Unadvise(point, sink->unadvise_cookie) == S_OK, "Unadvise from an event failed\n");
    }
    if (id == DISPID_EVENT_ON_CONTEXT_DATA && sink->advise_point)
    {
        IConnectionPoint *point = sink->advise_point;
        HRESULT hr;

        sink->advise_point = NULL;
        hr = IConnectionPoint_Advise(point, (IUnknown *)&sink->advise_sink->IDispatch_iface, &sink->advise_cookie);
        ok(hr == S_OK, "Advise from an event returned %#lx\n", hr);
    }
    if (id == DISPID_EVENT_ON_CONTEXT_DATA && sink->send_session)
    {
        IRendezvousSession *session = sink->send_session;
        BSTR reply = SysAllocString(L"reply from inside OnContextData");

        sink->send_session = NULL;
        ok(IRendezvousSession_SendContextData(session, reply) == S_OK, "SendContextData from an event failed\n");
        SysFreeString(reply);
    }
    if (id == DISPID_EVENT_ON_CONTEXT_DATA && sink->terminate_session)
    {
        IRendezvousSession *session = sink->terminate_session;
        BSTR data = SysAllocString(L"terminated from inside OnContextData");

        sink->terminate_session = NULL;
        ok(IRendezvousSession_Terminate(session, E_ABORT, data) == S_OK, "Terminate from an event failed\n");
        SysFreeString(data);
    }
    if (sink->reaction && !sink->reacted && id == sink->react_dispid &&
        (id != DISPID_EVENT_ON_STATE_CHANGED ||
         (params->cArgs == 1 && V_VT(&params->rgvarg[0]) == VT_I4 && V_I4(&params->rgvarg[0]) == sink->react_state)))
        react(sink);
    return sink->invoke_result;
}

static const IDispatchVtbl sink_vtbl =
{
    sink_QueryInterface,
    sink_AddRef,
    sink_Release,
    sink_GetTypeInfoCount,
    sink_GetTypeInfo,
    sink_GetIDsOfNames,
    sink_Invoke,
};

static void init_sink(struct sink *sink)
{
    memset(sink, 0, sizeof(*sink));
    sink->IDispatch_iface.lpVtbl = &sink_vtbl;
    sink->refcount = 1;
    sink->has_dispatch = TRUE;
}

static void clear_sink(struct sink *sink)
{
    LONG i;

    for (i = 0; i < sink->count && i < MAX_RECORDS; i++)
    {
        SysFreeString(sink->records[i].data);
        sink->records[i].data = NULL;
    }
    sink->count = 0;
    sink->data_events = 0;
}

/* Finds the n-th (from 0) record of an event, or NULL. */
static struct record *find_event(struct sink *sink, DISPID id, unsigned int n)
{
    LONG i;

    for (i = 0; i < sink->count && i < MAX_RECORDS; i++)
        if (sink->records[i].dispid == id && !n--) return sink->records + i;
    return NULL;
}

static BOOL saw_state(struct sink *sink, LONG state)
{
    LONG i;

    for (i = 0; i < sink->count && i < MAX_RECORDS; i++)
        if (sink->records[i].dispid == DISPID_EVENT_ON_STATE_CHANGED && sink->records[i].state == state)
            return TRUE;
    return FALSE;
}

/* Runs this thread's message loop, where an STA object fires its events, until
 * cond() holds or the time is up. */
static BOOL pump_until(BOOL (*cond)(void *), void *arg, DWORD timeout)
{
    DWORD start = GetTickCount();
    MSG msg;

    for (;;)
    {
        while (PeekMessageW(&msg, NULL, 0, 0, PM_REMOVE)) DispatchMessageW(&msg);
        if (cond && cond(arg)) return TRUE;
        if (GetTickCount() - start >= timeout) return FALSE;
        MsgWaitForMultipleObjects(0, NULL, FALSE, 20, QS_ALLINPUT);
    }
}

static void pump_for(DWORD ms)
{
    pump_until(NULL, NULL, ms);
}

/* A session with its interfaces and a sink already advised. */
struct peer
{
    IRendezvousSession *session;
    IRendezvousSessionHost *host;
    IConnectionPoint *point;
    DWORD cookie;
    struct sink sink;
};

static void create_peer(struct peer *peer, LONG flags)
{
    IConnectionPointContainer *container;
    HRESULT hr;

    memset(peer, 0, sizeof(*peer));
    init_sink(&peer->sink);
    hr = CoCreateInstance(&CLSID_RendezvousSession, NULL, CLSCTX_INPROC_SERVER, &IID_IRendezvousSession,
                          (void **)&peer->session);
    ok(hr == S_OK, "CoCreateInstance returned %#lx\n", hr);
    hr = IRendezvousSession_QueryInterface(peer->session, &IID_IRendezvousSessionHost, (void **)&peer->host);
    ok(hr == S_OK, "QueryInterface returned %#lx\n", hr);
    hr = IRendezvousSession_QueryInterface(peer->session, &IID_IConnectionPointContainer, (void **)&container);
    ok(hr == S_OK, "QueryInterface returned %#lx\n", hr);
    hr = IConnectionPointContainer_FindConnectionPoint(container, &DIID_DRendezvousSessionEvents, &peer->point);
    ok(hr == S_OK, "FindConnectionPoint returned %#lx\n", hr);
    IConnectionPointContainer_Release(container);
    hr = IConnectionPoint_Advise(peer->point, (IUnknown *)&peer->sink.IDispatch_iface, &peer->cookie);
    ok(hr == S_OK, "Advise returned %#lx\n", hr);
    if (flags)
    {
        hr = IRendezvousSessionHost_Initialize(peer->host, flags);
        ok(hr == S_OK, "Initialize returned %#lx\n", hr);
    }
}

/* Whatever the apartment, the last Release returns 0 and lets go of the
 * sink at once, even with events in flight on pool threads. */
#define release_peer(peer) release_peer_(peer, __LINE__)
static void release_peer_(struct peer *peer, int line)
{
    ULONG ref;

    if (peer->cookie) IConnectionPoint_Unadvise(peer->point, peer->cookie);
    IConnectionPoint_Release(peer->point);
    IRendezvousSessionHost_Release(peer->host);
    ref = IRendezvousSession_Release(peer->session);
    ok_(__FILE__, line)(!ref, "session still has %lu references\n", ref);
    ok_(__FILE__, line)(peer->sink.refcount == 1, "sink still has %ld references\n", peer->sink.refcount);
    clear_sink(&peer->sink);
}

static BOOL both_connected(void *arg)
{
    struct peer *peers = arg;
    return saw_state(&peers[0].sink, RSS_CONNECTED) && saw_state(&peers[1].sink, RSS_CONNECTED);
}

/* Connects an inviter (peers[0]) and an invitee (peers[1]) in this apartment. */
static BOOL connect_pair(struct peer *peers)
{
    BSTR invitation = NULL;
    HRESULT hr;

    create_peer(&peers[0], RSF_INVITER);
    create_peer(&peers[1], RSF_INVITEE);
    hr = IRendezvousSessionHost_CreateInvitation(peers[0].host, NULL, &invitation);
    ok(hr == S_OK, "CreateInvitation returned %#lx\n", hr);
    if (FAILED(hr)) return FALSE;
    hr = IRendezvousSessionHost_ReceiveInvitation(peers[1].host, invitation);
    ok(hr == S_OK, "ReceiveInvitation returned %#lx\n", hr);
    SysFreeString(invitation);
    hr = IRendezvousSessionHost_Accept(peers[1].host);
    ok(hr == S_OK, "Accept returned %#lx\n", hr);
    ok(pump_until(both_connected, peers, WAIT_MS), "the peers did not connect\n");
    return both_connected(peers);
}

static LONG get_state(IRendezvousSession *session)
{
    RENDEZVOUS_SESSION_STATE state = -1;
    HRESULT hr = IRendezvousSession_get_State(session, &state);
    ok(hr == S_OK, "get_State returned %#lx\n", hr);
    return state;
}

static void test_new_object(void)
{
    RENDEZVOUS_SESSION_STATE state;
    IConnectionPointContainer *container;
    IEnumConnectionPoints *enum_points;
    IConnectionPoint *point, *points[2];
    struct peer peer;
    LONG flags, units;
    ULONG fetched;
    BSTR str;
    HRESULT hr;
    IID iid;

    create_peer(&peer, 0);

    hr = IRendezvousSession_get_State(peer.session, NULL);
    ok(hr == E_POINTER, "got %#lx\n", hr);
    hr = IRendezvousSession_get_RemoteUser(peer.session, NULL);
    ok(hr == E_POINTER, "got %#lx\n", hr);
    hr = IRendezvousSession_get_Flags(peer.session, NULL);
    ok(hr == E_POINTER, "got %#lx\n", hr);

    hr = IRendezvousSession_get_State(peer.session, &state);
    ok(hr == S_OK, "got %ld\n", hr);
    ok(state == RSS_READY, "got %u\n", state);
    hr = IRendezvousSession_get_Flags(peer.session, &flags);
    ok(hr == S_OK, "got %ld\n", hr);
    ok(flags == RSF_NONE, "got %#lx\n", flags);
    hr = IRendezvousSession_get_RemoteUser(peer.session, &str);
    ok(hr == S_OK, "got %ld\n", hr);
    ok(str != NULL, "got %p\n", str);
    if (str) ok(!*str, "got %d\n", *str);
    SysFreeString(str);

    hr = IRendezvousSessionHost_get_MaxContextData(peer.host, NULL);
    ok(hr == E_POINTER, "got %#lx\n", hr);
    hr = IRendezvousSessionHost_get_MaxContextData(peer.host, &units);
    ok(hr == S_OK, "got %ld\n", hr);
    ok(units == MAX_CONTEXT_DATA, "got %#lx, %ld\n", hr, units);

    /* Roles. */
    hr = IRendezvousSessionHost_Initialize(peer.host, 0);
    ok(hr == E_INVALIDARG, "got %#lx\n", hr);
    hr = IRendezvousSessionHost_Initialize(peer.host, RSF_INVITER | RSF_INVITEE);
    ok(hr == E_INVALIDARG, "got %#lx\n", hr);
    hr = IRendezvousSessionHost_Initialize(peer.host, RSF_ORIGINAL_INVITER);
    ok(hr == E_INVALIDARG, "got %#lx\n", hr);
    hr = IRendezvousSessionHost_Initialize(peer.host, RSF_INVITEE);
    ok(hr == S_OK, "got %#lx\n", hr);
    hr = IRendezvousSessionHost_Initialize(peer.host, RSF_INVITEE);
    ok(hr == E_INVALID_STATE, "got %#lx\n", hr);
    hr = IRendezvousSession_get_Flags(peer.session, &flags);
    ok(hr == S_OK, "got %ld\n", hr);
    ok(flags == RSF_INVITEE, "got %#lx\n", flags);

    /* An invitee cannot invite; a malformed invitation is refused. */
    str = (BSTR)0xdeadbeef;
    hr = IRendezvousSessionHost_CreateInvitation(peer.host, NULL, &str);
    ok(hr == E_INVALID_STATE, "got %#lx\n", hr);
    ok(!str, "got %p\n", str);
    hr = IRendezvousSessionHost_CreateInvitation(peer.host, NULL, NULL);
    ok(hr == E_POINTER, "got %#lx\n", hr);
    hr = IRendezvousSessionHost_ReceiveInvitation(peer.host, NULL);
    ok(hr == E_INVALIDARG, "got %#lx\n", hr);
    str = SysAllocString(L"rv1:127.0.0.1:1:00:00");
    hr = IRendezvousSessionHost_ReceiveInvitation(peer.host, str);
    ok(hr == E_INVALIDARG, "got %#lx\n", hr);
    SysFreeString(str);
    ok(get_state(peer.session) == RSS_READY, "state changed\n");
    hr = IRendezvousSessionHost_Accept(peer.host);
    ok(hr == E_INVALID_STATE, "got %#lx\n", hr);

    /* Remote user: kept as given, bounded. */
    str = SysAllocString(L"contact@example.org");
    hr = IRendezvousSessionHost_put_RemoteUser(peer.host, str);
    ok(hr == S_OK, "got %#lx\n", hr);
    SysFreeString(str);
    hr = IRendezvousSession_get_RemoteUser(peer.session, &str);
    ok(hr == S_OK, "got %ld\n", hr);
    ok(!lstrcmpW(str, L"contact@example.org"), "got %s\n", wine_dbgstr_w(str));
    SysFreeString(str);
    str = SysAllocStringLen(NULL, 1025);
    hr = IRendezvousSessionHost_put_RemoteUser(peer.host, str);
    ok(hr == E_INVALIDARG, "got %#lx\n", hr);
    SysFreeString(str);

    /* Context data before the session is connected goes nowhere. */
    str = SysAllocString(L"too early");
    hr = IRendezvousSession_SendContextData(peer.session, str);
    ok(hr == E_INVALID_STATE, "got %#lx\n", hr);
    SysFreeString(str);
    hr = IRendezvousSession_SendContextData(peer.session, NULL);
    ok(hr == E_INVALIDARG, "got %#lx\n", hr);

    /* The connection point container. */
    hr = IRendezvousSession_QueryInterface(peer.session, &IID_IConnectionPointContainer, (void **)&container);
    ok(hr == S_OK, "got %#lx\n", hr);
    point = (IConnectionPoint *)0xdeadbeef;
    hr = IConnectionPointContainer_FindConnectionPoint(container, &IID_IDispatch, &point);
    ok(hr == CONNECT_E_NOCONNECTION, "got %#lx\n", hr);
    ok(!point, "got %p\n", point);
    hr = IConnectionPointContainer_FindConnectionPoint(container, &IID_IRendezvousSession, &point);
    ok(hr == CONNECT_E_NOCONNECTION, "got %#lx\n", hr);
    hr = IConnectionPointContainer_FindConnectionPoint(container, &DIID_DRendezvousSessionEvents, NULL);
    ok(hr == E_POINTER, "got %#lx\n", hr);

    hr = IConnectionPointContainer_EnumConnectionPoints(container, &enum_points);
    ok(hr == S_OK, "got %#lx\n", hr);
    hr = IEnumConnectionPoints_Next(enum_points, 2, points, &fetched);
    ok(hr == S_FALSE, "got %ld\n", hr);
    ok(fetched == 1, "got %lu\n", fetched);
    ok(points[0] == peer.point, "got %p, expected %p\n", points[0], peer.point);
    IConnectionPoint_Release(points[0]);
    hr = IEnumConnectionPoints_Next(enum_points, 1, points, NULL);
    ok(hr == S_FALSE, "got %#lx\n", hr);
    ok(!IEnumConnectionPoints_Release(enum_points), "enumerator still referenced\n");

    hr = IConnectionPoint_GetConnectionInterface(peer.point, &iid);
    ok(hr == S_OK, "got %ld\n", hr);
    ok(IsEqualGUID(&iid, &DIID_DRendezvousSessionEvents), "got %s\n", wine_dbgstr_guid(&iid));
    hr = IConnectionPoint_GetConnectionPointContainer(peer.point, (IConnectionPointContainer **)&point);
    ok(hr == S_OK, "got %ld\n", hr);
    ok((void *)point == (void *)container, "got %p\n", (void *)point);
    if (hr == S_OK) IUnknown_Release((IUnknown *)point);
    IConnectionPointContainer_Release(container);

    ok(!peer.sink.count, "got %ld events from a session that never changed state\n", peer.sink.count);
    release_peer(&peer);
}

static void test_advise(void)
{
    struct sink sinks[3], no_dispatch;
    IEnumConnections *enum_connections, *clone;
    CONNECTDATA data[4];
    struct peer peer;
    DWORD cookies[3], cookie;
    ULONG fetched;
    unsigned int i;
    HRESULT hr;

    create_peer(&peer, 0);

    init_sink(&no_dispatch);
    no_dispatch.has_dispatch = FALSE;
    cookie = 0xdeadbeef;
    hr = IConnectionPoint_Advise(peer.point, (IUnknown *)&no_dispatch.IDispatch_iface, &cookie);
    ok(hr == CONNECT_E_CANNOTCONNECT, "got %#lx\n", hr);
    ok(!cookie, "got cookie %#lx\n", cookie);
    ok(no_dispatch.refcount == 1, "sink keeps %ld references\n", no_dispatch.refcount);
    hr = IConnectionPoint_Advise(peer.point, NULL, &cookie);
    ok(hr == E_POINTER, "got %#lx\n", hr);
    hr = IConnectionPoint_Advise(peer.point, (IUnknown *)&no_dispatch.IDispatch_iface, NULL);
    ok(hr == E_POINTER, "got %#lx\n", hr);

    for (i = 0; i < ARRAY_SIZE(sinks); i++)
    {
        init_sink(&sinks[i]);
        hr = IConnectionPoint_Advise(peer.point, (IUnknown *)&sinks[i].IDispatch_iface, &cookies[i]);
        ok(hr == S_OK, "got %#lx\n", hr);
        ok(cookies[i], "got %lu\n", cookies[i]);
        if (cookies[i]) ok(cookies[i] != peer.cookie, "got %lu\n", cookies[i]);
        ok(sinks[i].refcount == 2, "sink has %ld references\n", sinks[i].refcount);
    }
    ok(cookies[0] != cookies[1], "got %lu\n", cookies[0]);
    ok(cookies[1] != cookies[2], "got %lu\n", cookies[1]);

    hr = IConnectionPoint_EnumConnections(peer.point, &enum_connections);
    ok(hr == S_OK, "got %#lx\n", hr);
    hr = IEnumConnections_Next(enum_connections, 4, data, &fetched);
    ok(hr == S_OK, "got %ld\n", hr);
    ok(fetched == 4, "got %lu\n", fetched);
    for (i = 0; i < fetched; i++)
    {
        if (i) ok(data[i].pUnk == (IUnknown *)&sinks[i - 1].IDispatch_iface && data[i].dwCookie == cookies[i - 1],
                  "connection %u: %p, %#lx\n", i, data[i].pUnk, data[i].dwCookie);
        else ok(data[i].dwCookie == peer.cookie, "connection 0: %#lx\n", data[i].dwCookie);
        IUnknown_Release(data[i].pUnk);
    }
    hr = IEnumConnections_Next(enum_connections, 1, data, &fetched);
    ok(hr == S_FALSE, "got %ld\n", hr);
    ok(!fetched, "got %lu\n", fetched);
    hr = IEnumConnections_Reset(enum_connections);
    ok(hr == S_OK, "got %#lx\n", hr);
    hr = IEnumConnections_Skip(enum_connections, 3);
    ok(hr == S_OK, "got %#lx\n", hr);
    hr = IEnumConnections_Clone(enum_connections, &clone);
    ok(hr == S_OK, "got %#lx\n", hr);
    hr = IEnumConnections_Next(clone, 1, data, NULL);
    ok(hr == S_OK, "got %ld\n", hr);
    ok(data[0].dwCookie == cookies[2], "got %lu\n", cookies[2]);
    IUnknown_Release(data[0].pUnk);
    hr = IEnumConnections_Skip(clone, 1);
    ok(hr == S_FALSE, "got %#lx\n", hr);
    ok(!IEnumConnections_Release(clone), "clone still referenced\n");
    ok(!IEnumConnections_Release(enum_connections), "enumerator still referenced\n");

    hr = IConnectionPoint_Unadvise(peer.point, cookies[1]);
    ok(hr == S_OK, "got %#lx\n", hr);
    ok(sinks[1].refcount == 1, "sink has %ld references\n", sinks[1].refcount);
    hr = IConnectionPoint_Unadvise(peer.point, cookies[1]);
    ok(hr == CONNECT_E_NOCONNECTION, "got %#lx\n", hr);
    hr = IConnectionPoint_Unadvise(peer.point, 0);
    ok(hr == CONNECT_E_NOCONNECTION, "got %#lx\n", hr);
    hr = IConnectionPoint_Unadvise(peer.point, 0x12345678);
    ok(hr == CONNECT_E_NOCONNECTION, "got %#lx\n", hr);

    /* A new connection gets a new cookie, never an old one. */
    hr = IConnectionPoint_Advise(peer.point, (IUnknown *)&sinks[1].IDispatch_iface, &cookie);
    ok(hr == S_OK, "got %#lx\n", hr);
    ok(cookie != cookies[0], "got %lu\n", cookie);
    ok(cookie != cookies[1], "got %lu\n", cookie);
    ok(cookie != cookies[2], "got %lu\n", cookie);
    ok(IConnectionPoint_Unadvise(peer.point, cookie) == S_OK, "Unadvise failed\n");
    ok(IConnectionPoint_Unadvise(peer.point, cookies[0]) == S_OK, "Unadvise failed\n");

    /* Connections left at release are released with the object. */
    release_peer(&peer);
    ok(sinks[2].refcount == 1, "sink has %ld references\n", sinks[2].refcount);
}

/* The whole life of a pair of sessions in one apartment. */
static void test_pair(void)
{
    static const LONG inviter_states[] = { RSS_INVITATION, RSS_ACCEPTED, RSS_CONNECTED };
    static const LONG invitee_states[] = { RSS_INVITATION, RSS_ACCEPTED, RSS_CONNECTED };
    struct peer peers[2];
    struct record *r;
    unsigned int i;
    BSTR id0, id1;
    LONG flags;
    HRESULT hr;

    if (!connect_pair(peers)) goto done;

    /* OnStateChanged carries the new state, in order, on this thread. */
    for (i = 0; i < ARRAY_SIZE(inviter_states); i++)
    {
        r = find_event(&peers[0].sink, DISPID_EVENT_ON_STATE_CHANGED, i);
        ok(r != NULL, "got %p\n", r);
        if (r) ok(r->state == inviter_states[i], "got %ld\n", r->state);
        r = find_event(&peers[1].sink, DISPID_EVENT_ON_STATE_CHANGED, i);
        ok(r != NULL, "got %p\n", r);
        if (r) ok(r->state == invitee_states[i], "got %ld\n", r->state);
    }
    for (i = 0; i < (unsigned int)peers[0].sink.count; i++)
    {
        r = peers[0].sink.records + i;
        ok(r->thread == GetCurrentThreadId(), "event on thread %04lx\n", r->thread);
        ok(IsEqualGUID(r->riid, &IID_NULL), "riid %s\n", wine_dbgstr_guid(r->riid));
        ok(r->flags == DISPATCH_METHOD, "flags %#x\n", r->flags);
        ok(r->args == 1, "got %u\n", r->args);
        ok(r->vt[0] == VT_I4, "got %d\n", r->vt[0]);
    }
    ok(get_state(peers[0].session) == RSS_CONNECTED, "inviter not connected\n");
    ok(get_state(peers[1].session) == RSS_CONNECTED, "invitee not connected\n");
    hr = IRendezvousSession_get_Flags(peers[0].session, &flags);
    ok(hr == S_OK, "got %ld\n", hr);
    ok(flags == RSF_INVITER, "got %#lx\n", flags);
    hr = IRendezvousSession_get_Flags(peers[1].session, &flags);
    ok(hr == S_OK, "got %ld\n", hr);
    ok(flags == RSF_INVITEE, "got %#lx\n", flags);

    /* Both sides know the same session id. */
    hr = IRendezvousSessionHost_get_SessionId(peers[0].host, &id0);
    ok(hr == S_OK, "got %#lx\n", hr);
    hr = IRendezvousSessionHost_get_SessionId(peers[1].host, &id1);
    ok(hr == S_OK, "got %#lx\n", hr);
    if (id0 && id1)
    {
        ok(!lstrcmpW(id0, id1), "ids differ: %s, %s\n", wine_dbgstr_w(id0), wine_dbgstr_w(id1));
        ok(lstrlenW(id0) == 38, "got %d\n", lstrlenW(id0));
        ok(id0[0] == '{', "got %s\n", wine_dbgstr_w(id0));
    }
    SysFreeString(id0);
    SysFreeString(id1);

    /* And the same security code, six digits, also through IDispatch. */
    hr = IRendezvousSessionHost_get_SecurityCode(peers[0].host, NULL);
    ok(hr == E_POINTER, "got %#lx\n", hr);
    hr = IRendezvousSessionHost_get_SecurityCode(peers[0].host, &id0);
    ok(hr == S_OK, "got %#lx\n", hr);
    hr = IRendezvousSessionHost_get_SecurityCode(peers[1].host, &id1);
    ok(hr == S_OK, "got %#lx\n", hr);
    if (id0 && id1)
    {
        DISPPARAMS params = { NULL, NULL, 0, 0 };
        VARIANT result;

        ok(!lstrcmpW(id0, id1), "codes differ: %s, %s\n", wine_dbgstr_w(id0), wine_dbgstr_w(id1));
        ok(lstrlenW(id0) == 6, "got %d\n", lstrlenW(id0));
        ok(wcsspn(id0, L"0123456789") == 6, "got %Iu\n", wcsspn(id0, L"0123456789"));
        VariantInit(&result);
        hr = IRendezvousSessionHost_Invoke(peers[1].host, 10, &IID_NULL, 0, DISPATCH_PROPERTYGET, &params, &result,
                                           NULL, NULL);
        ok(hr == S_OK, "Invoke: got %ld\n", hr);
        ok(V_VT(&result) == VT_BSTR, "Invoke: got %d\n", V_VT(&result));
        ok(!lstrcmpW(V_BSTR(&result), id0), "Invoke: got %s\n", wine_dbgstr_w(V_BSTR(&result)));
        VariantClear(&result);
    }
    SysFreeString(id0);
    SysFreeString(id1);

done:
    release_peer(&peers[1]);
    release_peer(&peers[0]);
}

static BOOL has_state(struct sink *sink, LONG state, DWORD timeout);

/* InvitationLifetime (ms) in the settings: past it, the invitation connects
 * to nothing and the inviter hears nothing. */
static void test_invitation_lifetime(void)
{
    static const WCHAR key_name[] = L"Software\\Wine\\RendezvousSession";
    DWORD lifetime = 300;
    struct peer peers[2];
    BSTR invitation = NULL;
    struct record *r;
    HKEY key;
    LONG count;
    HRESULT hr;

    if (RegCreateKeyExW(HKEY_CURRENT_USER, key_name, 0, NULL, 0, KEY_ALL_ACCESS, NULL, &key, NULL))
    {
        ok(0, "cannot create the settings key\n");
        return;
    }
    RegSetValueExW(key, L"InvitationLifetime", 0, REG_DWORD, (BYTE *)&lifetime, sizeof(lifetime));
    create_peer(&peers[0], RSF_INVITER);
    create_peer(&peers[1], RSF_INVITEE);
    hr = IRendezvousSessionHost_CreateInvitation(peers[0].host, NULL, &invitation);
    ok(hr == S_OK, "CreateInvitation returned %#lx\n", hr);
    RegDeleteValueW(key, L"InvitationLifetime");
    RegCloseKey(key);
    count = peers[0].sink.count;
    pump_for(3 * lifetime);

    hr = IRendezvousSessionHost_ReceiveInvitation(peers[1].host, invitation);
    ok(hr == S_OK, "ReceiveInvitation returned %#lx\n", hr);
    hr = IRendezvousSessionHost_Accept(peers[1].host);
    ok(hr == S_OK, "Accept returned %#lx\n", hr);
    ok(has_state(&peers[1].sink, RSS_TERMINATED, WAIT_MS), "the invitee ended in state %ld\n",
       get_state(peers[1].session));
    r = find_event(&peers[1].sink, DISPID_EVENT_ON_TERMINATION, 0);
    ok(r != NULL, "got %p\n", r);
    if (r) ok(r->hr == HRESULT_FROM_WIN32(WSAECONNREFUSED), "got %ld\n", r->hr);
    ok(peers[0].sink.count == count, "the inviter got %ld events\n", peers[0].sink.count - count);
    ok(get_state(peers[0].session) == RSS_INVITATION, "the inviter is in state %ld\n", get_state(peers[0].session));
    SysFreeString(invitation);
    release_peer(&peers[1]);
    release_peer(&peers[0]);
}

/* Before the handshake there is no code to show. */
static void test_security_code_before_connect(void)
{
    struct peer peer;
    BSTR code = (BSTR)0xdeadbeef, invitation = NULL;
    HRESULT hr;

    create_peer(&peer, RSF_INVITER);
    hr = IRendezvousSessionHost_get_SecurityCode(peer.host, &code);
    ok(hr == HRESULT_FROM_WIN32(ERROR_INVALID_STATE), "got %ld\n", hr);
    ok(!code, "got %p\n", code);
    hr = IRendezvousSessionHost_CreateInvitation(peer.host, NULL, &invitation);
    ok(hr == S_OK, "CreateInvitation returned %#lx\n", hr);
    hr = IRendezvousSessionHost_get_SecurityCode(peer.host, &code);
    ok(hr == HRESULT_FROM_WIN32(ERROR_INVALID_STATE), "got %ld\n", hr);
    ok(!code, "got %p\n", code);
    SysFreeString(invitation);
    release_peer(&peer);
}

struct wait_data
{
    struct sink *sink;
    LONG count;
};

static BOOL has_data_events(void *arg)
{
    struct wait_data *wait = arg;
    return wait->sink->data_events >= wait->count;
}

static BOOL has_state(struct sink *sink, LONG state, DWORD timeout);

/* Sends data from one peer and checks that the other gets exactly it. */
static void check_delivery(struct peer *from, struct peer *to, const WCHAR *data, UINT len, const char *what)
{
    struct wait_data wait = { &to->sink, to->sink.data_events + 1 };
    struct record *r;
    BSTR str;
    HRESULT hr;

    winetest_push_context("%s", what);
    str = SysAllocStringLen(data, len);
    hr = IRendezvousSession_SendContextData(from->session, str);
    ok(hr == S_OK, "SendContextData returned %#lx\n", hr);
    ok(pump_until(has_data_events, &wait, WAIT_MS), "nothing arrived\n");
    r = find_event(&to->sink, DISPID_EVENT_ON_CONTEXT_DATA, wait.count - 1);
    ok(r != NULL, "no record\n");
    if (r)
    {
        ok(r->args == 1, "got %u\n", r->args);
        ok(r->vt[0] == VT_BSTR, "got %d\n", r->vt[0]);
        ok(r->thread == GetCurrentThreadId(), "event on thread %04lx\n", r->thread);
        ok(SysStringLen(r->data) == len, "got %u units, sent %u\n", SysStringLen(r->data), len);
        ok(r->data != NULL, "got %p\n", r->data);
        if (r->data) ok(!memcmp(r->data, data, len * sizeof(WCHAR)), "data differs\n");
    }
    SysFreeString(str);
    winetest_pop_context();
}

static void test_context_data(void)
{
    static const WCHAR embedded_nul[] = { 'a', 0, 'b', 0, 0, 'c' };
    static const WCHAR surrogates[] = { 0xd83d, 0xde00, 'x', 0xdc00, 0xd800, 0xffff, 0xfffe };
    struct peer peers[2];
    WCHAR *big;
    BSTR str;
    HRESULT hr;
    UINT i;

    if (!connect_pair(peers)) goto done;

    check_delivery(&peers[0], &peers[1], L"x", 1, "one character");
    check_delivery(&peers[1], &peers[0], L"y", 1, "one character back");
    check_delivery(&peers[0], &peers[1], embedded_nul, ARRAY_SIZE(embedded_nul), "embedded NULs");
    check_delivery(&peers[0], &peers[1], surrogates, ARRAY_SIZE(surrogates), "surrogates");

    big = malloc((MAX_CONTEXT_DATA + 1) * sizeof(WCHAR));
    for (i = 0; i <= MAX_CONTEXT_DATA; i++) big[i] = (WCHAR)(i * 7919 + 1);
    check_delivery(&peers[1], &peers[0], big, MAX_CONTEXT_DATA, "maximum length");

    /* E_INVALIDARG: NULL, empty, one unit too long; the peer receives nothing. */
    clear_sink(&peers[1].sink);
    hr = IRendezvousSession_SendContextData(peers[0].session, NULL);
    ok(hr == E_INVALIDARG, "got %#lx\n", hr);
    str = SysAllocString(L"");
    hr = IRendezvousSession_SendContextData(peers[0].session, str);
    ok(hr == E_INVALIDARG, "got %#lx\n", hr);
    SysFreeString(str);
    str = SysAllocStringLen(big, MAX_CONTEXT_DATA + 1);
    hr = IRendezvousSession_SendContextData(peers[0].session, str);
    ok(hr == E_INVALIDARG, "got %#lx\n", hr);
    SysFreeString(str);
    free(big);
    pump_for(300);
    ok(!peers[1].sink.data_events, "the peer received %ld messages\n", peers[1].sink.data_events);
    /* The session still works. */
    check_delivery(&peers[0], &peers[1], L"still fine", 10, "after refusals");

    /* Order is kept. */
    {
        struct wait_data wait = { &peers[1].sink, 0 };
        WCHAR text[16];

        clear_sink(&peers[1].sink);
        for (i = 0; i < 40; i++)
        {
            swprintf(text, ARRAY_SIZE(text), L"message %u", i);
            str = SysAllocString(text);
            ok(IRendezvousSession_SendContextData(peers[0].session, str) == S_OK, "send %u failed\n", i);
            SysFreeString(str);
        }
        wait.count = 40;
        ok(pump_until(has_data_events, &wait, WAIT_MS), "got %ld of 40 messages\n", peers[1].sink.data_events);
        for (i = 0; i < 40 && i < MAX_RECORDS; i++)
        {
            struct record *r = find_event(&peers[1].sink, DISPID_EVENT_ON_CONTEXT_DATA, i);
            swprintf(text, ARRAY_SIZE(text), L"message %u", i);
            ok(r != NULL, "got %p\n", r);
            if (r) ok(r->data != NULL, "got %p\n", r->data);
            if (r && r->data) ok(!lstrcmpW(r->data, text), "got %s\n", wine_dbgstr_w(r->data));
        }
    }

done:
    release_peer(&peers[1]);
    release_peer(&peers[0]);
}

struct state_wait
{
    struct sink *sink;
    LONG state;
};

static BOOL state_seen(void *arg)
{
    struct state_wait *wait = arg;
    return saw_state(wait->sink, wait->state);
}

static BOOL has_state(struct sink *sink, LONG state, DWORD timeout)
{
    struct state_wait wait = { sink, state };
    return pump_until(state_seen, &wait, timeout);
}

static void test_terminate(void)
{
    struct peer peers[2];
    struct record *r;
    unsigned int i;
    BSTR str;
    HRESULT hr;

    if (!connect_pair(peers)) goto done;

    str = SysAllocString(L"bye \xd83d\xde00");
    hr = IRendezvousSession_Terminate(peers[0].session, 0x80040001, str);
    ok(hr == S_OK, "Terminate returned %#lx\n", hr);
    /* The local side hears of it before Terminate returns. */
    r = find_event(&peers[0].sink, DISPID_EVENT_ON_TERMINATION, 0);
    ok(r != NULL, "no local OnTermination\n");
    ok(has_state(&peers[1].sink, RSS_CANCELLED, WAIT_MS), "the peer did not end\n");
    ok(has_state(&peers[0].sink, RSS_CANCELLED, WAIT_MS), "this side did not end\n");

    for (i = 0; i < 2; i++)
    {
        winetest_push_context("peer %u", i);
        r = find_event(&peers[i].sink, DISPID_EVENT_ON_TERMINATION, 0);
        ok(r != NULL, "no OnTermination\n");
        if (r)
        {
            /* Standard order: rgvarg[0] is the last parameter. */
            ok(r->args == 2, "got %u\n", r->args);
            ok(r->vt[0] == VT_BSTR, "got %d\n", r->vt[0]);
            ok(r->vt[1] == VT_I4, "got %d\n", r->vt[1]);
            ok(r->hr == (LONG)0x80040001, "got hr %#lx\n", r->hr);
            ok(r->data != NULL, "got %p\n", r->data);
            if (r->data) ok(!lstrcmpW(r->data, str), "got %s\n", wine_dbgstr_w(r->data));
            /* OnTermination comes before the end state. */
            ok(r - peers[i].sink.records < peers[i].sink.count - 1, "no state change after OnTermination\n");
        }
        ok(get_state(peers[i].session) == RSS_CANCELLED, "state %ld\n", get_state(peers[i].session));
        hr = IRendezvousSession_Terminate(peers[i].session, S_OK, NULL);
        ok(hr == E_INVALID_STATE, "second Terminate returned %#lx\n", hr);
        hr = IRendezvousSession_SendContextData(peers[i].session, str);
        ok(hr == E_INVALID_STATE, "SendContextData after the end returned %#lx\n", hr);
        winetest_pop_context();
    }
    SysFreeString(str);

done:
    release_peer(&peers[1]);
    release_peer(&peers[0]);
}

static void test_decline_cancel(void)
{
    struct peer peers[2];
    BSTR invitation;
    HRESULT hr;

    /* Decline: both sides end declined. */
    create_peer(&peers[0], RSF_INVITER);
    create_peer(&peers[1], RSF_INVITEE);
    hr = IRendezvousSessionHost_CreateInvitation(peers[0].host, NULL, &invitation);
    ok(hr == S_OK, "got %#lx\n", hr);
    hr = IRendezvousSessionHost_ReceiveInvitation(peers[1].host, invitation);
    ok(hr == S_OK, "got %#lx\n", hr);
    SysFreeString(invitation);
    hr = IRendezvousSessionHost_Decline(peers[1].host);
    ok(hr == S_OK, "got %#lx\n", hr);
    ok(get_state(peers[1].session) == RSS_DECLINED, "invitee state %ld\n", get_state(peers[1].session));
    ok(has_state(&peers[0].sink, RSS_DECLINED, WAIT_MS), "the inviter did not see the decline\n");
    ok(!find_event(&peers[0].sink, DISPID_EVENT_ON_CONTEXT_DATA, 0), "unexpected data\n");
    hr = IRendezvousSessionHost_Accept(peers[1].host);
    ok(hr == E_INVALID_STATE, "Accept after Decline returned %#lx\n", hr);
    release_peer(&peers[1]);
    release_peer(&peers[0]);

    /* Cancel while connected: cancelled here, declined ("remotely cancelled") there. */
    if (connect_pair(peers))
    {
        hr = IRendezvousSessionHost_Cancel(peers[0].host);
        ok(hr == S_OK, "got %#lx\n", hr);
        ok(get_state(peers[0].session) == RSS_CANCELLED, "state %ld\n", get_state(peers[0].session));
        ok(has_state(&peers[1].sink, RSS_DECLINED, WAIT_MS), "the peer did not see the cancel\n");
        hr = IRendezvousSessionHost_Cancel(peers[0].host);
        ok(hr == E_INVALID_STATE, "second Cancel returned %#lx\n", hr);
    }
    release_peer(&peers[1]);
    release_peer(&peers[0]);

    /* An inviter may cancel an invitation nobody answered. */
    create_peer(&peers[0], RSF_INVITER);
    hr = IRendezvousSessionHost_CreateInvitation(peers[0].host, NULL, &invitation);
    ok(hr == S_OK, "got %#lx\n", hr);
    SysFreeString(invitation);
    hr = IRendezvousSessionHost_Cancel(peers[0].host);
    ok(hr == S_OK, "got %#lx\n", hr);
    ok(saw_state(&peers[0].sink, RSS_CANCELLED), "no OnStateChanged(RSS_CANCELLED)\n");
    release_peer(&peers[0]);
}

static void test_wrong_secret(void)
{
    struct peer peers[2];
    BSTR invitation;
    WCHAR *last;
    HRESULT hr;

    create_peer(&peers[0], RSF_INVITER);
    create_peer(&peers[1], RSF_INVITEE);
    hr = IRendezvousSessionHost_CreateInvitation(peers[0].host, NULL, &invitation);
    ok(hr == S_OK, "got %#lx\n", hr);
    if (FAILED(hr)) goto done;
    /* Change one hex digit of the secret. */
    last = invitation + SysStringLen(invitation) - 1;
    *last = *last == '0' ? '1' : '0';
    hr = IRendezvousSessionHost_ReceiveInvitation(peers[1].host, invitation);
    ok(hr == S_OK, "got %#lx\n", hr);
    SysFreeString(invitation);
    hr = IRendezvousSessionHost_Accept(peers[1].host);
    ok(hr == S_OK, "got %#lx\n", hr);
    ok(has_state(&peers[1].sink, RSS_TERMINATED, WAIT_MS), "the invitee was not refused\n");
    if (find_event(&peers[1].sink, DISPID_EVENT_ON_TERMINATION, 0))
        ok(find_event(&peers[1].sink, DISPID_EVENT_ON_TERMINATION, 0)->hr == E_ACCESSDENIED, "got %#lx\n",
           find_event(&peers[1].sink, DISPID_EVENT_ON_TERMINATION, 0)->hr);
    pump_for(200);
    /* The inviter saw nothing but its own invitation, and still waits. */
    ok(peers[0].sink.count == 1, "the inviter got %ld events\n", peers[0].sink.count);
    ok(get_state(peers[0].session) == RSS_INVITATION, "inviter state %ld\n", get_state(peers[0].session));
done:
    release_peer(&peers[1]);
    release_peer(&peers[0]);
}

static void test_sinks(void)
{
    struct sink extra[3];
    struct peer peers[2];
    DWORD cookies[3];
    struct wait_data wait;
    unsigned int i;
    BSTR str;

    if (!connect_pair(peers)) goto done;

    /* Several sinks; the first fails, the second unadvises itself: all are called. */
    for (i = 0; i < ARRAY_SIZE(extra); i++)
    {
        init_sink(&extra[i]);
        ok(IConnectionPoint_Advise(peers[1].point, (IUnknown *)&extra[i].IDispatch_iface, &cookies[i]) == S_OK,
           "Advise failed\n");
    }
    extra[0].invoke_result = E_FAIL;
    extra[1].unadvise_point = peers[1].point;
    extra[1].unadvise_cookie = cookies[1];

    check_delivery(&peers[0], &peers[1], L"first", 5, "several sinks");
    for (i = 0; i < ARRAY_SIZE(extra); i++)
        ok(extra[i].data_events == 1, "sink %u got %ld messages\n", i, extra[i].data_events);
    check_delivery(&peers[0], &peers[1], L"second", 6, "after an unadvise");
    ok(extra[0].data_events == 2, "failing sink got %ld messages\n", extra[0].data_events);
    ok(extra[1].data_events == 1, "unadvised sink got %ld messages\n", extra[1].data_events);
    ok(extra[2].data_events == 2, "last sink got %ld messages\n", extra[2].data_events);
    ok(extra[1].refcount == 1, "unadvised sink has %ld references\n", extra[1].refcount);
    ok(IConnectionPoint_Unadvise(peers[1].point, cookies[0]) == S_OK, "Unadvise failed\n");
    ok(IConnectionPoint_Unadvise(peers[1].point, cookies[2]) == S_OK, "Unadvise failed\n");

    /* A sink that replies from inside OnContextData. */
    peers[1].sink.send_session = peers[1].session;
    wait.sink = &peers[0].sink;
    wait.count = peers[0].sink.data_events + 1;
    str = SysAllocString(L"please reply");
    ok(IRendezvousSession_SendContextData(peers[0].session, str) == S_OK, "send failed\n");
    SysFreeString(str);
    ok(pump_until(has_data_events, &wait, WAIT_MS), "no reply\n");

    /* A sink that terminates from inside OnContextData. */
    peers[1].sink.terminate_session = peers[1].session;
    str = SysAllocString(L"please terminate");
    ok(IRendezvousSession_SendContextData(peers[0].session, str) == S_OK, "send failed\n");
    SysFreeString(str);
    ok(has_state(&peers[0].sink, RSS_CANCELLED, WAIT_MS), "the sender did not see the end\n");
    ok(has_state(&peers[1].sink, RSS_CANCELLED, WAIT_MS), "the terminating side did not end\n");
    {
        struct record *r = find_event(&peers[0].sink, DISPID_EVENT_ON_TERMINATION, 0);
        ok(r != NULL, "got %p\n", r);
        if (r) ok(r->hr == E_ABORT, "got %ld\n", r->hr);
    }

done:
    release_peer(&peers[1]);
    release_peer(&peers[0]);
}

/* Events queued while the STA did not pump are fired in one dispatch, with the
 * sinks looked up once for all of them (docs/behaviour.md, "Event dispatch"):
 * still, a sink that unadvises from the first hears none of the rest, one
 * advised from the first hears all of the rest, in order. */
static void test_burst(void)
{
    static const unsigned int count = 6;
    struct sink leaving, arriving;
    DWORD leaving_cookie;
    struct wait_data wait;
    struct peer peers[2];
    struct record *r;
    unsigned int i;
    WCHAR text[2];
    BSTR str;

    if (!connect_pair(peers)) goto done;
    init_sink(&leaving);
    init_sink(&arriving);
    ok(IConnectionPoint_Advise(peers[1].point, (IUnknown *)&leaving.IDispatch_iface, &leaving_cookie) == S_OK,
       "Advise failed\n");
    leaving.unadvise_point = peers[1].point;
    leaving.unadvise_cookie = leaving_cookie;
    leaving.advise_point = peers[1].point;
    leaving.advise_sink = &arriving;

    for (i = 0; i < count; i++)
    {
        text[0] = 'a' + i;
        text[1] = 0;
        str = SysAllocString(text);
        ok(IRendezvousSession_SendContextData(peers[0].session, str) == S_OK, "send %u failed\n", i);
        SysFreeString(str);
    }
    /* Not pumped: everything arrives before the first event fires. */
    Sleep(300);
    wait.sink = &peers[1].sink;
    wait.count = count;
    ok(pump_until(has_data_events, &wait, WAIT_MS), "got %ld of %u\n", peers[1].sink.data_events, count);

    ok(leaving.data_events == 1, "the unadvised sink got %ld\n", leaving.data_events);
    ok(leaving.refcount == 1, "the unadvised sink has %ld references\n", leaving.refcount);
    ok(arriving.data_events == count - 1, "the new sink got %ld\n", arriving.data_events);
    for (i = 1; i < count; i++)
    {
        r = find_event(&arriving, DISPID_EVENT_ON_CONTEXT_DATA, i - 1);
        ok(r && r->data && r->data[0] == 'a' + i, "event %u: got %s\n", i,
           r && r->data ? wine_dbgstr_w(r->data) : "nothing");
    }
    ok(IConnectionPoint_Unadvise(peers[1].point, leaving.advise_cookie) == S_OK, "Unadvise failed\n");
    ok(arriving.refcount == 1, "the new sink has %ld references\n", arriving.refcount);
    clear_sink(&leaving);
    clear_sink(&arriving);

done:
    release_peer(&peers[1]);
    release_peer(&peers[0]);
}

/* The peer goes away: the other side ends TERMINATED within a bound. */
static void test_peer_gone(void)
{
    struct peer peers[2];
    struct record *r;

    if (!connect_pair(peers))
    {
        release_peer(&peers[1]);
        release_peer(&peers[0]);
        return;
    }
    /* Undocumented: a connected STA session reads its socket on its own
     * thread, so it learns of the end only once the thread pumps again. */
    pump_for(50);
    release_peer(&peers[1]);
    Sleep(300);
    ok(get_state(peers[0].session) == RSS_CONNECTED, "the end came without the thread pumping\n");
    ok(has_state(&peers[0].sink, RSS_TERMINATED, WAIT_MS), "no end after the peer went away\n");
    r = find_event(&peers[0].sink, DISPID_EVENT_ON_TERMINATION, 0);
    ok(r != NULL, "got %p\n", r);
    if (r) ok(FAILED(r->hr), "got %ld\n", r->hr);
    release_peer(&peers[0]);
}

/* Backpressure: a sender fills the connection while its peer does not read
 * (both sessions are on this thread, which does not pump), up to the
 * outgoing limit; once the thread pumps, everything arrives. */
static void test_backpressure(void)
{
    struct peer peers[2];
    struct wait_data wait = { &peers[1].sink, 0 };
    BSTR big;
    HRESULT hr = S_OK;
    LONG sent = 0;
    BOOL arrived;

    if (!connect_pair(peers)) goto done;
    pump_for(50);
    big = SysAllocStringLen(NULL, MAX_CONTEXT_DATA);
    for (sent = 0; sent < MAX_CONTEXT_DATA; sent++) big[sent] = (WCHAR)('a' + sent % 26);
    for (sent = 0; sent < 1000; sent++)
    {
        big[0] = (WCHAR)sent;
        if ((hr = IRendezvousSession_SendContextData(peers[0].session, big)) != S_OK) break;
    }
    ok(hr == E_OUTOFMEMORY, "got %#lx after %ld messages\n", hr, sent);
    wait.count = sent;
    arrived = pump_until(has_data_events, &wait, WAIT_MS * 3);
    ok(arrived, "%ld of %ld messages arrived\n", peers[1].sink.data_events, sent);
    /* And the connection still carries both ways. */
    clear_sink(&peers[0].sink);
    clear_sink(&peers[1].sink);
    check_delivery(&peers[0], &peers[1], L"after", 5, "after the backlog");
    check_delivery(&peers[1], &peers[0], L"back", 4, "back after the backlog");

    /* Terminate right after a backlog: the backlog goes first, then the end. */
    clear_sink(&peers[1].sink);
    for (sent = 0; sent < 1000; sent++)
        if ((hr = IRendezvousSession_SendContextData(peers[0].session, big)) != S_OK) break;
    ok(hr == E_OUTOFMEMORY, "got %#lx after %ld messages\n", hr, sent);
    hr = IRendezvousSession_Terminate(peers[0].session, S_OK, NULL);
    ok(hr == S_OK, "Terminate returned %#lx\n", hr);
    wait.count = sent;
    arrived = pump_until(has_data_events, &wait, WAIT_MS * 3);
    ok(arrived, "%ld of %ld messages arrived before the end\n", peers[1].sink.data_events, sent);
    ok(has_state(&peers[1].sink, RSS_CANCELLED, WAIT_MS), "the peer did not see the end, state %ld\n",
       get_state(peers[1].session));
    SysFreeString(big);
done:
    release_peer(&peers[1]);
    release_peer(&peers[0]);
}

/* Re-entrancy: a sink calls back into the session from inside each event. */

enum trigger
{
    ON_CONNECTED,       /* OnStateChanged(RSS_CONNECTED) */
    ON_CONTEXT_DATA,    /* OnContextData */
    ON_TERMINATION,     /* OnTermination, after the peer's Terminate */
    ON_FINAL_STATE,     /* OnStateChanged(RSS_CANCELLED), after the peer's Terminate */
    ON_SEND_ERROR,      /* OnSendError: the peer could not store what this side sent */
};

static const char *const trigger_names[] =
{
    "OnStateChanged(RSS_CONNECTED)", "OnContextData", "OnTermination", "OnStateChanged(RSS_CANCELLED)",
    "OnSendError",
};

static const char *const reaction_names[] = { "nothing", "SendContextData", "Unadvise", "Terminate", "Release" };

static void arm_spy(LONG fail_at);

static BOOL sink_reacted(void *arg)
{
    return ((struct sink *)arg)->reacted;
}

struct reaction_wait
{
    struct sink *reactor;
    struct sink *receiver;
    LONG data_before;
};

static BOOL reacted_or_delivered(void *arg)
{
    struct reaction_wait *wait = arg;
    return wait->reactor->reacted || wait->receiver->data_events > wait->data_before;
}

static BOOL sink_released(void *arg)
{
    return ((struct sink *)arg)->refcount == 1;
}

struct data_text_wait
{
    struct sink *sink;
    const WCHAR *text;
};

static BOOL has_data_text(void *arg)
{
    struct data_text_wait *wait = arg;
    LONG i;

    for (i = 0; i < wait->sink->count && i < MAX_RECORDS; i++)
        if (wait->sink->records[i].dispid == DISPID_EVENT_ON_CONTEXT_DATA && wait->sink->records[i].data &&
            !lstrcmpW(wait->sink->records[i].data, wait->text))
            return TRUE;
    return FALSE;
}

static int reentry_cases;

/*
 * The reacting side is the invitee, except for OnSendError, which the sender
 * (the inviter) gets.  A witness sink on the same point sees what follows.
 */
static void reentry_case(enum trigger trigger, enum reaction reaction)
{
    static const WCHAR after[] = L"after the reaction";
    unsigned int me_index = trigger == ON_SEND_ERROR ? 0 : 1;
    struct peer peers[2], *me = &peers[me_index], *other = &peers[!me_index];
    struct sink witness, *sink = &me->sink;
    BSTR invitation = NULL, str;
    DWORD witness_cookie = 0;
    BOOL ended = trigger == ON_TERMINATION || trigger == ON_FINAL_STATE;
    HRESULT hr;
    LONG n;

    winetest_push_context("%s from %s", reaction_names[reaction], trigger_names[trigger]);
    reentry_cases++;
    create_peer(&peers[0], RSF_INVITER);
    create_peer(&peers[1], RSF_INVITEE);
    init_sink(&witness);
    hr = IConnectionPoint_Advise(me->point, (IUnknown *)&witness.IDispatch_iface, &witness_cookie);
    ok(hr == S_OK, "Advise returned %#lx\n", hr);
    sink->reaction = reaction;
    sink->react_session = me->session;
    sink->react_point = me->point;
    sink->react_cookie = me->cookie;
    switch (trigger)
    {
    case ON_CONNECTED:
        sink->react_dispid = DISPID_EVENT_ON_STATE_CHANGED;
        sink->react_state = RSS_CONNECTED;
        break;
    case ON_CONTEXT_DATA: sink->react_dispid = DISPID_EVENT_ON_CONTEXT_DATA; break;
    case ON_TERMINATION: sink->react_dispid = DISPID_EVENT_ON_TERMINATION; break;
    case ON_FINAL_STATE:
        sink->react_dispid = DISPID_EVENT_ON_STATE_CHANGED;
        sink->react_state = RSS_CANCELLED;
        break;
    case ON_SEND_ERROR: sink->react_dispid = DISPID_EVENT_ON_SEND_ERROR; break;
    }

    hr = IRendezvousSessionHost_CreateInvitation(peers[0].host, NULL, &invitation);
    ok(hr == S_OK, "CreateInvitation returned %#lx\n", hr);
    hr = IRendezvousSessionHost_ReceiveInvitation(peers[1].host, invitation);
    ok(hr == S_OK, "ReceiveInvitation returned %#lx\n", hr);
    SysFreeString(invitation);
    hr = IRendezvousSessionHost_Accept(peers[1].host);
    ok(hr == S_OK, "Accept returned %#lx\n", hr);
    if (reaction == REACT_RELEASE)
    {
        /* From here on the sink holds the only reference to its session. */
        IConnectionPoint_Release(me->point);
        IRendezvousSessionHost_Release(me->host);
        me->point = NULL;
        me->host = NULL;
        me->session = NULL;
    }
    if (trigger != ON_CONNECTED)
    {
        ok(has_state(&other->sink, RSS_CONNECTED, WAIT_MS), "the peer did not connect\n");
        ok(has_state(&witness, RSS_CONNECTED, WAIT_MS), "this side did not connect\n");
    }
    switch (trigger)
    {
    case ON_CONNECTED:
        break;
    case ON_CONTEXT_DATA:
        str = SysAllocString(L"ping");
        ok(IRendezvousSession_SendContextData(other->session, str) == S_OK, "send failed\n");
        SysFreeString(str);
        break;
    case ON_TERMINATION:
    case ON_FINAL_STATE:
        str = SysAllocString(L"bye");
        ok(IRendezvousSession_Terminate(other->session, S_OK, str) == S_OK, "Terminate failed\n");
        SysFreeString(str);
        break;
    case ON_SEND_ERROR:
        /* The receiver fails an allocation for what arrives; the reaction stops the spy. */
        str = SysAllocString(L"ping");
        for (n = 1; n < 16 && !sink->reacted; n++)
        {
            struct reaction_wait wait = { sink, &other->sink, other->sink.data_events };

            hr = IRendezvousSession_SendContextData(sink->react_session, str);
            ok(hr == S_OK, "send %ld returned %#lx\n", n, hr);
            arm_spy(n);
            /* Until the reaction or the data arrives: a loaded machine may take long. */
            pump_until(reacted_or_delivered, &wait, WAIT_MS);
            arm_spy(0);
        }
        SysFreeString(str);
        break;
    }
    ok(pump_until(sink_reacted, sink, WAIT_MS), "the event did not come\n");

    switch (reaction)
    {
    case REACT_SEND:
    {
        struct data_text_wait wait = { &other->sink, L"sent from inside an event" };

        /* A session that ended refuses; a live one sends. */
        ok(sink->react_hr == (ended ? E_INVALID_STATE : S_OK), "SendContextData returned %#lx\n", sink->react_hr);
        if (!ended) ok(pump_until(has_data_text, &wait, WAIT_MS), "the peer did not get the data\n");
        break;
    }
    case REACT_UNADVISE:
    {
        struct data_text_wait wait = { &witness, after };

        ok(sink->react_hr == S_OK, "Unadvise returned %#lx\n", sink->react_hr);
        me->cookie = 0;
        /* The unadvised sink hears nothing more; the witness does. */
        if (trigger == ON_TERMINATION)
            ok(has_state(&witness, RSS_CANCELLED, WAIT_MS), "the witness did not see the end\n");
        else if (!ended)
        {
            str = SysAllocString(after);
            ok(IRendezvousSession_SendContextData(other->session, str) == S_OK, "send failed\n");
            SysFreeString(str);
            ok(pump_until(has_data_text, &wait, WAIT_MS), "the witness did not get the data\n");
        }
        ok(sink->count == sink->count_at_reaction, "%ld events after Unadvise\n",
           sink->count - sink->count_at_reaction);
        ok(IConnectionPoint_Unadvise(me->point, sink->react_cookie) == CONNECT_E_NOCONNECTION,
           "the cookie is still valid\n");
        break;
    }
    case REACT_TERMINATE:
        ok(sink->react_hr == (ended ? E_INVALID_STATE : S_OK), "Terminate returned %#lx\n", sink->react_hr);
        if (!ended)
        {
            struct record *r;

            ok(has_state(sink, RSS_CANCELLED, WAIT_MS), "this side did not end\n");
            ok(has_state(&other->sink, RSS_CANCELLED, WAIT_MS), "the peer did not end\n");
            r = find_event(&other->sink, DISPID_EVENT_ON_TERMINATION, 0);
            ok(r != NULL, "got %p\n", r);
            if (r) ok(r->hr == E_ABORT, "got %ld\n", r->hr);
        }
        ok(get_state(me->session) == RSS_CANCELLED, "state %ld\n", get_state(me->session));
        break;
    case REACT_RELEASE:
        /* The object let go of its sinks; a connected peer sees it go. */
        ok(pump_until(sink_released, sink, WAIT_MS), "the sink still has %ld references\n", sink->refcount);
        ok(pump_until(sink_released, &witness, WAIT_MS), "the witness still has %ld references\n",
           witness.refcount);
        if (!ended)
            ok(has_state(&other->sink, RSS_TERMINATED, WAIT_MS), "the peer did not see the session go\n");
        break;
    case REACT_NONE:
        break;
    }

    if (reaction != REACT_RELEASE)
    {
        ok(IConnectionPoint_Unadvise(me->point, witness_cookie) == S_OK, "Unadvise failed\n");
        release_peer(me);
    }
    else clear_sink(sink);
    release_peer(other);
    ok(witness.refcount == 1, "the witness still has %ld references\n", witness.refcount);
    clear_sink(&witness);
    winetest_pop_context();
}

static void test_reentry(void)
{
    static const enum trigger triggers[] = { ON_CONNECTED, ON_CONTEXT_DATA, ON_TERMINATION, ON_FINAL_STATE };
    unsigned int i;
    enum reaction reaction;

    for (i = 0; i < ARRAY_SIZE(triggers); i++)
        for (reaction = REACT_SEND; reaction <= REACT_RELEASE; reaction++)
            reentry_case(triggers[i], reaction);
}

/* An IMallocSpy that fails the n-th allocation made on one thread and counts
 * the blocks that thread allocated and nobody freed yet. */

struct malloc_spy
{
    IMallocSpy IMallocSpy_iface;
    DWORD thread;
    LONG fail_at;       /* 0: never */
    LONG allocations;
    LONG failed;
    void *live[256];
    LONG live_count;
    /* Every block any thread allocated while the spy is registered. */
    struct { void *ptr; SIZE_T size; DWORD thread; } all[4096];
    LONG all_count;
    LONG all_overflow;
    SIZE_T last_size;
    CRITICAL_SECTION cs;
};

static struct malloc_spy spy;
/* Allocation failures injected by the spy in this program, for the record. */
static LONG faults_injected;

static HRESULT WINAPI spy_QueryInterface(IMallocSpy *iface, REFIID riid, void **obj)
{
    if (IsEqualGUID(riid, &IID_IUnknown) || IsEqualGUID(riid, &IID_IMallocSpy))
    {
        *obj = iface;
        return S_OK;
    }
    *obj = NULL;
    return E_NOINTERFACE;
}

static ULONG WINAPI spy_AddRef(IMallocSpy *iface) { return 2; }
static ULONG WINAPI spy_Release(IMallocSpy *iface) { return 1; }

static SIZE_T WINAPI spy_PreAlloc(IMallocSpy *iface, SIZE_T size)
{
    spy.last_size = size;
    if (GetCurrentThreadId() != spy.thread || !spy.fail_at) return size;
    if (++spy.allocations == spy.fail_at)
    {
        spy.failed++;
        faults_injected++;
        return 0;
    }
    return size;
}

static void *WINAPI spy_PostAlloc(IMallocSpy *iface, void *ptr)
{
    if (ptr)
    {
        EnterCriticalSection(&spy.cs);
        if (spy.all_count < (LONG)ARRAY_SIZE(spy.all))
        {
            spy.all[spy.all_count].ptr = ptr;
            spy.all[spy.all_count].size = spy.last_size;
            spy.all[spy.all_count].thread = GetCurrentThreadId();
            spy.all_count++;
        }
        else spy.all_overflow++;
        LeaveCriticalSection(&spy.cs);
    }
    if (ptr && GetCurrentThreadId() == spy.thread && spy.fail_at)
    {
        EnterCriticalSection(&spy.cs);
        if (spy.live_count < (LONG)ARRAY_SIZE(spy.live)) spy.live[spy.live_count++] = ptr;
        LeaveCriticalSection(&spy.cs);
    }
    return ptr;
}

static void *WINAPI spy_PreFree(IMallocSpy *iface, void *ptr, BOOL spyed)
{
    LONG i;

    EnterCriticalSection(&spy.cs);
    for (i = 0; i < spy.live_count; i++)
    {
        if (spy.live[i] != ptr) continue;
        spy.live[i] = spy.live[--spy.live_count];
        break;
    }
    for (i = 0; i < spy.all_count; i++)
    {
        if (spy.all[i].ptr != ptr) continue;
        spy.all[i] = spy.all[--spy.all_count];
        break;
    }
    LeaveCriticalSection(&spy.cs);
    return ptr;
}

static void WINAPI spy_PostFree(IMallocSpy *iface, BOOL spyed) {}

static void spy_forget(void *ptr)
{
    LONG i;

    EnterCriticalSection(&spy.cs);
    for (i = 0; i < spy.all_count; i++)
    {
        if (spy.all[i].ptr != ptr) continue;
        spy.all[i] = spy.all[--spy.all_count];
        break;
    }
    LeaveCriticalSection(&spy.cs);
}

static SIZE_T WINAPI spy_PreRealloc(IMallocSpy *iface, void *ptr, SIZE_T size, void **new_ptr, BOOL spyed)
{
    /* As the allocator does, the old block stops being tracked here. */
    if (ptr) spy_forget(ptr);
    spy.last_size = size;
    *new_ptr = ptr;
    if (GetCurrentThreadId() == spy.thread && spy.fail_at && ++spy.allocations == spy.fail_at)
    {
        spy.failed++;
        faults_injected++;
        return 0;
    }
    return size;
}

static void *WINAPI spy_PostRealloc(IMallocSpy *iface, void *ptr, BOOL spyed)
{
    return spy_PostAlloc(iface, ptr);
}
static void *WINAPI spy_PreGetSize(IMallocSpy *iface, void *ptr, BOOL spyed) { return ptr; }
static SIZE_T WINAPI spy_PostGetSize(IMallocSpy *iface, SIZE_T size, BOOL spyed) { return size; }
static void *WINAPI spy_PreDidAlloc(IMallocSpy *iface, void *ptr, BOOL spyed) { return ptr; }
static int WINAPI spy_PostDidAlloc(IMallocSpy *iface, void *ptr, BOOL spyed, int actual) { return actual; }
static void WINAPI spy_PreHeapMinimize(IMallocSpy *iface) {}
static void WINAPI spy_PostHeapMinimize(IMallocSpy *iface) {}

static const IMallocSpyVtbl spy_vtbl =
{
    spy_QueryInterface, spy_AddRef, spy_Release, spy_PreAlloc, spy_PostAlloc, spy_PreFree, spy_PostFree,
    spy_PreRealloc, spy_PostRealloc, spy_PreGetSize, spy_PostGetSize, spy_PreDidAlloc, spy_PostDidAlloc,
    spy_PreHeapMinimize, spy_PostHeapMinimize,
};

static void arm_spy(LONG fail_at)
{
    EnterCriticalSection(&spy.cs);
    spy.fail_at = fail_at;
    spy.allocations = 0;
    spy.failed = 0;
    spy.live_count = 0;
    LeaveCriticalSection(&spy.cs);
}

static void disarm_spy(void)
{
    EnterCriticalSection(&spy.cs);
    spy.fail_at = 0;
    LeaveCriticalSection(&spy.cs);
}

static BOOL spy_empty(void *arg)
{
    return !spy.live_count;
}

/* Runs call(n) failing its n-th allocation, for n = 1, 2, ... until it
 * succeeds: each failure must be E_OUTOFMEMORY and free what it allocated. */
struct sweep
{
    const char *name;
    void (*setup)(void *ctx);       /* before each attempt, unarmed; may be NULL */
    HRESULT (*call)(void *ctx);     /* with the spy armed */
    void (*undo)(void *ctx, HRESULT hr); /* after each attempt, unarmed */
    void *ctx;
};

static void run_sweep(const struct sweep *sweep)
{
    HRESULT hr = E_FAIL;
    LONG n;

    winetest_push_context("%s", sweep->name);
    for (n = 1; n < 64; n++)
    {
        winetest_push_context("allocation %ld", n);
        if (sweep->setup) sweep->setup(sweep->ctx);
        arm_spy(n);
        hr = sweep->call(sweep->ctx);
        arm_spy(0);
        if (hr != S_OK) ok(hr == E_OUTOFMEMORY, "got %#lx\n", hr);
        sweep->undo(sweep->ctx, hr);
        if (hr != S_OK) ok(spy_empty(NULL), "%ld blocks leaked\n", spy.live_count);
        winetest_pop_context();
        if (hr == S_OK) break;
    }
    ok(hr == S_OK, "never succeeded\n");
    trace("%s: %ld allocations on the way\n", sweep->name, n - 1);
    winetest_pop_context();
}

struct sweep_ctx
{
    IClassFactory *factory;
    IRendezvousSession *session;
    IRendezvousSessionHost *host;
    IConnectionPoint *point;
    struct sink sink;
    DWORD cookie;
    BSTR invitation;
    BSTR received;
};

static HRESULT sweep_create(void *arg)
{
    struct sweep_ctx *ctx = arg;
    ctx->session = (IRendezvousSession *)0xdeadbeef;
    return IClassFactory_CreateInstance(ctx->factory, NULL, &IID_IRendezvousSession, (void **)&ctx->session);
}

static void sweep_create_undo(void *arg, HRESULT hr)
{
    struct sweep_ctx *ctx = arg;
    if (hr == S_OK) ok(!IRendezvousSession_Release(ctx->session), "object still referenced\n");
    else ok(!ctx->session, "got %p\n", ctx->session);
}

static HRESULT sweep_advise(void *arg)
{
    struct sweep_ctx *ctx = arg;
    return IConnectionPoint_Advise(ctx->point, (IUnknown *)&ctx->sink.IDispatch_iface, &ctx->cookie);
}

static void sweep_advise_undo(void *arg, HRESULT hr)
{
    struct sweep_ctx *ctx = arg;
    if (hr == S_OK) ok(IConnectionPoint_Unadvise(ctx->point, ctx->cookie) == S_OK, "Unadvise failed\n");
    else ok(!ctx->cookie, "got cookie %#lx\n", ctx->cookie);
    ok(ctx->sink.refcount == 1, "sink has %ld references\n", ctx->sink.refcount);
}

/* A fresh session for each attempt, so that every attempt starts alike. */
static void sweep_new_session(struct sweep_ctx *ctx, LONG flags)
{
    HRESULT hr = CoCreateInstance(&CLSID_RendezvousSession, NULL, CLSCTX_INPROC_SERVER,
                                  &IID_IRendezvousSessionHost, (void **)&ctx->host);
    ok(hr == S_OK, "CoCreateInstance returned %#lx\n", hr);
    hr = IRendezvousSessionHost_Initialize(ctx->host, flags);
    ok(hr == S_OK, "Initialize returned %#lx\n", hr);
}

static void sweep_invite_setup(void *arg)
{
    sweep_new_session(arg, RSF_INVITER);
}

static HRESULT sweep_invite(void *arg)
{
    struct sweep_ctx *ctx = arg;

    ctx->invitation = (BSTR)0xdeadbeef;
    return IRendezvousSessionHost_CreateInvitation(ctx->host, NULL, &ctx->invitation);
}

static void sweep_invite_undo(void *arg, HRESULT hr)
{
    struct sweep_ctx *ctx = arg;
    IRendezvousSession *session;

    if (hr != S_OK) ok(!ctx->invitation, "got %p\n", ctx->invitation);
    IRendezvousSessionHost_QueryInterface(ctx->host, &IID_IRendezvousSession, (void **)&session);
    ok(get_state(session) == (hr == S_OK ? RSS_INVITATION : RSS_READY), "state %ld\n", get_state(session));
    IRendezvousSession_Release(session);
    SysFreeString(hr == S_OK ? ctx->invitation : NULL);
    ok(!IRendezvousSessionHost_Release(ctx->host), "object still referenced\n");
    ctx->host = NULL;
}

static void sweep_accept_setup(void *arg)
{
    struct sweep_ctx *ctx = arg;

    sweep_new_session(ctx, RSF_INVITEE);
    ok(IRendezvousSessionHost_ReceiveInvitation(ctx->host, ctx->received) == S_OK, "ReceiveInvitation failed\n");
}

static HRESULT sweep_accept(void *arg)
{
    struct sweep_ctx *ctx = arg;
    return IRendezvousSessionHost_Accept(ctx->host);
}

static void sweep_accept_undo(void *arg, HRESULT hr)
{
    struct sweep_ctx *ctx = arg;
    IRendezvousSession *session;

    IRendezvousSessionHost_QueryInterface(ctx->host, &IID_IRendezvousSession, (void **)&session);
    /* A failed Accept leaves the invitation to answer; a good one is on its way. */
    if (hr != S_OK) ok(get_state(session) == RSS_INVITATION, "state %ld\n", get_state(session));
    IRendezvousSession_Release(session);
    ok(!IRendezvousSessionHost_Release(ctx->host), "object still referenced\n");
    ctx->host = NULL;
}

static void test_allocation_sweeps(void)
{
    static const struct sweep_ctx zero;
    struct sweep_ctx ctx = zero;
    struct sweep sweep;
    struct peer inviter;
    HRESULT hr;

    hr = CoGetClassObject(&CLSID_RendezvousSession, CLSCTX_INPROC_SERVER, NULL, &IID_IClassFactory,
                          (void **)&ctx.factory);
    ok(hr == S_OK, "CoGetClassObject returned %#lx\n", hr);
    if (FAILED(hr)) return;
    sweep.name = "CreateInstance";
    sweep.setup = NULL;
    sweep.call = sweep_create;
    sweep.undo = sweep_create_undo;
    sweep.ctx = &ctx;
    run_sweep(&sweep);
    IClassFactory_Release(ctx.factory);

    /* Advise on a point with no sink yet, which must allocate its list. */
    hr = CoCreateInstance(&CLSID_RendezvousSession, NULL, CLSCTX_INPROC_SERVER, &IID_IRendezvousSession,
                          (void **)&ctx.session);
    ok(hr == S_OK, "got %#lx\n", hr);
    {
        IConnectionPointContainer *container;
        IRendezvousSession_QueryInterface(ctx.session, &IID_IConnectionPointContainer, (void **)&container);
        IConnectionPointContainer_FindConnectionPoint(container, &DIID_DRendezvousSessionEvents, &ctx.point);
        IConnectionPointContainer_Release(container);
    }
    init_sink(&ctx.sink);
    sweep.name = "Advise";
    sweep.call = sweep_advise;
    sweep.undo = sweep_advise_undo;
    run_sweep(&sweep);
    IConnectionPoint_Release(ctx.point);
    ok(!IRendezvousSession_Release(ctx.session), "object still referenced\n");

    sweep.name = "CreateInvitation";
    sweep.setup = sweep_invite_setup;
    sweep.call = sweep_invite;
    sweep.undo = sweep_invite_undo;
    run_sweep(&sweep);

    /* Accept against a live inviter; each refused attempt leaves it waiting. */
    create_peer(&inviter, RSF_INVITER);
    hr = IRendezvousSessionHost_CreateInvitation(inviter.host, NULL, &ctx.received);
    ok(hr == S_OK, "got %#lx\n", hr);
    sweep.name = "Accept";
    sweep.setup = sweep_accept_setup;
    sweep.call = sweep_accept;
    sweep.undo = sweep_accept_undo;
    run_sweep(&sweep);
    SysFreeString(ctx.received);
    release_peer(&inviter);
}

static BOOL receiver_failed_or_got(void *arg)
{
    return spy.failed || ((struct sink *)arg)->data_events;
}

static void test_out_of_memory(void)
{
    enum reaction reaction;
    struct peer peers[2];
    struct wait_data wait;
    HRESULT hr;
    LONG n, delivered = 0;
    BSTR data;

    spy.IMallocSpy_iface.lpVtbl = &spy_vtbl;
    spy.thread = GetCurrentThreadId();
    InitializeCriticalSection(&spy.cs);
    /* Freed BSTRs are cached unless told otherwise; the spy must see every one. */
    pSetOaNoCache = (void *)GetProcAddress(GetModuleHandleA("oleaut32.dll"), "SetOaNoCache");
    ok(pSetOaNoCache != NULL, "SetOaNoCache not found\n");
    if (pSetOaNoCache) pSetOaNoCache();
    hr = CoRegisterMallocSpy(&spy.IMallocSpy_iface);
    ok(hr == S_OK, "CoRegisterMallocSpy returned %#lx\n", hr);
    if (FAILED(hr)) return;

    test_allocation_sweeps();

    if (!connect_pair(peers)) goto done;
    data = SysAllocString(L"context data under memory pressure");

    /* Fail the first, second, ... allocation on the way until the call succeeds:
     * each failure is E_OUTOFMEMORY, sends nothing and leaks nothing. */
    for (n = 1; n < 64; n++)
    {
        winetest_push_context("allocation %ld", n);
        clear_sink(&peers[1].sink);
        arm_spy(n);
        hr = IRendezvousSession_SendContextData(peers[0].session, data);
        arm_spy(0);
        if (hr == S_OK)
        {
            winetest_pop_context();
            break;
        }
        ok(hr == E_OUTOFMEMORY, "got %#lx\n", hr);
        ok(get_state(peers[0].session) == RSS_CONNECTED, "state changed\n");
        pump_for(50);
        ok(!peers[1].sink.data_events, "the peer received data\n");
        winetest_pop_context();
    }
    ok(hr == S_OK, "SendContextData never succeeded\n");
    ok(n > 1, "no allocation on the way was failed\n");
    trace("SendContextData makes %ld allocations\n", n - 1);
    wait.sink = &peers[1].sink;
    wait.count = 1;
    ok(pump_until(has_data_events, &wait, WAIT_MS), "the successful send did not arrive\n");
    delivered = peers[1].sink.data_events;
    ok(delivered == 1, "the peer received %ld messages\n", delivered);

    /* The peer cannot deliver: the sender hears OnSendError(E_OUTOFMEMORY). */
    {
        struct record *r;
        BOOL failed = FALSE;

        for (n = 1; n < 16 && !failed; n++)
        {
            clear_sink(&peers[0].sink);
            clear_sink(&peers[1].sink);
            /* Both sessions live on this thread, so the receiving side's
             * allocations are this thread's too; fail the first after sending. */
            hr = IRendezvousSession_SendContextData(peers[0].session, data);
            ok(hr == S_OK, "got %#lx\n", hr);
            arm_spy(n);
            /* Until the data or the fault arrives: a loaded machine may take long. */
            pump_until(receiver_failed_or_got, &peers[1].sink, WAIT_MS);
            failed = spy.failed && !peers[1].sink.data_events;
            arm_spy(0);
        }
        ok(failed, "could not make the receiving side fail\n");
        pump_for(300);
        r = find_event(&peers[0].sink, DISPID_EVENT_ON_SEND_ERROR, 0);
        ok(r != NULL, "no OnSendError\n");
        if (r) ok(r->hr == E_OUTOFMEMORY && r->args == 1 && r->vt[0] == VT_I4, "got %#lx, %u args\n", r->hr, r->args);
    }

    /* Still working. */
    check_delivery(&peers[0], &peers[1], L"recovered", 9, "after the faults");
    SysFreeString(data);

    /* Terminate under every allocation failure: E_OUTOFMEMORY with nothing
     * changed, or S_OK with OnTermination on both sides, even when the data
     * could not be copied for the event. */
    {
        static const WCHAR bye[] = L"bye under memory pressure";
        struct peer pair[2];
        BOOL done = FALSE;
        struct record *r;
        BSTR str;

        for (n = 1; n < 32 && !done; n++)
        {
            winetest_push_context("Terminate, allocation %ld", n);
            if (!connect_pair(pair))
            {
                release_peer(&pair[1]);
                release_peer(&pair[0]);
                winetest_pop_context();
                break;
            }
            str = SysAllocString(bye);
            arm_spy(n);
            hr = IRendezvousSession_Terminate(pair[0].session, E_ABORT, str);
            done = hr == S_OK && !spy.failed;
            arm_spy(0);
            SysFreeString(str);
            if (hr == S_OK)
            {
                r = find_event(&pair[0].sink, DISPID_EVENT_ON_TERMINATION, 0);
                ok(r != NULL, "got %p\n", r);
                if (r) ok(r->hr == E_ABORT, "got %ld\n", r->hr);
                ok(get_state(pair[0].session) == RSS_CANCELLED, "state %ld\n", get_state(pair[0].session));
                ok(has_state(&pair[1].sink, RSS_CANCELLED, WAIT_MS), "the peer did not end\n");
                r = find_event(&pair[1].sink, DISPID_EVENT_ON_TERMINATION, 0);
                ok(r != NULL, "got %p\n", r);
                if (r) ok(r->hr == E_ABORT, "got %ld\n", r->hr);
                if (r) ok(r->data != NULL, "got %p\n", r->data);
                if (r && r->data) ok(!lstrcmpW(r->data, bye), "got %s\n", wine_dbgstr_w(r->data));
            }
            else
            {
                ok(hr == E_OUTOFMEMORY, "got %#lx\n", hr);
                ok(get_state(pair[0].session) == RSS_CONNECTED, "state changed\n");
                ok(!find_event(&pair[0].sink, DISPID_EVENT_ON_TERMINATION, 0), "OnTermination fired\n");
            }
            release_peer(&pair[1]);
            release_peer(&pair[0]);
            winetest_pop_context();
        }
        ok(done, "Terminate never got through without a failure\n");
    }

    /* Re-entrancy from OnSendError, which takes a failing receiver; every
     * block allocated meanwhile must be freed too (checked below). */
    before_reaction = disarm_spy;
    for (reaction = REACT_SEND; reaction <= REACT_RELEASE; reaction++) reentry_case(ON_SEND_ERROR, reaction);
    before_reaction = NULL;

done:
    release_peer(&peers[1]);
    release_peer(&peers[0]);
    {
        LONG i;
        ok(!spy.all_count, "got %ld\n", spy.all_count);
        ok(!spy.all_overflow, "got %ld\n", spy.all_overflow);
        for (i = 0; i < spy.all_count; i++)
            trace("left: %p size %Iu thread %04lx%s\n", spy.all[i].ptr, spy.all[i].size, spy.all[i].thread,
                  spy.all[i].thread == spy.thread ? " (test thread)" : "");
    }
    hr = CoRevokeMallocSpy();
    ok(hr == S_OK, "CoRevokeMallocSpy returned %#lx\n", hr);
    ok(spy_empty(NULL), "%ld blocks allocated during faults were never freed\n", spy.live_count);
    DeleteCriticalSection(&spy.cs);
    trace("%ld allocation failures injected, %d re-entrancy cases\n", faults_injected, reentry_cases);
}

/* Apartments: an STA sink advised from another thread is called on its own
 * thread; an object made in the MTA fires on MTA threads. */

struct thread_data
{
    IStream *stream;
    HANDLE ready, done;
    struct sink sink;
    DWORD cookie;
    DWORD thread;
};

static DWORD WINAPI sta_sink_thread(void *arg)
{
    struct thread_data *data = arg;
    IConnectionPoint *point;
    HRESULT hr;

    CoInitialize(NULL);
    data->thread = GetCurrentThreadId();
    hr = CoGetInterfaceAndReleaseStream(data->stream, &IID_IConnectionPoint, (void **)&point);
    ok(hr == S_OK, "CoGetInterfaceAndReleaseStream returned %#lx\n", hr);
    hr = IConnectionPoint_Advise(point, (IUnknown *)&data->sink.IDispatch_iface, &data->cookie);
    ok(hr == S_OK, "Advise through a proxy returned %#lx\n", hr);
    SetEvent(data->ready);
    /* Pump until the main thread is done: the events come here. */
    while (MsgWaitForMultipleObjects(1, &data->done, FALSE, WAIT_MS * 3, QS_ALLINPUT) == WAIT_OBJECT_0 + 1)
    {
        MSG msg;
        while (PeekMessageW(&msg, NULL, 0, 0, PM_REMOVE)) DispatchMessageW(&msg);
    }
    hr = IConnectionPoint_Unadvise(point, data->cookie);
    ok(hr == S_OK, "Unadvise through a proxy returned %#lx\n", hr);
    IConnectionPoint_Release(point);
    CoUninitialize();
    return 0;
}

static BOOL thread_sink_has_data(void *arg)
{
    struct thread_data *data = arg;
    return data->sink.data_events > 0;
}

static void test_apartments(void)
{
    struct thread_data data;
    struct peer peers[2];
    HANDLE thread;
    struct record *r;
    BSTR str;
    HRESULT hr;

    if (!connect_pair(peers)) goto done;

    memset(&data, 0, sizeof(data));
    init_sink(&data.sink);
    data.ready = CreateEventW(NULL, FALSE, FALSE, NULL);
    data.done = CreateEventW(NULL, FALSE, FALSE, NULL);
    hr = CoMarshalInterThreadInterfaceInStream(&IID_IConnectionPoint, (IUnknown *)peers[1].point, &data.stream);
    ok(hr == S_OK, "CoMarshalInterThreadInterfaceInStream returned %#lx\n", hr);
    thread = CreateThread(NULL, 0, sta_sink_thread, &data, 0, NULL);
    /* Advise from the other apartment calls into this one: keep pumping. */
    while (MsgWaitForMultipleObjects(1, &data.ready, FALSE, WAIT_MS, QS_ALLINPUT) == WAIT_OBJECT_0 + 1)
    {
        MSG msg;
        while (PeekMessageW(&msg, NULL, 0, 0, PM_REMOVE)) DispatchMessageW(&msg);
    }

    str = SysAllocString(L"to another apartment");
    hr = IRendezvousSession_SendContextData(peers[0].session, str);
    ok(hr == S_OK, "got %#lx\n", hr);
    SysFreeString(str);
    ok(pump_until(thread_sink_has_data, &data, WAIT_MS), "the other apartment's sink got nothing\n");
    r = find_event(&data.sink, DISPID_EVENT_ON_CONTEXT_DATA, 0);
    ok(r != NULL, "got %p\n", r);
    if (r) ok(r->thread == data.thread, "got %lu\n", r->thread);
    ok(r != NULL, "got %p\n", r);
    if (r) ok(r->data != NULL, "got %p\n", r->data);
    if (r && r->data) ok(!lstrcmpW(r->data, L"to another apartment"), "got %s\n", wine_dbgstr_w(r->data));

    SetEvent(data.done);
    while (MsgWaitForMultipleObjects(1, &thread, FALSE, WAIT_MS, QS_ALLINPUT) == WAIT_OBJECT_0 + 1)
    {
        MSG msg;
        while (PeekMessageW(&msg, NULL, 0, 0, PM_REMOVE)) DispatchMessageW(&msg);
    }
    CloseHandle(thread);
    CloseHandle(data.ready);
    CloseHandle(data.done);
    clear_sink(&data.sink);

done:
    release_peer(&peers[1]);
    release_peer(&peers[0]);
}

/* The session's own interfaces cross apartments through the module's proxies
 * and stubs (not the typelib marshaler), IDispatch's methods of the dual host
 * interface included; and a call whose object's apartment is gone fails with
 * an HRESULT, as a proxy's must, rather than raising. */

static const GUID CLSID_ModuleProxyStub = { 0x9ba4b1dd, 0x8b0c, 0x48b7, { 0x9e, 0x7c, 0x2f, 0x25, 0x85, 0x7c, 0x8d, 0xf5 } };

struct owner_data
{
    IStream *session_stream, *host_stream;
    HANDLE ready, finish;
};

/* Makes a session in an apartment of its own, hands it over, and ends that apartment when told. */
static DWORD WINAPI session_owner_thread(void *arg)
{
    struct owner_data *data = arg;
    IRendezvousSession *session;
    HRESULT hr;

    CoInitialize(NULL);
    hr = CoCreateInstance(&CLSID_RendezvousSession, NULL, CLSCTX_INPROC_SERVER, &IID_IRendezvousSession,
                          (void **)&session);
    ok(hr == S_OK, "CoCreateInstance returned %#lx\n", hr);
    if (SUCCEEDED(hr))
    {
        hr = CoMarshalInterThreadInterfaceInStream(&IID_IRendezvousSession, (IUnknown *)session,
                                                   &data->session_stream);
        ok(hr == S_OK, "marshaling IRendezvousSession returned %#lx\n", hr);
        hr = CoMarshalInterThreadInterfaceInStream(&IID_IRendezvousSessionHost, (IUnknown *)session,
                                                   &data->host_stream);
        ok(hr == S_OK, "marshaling IRendezvousSessionHost returned %#lx\n", hr);
    }
    SetEvent(data->ready);
    while (MsgWaitForMultipleObjects(1, &data->finish, FALSE, WAIT_MS * 3, QS_ALLINPUT) == WAIT_OBJECT_0 + 1)
    {
        MSG msg;
        while (PeekMessageW(&msg, NULL, 0, 0, PM_REMOVE)) DispatchMessageW(&msg);
    }
    if (SUCCEEDED(hr)) IRendezvousSession_Release(session);
    CoUninitialize();
    return 0;
}

static void test_proxies(void)
{
    /* DRendezvousSessionEvents too: test_apartments fires through it. */
    static const IID *const iids[] =
    {
        &IID_IRendezvousSession, &IID_IRendezvousSessionHost, &IID_IRendezvousApplication,
        &DIID_DRendezvousSessionEvents,
    };
    struct owner_data data = {0};
    IRendezvousSessionHost *host = NULL;
    IRendezvousSession *session = NULL;
    RENDEZVOUS_SESSION_STATE state;
    unsigned int i;
    HANDLE thread;
    UINT count;
    LONG flags;
    CLSID clsid;
    HRESULT hr;

    for (i = 0; i < ARRAY_SIZE(iids); i++)
    {
        memset(&clsid, 0, sizeof(clsid));
        hr = CoGetPSClsid(iids[i], &clsid);
        ok(hr == S_OK && IsEqualGUID(&clsid, &CLSID_ModuleProxyStub), "%s: %#lx, %s\n", wine_dbgstr_guid(iids[i]),
           hr, wine_dbgstr_guid(&clsid));
    }

    data.ready = CreateEventW(NULL, FALSE, FALSE, NULL);
    data.finish = CreateEventW(NULL, FALSE, FALSE, NULL);
    thread = CreateThread(NULL, 0, session_owner_thread, &data, 0, NULL);
    WaitForSingleObject(data.ready, WAIT_MS);
    if (data.session_stream)
    {
        hr = CoGetInterfaceAndReleaseStream(data.session_stream, &IID_IRendezvousSession, (void **)&session);
        ok(hr == S_OK, "unmarshaling IRendezvousSession returned %#lx\n", hr);
    }
    if (data.host_stream)
    {
        hr = CoGetInterfaceAndReleaseStream(data.host_stream, &IID_IRendezvousSessionHost, (void **)&host);
        ok(hr == S_OK, "unmarshaling IRendezvousSessionHost returned %#lx\n", hr);
    }

    if (session && host)
    {
        hr = IRendezvousSessionHost_Initialize(host, RSF_INVITER);
        ok(hr == S_OK, "Initialize through the proxy returned %#lx\n", hr);
        hr = IRendezvousSession_get_Flags(session, &flags);
        ok(hr == S_OK && flags == RSF_INVITER, "get_Flags through the proxy: %#lx, %#lx\n", hr, flags);
        hr = IRendezvousSession_get_State(session, &state);
        ok(hr == S_OK && state == RSS_READY, "get_State through the proxy: %#lx, %d\n", hr, state);
        /* IDispatch's part of the dual interface, which the proxy delegates. */
        count = 0;
        hr = IRendezvousSessionHost_GetTypeInfoCount(host, &count);
        ok(hr == S_OK && count == 1, "GetTypeInfoCount through the proxy: %#lx, %u\n", hr, count);
        /* The proxy refuses a NULL [out] pointer itself, and says so with an HRESULT. */
        hr = IRendezvousSessionHost_CreateInvitation(host, NULL, NULL);
        ok(hr == HRESULT_FROM_WIN32(RPC_X_NULL_REF_POINTER), "CreateInvitation(NULL) returned %#lx\n", hr);
    }

    /* The owner's apartment ends: the proxies' calls fail. */
    SetEvent(data.finish);
    WaitForSingleObject(thread, WAIT_MS);
    CloseHandle(thread);
    if (session)
    {
        state = 0xdead;
        hr = IRendezvousSession_get_State(session, &state);
        ok(FAILED(hr), "get_State on a gone apartment returned %#lx\n", hr);
        IRendezvousSession_Release(session);
    }
    if (host)
    {
        hr = IRendezvousSessionHost_Initialize(host, RSF_INVITEE);
        ok(FAILED(hr), "Initialize on a gone apartment returned %#lx\n", hr);
        IRendezvousSessionHost_Release(host);
    }
    CloseHandle(data.ready);
    CloseHandle(data.finish);
}

struct mta_data
{
    BOOL connected;
    DWORD event_thread, main_thread;
};

static DWORD WINAPI mta_thread(void *arg)
{
    struct mta_data *result = arg;
    struct peer peers[2];
    struct record *r;
    DWORD start;

    CoInitializeEx(NULL, COINIT_MULTITHREADED);
    result->main_thread = GetCurrentThreadId();
    /* In the MTA nothing is pumped: events come on pool threads. */
    create_peer(&peers[0], RSF_INVITER);
    create_peer(&peers[1], RSF_INVITEE);
    {
        BSTR invitation;
        IRendezvousSessionHost_CreateInvitation(peers[0].host, NULL, &invitation);
        IRendezvousSessionHost_ReceiveInvitation(peers[1].host, invitation);
        SysFreeString(invitation);
        IRendezvousSessionHost_Accept(peers[1].host);
    }
    start = GetTickCount();
    while (!both_connected(peers) && GetTickCount() - start < WAIT_MS) Sleep(10);
    result->connected = both_connected(peers);
    r = find_event(&peers[0].sink, DISPID_EVENT_ON_STATE_CHANGED, 2);
    if (r) result->event_thread = r->thread;
    release_peer(&peers[1]);
    release_peer(&peers[0]);
    CoUninitialize();
    return 0;
}

static void test_mta(void)
{
    struct mta_data data = { 0 };
    HANDLE thread = CreateThread(NULL, 0, mta_thread, &data, 0, NULL);

    ok(WaitForSingleObject(thread, WAIT_MS * 3) == WAIT_OBJECT_0, "MTA thread did not finish\n");
    CloseHandle(thread);
    ok(data.connected, "MTA sessions did not connect without a message loop\n");
    ok(data.event_thread, "got %lu\n", data.event_thread);
    if (data.event_thread) ok(data.event_thread != data.main_thread, "got %lu\n", data.event_thread);
    /* Whichever thread let go last, both sessions are gone. */
    check_unload("rendezvoussession.dll");
}

/* The host interface through IDispatch, as a script would use it. */
static void test_dispatch(void)
{
    static const WCHAR *names[] = { L"Initialize", L"CreateInvitation", L"ReceiveInvitation", L"Accept",
                                    L"Decline", L"Cancel", L"RemoteUser", L"MaxContextData", L"SessionId" };
    IDispatch *dispatch;
    ITypeInfo *info;
    DISPPARAMS params;
    VARIANT arg, result;
    DISPID id;
    UINT count, i;
    HRESULT hr;

    hr = CoCreateInstance(&CLSID_RendezvousSession, NULL, CLSCTX_INPROC_SERVER, &IID_IDispatch, (void **)&dispatch);
    ok(hr == S_OK, "got %#lx\n", hr);
    if (FAILED(hr)) return;

    hr = IDispatch_GetTypeInfoCount(dispatch, &count);
    ok(hr == S_OK, "got %ld\n", hr);
    ok(count == 1, "got %u\n", count);
    hr = IDispatch_GetTypeInfo(dispatch, 0, 0, &info);
    ok(hr == S_OK, "got %#lx\n", hr);
    if (hr == S_OK) ITypeInfo_Release(info);
    hr = IDispatch_GetTypeInfo(dispatch, 1, 0, &info);
    ok(hr == DISP_E_BADINDEX, "got %#lx\n", hr);

    for (i = 0; i < ARRAY_SIZE(names); i++)
    {
        WCHAR *name = (WCHAR *)names[i];
        hr = IDispatch_GetIDsOfNames(dispatch, &IID_NULL, &name, 1, 0, &id);
        ok(hr == S_OK, "got %ld\n", hr);
        ok(id == (DISPID)(i + 1), "got %ld\n", id);
    }

    /* Initialize(RSF_INVITER) by DISPID, then MaxContextData. */
    V_VT(&arg) = VT_I4;
    V_I4(&arg) = RSF_INVITER;
    params.rgvarg = &arg;
    params.cArgs = 1;
    params.rgdispidNamedArgs = NULL;
    params.cNamedArgs = 0;
    hr = IDispatch_Invoke(dispatch, 1, &IID_NULL, 0, DISPATCH_METHOD, &params, NULL, NULL, NULL);
    ok(hr == S_OK, "Invoke(Initialize) returned %#lx\n", hr);
    params.cArgs = 0;
    VariantInit(&result);
    hr = IDispatch_Invoke(dispatch, 8, &IID_NULL, 0, DISPATCH_PROPERTYGET, &params, &result, NULL, NULL);
    ok(hr == S_OK, "got %ld\n", hr);
    ok(V_VT(&result) == VT_I4, "got %d\n", V_VT(&result));
    ok(V_I4(&result) == MAX_CONTEXT_DATA, "got %ld\n", V_I4(&result));
    hr = IDispatch_Invoke(dispatch, 1000, &IID_NULL, 0, DISPATCH_METHOD, &params, NULL, NULL, NULL);
    ok(hr == DISP_E_MEMBERNOTFOUND, "got %#lx\n", hr);

    ok(!IDispatch_Release(dispatch), "object still referenced\n");
}

/* The peer in another process: the child is the invitee. */
static void child_invitee(const char *invitation)
{
    struct peer peer;
    WCHAR text[300];
    struct wait_data wait;
    BSTR str;
    HRESULT hr;

    create_peer(&peer, RSF_INVITEE);
    MultiByteToWideChar(CP_ACP, 0, invitation, -1, text, ARRAY_SIZE(text));
    str = SysAllocString(text);
    hr = IRendezvousSessionHost_ReceiveInvitation(peer.host, str);
    ok(hr == S_OK, "child: ReceiveInvitation returned %#lx\n", hr);
    SysFreeString(str);
    hr = IRendezvousSessionHost_Accept(peer.host);
    ok(hr == S_OK, "child: Accept returned %#lx\n", hr);
    ok(has_state(&peer.sink, RSS_CONNECTED, WAIT_MS), "child: not connected\n");

    wait.sink = &peer.sink;
    wait.count = 1;
    ok(pump_until(has_data_events, &wait, WAIT_MS), "child: no data\n");
    if (peer.sink.data_events)
    {
        struct record *r = find_event(&peer.sink, DISPID_EVENT_ON_CONTEXT_DATA, 0);
        ok(r != NULL, "child: got %p\n", r);
        if (r) ok(r->data != NULL, "child: got %p\n", r->data);
        if (r && r->data) ok(!lstrcmpW(r->data, L"from the parent \xd83d\xde00"), "child: got %s\n", wine_dbgstr_w(r->data));
    }
    str = SysAllocString(L"from the child");
    ok(IRendezvousSession_SendContextData(peer.session, str) == S_OK, "child: send failed\n");
    SysFreeString(str);
    /* The parent terminates. */
    ok(has_state(&peer.sink, RSS_CANCELLED, WAIT_MS), "child: no end\n");
    {
        struct record *r = find_event(&peer.sink, DISPID_EVENT_ON_TERMINATION, 0);
        ok(r != NULL, "child: got %p\n", r);
        if (r) ok(r->hr == S_OK, "child: got %ld\n", r->hr);
        if (r) ok(r->data != NULL, "child: got %p\n", r->data);
        if (r && r->data) ok(!lstrcmpW(r->data, L"parent done"), "child: got %s\n", wine_dbgstr_w(r->data));
    }
    release_peer(&peer);
}

static void test_child_process(const char *argv0)
{
    PROCESS_INFORMATION pi;
    STARTUPINFOA si = { sizeof(si) };
    char cmdline[MAX_PATH + 400];
    struct wait_data wait;
    struct peer peer;
    BSTR invitation, str;
    HRESULT hr;
    int len;

    create_peer(&peer, RSF_INVITER);
    hr = IRendezvousSessionHost_CreateInvitation(peer.host, NULL, &invitation);
    ok(hr == S_OK, "got %#lx\n", hr);
    if (FAILED(hr))
    {
        release_peer(&peer);
        return;
    }
    len = sprintf(cmdline, "\"%s\" session invitee ", argv0);
    WideCharToMultiByte(CP_ACP, 0, invitation, -1, cmdline + len, sizeof(cmdline) - len, NULL, NULL);
    SysFreeString(invitation);
    ok(create_process_a(cmdline, FALSE, &si, &pi), "CreateProcess failed\n");

    ok(has_state(&peer.sink, RSS_CONNECTED, WAIT_MS), "the child did not connect\n");
    str = SysAllocString(L"from the parent \xd83d\xde00");
    ok(IRendezvousSession_SendContextData(peer.session, str) == S_OK, "send failed\n");
    SysFreeString(str);
    wait.sink = &peer.sink;
    wait.count = 1;
    ok(pump_until(has_data_events, &wait, WAIT_MS), "nothing from the child\n");
    if (peer.sink.data_events)
    {
        struct record *r = find_event(&peer.sink, DISPID_EVENT_ON_CONTEXT_DATA, 0);
        ok(r != NULL, "got %p\n", r);
        if (r) ok(r->data != NULL, "got %p\n", r->data);
        if (r && r->data) ok(!lstrcmpW(r->data, L"from the child"), "got %s\n", wine_dbgstr_w(r->data));
    }
    str = SysAllocString(L"parent done");
    ok(IRendezvousSession_Terminate(peer.session, S_OK, str) == S_OK, "Terminate failed\n");
    SysFreeString(str);

    /* Keep pumping while the child finishes, then collect its failures. */
    while (MsgWaitForMultipleObjects(1, &pi.hProcess, FALSE, WAIT_MS, QS_ALLINPUT) == WAIT_OBJECT_0 + 1)
    {
        MSG msg;
        while (PeekMessageW(&msg, NULL, 0, 0, PM_REMOVE)) DispatchMessageW(&msg);
    }
    wait_child_process(pi.hProcess);
    CloseHandle(pi.hProcess);
    CloseHandle(pi.hThread);
    release_peer(&peer);
}

START_TEST(session)
{
    char **argv;
    int argc;

    argc = winetest_get_mainargs(&argv);
    CoInitialize(NULL);

    if (argc > 3 && !strcmp(argv[2], "invitee"))
    {
        child_invitee(argv[3]);
        CoUninitialize();
        return;
    }

    test_new_object();
    test_advise();
    test_pair();
    test_security_code_before_connect();
    test_invitation_lifetime();
    test_context_data();
    test_terminate();
    test_decline_cancel();
    test_wrong_secret();
    test_sinks();
    test_burst();
    test_peer_gone();
    test_backpressure();
    test_reentry();
    test_out_of_memory();
    test_apartments();
    test_proxies();
    test_mta();
    test_dispatch();
    test_child_process(argv[0]);

    check_unload("rendezvoussession.dll");
    CoUninitialize();
}
