/*
 * Conformance tests for RendezvousApplication (Remote Assistance), driven by
 * mock IM sessions written the way an IM program writes them
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

/*
 * Documented: the classes and their registry keys, S_OK and E_INVALIDARG of
 * SetRendezvousSession, the duties (AddRef, advise, Flags, RemoteUser, and at
 * the end unadvise and Release), the DISPIDs.  Everything about what travels
 * as context data (hello, ticket, ack), the backends and the codes a session
 * ends with is this project's design (docs/behaviour.md): the tests of it say
 * so, and a run against Windows' own Remote Assistance would mark them broken().
 */

#define COBJMACROS

#include <stdio.h>
#include <windows.h>
#include <ole2.h>
#include <olectl.h>
#include <tlhelp32.h>

#include "rendezvoussession.h"

#include "wine/test.h"
#include "child.h"
#include "unload.h"

static const GUID CLSID_AskComponent = { 0xc0b3c446, 0x3032, 0x4016, { 0x92, 0x6f, 0x9b, 0xae, 0x48, 0xbe, 0xbf, 0xbe } };
static const GUID CLSID_OfferComponent = { 0x49010c18, 0xb110, 0x421a, { 0x90, 0x47, 0xad, 0xca, 0x42, 0x1c, 0xbc, 0x40 } };

/* The codes a Remote Assistance session ends with: undocumented choices. */
#define E_BAD_MESSAGE     HRESULT_FROM_WIN32(ERROR_INVALID_DATA)
#define E_NO_BACKEND      HRESULT_FROM_WIN32(ERROR_NOT_SUPPORTED)
#define E_RA_TIMEOUT      HRESULT_FROM_WIN32(ERROR_TIMEOUT)
#define E_BACKEND_OUTPUT  HRESULT_FROM_WIN32(ERROR_BAD_FORMAT)
#define E_BACKEND_CONFIG  HRESULT_FROM_WIN32(ERROR_BAD_CONFIGURATION)
#define E_ALREADY_SET     HRESULT_FROM_WIN32(ERROR_ALREADY_INITIALIZED)
#define E_MOCK_STATE      HRESULT_FROM_WIN32(ERROR_INVALID_STATE)
/* Messenger's SendContextData over 300 units (msgrpriv.h). */
#define SR_CONTEXT_DATA_OVER_LIMIT ((HRESULT)0x81000611)

#define BACKENDS_KEY L"Software\\Wine\\RendezvousSession\\Backends"
#define SETTINGS_KEY L"Software\\Wine\\RendezvousSession"
#define APPS_KEY     L"SOFTWARE\\Microsoft\\RendezvousApps\\"
#define ASK_APP      L"{56b994a7-380f-410b-9985-c809d78c1bdc}"
#define OFFER_APP    L"{703EA1A8-D73E-43e3-852C-EE85B5D872C2}"

#define WAIT_MS 30000

static HRESULT (WINAPI *pDllCanUnloadNow)(void);
static void (WINAPI *pSetOaNoCache)(void);
static WCHAR test_exe[MAX_PATH];
static WCHAR temp_dir[MAX_PATH];

/* ---------------------------------------------------------------------------
 * The mock IM session: IRendezvousSession and a DRendezvousSessionEvents
 * connection point.  Two mocks are peers: what one sends the other delivers,
 * from the message loop (pump_until), as an IM delivers what comes off its
 * network.  A mock without a peer lets the test play the remote side.
 */

#define MAX_SENT 16
#define MAX_MOCK_SINKS 4

struct mock
{
    IRendezvousSession IRendezvousSession_iface;
    IConnectionPointContainer IConnectionPointContainer_iface;
    IConnectionPoint IConnectionPoint_iface;
    LONG refcount;
    const char *name;

    /* how this IM behaves */
    LONG flags;
    RENDEZVOUS_SESSION_STATE state;
    const WCHAR *remote_user;
    struct mock *peer;
    BOOL no_container;
    BOOL no_point;
    HRESULT flags_result;
    HRESULT advise_result;
    BOOL reversed_termination;  /* OnTermination with the LONG in rgvarg[0], as the sample does */
    BOOL prev_state_argument;   /* OnStateChanged carries the previous state */
    unsigned int duplicate;     /* deliver the n-th (1-based) message sent twice */
    unsigned int max_units;     /* refuse longer data as Messenger does (0: no limit) */

    /* the connection point */
    IDispatch *sinks[MAX_MOCK_SINKS];
    DWORD cookies[MAX_MOCK_SINKS];
    DWORD next_cookie;
    LONG advised;
    LONG unadvised;

    /* what Remote Assistance did */
    unsigned int refused;       /* sends over max_units */
    BSTR sent[MAX_SENT];
    unsigned int sent_count;
    BOOL terminated;
    HRESULT terminate_hr;
    LONG terminate_calls;

    /* what this IM told its sinks */
    BOOL got_termination;       /* OnTermination from the peer */
    HRESULT termination_hr;
    HRESULT termination_invoke; /* what the sink returned for it */
    HRESULT last_invoke;
};

static inline struct mock *impl_from_IRendezvousSession(IRendezvousSession *iface)
{
    return CONTAINING_RECORD(iface, struct mock, IRendezvousSession_iface);
}

static inline struct mock *impl_from_IConnectionPointContainer(IConnectionPointContainer *iface)
{
    return CONTAINING_RECORD(iface, struct mock, IConnectionPointContainer_iface);
}

static inline struct mock *impl_from_IConnectionPoint(IConnectionPoint *iface)
{
    return CONTAINING_RECORD(iface, struct mock, IConnectionPoint_iface);
}

/* Deliveries between peers, in order. */
enum delivery_kind
{
    DELIVER_DATA,
    DELIVER_TERMINATION,
};

struct delivery
{
    struct delivery *next;
    struct mock *to;
    enum delivery_kind kind;
    HRESULT hr;
    BSTR data;
};

static struct delivery *deliveries_head, *deliveries_tail;

static void queue_delivery(struct mock *to, enum delivery_kind kind, HRESULT hr, const WCHAR *data, UINT len)
{
    struct delivery *d = calloc(1, sizeof(*d));

    d->to = to;
    d->kind = kind;
    d->hr = hr;
    d->data = data ? SysAllocStringLen(data, len) : NULL;
    if (deliveries_tail) deliveries_tail->next = d;
    else deliveries_head = d;
    deliveries_tail = d;
}

static void mock_fire(struct mock *m, DISPID id, VARIANT *args, UINT count)
{
    IDispatch *sinks[MAX_MOCK_SINKS];
    DISPPARAMS params = { args, NULL, count, 0 };
    unsigned int i, n = 0;

    /* A copy: a sink may unadvise while it is called. */
    for (i = 0; i < MAX_MOCK_SINKS; i++)
    {
        if (!m->sinks[i]) continue;
        sinks[n] = m->sinks[i];
        IDispatch_AddRef(sinks[n]);
        n++;
    }
    for (i = 0; i < n; i++)
    {
        HRESULT hr = IDispatch_Invoke(sinks[i], id, &IID_NULL, LOCALE_USER_DEFAULT, DISPATCH_METHOD,
                                      &params, NULL, NULL, NULL);
        m->last_invoke = hr;
        if (id == DISPID_EVENT_ON_TERMINATION) m->termination_invoke = hr;
        IDispatch_Release(sinks[i]);
    }
}

static void mock_fire_state(struct mock *m, RENDEZVOUS_SESSION_STATE prev)
{
    VARIANT arg;

    V_VT(&arg) = VT_I4;
    V_I4(&arg) = m->prev_state_argument ? prev : m->state;
    mock_fire(m, DISPID_EVENT_ON_STATE_CHANGED, &arg, 1);
}

static void mock_fire_termination(struct mock *m, HRESULT hr, BSTR data)
{
    VARIANT args[2];
    BSTR copy = SysAllocStringLen(data, SysStringLen(data));

    if (m->reversed_termination)
    {
        V_VT(&args[0]) = VT_I4;
        V_I4(&args[0]) = hr;
        V_VT(&args[1]) = VT_BSTR;
        V_BSTR(&args[1]) = copy;
    }
    else
    {
        V_VT(&args[1]) = VT_I4;
        V_I4(&args[1]) = hr;
        V_VT(&args[0]) = VT_BSTR;
        V_BSTR(&args[0]) = copy;
    }
    mock_fire(m, DISPID_EVENT_ON_TERMINATION, args, 2);
    SysFreeString(copy);
}

static void mock_set_state(struct mock *m, RENDEZVOUS_SESSION_STATE state)
{
    RENDEZVOUS_SESSION_STATE prev = m->state;

    m->state = state;
    mock_fire_state(m, prev);
}

/* The test, as the remote side, sends context data to m's sinks. */
static HRESULT mock_receive(struct mock *m, const WCHAR *data, UINT len)
{
    VARIANT arg;

    V_VT(&arg) = VT_BSTR;
    V_BSTR(&arg) = SysAllocStringLen(data, len);
    mock_fire(m, DISPID_EVENT_ON_CONTEXT_DATA, &arg, 1);
    SysFreeString(V_BSTR(&arg));
    return m->last_invoke;
}

static BOOL mock_final(struct mock *m)
{
    return m->state == RSS_CANCELLED || m->state == RSS_DECLINED || m->state == RSS_TERMINATED;
}

static void mock_end_remotely(struct mock *m, HRESULT hr)
{
    RENDEZVOUS_SESSION_STATE prev = m->state;
    BSTR data = SysAllocString(L"remote end");

    if (mock_final(m))
    {
        SysFreeString(data);
        return;
    }
    m->got_termination = TRUE;
    m->termination_hr = hr;
    m->state = RSS_CANCELLED;
    mock_fire_termination(m, hr, data);
    mock_fire_state(m, prev);
    SysFreeString(data);
}

static void process_deliveries(void)
{
    static BOOL busy;

    if (busy) return;
    busy = TRUE;
    while (deliveries_head)
    {
        struct delivery *d = deliveries_head;

        if (!(deliveries_head = d->next)) deliveries_tail = NULL;
        if (d->kind == DELIVER_DATA)
        {
            if (!mock_final(d->to))
            {
                VARIANT arg;

                V_VT(&arg) = VT_BSTR;
                V_BSTR(&arg) = d->data;
                mock_fire(d->to, DISPID_EVENT_ON_CONTEXT_DATA, &arg, 1);
            }
        }
        else mock_end_remotely(d->to, d->hr);
        SysFreeString(d->data);
        free(d);
    }
    busy = FALSE;
}

static HRESULT WINAPI mock_QueryInterface(IRendezvousSession *iface, REFIID riid, void **obj)
{
    struct mock *m = impl_from_IRendezvousSession(iface);

    if (IsEqualGUID(riid, &IID_IUnknown) || IsEqualGUID(riid, &IID_IRendezvousSession))
        *obj = &m->IRendezvousSession_iface;
    else if (IsEqualGUID(riid, &IID_IConnectionPointContainer) && !m->no_container)
        *obj = &m->IConnectionPointContainer_iface;
    else
    {
        *obj = NULL;
        return E_NOINTERFACE;
    }
    IUnknown_AddRef((IUnknown *)*obj);
    return S_OK;
}

static ULONG WINAPI mock_AddRef(IRendezvousSession *iface)
{
    return InterlockedIncrement(&impl_from_IRendezvousSession(iface)->refcount);
}

static ULONG WINAPI mock_Release(IRendezvousSession *iface)
{
    return InterlockedDecrement(&impl_from_IRendezvousSession(iface)->refcount);
}

static HRESULT WINAPI mock_get_State(IRendezvousSession *iface, RENDEZVOUS_SESSION_STATE *state)
{
    if (!state) return E_POINTER;
    *state = impl_from_IRendezvousSession(iface)->state;
    return S_OK;
}

static HRESULT WINAPI mock_get_RemoteUser(IRendezvousSession *iface, BSTR *user)
{
    struct mock *m = impl_from_IRendezvousSession(iface);

    if (!user) return E_POINTER;
    if (!(*user = SysAllocString(m->remote_user ? m->remote_user : L""))) return E_OUTOFMEMORY;
    return S_OK;
}

static HRESULT WINAPI mock_get_Flags(IRendezvousSession *iface, LONG *flags)
{
    struct mock *m = impl_from_IRendezvousSession(iface);

    if (!flags) return E_POINTER;
    if (FAILED(m->flags_result)) return m->flags_result;
    *flags = m->flags;
    return S_OK;
}

static HRESULT WINAPI mock_SendContextData(IRendezvousSession *iface, BSTR data)
{
    struct mock *m = impl_from_IRendezvousSession(iface);
    UINT len = SysStringLen(data);

    if (!len) return E_INVALIDARG;
    if (m->max_units && len > m->max_units)
    {
        /* Messenger's SendContextData, and the bridge over it. */
        m->refused++;
        return SR_CONTEXT_DATA_OVER_LIMIT;
    }
    if (m->state != RSS_CONNECTED) return E_MOCK_STATE;
    if (m->sent_count < MAX_SENT) m->sent[m->sent_count] = SysAllocStringLen(data, len);
    m->sent_count++;
    if (m->peer)
    {
        queue_delivery(m->peer, DELIVER_DATA, S_OK, data, len);
        if (m->duplicate == m->sent_count) queue_delivery(m->peer, DELIVER_DATA, S_OK, data, len);
    }
    return S_OK;
}

static HRESULT WINAPI mock_Terminate(IRendezvousSession *iface, HRESULT hr, BSTR data)
{
    struct mock *m = impl_from_IRendezvousSession(iface);
    RENDEZVOUS_SESSION_STATE prev = m->state;

    m->terminate_calls++;
    if (mock_final(m)) return E_MOCK_STATE;
    m->terminated = TRUE;
    m->terminate_hr = hr;
    /* As the published sample does: OnTermination locally, from inside the call. */
    m->state = RSS_CANCELLED;
    mock_fire_termination(m, hr, data);
    mock_fire_state(m, prev);
    if (m->peer) queue_delivery(m->peer, DELIVER_TERMINATION, hr, data, SysStringLen(data));
    return S_OK;
}

static const IRendezvousSessionVtbl mock_vtbl =
{
    mock_QueryInterface,
    mock_AddRef,
    mock_Release,
    mock_get_State,
    mock_get_RemoteUser,
    mock_get_Flags,
    mock_SendContextData,
    mock_Terminate,
};

static HRESULT WINAPI mock_cpc_QueryInterface(IConnectionPointContainer *iface, REFIID riid, void **obj)
{
    return mock_QueryInterface(&impl_from_IConnectionPointContainer(iface)->IRendezvousSession_iface, riid, obj);
}

static ULONG WINAPI mock_cpc_AddRef(IConnectionPointContainer *iface)
{
    return mock_AddRef(&impl_from_IConnectionPointContainer(iface)->IRendezvousSession_iface);
}

static ULONG WINAPI mock_cpc_Release(IConnectionPointContainer *iface)
{
    return mock_Release(&impl_from_IConnectionPointContainer(iface)->IRendezvousSession_iface);
}

static HRESULT WINAPI mock_cpc_EnumConnectionPoints(IConnectionPointContainer *iface, IEnumConnectionPoints **ret)
{
    ok(0, "unexpected call\n");
    return E_UNEXPECTED;
}

static HRESULT WINAPI mock_cpc_FindConnectionPoint(IConnectionPointContainer *iface, REFIID riid,
                                                   IConnectionPoint **point)
{
    struct mock *m = impl_from_IConnectionPointContainer(iface);

    if (!point) return E_POINTER;
    if (m->no_point || !IsEqualGUID(riid, &DIID_DRendezvousSessionEvents))
    {
        *point = NULL;
        return CONNECT_E_NOCONNECTION;
    }
    *point = &m->IConnectionPoint_iface;
    IConnectionPoint_AddRef(*point);
    return S_OK;
}

static const IConnectionPointContainerVtbl mock_cpc_vtbl =
{
    mock_cpc_QueryInterface,
    mock_cpc_AddRef,
    mock_cpc_Release,
    mock_cpc_EnumConnectionPoints,
    mock_cpc_FindConnectionPoint,
};

static HRESULT WINAPI mock_cp_QueryInterface(IConnectionPoint *iface, REFIID riid, void **obj)
{
    if (IsEqualGUID(riid, &IID_IUnknown) || IsEqualGUID(riid, &IID_IConnectionPoint))
    {
        *obj = iface;
        IConnectionPoint_AddRef(iface);
        return S_OK;
    }
    *obj = NULL;
    return E_NOINTERFACE;
}

static ULONG WINAPI mock_cp_AddRef(IConnectionPoint *iface)
{
    return mock_AddRef(&impl_from_IConnectionPoint(iface)->IRendezvousSession_iface);
}

static ULONG WINAPI mock_cp_Release(IConnectionPoint *iface)
{
    return mock_Release(&impl_from_IConnectionPoint(iface)->IRendezvousSession_iface);
}

static HRESULT WINAPI mock_cp_GetConnectionInterface(IConnectionPoint *iface, IID *iid)
{
    *iid = DIID_DRendezvousSessionEvents;
    return S_OK;
}

static HRESULT WINAPI mock_cp_GetConnectionPointContainer(IConnectionPoint *iface, IConnectionPointContainer **ret)
{
    struct mock *m = impl_from_IConnectionPoint(iface);

    *ret = &m->IConnectionPointContainer_iface;
    IConnectionPointContainer_AddRef(*ret);
    return S_OK;
}

static HRESULT WINAPI mock_cp_Advise(IConnectionPoint *iface, IUnknown *unk, DWORD *cookie)
{
    struct mock *m = impl_from_IConnectionPoint(iface);
    IDispatch *sink;
    unsigned int i;

    if (!unk || !cookie) return E_POINTER;
    *cookie = 0;
    if (FAILED(m->advise_result)) return m->advise_result;
    /* As ATL does: the event interface first, then plain IDispatch. */
    if (FAILED(IUnknown_QueryInterface(unk, &DIID_DRendezvousSessionEvents, (void **)&sink)) &&
        FAILED(IUnknown_QueryInterface(unk, &IID_IDispatch, (void **)&sink)))
        return CONNECT_E_CANNOTCONNECT;
    for (i = 0; i < MAX_MOCK_SINKS; i++)
    {
        if (m->sinks[i]) continue;
        m->sinks[i] = sink;
        m->cookies[i] = *cookie = ++m->next_cookie;
        m->advised++;
        return S_OK;
    }
    IDispatch_Release(sink);
    return CONNECT_E_ADVISELIMIT;
}

static HRESULT WINAPI mock_cp_Unadvise(IConnectionPoint *iface, DWORD cookie)
{
    struct mock *m = impl_from_IConnectionPoint(iface);
    unsigned int i;

    for (i = 0; i < MAX_MOCK_SINKS; i++)
    {
        IDispatch *sink = m->sinks[i];

        if (!sink || m->cookies[i] != cookie) continue;
        m->sinks[i] = NULL;
        m->cookies[i] = 0;
        m->unadvised++;
        IDispatch_Release(sink);
        return S_OK;
    }
    return CONNECT_E_NOCONNECTION;
}

static HRESULT WINAPI mock_cp_EnumConnections(IConnectionPoint *iface, IEnumConnections **ret)
{
    ok(0, "unexpected call\n");
    return E_UNEXPECTED;
}

static const IConnectionPointVtbl mock_cp_vtbl =
{
    mock_cp_QueryInterface,
    mock_cp_AddRef,
    mock_cp_Release,
    mock_cp_GetConnectionInterface,
    mock_cp_GetConnectionPointContainer,
    mock_cp_Advise,
    mock_cp_Unadvise,
    mock_cp_EnumConnections,
};

static void init_mock(struct mock *m, const char *name, LONG flags, RENDEZVOUS_SESSION_STATE state,
                      const WCHAR *remote_user)
{
    memset(m, 0, sizeof(*m));
    m->IRendezvousSession_iface.lpVtbl = &mock_vtbl;
    m->IConnectionPointContainer_iface.lpVtbl = &mock_cpc_vtbl;
    m->IConnectionPoint_iface.lpVtbl = &mock_cp_vtbl;
    m->refcount = 1;
    m->name = name;
    m->flags = flags;
    m->state = state;
    m->remote_user = remote_user;
}

static unsigned int mock_sink_count(struct mock *m)
{
    unsigned int i, n = 0;

    for (i = 0; i < MAX_MOCK_SINKS; i++) if (m->sinks[i]) n++;
    return n;
}

static void clear_mock(struct mock *m)
{
    unsigned int i;

    for (i = 0; i < MAX_SENT && i < m->sent_count; i++) SysFreeString(m->sent[i]);
    for (i = 0; i < MAX_MOCK_SINKS; i++)
        if (m->sinks[i]) IDispatch_Release(m->sinks[i]);
    memset(m->sinks, 0, sizeof(m->sinks));
    m->sent_count = 0;
}

/* The mock is back where the IM left it: nobody holds it, nobody listens. */
static BOOL mock_released(struct mock *m)
{
    return m->refcount == 1 && !mock_sink_count(m) && m->advised == m->unadvised;
}

/* A plain object with nothing but IUnknown. */
static LONG plain_refcount = 1;

static HRESULT WINAPI plain_QueryInterface(IUnknown *iface, REFIID riid, void **obj)
{
    if (IsEqualGUID(riid, &IID_IUnknown))
    {
        *obj = iface;
        IUnknown_AddRef(iface);
        return S_OK;
    }
    *obj = NULL;
    return E_NOINTERFACE;
}

static ULONG WINAPI plain_AddRef(IUnknown *iface) { return InterlockedIncrement(&plain_refcount); }
static ULONG WINAPI plain_Release(IUnknown *iface) { return InterlockedDecrement(&plain_refcount); }
static const IUnknownVtbl plain_vtbl = { plain_QueryInterface, plain_AddRef, plain_Release };
static IUnknown plain = { &plain_vtbl };

/* ---------------------------------------------------------------------------
 * Message loop, registry and backends
 */

static BOOL pump_until(BOOL (*cond)(void *), void *arg, DWORD timeout)
{
    DWORD start = GetTickCount();
    MSG msg;

    for (;;)
    {
        while (PeekMessageW(&msg, NULL, 0, 0, PM_REMOVE))
        {
            TranslateMessage(&msg);
            DispatchMessageW(&msg);
        }
        process_deliveries();
        if (cond && cond(arg)) return TRUE;
        if (GetTickCount() - start >= timeout) return FALSE;
        MsgWaitForMultipleObjects(0, NULL, FALSE, 10, QS_ALLINPUT);
    }
}

static void pump_for(DWORD ms)
{
    pump_until(NULL, NULL, ms);
}

static BOOL is_released(void *arg)
{
    return mock_released(arg);
}

static BOOL module_idle(void *arg)
{
    return pDllCanUnloadNow() == S_OK;
}

/* The IM lets go of an object.  In process, it is gone at once, or, when a
 * backend it gave up on is still reporting back, a moment later. */
static void release_app(IRendezvousApplication *app, DWORD context, int line)
{
    if (context != CLSCTX_INPROC_SERVER)
    {
        IRendezvousApplication_Release(app);
        return;
    }
    IRendezvousApplication_Release(app);
    ok_(__FILE__, line)(pump_until(module_idle, NULL, WAIT_MS), "objects still alive\n");
}

static void set_string(const WCHAR *key, const WCHAR *name, const WCHAR *value)
{
    LSTATUS status = RegSetKeyValueW(HKEY_CURRENT_USER, key, name, REG_SZ, value,
                                     (lstrlenW(value) + 1) * sizeof(WCHAR));
    ok(!status, "cannot set %s: %ld\n", wine_dbgstr_w(name), status);
}

static void set_dword(const WCHAR *key, const WCHAR *name, DWORD value)
{
    LSTATUS status = RegSetKeyValueW(HKEY_CURRENT_USER, key, name, REG_DWORD, &value, sizeof(value));
    ok(!status, "cannot set %s: %ld\n", wine_dbgstr_w(name), status);
}

static void delete_value(const WCHAR *key, const WCHAR *name)
{
    RegDeleteKeyValueW(HKEY_CURRENT_USER, key, name);
}

static void reset_settings(void)
{
    delete_value(BACKENDS_KEY, L"Share");
    delete_value(BACKENDS_KEY, L"Connect");
    delete_value(BACKENDS_KEY, L"StartTimeout");
    delete_value(SETTINGS_KEY, L"HandshakeTimeout");
    /* Undocumented: the project's switches.  No built-in FreeRDP backend, whether
     * FreeRDP is installed or not, and no question on the screen: share at once. */
    set_dword(BACKENDS_KEY, L"FreeRDP", 0);
    set_dword(SETTINGS_KEY, L"ShareConsent", 1);
}

static void record_path(WCHAR *path, const WCHAR *name)
{
    swprintf(path, MAX_PATH, L"%lsra_%ls.txt", temp_dir, name);
}

/* A backend is this test program, run as "application backend ROLE MODE RECORD ARGS". */
static void set_backend_in(HKEY root, const WCHAR *role, const char *mode, const WCHAR *record, DWORD type,
                           const WCHAR *extra)
{
    WCHAR command[MAX_PATH * 3];
    LSTATUS status;

    DeleteFileW(record);
    if (!wcscmp(role, L"Share"))
        swprintf(command, ARRAY_SIZE(command), L"\"%ls\" application backend share %hs \"%ls\" user=%%USER%% "
                 L"session=%%SESSION%%%ls", test_exe, mode, record, extra);
    else
        swprintf(command, ARRAY_SIZE(command), L"\"%ls\" application backend connect %hs \"%ls\" "
                 L"address=%%ADDRESS%% port=%%PORT%% user=%%USER%% session=%%SESSION%%%ls", test_exe, mode,
                 record, extra);
    status = RegSetKeyValueW(root, BACKENDS_KEY, role, type, command, (lstrlenW(command) + 1) * sizeof(WCHAR));
    ok(!status, "cannot set %s: %ld\n", wine_dbgstr_w(role), status);
}

static void set_backend(const WCHAR *role, const char *mode, const WCHAR *record)
{
    set_backend_in(HKEY_CURRENT_USER, role, mode, record, REG_SZ, L"");
}

/* What a backend recorded: its arguments and its standard input. */
struct record
{
    char lines[64][200];
    unsigned int count;
};

static BOOL read_record(const WCHAR *path, struct record *rec)
{
    FILE *f = _wfopen(path, L"r");
    char line[200];

    rec->count = 0;
    if (!f) return FALSE;
    while (rec->count < ARRAY_SIZE(rec->lines) && fgets(line, sizeof(line), f))
    {
        line[strcspn(line, "\r\n")] = 0;
        strcpy(rec->lines[rec->count++], line);
    }
    fclose(f);
    return TRUE;
}

static const char *record_find(const struct record *rec, const char *prefix)
{
    unsigned int i;

    for (i = 0; i < rec->count; i++)
        if (!strncmp(rec->lines[i], prefix, strlen(prefix))) return rec->lines[i] + strlen(prefix);
    return NULL;
}

/* Whether any argument of the backend's command line contains text. */
static BOOL record_args_contain(const struct record *rec, const char *text)
{
    unsigned int i;

    for (i = 0; i < rec->count; i++)
        if (!strncmp(rec->lines[i], "arg ", 4) && strstr(rec->lines[i], text)) return TRUE;
    return FALSE;
}

static BOOL record_exists(void *arg)
{
    return GetFileAttributesW(arg) != INVALID_FILE_ATTRIBUTES;
}

/* A certificate's SHA-256 as a share backend reports it (either case), and as
 * the ticket carries it (base64url). */
#define TEST_FINGERPRINT "ef513c0de8bfb2afb45c1cffdc87784d1f530cc17f4cdf354f247b81d7729baa"
#define TEST_FINGERPRINT_UPPER "EF513C0DE8BFB2AFB45C1CFFDC87784D1F530CC17F4CDF354F247B81D7729BAA"
#define TEST_FINGERPRINT_UPPER_63 "EF513C0DE8BFB2AFB45C1CFFDC87784D1F530CC17F4CDF354F247B81D7729BA"
#define TEST_FP L"71E8Dei_sq-0XBz_3Id4TR9TDMF_TN81TyR7gddym6o"

/* The backend child: records, then behaves as MODE says. */
static void backend_child(int argc, char **argv)
{
    const char *role = argv[3], *mode = argv[4];
    BOOL share = !strcmp(role, "share");
    char line[512];
    FILE *f;
    int i;

    if (!(f = fopen(argv[5], "w"))) ExitProcess(3);
    fprintf(f, "role %s\nmode %s\npid %lu\n", role, mode, GetCurrentProcessId());
    /* 0 without a console (docs/behaviour.md, "Backends"). */
    fprintf(f, "console %u\n", GetConsoleCP());
    for (i = 6; i < argc; i++) fprintf(f, "arg %s\n", argv[i]);
    for (i = 0; i < 64 && fgets(line, sizeof(line), stdin); i++)
    {
        line[strcspn(line, "\r\n")] = 0;
        fprintf(f, "in %s\n", line);
        if (!strcmp(line, "END")) break;
    }
    fflush(f);

    if (!strcmp(mode, "fail"))
    {
        fclose(f);
        ExitProcess(0x80070005);
    }
    if (!strcmp(mode, "hang"))
    {
        /* What a backend starts (a viewer, a server, its console host) goes with it. */
        STARTUPINFOA si = { sizeof(si) };
        PROCESS_INFORMATION pi;
        char cmdline[MAX_PATH + 32];

        sprintf(cmdline, "\"%s\" application sleeper", argv[0]);
        if (create_process_a(cmdline, FALSE, &si, &pi))
        {
            fprintf(f, "grandchild %lu\n", pi.dwProcessId);
            CloseHandle(pi.hProcess);
            CloseHandle(pi.hThread);
        }
        fclose(f);
        Sleep(8000);
        if ((f = fopen(argv[5], "a"))) fprintf(f, "survived\n");
        ExitProcess(0);
    }
    if (!strcmp(mode, "exit0"))
    {
        fclose(f);
        ExitProcess(0);
    }
    if (!strcmp(mode, "garbage")) printf("ADDRESS 999.1.1.1 PORT 5900\nREADY\n");
    else if (!strcmp(mode, "noaddress")) printf("hello\nREADY\n");
    else if (!strcmp(mode, "fingerprint"))
        printf("FINGERPRINT " TEST_FINGERPRINT "\nADDRESS 127.0.0.1 PORT 5900\nADDRESS ::1 PORT 5901\nREADY\n");
    else if (!strcmp(mode, "badfp"))    /* 63 digits */
        printf("ADDRESS 127.0.0.1 PORT 5900\nFINGERPRINT " TEST_FINGERPRINT_UPPER_63 "\nREADY\n");
    else if (!strcmp(mode, "twofp"))
        printf("FINGERPRINT " TEST_FINGERPRINT "\nADDRESS 127.0.0.1 PORT 5900\nFINGERPRINT " TEST_FINGERPRINT
               "\nREADY\n");
    else if (!strcmp(mode, "long"))
        /* Four long addresses: with the fingerprint, two fill 300 units exactly. */
        printf("FINGERPRINT " TEST_FINGERPRINT_UPPER "\nADDRESS 198.51.100.201 PORT 65151\n"
               "ADDRESS 198.51.100.202 PORT 65151\nADDRESS 198.51.100.203 PORT 65151\n"
               "ADDRESS 198.51.100.204 PORT 65151\nREADY\n");
    else if (share) printf("share backend starting\nADDRESS 127.0.0.1 PORT 5900\nADDRESS ::1 PORT 5901\nREADY\n");
    else printf("READY\n");
    fflush(stdout);
    fprintf(f, "ready\n");
    fclose(f);
    if (!strcmp(mode, "stay"))
    {
        Sleep(8000);
        if ((f = fopen(argv[5], "a"))) fprintf(f, "survived\n");
    }
    ExitProcess(0);
}

/* The process with this id, if it still exists, ends soon with ERROR_CANCELLED. */
static void check_cancelled(const char *pid, const char *what, int line)
{
    HANDLE process;
    DWORD code = 0;

    if (!(process = OpenProcess(SYNCHRONIZE | PROCESS_QUERY_LIMITED_INFORMATION, FALSE, atoi(pid)))) return;
    ok_(__FILE__, line)(!WaitForSingleObject(process, 15000), "the %s still runs\n", what);
    GetExitCodeProcess(process, &code);
    ok_(__FILE__, line)(code == ERROR_CANCELLED, "%s exit code %lu\n", what, code);
    CloseHandle(process);
}

/* A backend's process was stopped by Remote Assistance, not left running, and
 * so was what it started. */
static void check_stopped(const struct record *rec, const WCHAR *path, int line)
{
    const char *pid = record_find(rec, "pid "), *grandchild;
    struct record again;

    if (!pid) return;   /* killed before it could write */
    check_cancelled(pid, "backend", line);
    read_record(path, &again);
    if ((grandchild = record_find(&again, "grandchild "))) check_cancelled(grandchild, "backend's own child", line);
    ok_(__FILE__, line)(!record_find(&again, "survived"), "the backend was not stopped\n");
}

/* Finds the CLSID an IM reads for an application, as the documentation says. */
static BOOL get_component(const WCHAR *app, CLSID *clsid)
{
    WCHAR key[MAX_PATH], value[64];
    DWORD size = sizeof(value);
    LSTATUS status;

    swprintf(key, ARRAY_SIZE(key), L"%ls%ls", APPS_KEY, app);
    status = RegGetValueW(HKEY_LOCAL_MACHINE, key, L"RendezvousComponent", RRF_RT_REG_SZ, NULL, value, &size);
    ok(!status, "RendezvousComponent of %s: %ld\n", wine_dbgstr_w(app), status);
    if (status) return FALSE;
    return SUCCEEDED(CLSIDFromString(value, clsid));
}

static IRendezvousApplication *create_app(const CLSID *clsid, DWORD context)
{
    IRendezvousApplication *app = NULL;
    HRESULT hr;

    hr = CoCreateInstance(clsid, NULL, context, &IID_IRendezvousApplication, (void **)&app);
    ok(hr == S_OK, "CoCreateInstance(%s, %#lx) returned %#lx\n", wine_dbgstr_guid(clsid), context, hr);
    return app;
}

/* Text of a BSTR, or "" */
static const char *ascii(BSTR str, char *buffer, size_t size)
{
    WideCharToMultiByte(CP_ACP, 0, str ? str : L"", SysStringLen(str) + 1, buffer, size, NULL, NULL);
    buffer[size - 1] = 0;
    return buffer;
}

/* ---------------------------------------------------------------------------
 * Tests
 */

static void test_registration_lookup(void)
{
    BOOL ret;
    CLSID clsid;

    ret = get_component(ASK_APP, &clsid);
    ok(ret, "Ask: got %s\n", wine_dbgstr_guid(&clsid));
    if (ret) ok(IsEqualGUID(&clsid, &CLSID_AskComponent), "Ask: got %s\n", wine_dbgstr_guid(&clsid));
    ret = get_component(OFFER_APP, &clsid);
    ok(ret, "Offer: got %s\n", wine_dbgstr_guid(&clsid));
    if (ret) ok(IsEqualGUID(&clsid, &CLSID_OfferComponent), "Offer: got %s\n", wine_dbgstr_guid(&clsid));
}

static void test_create(void)
{
    static const CLSID *const clsids[] = { &CLSID_RendezvousApplication, &CLSID_AskComponent, &CLSID_OfferComponent };
    IRendezvousApplication *app;
    IUnknown *unk;
    unsigned int i;
    HRESULT hr;

    for (i = 0; i < ARRAY_SIZE(clsids); i++)
    {
        winetest_push_context("%s", wine_dbgstr_guid(clsids[i]));
        hr = CoCreateInstance(clsids[i], NULL, CLSCTX_INPROC_SERVER, &IID_IUnknown, (void **)&unk);
        ok(hr == S_OK, "got %#lx\n", hr);
        if (hr == S_OK)
        {
            hr = IUnknown_QueryInterface(unk, &IID_IRendezvousApplication, (void **)&app);
            ok(hr == S_OK, "got %#lx\n", hr);
            if (hr == S_OK) IRendezvousApplication_Release(app);
            app = (void *)0xdeadbeef;
            hr = IUnknown_QueryInterface(unk, &IID_IRendezvousSession, (void **)&app);
            ok(hr == E_NOINTERFACE, "got %#lx\n", hr);
            ok(!app, "got %p\n", app);
            ok(!IUnknown_Release(unk), "object still referenced\n");
        }
        unk = (void *)0xdeadbeef;
        hr = CoCreateInstance(clsids[i], (IUnknown *)&plain, CLSCTX_INPROC_SERVER, &IID_IUnknown, (void **)&unk);
        ok(hr == CLASS_E_NOAGGREGATION, "aggregation: got %#lx\n", hr);
        ok(!unk, "aggregation: got %p\n", unk);
        /* CLSCTX_ALL prefers the in-process server. */
        hr = CoCreateInstance(clsids[i], NULL, CLSCTX_ALL, &IID_IRendezvousApplication, (void **)&app);
        ok(hr == S_OK, "CLSCTX_ALL: got %#lx\n", hr);
        if (hr == S_OK) ok(!IRendezvousApplication_Release(app), "object still referenced\n");
        winetest_pop_context();
    }
}

/* Every SetRendezvousSession code, and the reference counts they leave. */
static void test_set_session(void)
{
    IRendezvousApplication *app;
    struct mock m, other;
    HRESULT hr;

    if (!(app = create_app(&CLSID_AskComponent, CLSCTX_INPROC_SERVER))) return;

    hr = IRendezvousApplication_SetRendezvousSession(app, NULL);
    ok(hr == E_INVALIDARG, "NULL: got %#lx\n", hr);

    hr = IRendezvousApplication_SetRendezvousSession(app, &plain);
    ok(hr == E_INVALIDARG, "no IRendezvousSession: got %#lx\n", hr);
    ok(plain_refcount == 1, "plain object has %ld references\n", plain_refcount);

    init_mock(&m, "m", RSF_INVITER, RSS_CONNECTED, L"expert");
    m.no_container = TRUE;
    hr = IRendezvousApplication_SetRendezvousSession(app, (IUnknown *)&m.IRendezvousSession_iface);
    ok(hr == E_INVALIDARG, "no container: got %#lx\n", hr);
    ok(m.refcount == 1, "got %ld\n", m.refcount);
    ok(!m.advised, "got %ld\n", m.advised);

    init_mock(&m, "m", RSF_INVITER, RSS_CONNECTED, L"expert");
    m.no_point = TRUE;
    hr = IRendezvousApplication_SetRendezvousSession(app, (IUnknown *)&m.IRendezvousSession_iface);
    ok(hr == E_INVALIDARG, "no DRendezvousSessionEvents point: got %#lx\n", hr);
    ok(m.refcount == 1, "got %ld\n", m.refcount);
    ok(!m.advised, "got %ld\n", m.advised);

    /* Undocumented choices: flags that name no role, or both, are an invalid session. */
    init_mock(&m, "m", RSF_NONE, RSS_CONNECTED, L"expert");
    hr = IRendezvousApplication_SetRendezvousSession(app, (IUnknown *)&m.IRendezvousSession_iface);
    ok(hr == E_INVALIDARG, "RSF_NONE: got %#lx\n", hr);
    init_mock(&m, "m", RSF_INVITER | RSF_INVITEE, RSS_CONNECTED, L"expert");
    hr = IRendezvousApplication_SetRendezvousSession(app, (IUnknown *)&m.IRendezvousSession_iface);
    ok(hr == E_INVALIDARG, "both roles: got %#lx\n", hr);
    ok(m.refcount == 1, "got %ld\n", m.refcount);
    ok(!m.advised, "got %ld\n", m.advised);

    /* Undocumented: a session that fails is invalid; its E_OUTOFMEMORY is passed on. */
    init_mock(&m, "m", RSF_INVITER, RSS_CONNECTED, L"expert");
    m.flags_result = E_FAIL;
    hr = IRendezvousApplication_SetRendezvousSession(app, (IUnknown *)&m.IRendezvousSession_iface);
    ok(hr == E_INVALIDARG, "get_Flags failing: got %#lx\n", hr);
    m.flags_result = E_OUTOFMEMORY;
    hr = IRendezvousApplication_SetRendezvousSession(app, (IUnknown *)&m.IRendezvousSession_iface);
    ok(hr == E_OUTOFMEMORY, "get_Flags out of memory: got %#lx\n", hr);
    m.flags_result = S_OK;
    m.advise_result = CONNECT_E_ADVISELIMIT;
    hr = IRendezvousApplication_SetRendezvousSession(app, (IUnknown *)&m.IRendezvousSession_iface);
    ok(hr == E_INVALIDARG, "Advise failing: got %#lx\n", hr);
    m.advise_result = E_OUTOFMEMORY;
    hr = IRendezvousApplication_SetRendezvousSession(app, (IUnknown *)&m.IRendezvousSession_iface);
    ok(hr == E_OUTOFMEMORY, "Advise out of memory: got %#lx\n", hr);
    ok(m.refcount == 1, "got %ld\n", m.refcount);
    ok(!m.advised, "got %ld\n", m.advised);

    /* The failures did not use the object up.  The state stays READY: no handshake. */
    init_mock(&m, "m", RSF_INVITER, RSS_READY, L"expert");
    hr = IRendezvousApplication_SetRendezvousSession(app, (IUnknown *)&m.IRendezvousSession_iface);
    ok(hr == S_OK, "got %#lx\n", hr);
    /* Documented duties: AddRef (through the QueryInterface) and Advise. */
    ok(m.refcount > 1, "the session was not kept\n");
    ok(m.advised == 1, "got %ld\n", m.advised);
    ok(mock_sink_count(&m) == 1, "advised %ld\n", m.advised);

    /* Undocumented: one session per object, whether the first is still held or not. */
    init_mock(&other, "other", RSF_INVITEE, RSS_READY, L"novice");
    hr = IRendezvousApplication_SetRendezvousSession(app, (IUnknown *)&other.IRendezvousSession_iface);
    ok(hr == E_ALREADY_SET, "second call: got %#lx\n", hr);
    ok(other.refcount == 1, "got %ld\n", other.refcount);
    ok(!other.advised, "got %ld\n", other.advised);
    pump_for(100);
    ok(!m.sent_count, "got %u\n", m.sent_count);
    ok(!m.terminated, "got %d\n", m.terminated);

    /* The IM ends the session: Remote Assistance unadvises and releases it. */
    mock_set_state(&m, RSS_CANCELLED);
    ok(pump_until(is_released, &m, WAIT_MS), "the session was not released: refcount %ld, %u sinks\n",
       m.refcount, mock_sink_count(&m));
    ok(!m.terminated, "Terminate called on a cancelled session\n");
    hr = IRendezvousApplication_SetRendezvousSession(app, (IUnknown *)&other.IRendezvousSession_iface);
    ok(hr == E_ALREADY_SET, "after the end: got %#lx\n", hr);
    ok(!IRendezvousApplication_Release(app), "object still referenced\n");
    clear_mock(&m);
    clear_mock(&other);

    /* An IM may let go of the object at once: the session keeps it alive until the end. */
    if (!(app = create_app(&CLSID_OfferComponent, CLSCTX_INPROC_SERVER))) return;
    init_mock(&m, "m", RSF_INVITEE, RSS_INVITATION, L"expert");
    hr = IRendezvousApplication_SetRendezvousSession(app, (IUnknown *)&m.IRendezvousSession_iface);
    ok(hr == S_OK, "got %#lx\n", hr);
    IRendezvousApplication_Release(app);
    ok(pDllCanUnloadNow() == S_FALSE, "the object is gone\n");
    mock_set_state(&m, RSS_DECLINED);
    ok(pump_until(is_released, &m, WAIT_MS), "the session was not released\n");
    ok(pDllCanUnloadNow() == S_OK, "objects leaked\n");
    clear_mock(&m);
}

/* The sink: IDispatch from the typelib, both OnTermination orders. */
static void test_sink(void)
{
    static const struct { const WCHAR *name; DISPID id; } names[] =
    {
        { L"OnStateChanged", DISPID_EVENT_ON_STATE_CHANGED },
        { L"OnTermination", DISPID_EVENT_ON_TERMINATION },
        { L"OnContextData", DISPID_EVENT_ON_CONTEXT_DATA },
        { L"OnSendError", DISPID_EVENT_ON_SEND_ERROR },
    };
    IRendezvousApplication *app;
    DISPPARAMS params;
    VARIANT args[2];
    ITypeInfo *info;
    TYPEATTR *attr;
    IDispatch *sink;
    struct mock m;
    DISPID id, named = 1;
    UINT count, argerr, i, order;
    WCHAR *name;
    HRESULT hr;

    if (!(app = create_app(&CLSID_AskComponent, CLSCTX_INPROC_SERVER))) return;
    init_mock(&m, "m", RSF_INVITER, RSS_READY, L"expert");
    hr = IRendezvousApplication_SetRendezvousSession(app, (IUnknown *)&m.IRendezvousSession_iface);
    ok(hr == S_OK, "got %#lx\n", hr);
    if (!(sink = m.sinks[0]))
    {
        IRendezvousApplication_Release(app);
        return;
    }

    hr = IDispatch_GetTypeInfoCount(sink, &count);
    ok(hr == S_OK, "GetTypeInfoCount: got %#lx\n", hr);
    ok(count == 1, "GetTypeInfoCount: got %u\n", count);
    hr = IDispatch_GetTypeInfo(sink, 1, 0, &info);
    ok(hr == DISP_E_BADINDEX, "GetTypeInfo(1): %#lx\n", hr);
    hr = IDispatch_GetTypeInfo(sink, 0, 0, &info);
    ok(hr == S_OK, "GetTypeInfo: %#lx\n", hr);
    if (hr == S_OK)
    {
        hr = ITypeInfo_GetTypeAttr(info, &attr);
        ok(hr == S_OK, "GetTypeAttr: %#lx\n", hr);
        ok(IsEqualGUID(&attr->guid, &DIID_DRendezvousSessionEvents), "got %s\n", wine_dbgstr_guid(&attr->guid));
        ok(attr->typekind == TKIND_DISPATCH, "typeinfo of %s, kind %d\n", wine_dbgstr_guid(&attr->guid), attr->typekind);
        ITypeInfo_ReleaseTypeAttr(info, attr);
        ITypeInfo_Release(info);
    }
    for (i = 0; i < ARRAY_SIZE(names); i++)
    {
        name = (WCHAR *)names[i].name;
        id = -1;
        hr = IDispatch_GetIDsOfNames(sink, &IID_NULL, &name, 1, 0, &id);
        ok(hr == S_OK, "got %#lx\n", hr);
        ok(id == names[i].id, "got %ld\n", id);
    }
    name = (WCHAR *)L"OnSomethingElse";
    hr = IDispatch_GetIDsOfNames(sink, &IID_NULL, &name, 1, 0, &id);
    ok(hr == DISP_E_UNKNOWNNAME, "unknown name: %#lx\n", hr);
    name = (WCHAR *)L"OnContextData";
    hr = IDispatch_GetIDsOfNames(sink, &IID_IDispatch, &name, 1, 0, &id);
    ok(hr == DISP_E_UNKNOWNINTERFACE, "riid: %#lx\n", hr);

    /* Invoke's checks (undocumented, as ITypeInfo::Invoke would answer). */
    memset(&params, 0, sizeof(params));
    params.rgvarg = args;
    V_VT(&args[0]) = VT_I4;
    V_I4(&args[0]) = RSS_READY;
    params.cArgs = 1;
    hr = IDispatch_Invoke(sink, 99, &IID_NULL, 0, DISPATCH_METHOD, &params, NULL, NULL, NULL);
    ok(hr == DISP_E_MEMBERNOTFOUND, "DISPID 99: %#lx\n", hr);
    hr = IDispatch_Invoke(sink, DISPID_VALUE, &IID_NULL, 0, DISPATCH_METHOD, &params, NULL, NULL, NULL);
    ok(hr == DISP_E_MEMBERNOTFOUND, "DISPID_VALUE: %#lx\n", hr);
    hr = IDispatch_Invoke(sink, DISPID_EVENT_ON_STATE_CHANGED, &IID_NULL, 0, DISPATCH_PROPERTYGET, &params,
                          NULL, NULL, NULL);
    ok(hr == DISP_E_MEMBERNOTFOUND, "property get: %#lx\n", hr);
    hr = IDispatch_Invoke(sink, DISPID_EVENT_ON_STATE_CHANGED, &IID_IDispatch, 0, DISPATCH_METHOD, &params,
                          NULL, NULL, NULL);
    ok(hr == DISP_E_UNKNOWNINTERFACE, "riid: %#lx\n", hr);
    params.cArgs = 2;
    V_VT(&args[1]) = VT_I4;
    hr = IDispatch_Invoke(sink, DISPID_EVENT_ON_STATE_CHANGED, &IID_NULL, 0, DISPATCH_METHOD, &params,
                          NULL, NULL, NULL);
    ok(hr == DISP_E_BADPARAMCOUNT, "two arguments: %#lx\n", hr);
    params.cArgs = 1;
    params.cNamedArgs = 1;
    params.rgdispidNamedArgs = &named;
    hr = IDispatch_Invoke(sink, DISPID_EVENT_ON_STATE_CHANGED, &IID_NULL, 0, DISPATCH_METHOD, &params,
                          NULL, NULL, NULL);
    ok(hr == DISP_E_NONAMEDARGS, "named argument: %#lx\n", hr);
    params.cNamedArgs = 0;
    params.rgdispidNamedArgs = NULL;
    V_VT(&args[0]) = VT_BSTR;
    V_BSTR(&args[0]) = SysAllocString(L"not a state");
    argerr = 77;
    hr = IDispatch_Invoke(sink, DISPID_EVENT_ON_STATE_CHANGED, &IID_NULL, 0, DISPATCH_METHOD, &params,
                          NULL, NULL, &argerr);
    ok(hr == DISP_E_TYPEMISMATCH, "string state: got %#lx\n", hr);
    ok(!argerr, "string state: %#lx, argerr %u\n", hr, argerr);
    SysFreeString(V_BSTR(&args[0]));
    /* Whatever the argument, the state is read from the session: still READY, nothing happens. */
    V_VT(&args[0]) = VT_I4;
    V_I4(&args[0]) = RSS_CONNECTED;
    hr = IDispatch_Invoke(sink, DISPID_EVENT_ON_STATE_CHANGED, &IID_NULL, 0, DISPATCH_METHOD, &params,
                          NULL, NULL, NULL);
    ok(hr == S_OK, "OnStateChanged: %#lx\n", hr);
    pump_for(100);
    ok(!m.sent_count, "got %u\n", m.sent_count);
    ok(!m.terminated, "got %d\n", m.terminated);
    ok(mock_sink_count(&m) == 1, "the argument was trusted\n");

    /* OnTermination with two strings cannot be read in either order. */
    params.cArgs = 2;
    V_VT(&args[0]) = VT_BSTR;
    V_BSTR(&args[0]) = SysAllocString(L"data");
    V_VT(&args[1]) = VT_BSTR;
    V_BSTR(&args[1]) = SysAllocString(L"also data");
    hr = IDispatch_Invoke(sink, DISPID_EVENT_ON_TERMINATION, &IID_NULL, 0, DISPATCH_METHOD, &params,
                          NULL, NULL, &argerr);
    ok(hr == DISP_E_TYPEMISMATCH, "two strings: got %#lx\n", hr);
    ok(argerr == 1, "two strings: %#lx, argerr %u\n", hr, argerr);
    SysFreeString(V_BSTR(&args[0]));
    SysFreeString(V_BSTR(&args[1]));
    pump_for(50);
    ok(mock_sink_count(&m) == 1, "the session ended\n");
    IRendezvousApplication_Release(app);

    /* Both orders end the session: standard (BSTR in rgvarg[0]) and the sample's. */
    for (order = 0; order < 2; order++)
    {
        winetest_push_context(order ? "reversed" : "standard");
        if (order)
        {
            if (!(app = create_app(&CLSID_AskComponent, CLSCTX_INPROC_SERVER))) break;
            init_mock(&m, "m", RSF_INVITER, RSS_READY, L"expert");
            hr = IRendezvousApplication_SetRendezvousSession(app, (IUnknown *)&m.IRendezvousSession_iface);
            ok(hr == S_OK, "got %#lx\n", hr);
            IRendezvousApplication_Release(app);
        }
        m.reversed_termination = order;
        mock_end_remotely(&m, E_ABORT);
        ok(m.termination_invoke == S_OK, "OnTermination returned %#lx\n", m.termination_invoke);
        ok(pump_until(is_released, &m, WAIT_MS), "the session was not released\n");
        clear_mock(&m);
        winetest_pop_context();
    }
    ok(pDllCanUnloadNow() == S_OK, "objects leaked\n");
}

/* Two IMs, each with its Remote Assistance, from invitation to Terminate. */

struct flow
{
    /* set up by the caller */
    const CLSID *clsid;
    DWORD context;
    BOOL preset_connected;      /* the sample's way: RSS_CONNECTED before SetRendezvousSession */
    BOOL release_early;         /* the IM lets go of the objects after SetRendezvousSession */
    BOOL reversed_termination;
    const char *share_mode, *connect_mode;
    unsigned int duplicate;     /* the sharer's IM delivers its n-th message twice */
    unsigned int sharer_limit;  /* the sharer's IM takes at most this many units */
    const char *machine_connect_mode;   /* a Connect backend in HKLM too */
    const WCHAR *connect_extra;         /* more of the Connect command line, as REG_EXPAND_SZ */
    const WCHAR *inviter_user, *invitee_user;
    BOOL share_stays;           /* the share backend runs on after the ACK */
    /* results */
    struct mock inviter, invitee;
    struct mock *sharer, *helper;
    struct record share_record, connect_record;
    BOOL share_ran, connect_ran;
    WCHAR share_path[MAX_PATH], connect_path[MAX_PATH];
};

static BOOL flow_done(void *arg)
{
    struct flow *f = arg;

    return !deliveries_head && mock_final(&f->inviter) && mock_final(&f->invitee) &&
           mock_released(&f->inviter) && mock_released(&f->invitee);
}

static void run_flow(struct flow *f)
{
    IRendezvousApplication *apps[2];
    BOOL ask = !IsEqualGUID(f->clsid, &CLSID_OfferComponent);
    RENDEZVOUS_SESSION_STATE start = f->preset_connected ? RSS_CONNECTED : RSS_ACCEPTED;
    unsigned int i;
    HRESULT hr;

    init_mock(&f->inviter, "inviter", RSF_INVITER, start, f->inviter_user ? f->inviter_user : L"invitee@example.org");
    init_mock(&f->invitee, "invitee", RSF_INVITEE, start, f->invitee_user ? f->invitee_user : L"inviter@example.org");
    f->inviter.peer = &f->invitee;
    f->invitee.peer = &f->inviter;
    f->inviter.prev_state_argument = f->invitee.prev_state_argument = !f->preset_connected;
    f->inviter.reversed_termination = f->invitee.reversed_termination = f->reversed_termination;
    /* Ask: the inviter is the novice, who shares; Offer: the invitee is. */
    f->sharer = ask ? &f->inviter : &f->invitee;
    f->helper = ask ? &f->invitee : &f->inviter;
    f->sharer->duplicate = f->duplicate;
    f->sharer->max_units = f->sharer_limit;

    record_path(f->share_path, L"share");
    record_path(f->connect_path, L"connect");
    set_backend(L"Share", f->share_mode ? f->share_mode : "ok", f->share_path);
    if (f->connect_extra)
        set_backend_in(HKEY_CURRENT_USER, L"Connect", f->connect_mode ? f->connect_mode : "ok", f->connect_path,
                       REG_EXPAND_SZ, f->connect_extra);
    else
        set_backend(L"Connect", f->connect_mode ? f->connect_mode : "ok", f->connect_path);
    if (f->machine_connect_mode)
        set_backend_in(HKEY_LOCAL_MACHINE, L"Connect", f->machine_connect_mode, f->connect_path, REG_SZ, L"");
    if (f->share_mode && !strcmp(f->share_mode, "none")) set_string(BACKENDS_KEY, L"Share", L"");
    if (f->connect_mode && !strcmp(f->connect_mode, "none")) set_string(BACKENDS_KEY, L"Connect", L"");
    if (f->share_mode && !strcmp(f->share_mode, "unset")) delete_value(BACKENDS_KEY, L"Share");
    if (f->connect_mode && !strcmp(f->connect_mode, "unset")) delete_value(BACKENDS_KEY, L"Connect");

    apps[0] = create_app(f->clsid, f->context);
    apps[1] = create_app(f->clsid, f->context);
    if (!apps[0] || !apps[1])
    {
        if (apps[0]) IRendezvousApplication_Release(apps[0]);
        if (apps[1]) IRendezvousApplication_Release(apps[1]);
        return;
    }
    hr = IRendezvousApplication_SetRendezvousSession(apps[0], (IUnknown *)&f->inviter.IRendezvousSession_iface);
    ok(hr == S_OK, "inviter: SetRendezvousSession returned %#lx\n", hr);
    hr = IRendezvousApplication_SetRendezvousSession(apps[1], (IUnknown *)&f->invitee.IRendezvousSession_iface);
    ok(hr == S_OK, "invitee: SetRendezvousSession returned %#lx\n", hr);
    if (f->release_early)
    {
        for (i = 0; i < 2; i++) IRendezvousApplication_Release(apps[i]);
        apps[0] = apps[1] = NULL;
    }
    if (!f->preset_connected)
    {
        pump_for(50);
        ok(!f->inviter.sent_count, "got %u\n", f->inviter.sent_count);
        ok(!f->invitee.sent_count, "got %u\n", f->invitee.sent_count);
        mock_set_state(&f->inviter, RSS_CONNECTED);
        mock_set_state(&f->invitee, RSS_CONNECTED);
    }

    ok(pump_until(flow_done, f, WAIT_MS), "the flow did not finish: states %d/%d, refcounts %ld/%ld, "
       "sinks %u/%u\n", f->inviter.state, f->invitee.state, f->inviter.refcount, f->invitee.refcount,
       mock_sink_count(&f->inviter), mock_sink_count(&f->invitee));

    for (i = 0; i < 2; i++)
        if (apps[i]) IRendezvousApplication_Release(apps[i]);
    /* A screen still shared keeps the DLL, which holds its handles. */
    if (f->context == CLSCTX_INPROC_SERVER && f->share_stays)
        ok(pDllCanUnloadNow() == S_FALSE, "DllCanUnloadNow ignored the shared screen\n");
    else if (f->context == CLSCTX_INPROC_SERVER)
        ok(pump_until(module_idle, NULL, WAIT_MS), "objects still alive\n");
    f->share_ran = read_record(f->share_path, &f->share_record);
    f->connect_ran = read_record(f->connect_path, &f->connect_record);
    for (i = 0; i < 2; i++)
    {
        struct mock *m = i ? &f->invitee : &f->inviter;
        ok(m->advised == 1, "got %ld\n", m->advised);
        ok(m->unadvised == 1, "got %ld\n", m->unadvised);
    }
}

static void end_flow(struct flow *f)
{
    clear_mock(&f->inviter);
    clear_mock(&f->invitee);
}

static BOOL starts_with(BSTR str, const WCHAR *prefix)
{
    return str && !wcsncmp(str, prefix, wcslen(prefix));
}

/* The ticket of the last successful flow, for a replay. */
static BSTR old_ticket;

static void check_success(struct flow *f, int line)
{
    HRESULT hr;
    const char *found;
    char ticket[1100], hello[100], ack[100], expect[200];
    const char *secret, *id;

    ok_(__FILE__, line)(f->helper->sent_count == 2, "got %u\n", f->helper->sent_count);
    ok_(__FILE__, line)(f->sharer->sent_count == 1, "got %u\n", f->sharer->sent_count);
    if (f->helper->sent_count < 2 || f->sharer->sent_count < 1) return;
    ascii(f->helper->sent[0], hello, sizeof(hello));
    ascii(f->sharer->sent[0], ticket, sizeof(ticket));
    ascii(f->helper->sent[1], ack, sizeof(ack));
    /* Undocumented: the project's messages (docs/behaviour.md). */
    ok_(__FILE__, line)(!strncmp(hello, "<H V=\"1\" NC=\"", 13), "got %s\n", hello);
    ok_(__FILE__, line)(strlen(hello) == 48, "got %Iu\n", strlen(hello));
    ok_(__FILE__, line)(!strncmp(ticket, "<E><A ", 6), "ticket %s\n", ticket);
    snprintf(expect, sizeof(expect), "NC=\"%.32s\"", hello + 13);
    ok_(__FILE__, line)(strstr(ticket, expect) != NULL, "the ticket does not echo the nonce: %s\n", ticket);
    ok_(__FILE__, line)(strstr(ticket, "<L P=\"5900\" N=\"127.0.0.1\"/><L P=\"5901\" N=\"::1\"/></T></C></E>") != NULL,
                        "the ticket lacks the share backend's addresses: %s\n", ticket);
    id = strstr(ticket, " ID=\"{");
    ok_(__FILE__, line)(id != NULL, "got %s\n", id);
    if (id) ok_(__FILE__, line)(!strncmp(ack, "<K V=\"1\" ID=\"", 13), "got %s\n", ack);
    if (id) ok_(__FILE__, line)(!strncmp(ack + 13, id + 5, 38), "got %s\n", ack + 13);

    /* The sharer ends the session, as the documented flow has the novice do. */
    ok_(__FILE__, line)(f->sharer->terminated, "sharer: got %d\n", f->sharer->terminated);
    if (f->sharer->terminated) ok_(__FILE__, line)(f->sharer->terminate_hr == S_OK, "sharer: got %#lx\n", f->sharer->terminate_hr);
    ok_(__FILE__, line)(!f->helper->terminated, "the helper called Terminate too\n");
    ok_(__FILE__, line)(f->helper->got_termination, "got %d\n", f->helper->got_termination);
    if (f->helper->got_termination) ok_(__FILE__, line)(f->helper->termination_hr == S_OK, "got %#lx\n", f->helper->termination_hr);

    /* The backends got the ticket's values; the secret only on standard input. */
    ok_(__FILE__, line)(f->share_ran, "backends ran: got %d\n", f->share_ran);
    if (f->share_ran) ok_(__FILE__, line)(f->connect_ran, "backends ran: share %d, connect %d\n", f->share_ran, f->connect_ran);
    if (!f->share_ran || !f->connect_ran) return;
    /* Without a console of their own: no console host starts with them. */
    found = record_find(&f->share_record, "console ");
    ok_(__FILE__, line)(found && !strcmp(found, "0"), "share backend's console code page %s\n", found ? found : "(none)");
    found = record_find(&f->connect_record, "console ");
    ok_(__FILE__, line)(found && !strcmp(found, "0"), "connect backend's console code page %s\n", found ? found : "(none)");
    secret = strstr(ticket, "SID=\"");
    snprintf(expect, sizeof(expect), "%.64s", secret ? secret + 5 : "");
    found = record_find(&f->share_record, "in SECRET ");
    ok_(__FILE__, line)(found != NULL, "share secret\n");
    if (found) ok_(__FILE__, line)(!strcmp(found, expect), "got %s\n", found);
    found = record_find(&f->connect_record, "in SECRET ");
    ok_(__FILE__, line)(found != NULL, "connect secret\n");
    if (found) ok_(__FILE__, line)(!strcmp(found, expect), "got %s\n", found);
    hr = strlen(expect);
    ok_(__FILE__, line)(hr == 64, "got %#lx\n", hr);
    ok_(__FILE__, line)(!record_args_contain(&f->share_record, expect), "the secret was on a command line\n");
    ok_(__FILE__, line)(!record_args_contain(&f->connect_record, expect), "the secret was on a command line\n");
    snprintf(expect, sizeof(expect), "%.38s", id ? id + 5 : "");
    found = record_find(&f->share_record, "arg session=");
    ok_(__FILE__, line)(found != NULL, "share session id\n");
    if (found) ok_(__FILE__, line)(!strcmp(found, expect), "got %s\n", found);
    found = record_find(&f->connect_record, "arg session=");
    ok_(__FILE__, line)(found != NULL, "connect session id\n");
    if (found) ok_(__FILE__, line)(!strcmp(found, expect), "got %s\n", found);
    found = record_find(&f->connect_record, "in SESSION ");
    ok_(__FILE__, line)(found != NULL, "connect stdin id\n");
    if (found) ok_(__FILE__, line)(!strcmp(found, expect), "got %s\n", found);
    found = record_find(&f->connect_record, "arg address=127.0.0.1");
    ok_(__FILE__, line)(found != NULL, "connect address\n");
    if (found) ok_(__FILE__, line)(record_find(&f->connect_record, "arg port=5900") != NULL, "connect address\n");
    found = record_find(&f->connect_record, "in ADDRESS 127.0.0.1 PORT 5900");
    ok_(__FILE__, line)(found != NULL, "connect input\n");
    if (found) ok_(__FILE__, line)(record_find(&f->connect_record, "in ADDRESS ::1 PORT 5901") != NULL, "connect input\n");
    if (found) ok_(__FILE__, line)(record_find(&f->connect_record, "in END") != NULL, "connect input\n");

    SysFreeString(old_ticket);
    old_ticket = SysAllocString(f->sharer->sent[0]);
}

static void test_flows(DWORD context)
{
    struct flow f;

    /* Ask, with the component an IM reads from the registry, connecting after SetRendezvousSession. */
    memset(&f, 0, sizeof(f));
    winetest_push_context("Ask");
    f.clsid = &CLSID_AskComponent;
    f.context = context;
    run_flow(&f);
    check_success(&f, __LINE__);
    /* The sharer's backend is told who helps; the helper's who is helped. */
    ok(f.share_ran && record_find(&f.share_record, "arg user=") &&
       !strcmp(record_find(&f.share_record, "arg user="), "invitee@example.org"), "share user\n");
    ok(f.connect_ran && record_find(&f.connect_record, "arg user=") &&
       !strcmp(record_find(&f.connect_record, "arg user="), "inviter@example.org"), "connect user\n");
    end_flow(&f);
    winetest_pop_context();

    /* Offer: the invitee shares; the state is preset as in the sample; reversed OnTermination. */
    memset(&f, 0, sizeof(f));
    winetest_push_context("Offer");
    f.clsid = &CLSID_OfferComponent;
    f.context = context;
    f.preset_connected = TRUE;
    f.reversed_termination = TRUE;
    run_flow(&f);
    check_success(&f, __LINE__);
    ok(f.sharer == &f.invitee, "wrong sharer\n");
    ok(f.sharer->termination_invoke == S_OK, "got %#lx\n", f.sharer->termination_invoke);
    ok(f.helper->termination_invoke == S_OK, "got %#lx\n", f.helper->termination_invoke);
    end_flow(&f);
    winetest_pop_context();

    /* CLSID_RendezvousApplication is Ask; the IM lets go of the objects early. */
    memset(&f, 0, sizeof(f));
    winetest_push_context("RendezvousApplication");
    f.clsid = &CLSID_RendezvousApplication;
    f.context = context;
    f.release_early = TRUE;
    run_flow(&f);
    check_success(&f, __LINE__);
    ok(f.sharer == &f.inviter, "wrong sharer\n");
    /* A backend without a fingerprint: a ticket without FP, a Connect backend without one. */
    ok(f.sharer->sent_count && starts_with(f.sharer->sent[0], L"<E><A ID=\""), "ticket with FP\n");
    ok(f.connect_ran && !record_find(&f.connect_record, "in FINGERPRINT"), "connect input has a fingerprint\n");
    end_flow(&f);
    winetest_pop_context();

    /* The share backend's fingerprint reaches the helper's backend through the ticket. */
    memset(&f, 0, sizeof(f));
    winetest_push_context("fingerprint");
    f.clsid = &CLSID_AskComponent;
    f.context = context;
    f.share_mode = "fingerprint";
    run_flow(&f);
    check_success(&f, __LINE__);
    ok(f.sharer->sent_count && starts_with(f.sharer->sent[0], L"<E><A FP=\"" TEST_FP L"\" ID=\"{"),
       "ticket %s\n", f.sharer->sent_count ? wine_dbgstr_w(f.sharer->sent[0]) : "none");
    ok(f.connect_ran && record_find(&f.connect_record, "in FINGERPRINT ") &&
       !strcmp(record_find(&f.connect_record, "in FINGERPRINT "), TEST_FINGERPRINT), "connect fingerprint\n");
    ok(f.share_ran && !record_find(&f.share_record, "in FINGERPRINT"), "the share backend was given one\n");
    end_flow(&f);
    winetest_pop_context();

    /* An IM that takes 300 units (Messenger's limit) gets the addresses that fit, in order. */
    memset(&f, 0, sizeof(f));
    winetest_push_context("Messenger's limit");
    f.clsid = &CLSID_AskComponent;
    f.context = context;
    f.share_mode = "long";
    f.sharer_limit = 300;
    run_flow(&f);
    ok(f.sharer->terminated && f.sharer->terminate_hr == S_OK, "sharer: %d, %#lx\n", f.sharer->terminated,
       f.sharer->terminate_hr);
    ok(f.sharer->refused == 2 && f.sharer->sent_count == 1, "refused %u, sent %u\n", f.sharer->refused,
       f.sharer->sent_count);
    ok(f.sharer->sent_count && SysStringLen(f.sharer->sent[0]) == 300 &&
       starts_with(f.sharer->sent[0], L"<E><A FP=\"" TEST_FP L"\" ID=\"{") &&
       wcsstr(f.sharer->sent[0], L"\"><L P=\"65151\" N=\"198.51.100.201\"/><L P=\"65151\" N=\"198.51.100.202\"/>"
              L"</T></C></E>"), "ticket %s\n", f.sharer->sent_count ? wine_dbgstr_w(f.sharer->sent[0]) : "none");
    ok(f.connect_ran && record_find(&f.connect_record, "in ADDRESS 198.51.100.202 PORT 65151") &&
       !record_find(&f.connect_record, "in ADDRESS 198.51.100.203") &&
       record_find(&f.connect_record, "in FINGERPRINT ") &&
       !strcmp(record_find(&f.connect_record, "in FINGERPRINT "), TEST_FINGERPRINT), "connect input\n");
    end_flow(&f);
    winetest_pop_context();

    /* Not even one address fits: the IM's own code ends the session. */
    memset(&f, 0, sizeof(f));
    winetest_push_context("nothing fits");
    f.clsid = &CLSID_AskComponent;
    f.context = context;
    f.share_mode = "long";
    f.sharer_limit = 250;
    run_flow(&f);
    ok(f.sharer->terminated && f.sharer->terminate_hr == SR_CONTEXT_DATA_OVER_LIMIT, "sharer: %d, %#lx\n",
       f.sharer->terminated, f.sharer->terminate_hr);
    ok(f.sharer->refused == 4 && !f.sharer->sent_count, "refused %u, sent %u\n", f.sharer->refused,
       f.sharer->sent_count);
    ok(!f.connect_ran, "the connect backend ran\n");
    end_flow(&f);
    winetest_pop_context();
}

/* The novice's IM program, in a child process: an Ask flow whose share
 * backend runs on after the ACK; writes the backend's id to RESULT, then waits
 * for the parent's event before it exits (MODE "exit") or until it is killed
 * (MODE "kill"). */
static void im_program_child(const char *mode, const char *result, const char *go_name)
{
    HANDLE go = OpenEventA(SYNCHRONIZE, FALSE, go_name), backend;
    const char *pid;
    struct flow f;
    FILE *file;

    ok(go != NULL, "no event %s: %lu\n", go_name, GetLastError());
    memset(&f, 0, sizeof(f));
    f.clsid = &CLSID_AskComponent;
    f.context = CLSCTX_INPROC_SERVER;
    f.share_mode = "stay";
    f.share_stays = TRUE;
    run_flow(&f);
    check_success(&f, __LINE__);
    pid = record_find(&f.share_record, "pid ");
    ok(pid != NULL, "the share backend wrote no id\n");
    if (!pid || !go) return;
    /* After the ACK the screen is the helper's: the backend runs on. */
    backend = OpenProcess(SYNCHRONIZE, FALSE, atoi(pid));
    ok(backend != NULL, "the share backend is gone: %lu\n", GetLastError());
    if (backend) ok(WaitForSingleObject(backend, 300) == WAIT_TIMEOUT, "the share backend ended after the ACK\n");
    if (backend) CloseHandle(backend);
    if (!(file = fopen(result, "w"))) return;
    fprintf(file, "%s\n", pid);
    fclose(file);
    ok(!WaitForSingleObject(go, WAIT_MS), "the parent did not answer\n");
    if (!strcmp(mode, "kill")) Sleep(WAIT_MS);
    end_flow(&f);
    CloseHandle(go);
}

/* Undocumented: a screen shared after the ACK stops when the IM program's
 * process ends, whether it exits or is killed (docs/behaviour.md). */
static void test_im_program_ends(void)
{
    static const char *const modes[] = { "exit", "kill" };
    char exe[MAX_PATH], result[MAX_PATH], cmdline[3 * MAX_PATH], go_name[64], line[32] = "";
    STARTUPINFOA si = { sizeof(si) };
    PROCESS_INFORMATION pi;
    HANDLE go, backend;
    unsigned int i, tries;
    DWORD ended, code;
    FILE *file;

    WideCharToMultiByte(CP_ACP, 0, test_exe, -1, exe, sizeof(exe), NULL, NULL);
    for (i = 0; i < ARRAY_SIZE(modes); i++)
    {
        winetest_push_context("%s", modes[i]);
        snprintf(go_name, sizeof(go_name), "rendezvous-test-im-go-%lu-%u", GetCurrentProcessId(), i);
        go = CreateEventA(NULL, TRUE, FALSE, go_name);
        ok(go != NULL, "CreateEvent: %lu\n", GetLastError());
        WideCharToMultiByte(CP_ACP, 0, temp_dir, -1, result, sizeof(result), NULL, NULL);
        snprintf(result + strlen(result), sizeof(result) - strlen(result), "rvtest-im-%lu.txt", GetCurrentProcessId());
        DeleteFileA(result);
        snprintf(cmdline, sizeof(cmdline), "\"%s\" application improgram %s \"%s\" %s", exe, modes[i], result,
                 go_name);
        if (!go || !create_process_a(cmdline, FALSE, &si, &pi))
        {
            ok(0, "cannot start the IM program: %lu\n", GetLastError());
            if (go) CloseHandle(go);
            winetest_pop_context();
            continue;
        }
        for (tries = 0; tries < WAIT_MS / 50 && !line[0]; tries++)
        {
            if ((file = fopen(result, "r")))
            {
                if (!fgets(line, sizeof(line), file)) line[0] = 0;
                fclose(file);
            }
            if (!line[0] && WaitForSingleObject(pi.hProcess, 50) != WAIT_TIMEOUT) break;
        }
        ok(line[0] != 0, "the IM program did not share its screen\n");
        backend = line[0] ? OpenProcess(SYNCHRONIZE | PROCESS_QUERY_LIMITED_INFORMATION, FALSE, atoi(line)) : NULL;
        ok(backend != NULL, "the share backend %s is not running\n", line);
        SetEvent(go);
        if (!strcmp(modes[i], "kill")) TerminateProcess(pi.hProcess, 1);
        else wait_child_process(pi.hProcess);
        ok(!WaitForSingleObject(pi.hProcess, WAIT_MS), "the IM program did not end\n");
        ended = GetTickCount();
        if (backend)
        {
            code = WaitForSingleObject(backend, 1000);
            ok(code == WAIT_OBJECT_0, "the screen was still shared a second after the IM program ended: %#lx\n", code);
            if (code == WAIT_OBJECT_0) trace("the share backend ended %lu ms after the IM program\n", GetTickCount() - ended);
            CloseHandle(backend);
        }
        CloseHandle(pi.hProcess);
        CloseHandle(pi.hThread);
        CloseHandle(go);
        DeleteFileA(result);
        line[0] = 0;
        winetest_pop_context();
    }
}

/* Undocumented: what ends a session, and with which code. */
static void test_failures(DWORD context)
{
    struct flow f;

    /* The helper's IM delivers the ticket twice: the second is refused. */
    memset(&f, 0, sizeof(f));
    winetest_push_context("ticket twice");
    f.clsid = &CLSID_AskComponent;
    f.context = context;
    f.duplicate = 1;
    f.share_mode = "stay";
    run_flow(&f);
    ok(f.helper->terminated, "helper: got %d\n", f.helper->terminated);
    if (f.helper->terminated) ok(f.helper->terminate_hr == E_BAD_MESSAGE, "helper: got %#lx\n", f.helper->terminate_hr);
    ok(f.sharer->got_termination, "got %d\n", f.sharer->got_termination);
    if (f.sharer->got_termination) ok(f.sharer->termination_hr == E_BAD_MESSAGE, "got %#lx\n", f.sharer->termination_hr);
    ok(!f.sharer->terminated, "the sharer terminated\n");
    /* No ack came: the sharer stops its backend. */
    ok(f.share_ran, "the share backend did not run\n");
    if (f.share_ran) check_stopped(&f.share_record, f.share_path, __LINE__);
    end_flow(&f);
    winetest_pop_context();

    /* A connect backend that fails: its exit code ends the session. */
    memset(&f, 0, sizeof(f));
    winetest_push_context("connect fails");
    f.clsid = &CLSID_OfferComponent;
    f.context = context;
    f.connect_mode = "fail";
    f.share_mode = "stay";
    run_flow(&f);
    ok(f.helper->terminated, "helper: got %d\n", f.helper->terminated);
    if (f.helper->terminated) ok(f.helper->terminate_hr == E_ACCESSDENIED, "helper: got %#lx\n", f.helper->terminate_hr);
    ok(f.sharer->got_termination, "got %d\n", f.sharer->got_termination);
    if (f.sharer->got_termination) ok(f.sharer->termination_hr == E_ACCESSDENIED, "got %#lx\n", f.sharer->termination_hr);
    ok(f.helper->sent_count == 1, "the helper sent %u messages\n", f.helper->sent_count);
    ok(f.share_ran, "backends ran: got %d\n", f.share_ran);
    if (f.share_ran) ok(f.connect_ran, "backends ran: %d %d\n", f.share_ran, f.connect_ran);
    if (f.share_ran) check_stopped(&f.share_record, f.share_path, __LINE__);
    end_flow(&f);
    winetest_pop_context();

    /* A share backend that fails. */
    memset(&f, 0, sizeof(f));
    winetest_push_context("share fails");
    f.clsid = &CLSID_AskComponent;
    f.context = context;
    f.share_mode = "fail";
    run_flow(&f);
    ok(f.sharer->terminated, "sharer: got %d\n", f.sharer->terminated);
    if (f.sharer->terminated) ok(f.sharer->terminate_hr == E_ACCESSDENIED, "sharer: got %#lx\n", f.sharer->terminate_hr);
    ok(f.helper->got_termination, "got %d\n", f.helper->got_termination);
    if (f.helper->got_termination) ok(f.helper->termination_hr == E_ACCESSDENIED, "got %#lx\n", f.helper->termination_hr);
    ok(!f.connect_ran, "the connect backend ran\n");
    end_flow(&f);
    winetest_pop_context();

    /* A share backend whose output makes no sense, and one that gives no address. */
    memset(&f, 0, sizeof(f));
    winetest_push_context("share garbage");
    f.clsid = &CLSID_AskComponent;
    f.context = context;
    f.share_mode = "garbage";
    run_flow(&f);
    ok(f.sharer->terminated, "sharer: got %d\n", f.sharer->terminated);
    if (f.sharer->terminated) ok(f.sharer->terminate_hr == E_BACKEND_OUTPUT, "sharer: got %#lx\n", f.sharer->terminate_hr);
    end_flow(&f);
    winetest_pop_context();

    memset(&f, 0, sizeof(f));
    winetest_push_context("share no address");
    f.clsid = &CLSID_AskComponent;
    f.context = context;
    f.share_mode = "noaddress";
    run_flow(&f);
    ok(f.sharer->terminated, "sharer: got %d\n", f.sharer->terminated);
    if (f.sharer->terminated) ok(f.sharer->terminate_hr == E_BACKEND_OUTPUT, "sharer: got %#lx\n", f.sharer->terminate_hr);
    end_flow(&f);
    winetest_pop_context();

    /* A fingerprint of 63 digits, or two of them. */
    memset(&f, 0, sizeof(f));
    winetest_push_context("share bad fingerprint");
    f.clsid = &CLSID_AskComponent;
    f.context = context;
    f.share_mode = "badfp";
    run_flow(&f);
    ok(f.sharer->terminated && f.sharer->terminate_hr == E_BACKEND_OUTPUT, "sharer: %d, %#lx\n",
       f.sharer->terminated, f.sharer->terminate_hr);
    ok(!f.sharer->sent_count, "the sharer sent a ticket\n");
    end_flow(&f);
    winetest_pop_context();

    memset(&f, 0, sizeof(f));
    winetest_push_context("share two fingerprints");
    f.clsid = &CLSID_AskComponent;
    f.context = context;
    f.share_mode = "twofp";
    run_flow(&f);
    ok(f.sharer->terminated && f.sharer->terminate_hr == E_BACKEND_OUTPUT, "sharer: %d, %#lx\n",
       f.sharer->terminated, f.sharer->terminate_hr);
    ok(!f.sharer->sent_count, "the sharer sent a ticket\n");
    end_flow(&f);
    winetest_pop_context();

    /* A connect backend may be a launcher that exits with 0 instead of printing READY. */
    memset(&f, 0, sizeof(f));
    winetest_push_context("connect launcher");
    f.clsid = &CLSID_AskComponent;
    f.context = context;
    f.connect_mode = "exit0";
    run_flow(&f);
    ok(f.sharer->terminated, "sharer: got %d\n", f.sharer->terminated);
    if (f.sharer->terminated) ok(f.sharer->terminate_hr == S_OK, "sharer: got %#lx\n", f.sharer->terminate_hr);
    end_flow(&f);
    winetest_pop_context();

    /* A backend that never starts is stopped after StartTimeout. */
    memset(&f, 0, sizeof(f));
    winetest_push_context("connect hangs");
    set_dword(BACKENDS_KEY, L"StartTimeout", 1500);
    f.clsid = &CLSID_AskComponent;
    f.context = context;
    f.connect_mode = "hang";
    run_flow(&f);
    ok(f.helper->terminated, "helper: got %d\n", f.helper->terminated);
    if (f.helper->terminated) ok(f.helper->terminate_hr == E_RA_TIMEOUT, "helper: got %#lx\n", f.helper->terminate_hr);
    if (f.connect_ran) check_stopped(&f.connect_record, f.connect_path, __LINE__);
    delete_value(BACKENDS_KEY, L"StartTimeout");
    end_flow(&f);
    winetest_pop_context();

    /* RemoteUser reaches a command line only as [A-Za-z0-9@._+-]. */
    memset(&f, 0, sizeof(f));
    winetest_push_context("hostile user name");
    f.clsid = &CLSID_AskComponent;
    f.context = context;
    f.inviter_user = L"evil\" & calc.exe & \"x\x00e9";
    run_flow(&f);
    check_success(&f, __LINE__);
    ok(f.share_ran && record_find(&f.share_record, "arg user=") &&
       !strcmp(record_find(&f.share_record, "arg user="), "evil____calc.exe____x_"), "user %s\n",
       f.share_ran ? record_find(&f.share_record, "arg user=") : "");
    end_flow(&f);
    winetest_pop_context();
}

/* Undocumented: with no backend, Remote Assistance declines at once. */
static void test_no_backend(DWORD context)
{
    struct flow f;
    HKEY key;

    /* An empty value means no backend, even over one configured in HKLM. */
    memset(&f, 0, sizeof(f));
    winetest_push_context("no connect backend");
    f.clsid = &CLSID_AskComponent;
    f.context = context;
    f.connect_mode = "none";
    run_flow(&f);
    ok(f.helper->terminated, "helper: got %d\n", f.helper->terminated);
    if (f.helper->terminated) ok(f.helper->terminate_hr == E_NO_BACKEND, "helper: got %#lx\n", f.helper->terminate_hr);
    ok(f.sharer->got_termination, "got %d\n", f.sharer->got_termination);
    if (f.sharer->got_termination) ok(f.sharer->termination_hr == E_NO_BACKEND, "got %#lx\n", f.sharer->termination_hr);
    ok(!f.share_ran, "got %d\n", f.share_ran);
    ok(!f.helper->sent_count, "got %u\n", f.helper->sent_count);
    end_flow(&f);
    winetest_pop_context();

    memset(&f, 0, sizeof(f));
    winetest_push_context("no share backend");
    f.clsid = &CLSID_OfferComponent;
    f.context = context;
    f.share_mode = "none";
    run_flow(&f);
    ok(f.sharer->terminated, "sharer: got %d\n", f.sharer->terminated);
    if (f.sharer->terminated) ok(f.sharer->terminate_hr == E_NO_BACKEND, "sharer: got %#lx\n", f.sharer->terminate_hr);
    ok(!f.sharer->sent_count, "got %u\n", f.sharer->sent_count);
    ok(!f.connect_ran, "the handshake went on\n");
    end_flow(&f);
    winetest_pop_context();

    /* Nothing configured anywhere: a fresh prefix (FreeRDP = 0, from reset_settings:
     * no built-in backend either). */
    if (!RegOpenKeyExW(HKEY_LOCAL_MACHINE, BACKENDS_KEY, 0, KEY_READ, &key))
    {
        RegCloseKey(key);
        skip("backends are configured in HKLM\n");
        return;
    }
    memset(&f, 0, sizeof(f));
    winetest_push_context("nothing configured");
    f.clsid = &CLSID_AskComponent;
    f.context = context;
    f.share_mode = f.connect_mode = "unset";
    run_flow(&f);
    ok((f.sharer->terminated && f.sharer->terminate_hr == E_NO_BACKEND) ||
       (f.helper->terminated && f.helper->terminate_hr == E_NO_BACKEND), "terminated with %#lx, %#lx\n",
       f.sharer->terminate_hr, f.helper->terminate_hr);
    ok(!f.share_ran, "got %d\n", f.share_ran);
    ok(!f.connect_ran, "a backend ran\n");
    end_flow(&f);
    winetest_pop_context();
}

/* Undocumented: the sharer's user is asked before a Share backend starts;
 * ShareConsent answers for tests (1 yes, 2 no). */
static void test_consent(DWORD context)
{
    struct flow f;

    memset(&f, 0, sizeof(f));
    winetest_push_context("declined");
    set_dword(SETTINGS_KEY, L"ShareConsent", 2);
    f.clsid = &CLSID_AskComponent;
    f.context = context;
    run_flow(&f);
    ok(f.sharer->terminated, "sharer: got %d\n", f.sharer->terminated);
    if (f.sharer->terminated) ok(f.sharer->terminate_hr == HRESULT_FROM_WIN32(ERROR_CANCELLED), "sharer: got %#lx\n", f.sharer->terminate_hr);
    ok(!f.helper->terminated, "the helper called Terminate\n");
    ok(f.helper->got_termination, "got %d\n", f.helper->got_termination);
    if (f.helper->got_termination) ok(f.helper->termination_hr == HRESULT_FROM_WIN32(ERROR_CANCELLED), "got %#lx\n", f.helper->termination_hr);
    ok(!f.share_ran, "a backend ran: got %d\n", f.share_ran);
    ok(!f.connect_ran, "a backend ran: share %d, connect %d\n", f.share_ran, f.connect_ran);
    ok(f.helper->sent_count == 1, "got %u\n", f.helper->sent_count);
    ok(!f.sharer->sent_count, "got %u\n", f.sharer->sent_count);
    end_flow(&f);
    winetest_pop_context();

    memset(&f, 0, sizeof(f));
    winetest_push_context("declined, Offer");
    f.clsid = &CLSID_OfferComponent;
    f.context = context;
    run_flow(&f);
    ok(f.sharer->terminated, "sharer: got %d\n", f.sharer->terminated);
    if (f.sharer->terminated) ok(f.sharer->terminate_hr == HRESULT_FROM_WIN32(ERROR_CANCELLED), "sharer: got %#lx\n", f.sharer->terminate_hr);
    ok(!f.share_ran, "a backend ran: got %d\n", f.share_ran);
    ok(!f.connect_ran, "a backend ran: share %d, connect %d\n", f.share_ran, f.connect_ran);
    end_flow(&f);
    winetest_pop_context();

    memset(&f, 0, sizeof(f));
    winetest_push_context("accepted");
    set_dword(SETTINGS_KEY, L"ShareConsent", 1);
    f.clsid = &CLSID_AskComponent;
    f.context = context;
    run_flow(&f);
    check_success(&f, __LINE__);
    end_flow(&f);
    winetest_pop_context();
}

/* Undocumented: where backends come from, and how their command line is made. */
static void test_backend_settings(void)
{
    WCHAR root[MAX_PATH], saved_user[256];
    char expect[MAX_PATH + 8];
    DWORD saved_len;
    struct flow f;
    HKEY key;

    /* REG_EXPAND_SZ: environment variables, but only after our placeholders, so
     * that the environment cannot stand in for %USER%. */
    memset(&f, 0, sizeof(f));
    winetest_push_context("REG_EXPAND_SZ");
    saved_len = GetEnvironmentVariableW(L"USER", saved_user, ARRAY_SIZE(saved_user));
    SetEnvironmentVariableW(L"USER", L"local-user");
    f.clsid = &CLSID_AskComponent;
    f.context = CLSCTX_INPROC_SERVER;
    f.connect_extra = L" root=%SystemRoot%";
    run_flow(&f);
    check_success(&f, __LINE__);
    GetEnvironmentVariableW(L"SystemRoot", root, ARRAY_SIZE(root));
    snprintf(expect, sizeof(expect), "%ls", root);
    ok(f.connect_ran && record_find(&f.connect_record, "arg root=") &&
       !strcmp(record_find(&f.connect_record, "arg root="), expect), "root %s\n",
       f.connect_ran ? record_find(&f.connect_record, "arg root=") : "");
    ok(f.connect_ran && record_find(&f.connect_record, "arg user=") &&
       !strcmp(record_find(&f.connect_record, "arg user="), "inviter@example.org"), "user %s\n",
       f.connect_ran ? record_find(&f.connect_record, "arg user=") : "");
    end_flow(&f);
    SetEnvironmentVariableW(L"USER", saved_len && saved_len < ARRAY_SIZE(saved_user) ? saved_user : NULL);
    winetest_pop_context();

    /* A value in HKCU overrides the same value in HKLM; without one, HKLM's is used. */
    if (!RegOpenKeyExW(HKEY_LOCAL_MACHINE, BACKENDS_KEY, 0, KEY_READ, &key))
    {
        RegCloseKey(key);
        skip("backends are configured in HKLM\n");
        return;
    }
    memset(&f, 0, sizeof(f));
    winetest_push_context("HKLM only");
    f.clsid = &CLSID_AskComponent;
    f.context = CLSCTX_INPROC_SERVER;
    f.machine_connect_mode = "fail";
    f.connect_mode = "unset";
    run_flow(&f);
    ok(f.helper->terminated, "helper: got %d\n", f.helper->terminated);
    if (f.helper->terminated) ok(f.helper->terminate_hr == E_ACCESSDENIED, "helper: got %#lx\n", f.helper->terminate_hr);
    end_flow(&f);
    winetest_pop_context();

    memset(&f, 0, sizeof(f));
    winetest_push_context("HKCU over HKLM");
    f.clsid = &CLSID_AskComponent;
    f.context = CLSCTX_INPROC_SERVER;
    f.machine_connect_mode = "fail";
    run_flow(&f);
    check_success(&f, __LINE__);
    end_flow(&f);
    winetest_pop_context();

    memset(&f, 0, sizeof(f));
    winetest_push_context("empty HKCU value over HKLM");
    f.clsid = &CLSID_AskComponent;
    f.context = CLSCTX_INPROC_SERVER;
    f.machine_connect_mode = "fail";
    f.connect_mode = "none";
    run_flow(&f);
    ok(f.helper->terminated, "helper: got %d\n", f.helper->terminated);
    if (f.helper->terminated) ok(f.helper->terminate_hr == E_NO_BACKEND, "helper: got %#lx\n", f.helper->terminate_hr);
    end_flow(&f);
    winetest_pop_context();

    RegDeleteKeyValueW(HKEY_LOCAL_MACHINE, BACKENDS_KEY, L"Connect");
    RegDeleteKeyW(HKEY_LOCAL_MACHINE, BACKENDS_KEY);
    RegDeleteKeyW(HKEY_LOCAL_MACHINE, SETTINGS_KEY);
}

/* One Remote Assistance with its IM; the test plays the remote side. */
struct solo
{
    IRendezvousApplication *app;
    struct mock m;
    WCHAR share_path[MAX_PATH];
    WCHAR connect_path[MAX_PATH];
    DWORD context;
};

static BOOL has_sent(void *arg)
{
    struct mock *m = arg;
    return m->sent_count > 0 || mock_final(m);
}

static BOOL is_final(void *arg)
{
    return mock_final(arg);
}

/* share_template: the Share backend's command instead of the recording one.
 * It is in the registry before SetRendezvousSession: the handshake reads it
 * when it starts, which may be at once. */
static BOOL start_solo_with(struct solo *s, DWORD context, BOOL sharer, RENDEZVOUS_SESSION_STATE state,
                            const WCHAR *share_template)
{
    HRESULT hr;

    memset(s, 0, sizeof(*s));
    s->context = context;
    /* Ask: the inviter shares. */
    init_mock(&s->m, sharer ? "sharer" : "helper", sharer ? RSF_INVITER : RSF_INVITEE, state, L"peer@example.org");
    record_path(s->share_path, L"share");
    record_path(s->connect_path, L"connect");
    set_backend(L"Share", "stay", s->share_path);
    set_backend(L"Connect", "ok", s->connect_path);
    if (share_template) set_string(BACKENDS_KEY, L"Share", share_template);
    if (!(s->app = create_app(&CLSID_AskComponent, context))) return FALSE;
    hr = IRendezvousApplication_SetRendezvousSession(s->app, (IUnknown *)&s->m.IRendezvousSession_iface);
    ok(hr == S_OK, "SetRendezvousSession returned %#lx\n", hr);
    if (hr == S_OK) return TRUE;
    release_app(s->app, context, __LINE__);
    s->app = NULL;
    return FALSE;
}

static BOOL start_solo(struct solo *s, DWORD context, BOOL sharer, RENDEZVOUS_SESSION_STATE state)
{
    return start_solo_with(s, context, sharer, state, NULL);
}

/* The session ends with Terminate(expected) from Remote Assistance, which lets go of it. */
static void end_solo(struct solo *s, HRESULT expected, int line)
{
    ok_(__FILE__, line)(pump_until(is_released, &s->m, WAIT_MS), "the session was not released\n");
    ok_(__FILE__, line)(s->m.terminated, "got %d\n", s->m.terminated);
    if (s->m.terminated) ok_(__FILE__, line)(s->m.terminate_hr == expected, "got %#lx\n", s->m.terminate_hr);
    ok_(__FILE__, line)(s->m.terminate_calls == 1, "Terminate called %ld times\n", s->m.terminate_calls);
    if (s->app) release_app(s->app, s->context, line);
    s->app = NULL;
    clear_mock(&s->m);
}

static BOOL start_helper(struct solo *s, DWORD context)
{
    BOOL ret;
    if (!start_solo(s, context, FALSE, RSS_CONNECTED)) return FALSE;
    ret = pump_until(has_sent, &s->m, WAIT_MS);
    ok(ret, "no hello\n");
    if (ret) ok(s->m.sent_count == 1, "got %u\n", s->m.sent_count);
    if (ret) ok(starts_with(s->m.sent[0], L"<H V=\"1\" NC=\""), "no hello\n");
    if (s->m.sent_count == 1) return TRUE;
    pump_until(is_released, &s->m, WAIT_MS);
    if (s->app) release_app(s->app, context, __LINE__);
    s->app = NULL;
    clear_mock(&s->m);
    return FALSE;
}

static void send_text(struct mock *m, const WCHAR *text)
{
    HRESULT hr = mock_receive(m, text, lstrlenW(text));
    ok(hr == S_OK, "OnContextData returned %#lx\n", hr);
}

/* Malformed, oversized, replayed or misplaced messages are refused with Terminate. */
static void test_garbage_peer(DWORD context)
{
    BOOL ret;
    static const WCHAR hello[] = L"<H V=\"1\" NC=\"00112233445566778899aabbccddeeff\"/>";
    WCHAR big[1100], text[1100];
    struct record rec;
    struct solo s;
    unsigned int i;
    VARIANT arg;

    winetest_push_context("garbage");
    if (start_helper(&s, context))
    {
        send_text(&s.m, L"hello world");
        end_solo(&s, E_BAD_MESSAGE, __LINE__);
    }
    winetest_pop_context();

    winetest_push_context("replayed ticket");
    ok(old_ticket != NULL, "no ticket from an earlier session\n");
    if (old_ticket && start_helper(&s, context))
    {
        send_text(&s.m, old_ticket);
        end_solo(&s, E_BAD_MESSAGE, __LINE__);
    }
    winetest_pop_context();

    winetest_push_context("oversized");
    if (start_helper(&s, context))
    {
        for (i = 0; i < ARRAY_SIZE(big) - 1; i++) big[i] = 'A';
        big[ARRAY_SIZE(big) - 1] = 0;
        if (old_ticket) memcpy(big, old_ticket, SysStringLen(old_ticket) * sizeof(WCHAR));
        send_text(&s.m, big);
        end_solo(&s, E_BAD_MESSAGE, __LINE__);
    }
    winetest_pop_context();

    winetest_push_context("not ASCII");
    if (start_helper(&s, context))
    {
        send_text(&s.m, L"<E>\x00e9</E>");
        end_solo(&s, E_BAD_MESSAGE, __LINE__);
    }
    winetest_pop_context();

    winetest_push_context("hello to the helper");
    if (start_helper(&s, context))
    {
        send_text(&s.m, s.m.sent[0]);
        end_solo(&s, E_BAD_MESSAGE, __LINE__);
    }
    winetest_pop_context();

    winetest_push_context("ticket with a short fingerprint");
    if (old_ticket && start_helper(&s, context))
    {
        /* Our own nonce, but an FP of 42 characters. */
        WCHAR *nc;

        swprintf(text, ARRAY_SIZE(text), L"<E><A FP=\"%.42ls\" %ls", TEST_FP, old_ticket + 6);
        if ((nc = wcsstr(text, L"NC=\""))) memcpy(nc + 4, s.m.sent[0] + 13, 32 * sizeof(WCHAR));
        send_text(&s.m, text);
        end_solo(&s, E_BAD_MESSAGE, __LINE__);
        ok(!record_exists(s.connect_path), "the connect backend ran\n");
    }
    winetest_pop_context();

    winetest_push_context("send error");
    if (start_helper(&s, context))
    {
        V_VT(&arg) = VT_I4;
        V_I4(&arg) = E_FAIL;
        mock_fire(&s.m, DISPID_EVENT_ON_SEND_ERROR, &arg, 1);
        ok(s.m.last_invoke == S_OK, "OnSendError returned %#lx\n", s.m.last_invoke);
        end_solo(&s, E_FAIL, __LINE__);
    }
    winetest_pop_context();

    winetest_push_context("handshake timeout");
    set_dword(SETTINGS_KEY, L"HandshakeTimeout", 500);
    if (start_helper(&s, context))
    {
        DWORD start = GetTickCount();

        ok(pump_until(is_final, &s.m, WAIT_MS), "no timeout\n");
        ok(GetTickCount() - start < 10000, "the timeout took %lu ms\n", GetTickCount() - start);
        end_solo(&s, E_RA_TIMEOUT, __LINE__);
    }
    delete_value(SETTINGS_KEY, L"HandshakeTimeout");
    winetest_pop_context();

    winetest_push_context("data before RSS_CONNECTED");
    if (start_solo(&s, context, FALSE, RSS_ACCEPTED))
    {
        pump_for(50);
        send_text(&s.m, hello);
        end_solo(&s, E_BAD_MESSAGE, __LINE__);
        ok(!s.m.sent_count, "sent %u messages\n", s.m.sent_count);
    }
    winetest_pop_context();

    /* The test as the helper, against a sharer. */
    winetest_push_context("garbage instead of hello");
    if (start_solo(&s, context, TRUE, RSS_CONNECTED))
    {
        pump_for(100);
        ok(!s.m.sent_count, "the sharer sent first\n");
        send_text(&s.m, L"<K V=\"1\" ID=\"{00000000-0000-0000-0000-000000000000}\"/>");
        end_solo(&s, E_BAD_MESSAGE, __LINE__);
        ok(!record_exists(s.share_path), "the share backend ran\n");
    }
    winetest_pop_context();

    winetest_push_context("garbage instead of ack");
    if (start_solo(&s, context, TRUE, RSS_CONNECTED))
    {
        pump_for(50);
        send_text(&s.m, hello);
        ret = pump_until(has_sent, &s.m, WAIT_MS);
        ok(ret, "no ticket\n");
        if (ret) ok(s.m.sent_count == 1, "got %u\n", s.m.sent_count);
        if (ret) ok(starts_with(s.m.sent[0], L"<E><A ID=\""), "got %s\n", wine_dbgstr_w(s.m.sent[0]));
        ok(s.m.sent_count, "got %u\n", s.m.sent_count);
        if (s.m.sent_count) ok(wcsstr(s.m.sent[0], L"NC=\"00112233445566778899aabbccddeeff\"") != NULL, "the ticket does not echo our nonce\n");
        send_text(&s.m, L"<K V=\"1\" ID=\"{00000000-0000-0000-0000-000000000000}\"/>");
        end_solo(&s, E_BAD_MESSAGE, __LINE__);
        ok(read_record(s.share_path, &rec), "the share backend did not run\n");
        check_stopped(&rec, s.share_path, __LINE__);
    }
    winetest_pop_context();

    winetest_push_context("second hello");
    if (start_solo(&s, context, TRUE, RSS_CONNECTED))
    {
        pump_for(50);
        send_text(&s.m, hello);
        send_text(&s.m, hello);
        end_solo(&s, E_BAD_MESSAGE, __LINE__);
        if (read_record(s.share_path, &rec)) check_stopped(&rec, s.share_path, __LINE__);
    }
    winetest_pop_context();

    winetest_push_context("the right ack");
    if (start_solo(&s, context, TRUE, RSS_CONNECTED))
    {
        const WCHAR *id;

        pump_for(50);
        send_text(&s.m, hello);
        ret = pump_until(has_sent, &s.m, WAIT_MS);
        ok(ret, "no ticket\n");
        if (ret) ok(s.m.sent_count == 1, "got %u\n", s.m.sent_count);
        id = s.m.sent_count ? wcsstr(s.m.sent[0], L" ID=\"{") : NULL;
        ok(id != NULL, "no id in the ticket\n");
        if (id)
        {
            swprintf(text, ARRAY_SIZE(text), L"<K V=\"1\" ID=\"%.38ls\"/>", id + 5);
            send_text(&s.m, text);
        }
        /* Not release_app(): the DLL stays busy while the screen is shared. */
        pump_until(is_released, &s.m, WAIT_MS);
        IRendezvousApplication_Release(s.app);
        s.app = NULL;
        end_solo(&s, S_OK, __LINE__);
        /* The helper is in: the share backend keeps running. */
        if (read_record(s.share_path, &rec) && record_find(&rec, "pid "))
        {
            HANDLE process = OpenProcess(SYNCHRONIZE | PROCESS_TERMINATE, FALSE, atoi(record_find(&rec, "pid ")));

            ok(process != NULL, "the share backend is gone\n");
            if (process)
            {
                ok(WaitForSingleObject(process, 0) == WAIT_TIMEOUT, "the share backend was stopped\n");
                if (context == CLSCTX_INPROC_SERVER)
                    ok(pDllCanUnloadNow() == S_FALSE, "DllCanUnloadNow ignored the shared screen\n");
                TerminateProcess(process, 0);
                WaitForSingleObject(process, 5000);
                CloseHandle(process);
            }
        }
        if (context == CLSCTX_INPROC_SERVER)
            ok(pump_until(module_idle, NULL, WAIT_MS), "the DLL stayed busy after the shared screen ended\n");
    }
    winetest_pop_context();

    /* Undocumented: a Share template cannot use the helper's values. */
    winetest_push_context("share template with %%ADDRESS%%");
    if (start_solo_with(&s, context, TRUE, RSS_CONNECTED, L"cmd.exe /c echo %ADDRESS%"))
    {
        pump_for(50);
        send_text(&s.m, hello);
        end_solo(&s, E_BACKEND_CONFIG, __LINE__);
    }
    winetest_pop_context();
}

/* An IMallocSpy that fails the n-th allocation of this thread. */
static struct
{
    IMallocSpy IMallocSpy_iface;
    DWORD thread;
    LONG fail_at;
    LONG count;
    BOOL failed;
    void *live[256];
    LONG live_count;
} spy;

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
    if (GetCurrentThreadId() != spy.thread || !spy.fail_at) return size;
    if (++spy.count == spy.fail_at)
    {
        spy.failed = TRUE;
        return 0;
    }
    return size;
}

static void *WINAPI spy_PostAlloc(IMallocSpy *iface, void *ptr)
{
    if (ptr && GetCurrentThreadId() == spy.thread && spy.fail_at && spy.live_count < (LONG)ARRAY_SIZE(spy.live))
        spy.live[spy.live_count++] = ptr;
    return ptr;
}

static void *WINAPI spy_PreFree(IMallocSpy *iface, void *ptr, BOOL spyed)
{
    LONG i;

    for (i = 0; i < spy.live_count; i++)
    {
        if (spy.live[i] != ptr) continue;
        spy.live[i] = spy.live[--spy.live_count];
        break;
    }
    return ptr;
}

static void WINAPI spy_PostFree(IMallocSpy *iface, BOOL spyed) {}

static SIZE_T WINAPI spy_PreRealloc(IMallocSpy *iface, void *ptr, SIZE_T size, void **new_ptr, BOOL spyed)
{
    *new_ptr = ptr;
    return size;
}

static void *WINAPI spy_PostRealloc(IMallocSpy *iface, void *ptr, BOOL spyed) { return ptr; }
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

/* Hands m to a new object with the n-th allocation of this thread failing. */
static HRESULT set_session_failing(IRendezvousApplication *app, struct mock *m, LONG n)
{
    HRESULT hr;

    spy.fail_at = n;
    spy.count = 0;
    spy.failed = FALSE;
    spy.live_count = 0;
    hr = IRendezvousApplication_SetRendezvousSession(app, (IUnknown *)&m->IRendezvousSession_iface);
    spy.fail_at = 0;
    return hr;
}

/* Every allocation on the way of SetRendezvousSession can fail, for either
 * role: E_OUTOFMEMORY, nothing kept, nothing advised, nothing leaked, and the
 * same object then takes the session.  Returns the number of faults injected. */
static LONG sweep_set_session(LONG flags)
{
    IRendezvousApplication *app;
    struct mock m;
    HRESULT hr = E_FAIL;
    BOOL done = FALSE;
    LONG n;

    for (n = 1; n < 64 && !done; n++)
    {
        winetest_push_context("flags %#lx, allocation %ld", flags, n);
        if (!(app = create_app(&CLSID_AskComponent, CLSCTX_INPROC_SERVER)))
        {
            winetest_pop_context();
            break;
        }
        init_mock(&m, "m", flags, RSS_READY, L"someone");
        hr = set_session_failing(app, &m, n);
        if (hr != S_OK)
        {
            ok(hr == E_OUTOFMEMORY, "got %#lx\n", hr);
            ok(spy.failed, "no allocation failed\n");
            ok(m.refcount == 1, "got %ld\n", m.refcount);
            ok(!m.advised, "got %ld\n", m.advised);
            ok(!spy.live_count, "%ld blocks leaked by the failed call\n", spy.live_count);
            /* The object is still usable: the same session goes in now. */
            hr = IRendezvousApplication_SetRendezvousSession(app, (IUnknown *)&m.IRendezvousSession_iface);
            ok(hr == S_OK, "SetRendezvousSession after the failure returned %#lx\n", hr);
            ok(m.refcount > 1, "got %ld\n", m.refcount);
            ok(m.advised, "got %ld\n", m.advised);
        }
        /* Past the last allocation: nothing failed, the sweep is complete. */
        else done = !spy.failed;
        mock_set_state(&m, RSS_CANCELLED);
        ok(pump_until(is_released, &m, WAIT_MS), "the session was not released\n");
        ok(!IRendezvousApplication_Release(app), "object still referenced\n");
        ok(!spy.live_count, "%ld blocks leaked\n", spy.live_count);
        clear_mock(&m);
        winetest_pop_context();
    }
    /* n is one past the call that failed nothing. */
    ok(done, "got %d\n", done);
    if (done) ok(n > 2, "got %ld\n", n);
    return n - 2;
}

static void test_out_of_memory(void)
{
    LONG faults;
    HRESULT hr;

    spy.IMallocSpy_iface.lpVtbl = &spy_vtbl;
    spy.thread = GetCurrentThreadId();
    if (pSetOaNoCache) pSetOaNoCache();
    hr = CoRegisterMallocSpy(&spy.IMallocSpy_iface);
    ok(hr == S_OK, "CoRegisterMallocSpy returned %#lx\n", hr);
    if (FAILED(hr)) return;

    faults = sweep_set_session(RSF_INVITEE);
    faults += sweep_set_session(RSF_INVITER);
    trace("SetRendezvousSession: %ld allocation failures injected\n", faults);

    hr = CoRevokeMallocSpy();
    ok(hr == S_OK, "CoRevokeMallocSpy returned %#lx\n", hr);
    ok(pump_until(module_idle, NULL, WAIT_MS), "objects leaked\n");
}

/* Out of process: raserver.exe, through the typelib marshaler. */

static DWORD find_server(void)
{
    PROCESSENTRY32W entry;
    HANDLE snapshot = CreateToolhelp32Snapshot(TH32CS_SNAPPROCESS, 0);
    DWORD pid = 0;

    if (snapshot == INVALID_HANDLE_VALUE) return 0;
    entry.dwSize = sizeof(entry);
    if (Process32FirstW(snapshot, &entry))
    {
        do
        {
            if (!lstrcmpiW(entry.szExeFile, L"raserver.exe")) pid = entry.th32ProcessID;
        } while (Process32NextW(snapshot, &entry));
    }
    CloseHandle(snapshot);
    return pid;
}

static BOOL server_gone(void *arg)
{
    return WaitForSingleObject(arg, 0) == WAIT_OBJECT_0;
}

/* Wine 8's rpcrt4 races: RpcServerUnregisterIf looks at an interface's
 * running calls without the lock that a call that has just answered takes to
 * leave, so the apartment thread that releases the last stub of an interface
 * right after that answer can wait forever (seen in the soak: this process's
 * thread in RemRelease, waiting to unregister IConnectionPoint after
 * raserver's Unadvise).  The IM's side of these tests keeps one stub of each
 * interface its mocks serve, so that none is unregistered while
 * raserver.exe calls; raserver.exe does the same for its own. */
struct kept_stubs
{
    struct mock mock;
    IStream *streams[4];
};

static void keep_stubs(struct kept_stubs *kept)
{
    static const IID *const iids[] = { &IID_IRendezvousSession, &IID_IConnectionPointContainer,
                                       &IID_IConnectionPoint, &IID_IUnknown };
    unsigned int i;
    HRESULT hr;

    memset(kept, 0, sizeof(*kept));
    init_mock(&kept->mock, "kept", RSF_INVITER, RSS_CONNECTED, L"nobody@example.org");
    for (i = 0; i < ARRAY_SIZE(iids); i++)
    {
        IUnknown *object = iids[i] == &IID_IConnectionPoint ? (IUnknown *)&kept->mock.IConnectionPoint_iface
                                                            : (IUnknown *)&kept->mock.IRendezvousSession_iface;

        hr = CreateStreamOnHGlobal(NULL, TRUE, &kept->streams[i]);
        ok(hr == S_OK, "CreateStreamOnHGlobal returned %#lx\n", hr);
        if (FAILED(hr)) continue;
        hr = CoMarshalInterface(kept->streams[i], iids[i], object, MSHCTX_LOCAL, NULL, MSHLFLAGS_TABLESTRONG);
        ok(hr == S_OK, "CoMarshalInterface(%s) returned %#lx\n", wine_dbgstr_guid(iids[i]), hr);
    }
}

static void release_kept_stubs(struct kept_stubs *kept)
{
    unsigned int i;

    /* Disconnecting unregisters without waiting. */
    CoDisconnectObject((IUnknown *)&kept->mock.IRendezvousSession_iface, 0);
    CoDisconnectObject((IUnknown *)&kept->mock.IConnectionPoint_iface, 0);
    for (i = 0; i < ARRAY_SIZE(kept->streams); i++)
        if (kept->streams[i]) IStream_Release(kept->streams[i]);
    ok(kept->mock.refcount == 1, "the kept mock has %ld references\n", kept->mock.refcount);
}

static void test_local_server(void)
{
    struct kept_stubs kept;
    IRendezvousApplication *app;
    WCHAR key[MAX_PATH], clsid[40];
    HANDLE server = NULL;
    DWORD pid, size = sizeof(key) - 1;
    LSTATUS status;
    IUnknown *unk;
    HRESULT hr;

    StringFromGUID2(&CLSID_AskComponent, clsid, ARRAY_SIZE(clsid));
    swprintf(key, ARRAY_SIZE(key), L"CLSID\\%ls\\LocalServer32", clsid);
    status = RegGetValueW(HKEY_CLASSES_ROOT, key, NULL, RRF_RT_REG_SZ, NULL, NULL, &size);
    ok(!status, "LocalServer32 not registered (raserver.exe /RegServer): %ld\n", status);
    if (status) return;
    keep_stubs(&kept);

    /* One server serves every object; it is started on demand. */
    app = create_app(&CLSID_OfferComponent, CLSCTX_LOCAL_SERVER);
    if (!app)
    {
        release_kept_stubs(&kept);
        return;
    }
    pid = find_server();
    ok(pid != 0, "no raserver.exe process\n");
    if (pid) server = OpenProcess(SYNCHRONIZE, FALSE, pid);
    hr = IRendezvousApplication_QueryInterface(app, &IID_IRendezvousSession, (void **)&unk);
    ok(hr == E_NOINTERFACE, "got %#lx\n", hr);
    /* A proxy: COM's proxy manager answers IMultiQI. */
    hr = IRendezvousApplication_QueryInterface(app, &IID_IMultiQI, (void **)&unk);
    ok(hr == S_OK, "not a proxy: %#lx\n", hr);
    if (hr == S_OK) IUnknown_Release(unk);
    hr = IRendezvousApplication_SetRendezvousSession(app, NULL);
    ok(hr == E_INVALIDARG, "NULL through the proxy: got %#lx\n", hr);
    hr = IRendezvousApplication_SetRendezvousSession(app, &plain);
    ok(hr == E_INVALIDARG, "no IRendezvousSession: got %#lx\n", hr);
    ok(plain_refcount == 1, "plain object has %ld references\n", plain_refcount);
    IRendezvousApplication_Release(app);

    test_flows(CLSCTX_LOCAL_SERVER);
    test_failures(CLSCTX_LOCAL_SERVER);
    test_garbage_peer(CLSCTX_LOCAL_SERVER);

    /* The last object is gone: the server leaves. */
    if (server)
    {
        ok(pump_until(server_gone, server, WAIT_MS), "raserver.exe is still running\n");
        CloseHandle(server);
    }
    release_kept_stubs(&kept);
}

START_TEST(application)
{
    HMODULE module;
    char **argv;
    int argc;
    DWORD len;

    argc = winetest_get_mainargs(&argv);
    if (argc >= 6 && !strcmp(argv[2], "backend"))
    {
        backend_child(argc, argv);
        return;
    }
    if (argc >= 3 && !strcmp(argv[2], "sleeper"))
    {
        /* Started by a hanging backend: outlives it unless stopped with it. */
        Sleep(8000);
        ExitProcess(0);
    }

    CoInitialize(NULL);
    len = GetModuleFileNameW(NULL, test_exe, ARRAY_SIZE(test_exe));
    ok(len, "got %lu\n", len);
    if (len) ok(len < ARRAY_SIZE(test_exe), "got %lu\n", len);
    GetTempPathW(ARRAY_SIZE(temp_dir), temp_dir);
    module = LoadLibraryA("rendezvoussession.dll");
    ok(module != NULL, "rendezvoussession.dll not found\n");
    if (!module)
    {
        CoUninitialize();
        return;
    }
    pDllCanUnloadNow = (void *)GetProcAddress(module, "DllCanUnloadNow");
    pSetOaNoCache = (void *)GetProcAddress(GetModuleHandleA("oleaut32.dll"), "SetOaNoCache");
    reset_settings();
    if (argc >= 6 && !strcmp(argv[2], "improgram"))
    {
        im_program_child(argv[3], argv[4], argv[5]);
        CoUninitialize();
        return;
    }

    test_registration_lookup();
    test_create();
    test_set_session();
    test_sink();
    test_flows(CLSCTX_INPROC_SERVER);
    test_im_program_ends();
    test_failures(CLSCTX_INPROC_SERVER);
    test_no_backend(CLSCTX_INPROC_SERVER);
    test_consent(CLSCTX_INPROC_SERVER);
    test_backend_settings();
    test_garbage_peer(CLSCTX_INPROC_SERVER);
    test_out_of_memory();
    test_local_server();

    reset_settings();
    RegDeleteKeyW(HKEY_CURRENT_USER, BACKENDS_KEY);
    RegDeleteKeyW(HKEY_CURRENT_USER, SETTINGS_KEY);
    {
        WCHAR path[MAX_PATH];

        record_path(path, L"share");
        DeleteFileW(path);
        record_path(path, L"connect");
        DeleteFileW(path);
    }
    SysFreeString(old_ticket);
    check_unload("rendezvoussession.dll");
    CoUninitialize();
}
