/*
 * Helpers shared by the msgsc tests: a recording event sink, message
 * pumping, registered test applications and connected pairs of sessions
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

#ifndef __MSGSC_TEST_H
#define __MSGSC_TEST_H

#define WAIT_MS 10000
#define APPS_KEY L"Software\\Microsoft\\MessengerService\\SessionManager\\Apps"

/* A dispinterface sink that records what it receives, for DMsgrSessionEvents,
 * DMsgrSessionManagerEvents or DRendezvousSessionEvents. */

#define MAX_RECORDS 64

struct record
{
    DISPID dispid;
    UINT args;
    VARTYPE vt[3];
    LONG value;         /* the first integer argument (state, hr) */
    BSTR data;          /* the first string argument */
    BSTR data2;         /* the second string argument */
    IDispatch *disp;    /* OnInvitation's session, with a reference */
    DWORD thread;
    const IID *riid;
    WORD flags;
};

struct sink
{
    IDispatch IDispatch_iface;
    LONG refcount;
    const IID *diid;
    LONG count;
    struct record records[MAX_RECORDS];
    /* Answers to [in, out] VARIANT_BOOL arguments. */
    VARIANT_BOOL set_bool;
    BOOL change_bool;
    /* Called at every event, for tests that react to one. */
    void (*hook)(struct sink *sink, DISPID dispid, DISPPARAMS *params);
    void *context;
};

static inline struct sink *impl_from_sink(IDispatch *iface)
{
    return CONTAINING_RECORD(iface, struct sink, IDispatch_iface);
}

static inline HRESULT WINAPI sink_QueryInterface(IDispatch *iface, REFIID riid, void **obj)
{
    struct sink *sink = impl_from_sink(iface);

    if (IsEqualGUID(riid, &IID_IUnknown) || IsEqualGUID(riid, &IID_IDispatch) || IsEqualGUID(riid, sink->diid))
    {
        *obj = iface;
        IDispatch_AddRef(iface);
        return S_OK;
    }
    *obj = NULL;
    return E_NOINTERFACE;
}

static inline ULONG WINAPI sink_AddRef(IDispatch *iface)
{
    return InterlockedIncrement(&impl_from_sink(iface)->refcount);
}

static inline ULONG WINAPI sink_Release(IDispatch *iface)
{
    return InterlockedDecrement(&impl_from_sink(iface)->refcount);
}

static inline HRESULT WINAPI sink_GetTypeInfoCount(IDispatch *iface, UINT *count)
{
    *count = 0;
    return S_OK;
}

static inline HRESULT WINAPI sink_GetTypeInfo(IDispatch *iface, UINT index, LCID lcid, ITypeInfo **info)
{
    *info = NULL;
    return DISP_E_BADINDEX;
}

static inline HRESULT WINAPI sink_GetIDsOfNames(IDispatch *iface, REFIID riid, LPOLESTR *names, UINT count,
                                         LCID lcid, DISPID *ids)
{
    return DISP_E_UNKNOWNNAME;
}

static inline HRESULT WINAPI sink_Invoke(IDispatch *iface, DISPID id, REFIID riid, LCID lcid, WORD flags,
                                  DISPPARAMS *params, VARIANT *result, EXCEPINFO *excepinfo, UINT *argerr)
{
    struct sink *sink = impl_from_sink(iface);
    LONG index = InterlockedIncrement(&sink->count) - 1;
    struct record *r = index < MAX_RECORDS ? sink->records + index : NULL;
    BOOL have_value = FALSE;
    UINT i;

    if (r)
    {
        memset(r, 0, sizeof(*r));
        r->dispid = id;
        r->args = params->cArgs;
        r->thread = GetCurrentThreadId();
        r->riid = riid;
        r->flags = flags;
        /* In parameter order, that is from the last rgvarg down. */
        for (i = params->cArgs; i-- > 0;)
        {
            VARIANT *v = &params->rgvarg[i];

            if (params->cArgs - 1 - i < 3) r->vt[params->cArgs - 1 - i] = V_VT(v);
            if (V_VT(v) == VT_I4 && !have_value)
            {
                r->value = V_I4(v);
                have_value = TRUE;
            }
            else if (V_VT(v) == VT_BSTR)
            {
                BSTR copy = SysAllocStringLen(V_BSTR(v), SysStringLen(V_BSTR(v)));
                if (!r->data) r->data = copy;
                else r->data2 = copy;
            }
            else if (V_VT(v) == VT_DISPATCH && V_DISPATCH(v))
            {
                r->disp = V_DISPATCH(v);
                IDispatch_AddRef(r->disp);
            }
            else if (V_VT(v) == (VT_BOOL | VT_BYREF) && sink->change_bool)
                *V_BOOLREF(v) = sink->set_bool;
        }
    }
    if (sink->hook) sink->hook(sink, id, params);
    return S_OK;
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

static inline void init_sink(struct sink *sink, const IID *diid)
{
    memset(sink, 0, sizeof(*sink));
    sink->IDispatch_iface.lpVtbl = &sink_vtbl;
    sink->refcount = 1;
    sink->diid = diid;
}

static inline void clear_sink(struct sink *sink)
{
    LONG i;

    for (i = 0; i < sink->count && i < MAX_RECORDS; i++)
    {
        SysFreeString(sink->records[i].data);
        SysFreeString(sink->records[i].data2);
        if (sink->records[i].disp) IDispatch_Release(sink->records[i].disp);
    }
    memset(sink->records, 0, sizeof(sink->records));
    sink->count = 0;
}

/* The n-th (from 0) record of an event, or NULL. */
static inline struct record *find_event(struct sink *sink, DISPID id, unsigned int n)
{
    LONG i;

    for (i = 0; i < sink->count && i < MAX_RECORDS; i++)
        if (sink->records[i].dispid == id && !n--) return sink->records + i;
    return NULL;
}

static inline unsigned int count_events(struct sink *sink, DISPID id)
{
    unsigned int n = 0;
    LONG i;

    for (i = 0; i < sink->count && i < MAX_RECORDS; i++)
        if (sink->records[i].dispid == id) n++;
    return n;
}

static inline LONG record_index(struct sink *sink, struct record *r)
{
    return r ? r - sink->records : -1;
}

/* Advises a sink on the point for diid of any container. */
static inline DWORD advise_sink(IUnknown *unk, const IID *diid, struct sink *sink, IConnectionPoint **point)
{
    IConnectionPointContainer *container;
    DWORD cookie = 0;
    HRESULT hr;

    *point = NULL;
    hr = IUnknown_QueryInterface(unk, &IID_IConnectionPointContainer, (void **)&container);
    ok(hr == S_OK, "no IConnectionPointContainer: %#lx\n", hr);
    if (FAILED(hr)) return 0;
    hr = IConnectionPointContainer_FindConnectionPoint(container, diid, point);
    ok(hr == S_OK, "FindConnectionPoint returned %#lx\n", hr);
    IConnectionPointContainer_Release(container);
    if (FAILED(hr)) return 0;
    hr = IConnectionPoint_Advise(*point, (IUnknown *)&sink->IDispatch_iface, &cookie);
    ok(hr == S_OK, "Advise returned %#lx\n", hr);
    return cookie;
}

static inline void unadvise_sink(IConnectionPoint *point, DWORD cookie)
{
    if (!point) return;
    if (cookie) ok(IConnectionPoint_Unadvise(point, cookie) == S_OK, "Unadvise failed\n");
    IConnectionPoint_Release(point);
}

/* Runs this thread's message loop, where STA objects fire their events, until
 * cond() holds or the time is up. */
static inline BOOL pump_until(BOOL (*cond)(void *), void *arg, DWORD timeout)
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

static inline void pump_for(DWORD ms)
{
    pump_until(NULL, NULL, ms);
}

struct event_wait
{
    struct sink *sink;
    DISPID dispid;
    unsigned int count;
};

static inline BOOL event_seen(void *arg)
{
    struct event_wait *wait = arg;
    return count_events(wait->sink, wait->dispid) >= wait->count;
}

static inline BOOL wait_event(struct sink *sink, DISPID dispid, unsigned int count, DWORD timeout)
{
    struct event_wait wait = { sink, dispid, count };
    return pump_until(event_seen, &wait, timeout);
}

/* The state the n-th OnStateChanged gave, or -1. */
static inline LONG state_event(struct sink *sink, DISPID dispid, unsigned int n)
{
    struct record *r = find_event(sink, dispid, n);
    return r ? r->value : -1;
}

struct state_wait
{
    struct sink *sink;
    DISPID dispid;
    LONG state;
};

static inline BOOL state_seen(void *arg)
{
    struct state_wait *wait = arg;
    LONG i;

    for (i = 0; i < wait->sink->count && i < MAX_RECORDS; i++)
        if (wait->sink->records[i].dispid == wait->dispid && wait->sink->records[i].value == wait->state)
            return TRUE;
    return FALSE;
}

static inline BOOL wait_state(struct sink *sink, DISPID dispid, LONG state, DWORD timeout)
{
    struct state_wait wait = { sink, dispid, state };
    return pump_until(state_seen, &wait, timeout);
}

/* Registered test applications */

static inline BSTR bstr_len(const WCHAR *str, UINT len)
{
    return SysAllocStringLen(str, len);
}

/* A string of length units, all c. */
static inline BSTR bstr_fill(WCHAR c, UINT length)
{
    BSTR str = SysAllocStringLen(NULL, length);
    UINT i;

    for (i = 0; i < length; i++) str[i] = c;
    return str;
}

static inline void delete_app_key(const WCHAR *guid)
{
    WCHAR name[MAX_PATH];

    swprintf(name, ARRAY_SIZE(name), L"%ls\\%ls", APPS_KEY, guid);
    RegDeleteKeyW(HKEY_LOCAL_MACHINE, name);
}

static inline HRESULT register_app(IMsgrSessionManager *manager, const WCHAR *guid, const WCHAR *name,
                                   const WCHAR *url, const WCHAR *path)
{
    BSTR b_guid = SysAllocString(guid), b_name = SysAllocString(name), b_url = SysAllocString(url);
    BSTR b_path = SysAllocString(path);
    HRESULT hr = IMsgrSessionManager_RegisterApplication(manager, b_guid, b_name, b_url, b_path, 0);

    SysFreeString(b_guid);
    SysFreeString(b_name);
    SysFreeString(b_url);
    SysFreeString(b_path);
    return hr;
}

static inline HRESULT unregister_app(IMsgrSessionManager *manager, const WCHAR *guid)
{
    BSTR b_guid = SysAllocString(guid);
    HRESULT hr = IMsgrSessionManager_UnRegisterApplication(manager, b_guid);

    SysFreeString(b_guid);
    return hr;
}

static inline IMsgrSessionManager *create_manager(void)
{
    IMsgrSessionManager *manager = NULL;
    HRESULT hr;

    hr = CoCreateInstance(&CLSID_MsgrSessionManager, NULL, CLSCTX_INPROC_SERVER, &IID_IMsgrSessionManager,
                          (void **)&manager);
    ok(hr == S_OK, "CoCreateInstance(MsgrSessionManager) returned %#lx\n", hr);
    return manager;
}

static inline IMsgrSession *create_session(IMsgrSessionManager *manager)
{
    IMsgrSession *session = NULL;
    IDispatch *disp = NULL;
    HRESULT hr;

    hr = IMsgrSessionManager_CreateSession(manager, &disp);
    ok(hr == S_OK, "CreateSession returned %#lx\n", hr);
    if (FAILED(hr)) return NULL;
    hr = IDispatch_QueryInterface(disp, &IID_IMsgrSession, (void **)&session);
    ok(hr == S_OK, "QueryInterface(IMsgrSession) returned %#lx\n", hr);
    IDispatch_Release(disp);
    return session;
}

static inline LONG get_state(IMsgrSession *session)
{
    SESSION_STATE state = -1;
    HRESULT hr = IMsgrSession_get_State(session, &state);

    ok(hr == S_OK, "get_State returned %#lx\n", hr);
    return state;
}

static inline HRESULT put_app(IMsgrSession *session, const WCHAR *guid)
{
    BSTR str = SysAllocString(guid);
    HRESULT hr = IMsgrSession_put_Application(session, str);

    SysFreeString(str);
    return hr;
}

/* A contact for Invite: any IDispatch will do. */
static inline IDispatch *create_contact(struct sink *contact)
{
    init_sink(contact, &IID_IDispatch);
    return &contact->IDispatch_iface;
}

/* Two connected Messenger sessions in this apartment, each with a sink. */
struct msgr_pair
{
    IMsgrSessionManager *manager;
    struct sink manager_sink;
    IConnectionPoint *manager_point;
    DWORD manager_cookie;
    IMsgrSession *session[2];       /* inviter, invitee */
    struct sink sink[2];
    IConnectionPoint *point[2];
    DWORD cookie[2];
    struct sink contact;
};

static inline void pair_release_side(struct msgr_pair *pair, unsigned int i)
{
    ULONG ref;

    if (!pair->session[i]) return;
    /* OnInvitation's record holds the invitee. */
    if (i == 1) clear_sink(&pair->manager_sink);
    unadvise_sink(pair->point[i], pair->cookie[i]);
    pair->point[i] = NULL;
    ref = IMsgrSession_Release(pair->session[i]);
    pair->session[i] = NULL;
    /* Whatever the apartment, even with events in flight on pool threads. */
    ok(!ref, "session %u still has %lu references\n", i, ref);
    ok(pair->sink[i].refcount == 1, "sink %u still has %ld references\n", i, pair->sink[i].refcount);
}

#define pair_release(pair) pair_release_(pair, __FILE__, __LINE__)
static inline void pair_release_(struct msgr_pair *pair, const char *file, int line)
{
    if (!pair->manager) return;     /* never made, or released already */
    pair_release_side(pair, 1);
    pair_release_side(pair, 0);
    clear_sink(&pair->sink[0]);
    clear_sink(&pair->sink[1]);
    clear_sink(&pair->manager_sink);
    unadvise_sink(pair->manager_point, pair->manager_cookie);
    if (pair->manager) IMsgrSessionManager_Release(pair->manager);
    ok_(file, line)(pair->contact.refcount == 1, "contact still has %ld references\n", pair->contact.refcount);
    memset(pair, 0, sizeof(*pair));
}

/* Up to the invitation received by the invitee (and its sink advised). */
static inline BOOL pair_invite(struct msgr_pair *pair, const WCHAR *app, const WCHAR *appdata)
{
    IMsgrSessionManagerHost *host = NULL;
    IMsgrSessionHost *session_host = NULL;
    BSTR invitation = NULL, data;
    IDispatch *invitee = NULL;
    HRESULT hr;

    memset(pair, 0, sizeof(*pair));
    init_sink(&pair->manager_sink, &DIID_DMsgrSessionManagerEvents);
    init_sink(&pair->sink[0], &DIID_DMsgrSessionEvents);
    init_sink(&pair->sink[1], &DIID_DMsgrSessionEvents);
    if (!(pair->manager = create_manager())) return FALSE;
    pair->manager_cookie = advise_sink((IUnknown *)pair->manager, &DIID_DMsgrSessionManagerEvents,
                                       &pair->manager_sink, &pair->manager_point);
    if (!(pair->session[0] = create_session(pair->manager))) return FALSE;
    pair->cookie[0] = advise_sink((IUnknown *)pair->session[0], &DIID_DMsgrSessionEvents, &pair->sink[0],
                                  &pair->point[0]);
    hr = put_app(pair->session[0], app);
    ok(hr == S_OK, "put_Application returned %#lx\n", hr);
    data = appdata ? SysAllocString(appdata) : NULL;
    hr = IMsgrSession_Invite(pair->session[0], create_contact(&pair->contact), data);
    SysFreeString(data);
    ok(hr == S_OK, "Invite returned %#lx\n", hr);
    if (FAILED(hr)) return FALSE;

    hr = IMsgrSession_QueryInterface(pair->session[0], &IID_IMsgrSessionHost, (void **)&session_host);
    ok(hr == S_OK, "QueryInterface(IMsgrSessionHost) returned %#lx\n", hr);
    hr = IMsgrSessionHost_get_Invitation(session_host, &invitation);
    ok(hr == S_OK, "get_Invitation returned %#lx\n", hr);
    IMsgrSessionHost_Release(session_host);
    if (FAILED(hr)) return FALSE;

    hr = IMsgrSessionManager_QueryInterface(pair->manager, &IID_IMsgrSessionManagerHost, (void **)&host);
    ok(hr == S_OK, "QueryInterface(IMsgrSessionManagerHost) returned %#lx\n", hr);
    hr = IMsgrSessionManagerHost_ReceiveInvitation(host, invitation, &invitee);
    ok(hr == S_OK, "ReceiveInvitation returned %#lx\n", hr);
    IMsgrSessionManagerHost_Release(host);
    SysFreeString(invitation);
    if (FAILED(hr)) return FALSE;
    hr = IDispatch_QueryInterface(invitee, &IID_IMsgrSession, (void **)&pair->session[1]);
    ok(hr == S_OK, "QueryInterface(IMsgrSession) returned %#lx\n", hr);
    IDispatch_Release(invitee);
    pair->cookie[1] = advise_sink((IUnknown *)pair->session[1], &DIID_DMsgrSessionEvents, &pair->sink[1],
                                  &pair->point[1]);
    return SUCCEEDED(hr);
}

static inline BOOL pair_connected(void *arg)
{
    struct msgr_pair *pair = arg;
    return state_seen(&(struct state_wait){ &pair->sink[0], DISPID_ONSTATECHANGED, SS_CONNECTED }) &&
           state_seen(&(struct state_wait){ &pair->sink[1], DISPID_ONSTATECHANGED, SS_CONNECTED });
}

/* Invitation, then Accept(accept_data): both sides SS_CONNECTED. */
static inline BOOL pair_connect(struct msgr_pair *pair, const WCHAR *app, const WCHAR *accept_data)
{
    BSTR data;
    HRESULT hr;

    if (!pair_invite(pair, app, NULL)) return FALSE;
    data = accept_data ? SysAllocString(accept_data) : NULL;
    hr = IMsgrSession_Accept(pair->session[1], data);
    SysFreeString(data);
    ok(hr == S_OK, "Accept returned %#lx\n", hr);
    ok(pump_until(pair_connected, pair, WAIT_MS), "the sessions did not connect\n");
    return pair_connected(pair);
}

#endif /* __MSGSC_TEST_H */
