/*
 * Conformance tests for the legacy bridge: IRendezvousSession over Messenger
 * sessions, and Remote Assistance running over it
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
 * msgsc_test.exe only.  What Windows documents is tested alone in api.c
 * and typelib.c, which 'make crosstest' also builds for Windows.
 */

/*
 * The documentation says only that RSF_REMOTE_LEGACYSESSION exists (spec
 * part C).  The bridge, its flags and the way its events map are this
 * project's design (docs/behaviour.md, "Messenger"); so is what travels
 * between the two Remote Assistance sides (docs/behaviour.md, "Remote
 * Assistance").
 */

#define COBJMACROS

#include <stdio.h>
#include <windows.h>
#include <ole2.h>
#include <olectl.h>

#include "rendezvoussession.h"
#include "msgrpriv.h"
#include "winemsgr.h"

#include "wine/test.h"
#include "../../rendezvoussession/tests/unload.h"
#include "msgsc_test.h"

static const GUID CLSID_AskComponent = { 0xc0b3c446, 0x3032, 0x4016, { 0x92, 0x6f, 0x9b, 0xae, 0x48, 0xbe, 0xbf, 0xbe } };

#define E_INVALID_STATE HRESULT_FROM_WIN32(ERROR_INVALID_STATE)
#define BACKENDS_KEY L"Software\\Wine\\RendezvousSession\\Backends"
#define SETTINGS_KEY L"Software\\Wine\\RendezvousSession"

static const WCHAR test_app[] = L"{6D3A59B2-5C44-4E52-9B1E-0A7E5C6D7E11}";
static WCHAR test_exe[MAX_PATH];
static WCHAR temp_dir[MAX_PATH];

static IRendezvousSession *create_bridge(IMsgrSessionManager *manager, IMsgrSession *session, const WCHAR *user)
{
    IMsgrSessionManagerHost *host;
    IRendezvousSession *bridge = NULL;
    IUnknown *unk = NULL;
    BSTR str = SysAllocString(user);
    HRESULT hr;

    IMsgrSessionManager_QueryInterface(manager, &IID_IMsgrSessionManagerHost, (void **)&host);
    hr = IMsgrSessionManagerHost_CreateRendezvousSession(host, (IDispatch *)session, str, &unk);
    ok(hr == S_OK, "CreateRendezvousSession returned %#lx\n", hr);
    IMsgrSessionManagerHost_Release(host);
    SysFreeString(str);
    if (FAILED(hr)) return NULL;
    hr = IUnknown_QueryInterface(unk, &IID_IRendezvousSession, (void **)&bridge);
    ok(hr == S_OK, "QueryInterface(IRendezvousSession) returned %#lx\n", hr);
    IUnknown_Release(unk);
    return bridge;
}

static void test_create(void)
{
    IMsgrSessionManager *manager = create_manager();
    IMsgrSessionManagerHost *host;
    struct sink not_a_session;
    IMsgrSession *session;
    IUnknown *unk;
    BSTR user, long_user;
    HRESULT hr;

    if (!manager) return;
    IMsgrSessionManager_QueryInterface(manager, &IID_IMsgrSessionManagerHost, (void **)&host);
    session = create_session(manager);
    user = SysAllocString(L"someone@example.org");
    long_user = bstr_fill('u', 1025);
    init_sink(&not_a_session, &IID_IDispatch);

    hr = IMsgrSessionManagerHost_CreateRendezvousSession(host, (IDispatch *)session, user, NULL);
    ok(hr == E_POINTER, "NULL out: %#lx\n", hr);
    unk = (IUnknown *)0xdeadbeef;
    hr = IMsgrSessionManagerHost_CreateRendezvousSession(host, NULL, user, &unk);
    ok(hr == E_INVALIDARG, "NULL session: got %#lx\n", hr);
    ok(!unk, "NULL session: got %p\n", unk);
    hr = IMsgrSessionManagerHost_CreateRendezvousSession(host, &not_a_session.IDispatch_iface, user, &unk);
    ok(hr == E_INVALIDARG, "not a session: got %#lx\n", hr);
    ok(!unk, "not a session: got %p\n", unk);
    ok(not_a_session.refcount == 1, "kept a reference\n");
    hr = IMsgrSessionManagerHost_CreateRendezvousSession(host, (IDispatch *)session, long_user, &unk);
    ok(hr == E_INVALIDARG, "1025 characters of user: %#lx\n", hr);

    hr = IMsgrSessionManagerHost_CreateRendezvousSession(host, (IDispatch *)session, NULL, &unk);
    ok(hr == S_OK, "got %#lx\n", hr);
    if (hr == S_OK)
    {
        IRendezvousSession *bridge;
        IConnectionPointContainer *container;
        IConnectionPoint *point;
        RENDEZVOUS_SESSION_STATE state;
        IDispatch *disp;
        LONG flags;
        BSTR str;

        ok(IUnknown_QueryInterface(unk, &IID_IRendezvousSession, (void **)&bridge) == S_OK, "no IRendezvousSession\n");
        ok(IUnknown_QueryInterface(unk, &IID_IMsgrSession, (void **)&disp) == E_NOINTERFACE, "IMsgrSession\n");
        ok(IUnknown_QueryInterface(unk, &IID_IDispatch, (void **)&disp) == E_NOINTERFACE, "IDispatch\n");
        ok(IUnknown_QueryInterface(unk, &IID_IConnectionPointContainer, (void **)&container) == S_OK,
           "no IConnectionPointContainer\n");
        ok(IConnectionPointContainer_FindConnectionPoint(container, &DIID_DRendezvousSessionEvents, &point) == S_OK,
           "no DRendezvousSessionEvents point\n");
        IConnectionPoint_Release(point);
        point = (IConnectionPoint *)0xdeadbeef;
        hr = IConnectionPointContainer_FindConnectionPoint(container, &DIID_DMsgrSessionEvents, &point);
        ok(hr == CONNECT_E_NOCONNECTION, "got %#lx\n", hr);
        ok(!point, "got %p\n", point);
        IConnectionPointContainer_Release(container);

        /* The Messenger session's, in the rendezvous' terms. */
        ok(IRendezvousSession_get_State(bridge, NULL) == E_POINTER, "get_State(NULL)\n");
        ok(IRendezvousSession_get_Flags(bridge, NULL) == E_POINTER, "get_Flags(NULL)\n");
        ok(IRendezvousSession_get_RemoteUser(bridge, NULL) == E_POINTER, "get_RemoteUser(NULL)\n");
        hr = IRendezvousSession_get_State(bridge, &state);
        ok(hr == S_OK, "got %#lx\n", hr);
        ok(state == RSS_READY, "got %d\n", state);
        hr = IRendezvousSession_get_Flags(bridge, &flags);
        ok(hr == S_OK, "got %#lx\n", hr);
        ok(flags == (RSF_INVITER | RSF_REMOTE_LEGACYSESSION), "got %#lx\n", flags);
        hr = IRendezvousSession_get_RemoteUser(bridge, &str);
        ok(hr == S_OK, "got %#lx\n", hr);
        ok(str != NULL, "got %p\n", str);
        if (str) ok(!*str, "got %d\n", *str);
        SysFreeString(str);
        /* The Messenger rules, and the rendezvous' state code for Terminate. */
        str = SysAllocString(L"x");
        ok(IRendezvousSession_SendContextData(bridge, str) == SR_SESSION_NOT_READY, "SendContextData\n");
        ok(IRendezvousSession_Terminate(bridge, S_OK, str) == E_INVALID_STATE, "Terminate when ready\n");
        SysFreeString(str);
        IRendezvousSession_Release(bridge);
        ok(!IUnknown_Release(unk), "bridge still referenced\n");
    }

    SysFreeString(user);
    SysFreeString(long_user);
    ok(!IMsgrSession_Release(session), "session still referenced\n");
    IMsgrSessionManagerHost_Release(host);
    ok(!IMsgrSessionManager_Release(manager), "manager still referenced\n");
}

static void test_events(void)
{
    static const WCHAR bye[] = L"bye \xd83d\xde00";
    IRendezvousSession *bridge[2] = { NULL, NULL };
    struct sink sinks[2];
    IConnectionPoint *points[2] = { NULL, NULL };
    DWORD cookies[2] = { 0, 0 };
    struct msgr_pair pair;
    struct record *r, *s;
    RENDEZVOUS_SESSION_STATE state;
    unsigned int i;
    LONG flags;
    BSTR str;
    HRESULT hr;

    if (!pair_connect(&pair, test_app, NULL)) goto done;
    bridge[0] = create_bridge(pair.manager, pair.session[0], L"invitee@example.org");
    bridge[1] = create_bridge(pair.manager, pair.session[1], L"inviter@example.org");
    if (!bridge[0] || !bridge[1]) goto done;
    for (i = 0; i < 2; i++)
    {
        init_sink(&sinks[i], &DIID_DRendezvousSessionEvents);
        cookies[i] = advise_sink((IUnknown *)bridge[i], &DIID_DRendezvousSessionEvents, &sinks[i], &points[i]);
    }

    /* RSF_INVITER/RSF_INVITEE from SF_INVITER/SF_INVITEE, with RSF_REMOTE_LEGACYSESSION; never
     * SF_APP_INVITE_COMPATIBLE, whose value is RSF_ORIGINAL_INVITER's. */
    hr = IRendezvousSession_get_Flags(bridge[0], &flags);
    ok(hr == S_OK, "got %#lx\n", hr);
    ok(flags == (RSF_INVITER | RSF_REMOTE_LEGACYSESSION), "got %#lx\n", flags);
    hr = IRendezvousSession_get_Flags(bridge[1], &flags);
    ok(hr == S_OK, "got %#lx\n", hr);
    ok(flags == (RSF_INVITEE | RSF_REMOTE_LEGACYSESSION), "got %#lx\n", flags);
    hr = IRendezvousSession_get_State(bridge[0], &state);
    ok(hr == S_OK, "got %#lx\n", hr);
    ok(state == RSS_CONNECTED, "got %d\n", state);
    hr = IRendezvousSession_get_RemoteUser(bridge[1], &str);
    ok(hr == S_OK, "got %#lx\n", hr);
    ok(!lstrcmpW(str, L"inviter@example.org"), "got %s\n", wine_dbgstr_w(str));
    SysFreeString(str);

    /* Context data both ways, as OnContextData (DISPID 7). */
    str = SysAllocString(L"ticket \xd83d\xde00");
    hr = IRendezvousSession_SendContextData(bridge[0], str);
    ok(hr == S_OK, "SendContextData: %#lx\n", hr);
    ok(wait_event(&sinks[1], DISPID_EVENT_ON_CONTEXT_DATA, 1, WAIT_MS), "nothing arrived\n");
    r = find_event(&sinks[1], DISPID_EVENT_ON_CONTEXT_DATA, 0);
    ok(r != NULL, "got %p\n", r);
    if (r) ok(r->args == 1, "got %s\n", r ? wine_dbgstr_w(r->data) : "");
    if (r) ok(r->vt[0] == VT_BSTR, "got %s\n", r ? wine_dbgstr_w(r->data) : "");
    if (r) ok(!lstrcmpW(r->data, str), "got %s\n", wine_dbgstr_w(r->data));
    ok(IsEqualGUID(r->riid, &IID_NULL), "got %s\n", wine_dbgstr_guid(r->riid));
    ok(r->flags == DISPATCH_METHOD, "got %#x\n", r->flags);
    SysFreeString(str);
    str = SysAllocString(L"reply");
    ok(IRendezvousSession_SendContextData(bridge[1], str) == S_OK, "reply failed\n");
    ok(wait_event(&sinks[0], DISPID_EVENT_ON_CONTEXT_DATA, 1, WAIT_MS), "no reply\n");
    SysFreeString(str);
    /* The Messenger rules hold: 300 units. */
    str = bstr_fill('a', 301);
    ok(IRendezvousSession_SendContextData(bridge[0], str) == SR_CONTEXT_DATA_OVER_LIMIT, "301 units\n");
    SysFreeString(str);
    ok(IRendezvousSession_SendContextData(bridge[0], NULL) == E_INVALIDARG, "NULL data\n");

    /* Terminate is the Messenger session's Cancel: at most 256 units of data. */
    str = bstr_fill('t', 257);
    ok(IRendezvousSession_Terminate(bridge[1], S_OK, str) == E_INVALIDARG, "257 units\n");
    SysFreeString(str);
    str = SysAllocString(bye);
    hr = IRendezvousSession_Terminate(bridge[1], 0x80040001, str);
    ok(hr == S_OK, "Terminate: %#lx\n", hr);
    /* This side: OnTermination with Terminate's own hr, then RSS_CANCELLED. */
    r = find_event(&sinks[1], DISPID_EVENT_ON_TERMINATION, 0);
    s = find_event(&sinks[1], DISPID_EVENT_ON_STATE_CHANGED, 0);
    ok(r != NULL, "got %p\n", r);
    if (r) ok(r->args == 2, "no OnTermination(LONG, BSTR)\n");
    if (r) ok(r->vt[0] == VT_I4, "no OnTermination(LONG, BSTR)\n");
    if (r) ok(r->vt[1] == VT_BSTR, "no OnTermination(LONG, BSTR)\n");
    ok(r != NULL, "got %p\n", r);
    if (r) ok(r->value == (LONG)0x80040001, "got %ld\n", (LONG)0x80040001);
    if (r) ok(r->data != NULL, "OnTermination %#lx %s\n", r ? r->value : 0, r ? wine_dbgstr_w(r->data) : "");
    if (r && r->data) ok(!lstrcmpW(r->data, bye), "got %s\n", wine_dbgstr_w(r->data));
    ok(s != NULL, "no OnStateChanged(RSS_CANCELLED) after OnTermination\n");
    if (s) ok(s->value == RSS_CANCELLED, "no OnStateChanged(RSS_CANCELLED) after OnTermination\n");
    if (s) ok(record_index(&sinks[1], s) > record_index(&sinks[1], r), "no OnStateChanged(RSS_CANCELLED) after OnTermination\n");
    /* The peer: the Messenger session was cancelled, RSS_DECLINED ("remotely cancelled"). */
    ok(wait_state(&sinks[0], DISPID_EVENT_ON_STATE_CHANGED, RSS_DECLINED, WAIT_MS), "the peer did not end\n");
    r = find_event(&sinks[0], DISPID_EVENT_ON_TERMINATION, 0);
    ok(r != NULL, "got %p\n", r);
    if (r) ok(r->value == (LONG)0x80040001, "got %ld\n", (LONG)0x80040001);
    if (r) ok(r->data != NULL, "peer OnTermination %#lx %s\n", r ? r->value : 0, r ? wine_dbgstr_w(r->data) : "");
    if (r && r->data) ok(!lstrcmpW(r->data, bye), "got %s\n", wine_dbgstr_w(r->data));
    ok(!find_event(&sinks[0], DISPID_ONCANCELLED, 0), "Messenger-only events passed on\n");
    hr = IRendezvousSession_get_State(bridge[0], &state);
    ok(hr == S_OK, "got %#lx\n", hr);
    ok(state == RSS_DECLINED, "got %d\n", state);
    ok(IRendezvousSession_Terminate(bridge[1], S_OK, str) == E_INVALID_STATE, "second Terminate\n");
    SysFreeString(str);

done:
    for (i = 0; i < 2; i++)
    {
        unadvise_sink(points[i], cookies[i]);
        if (bridge[i]) ok(!IRendezvousSession_Release(bridge[i]), "bridge %u still referenced\n", i);
        if (bridge[i]) ok(sinks[i].refcount == 1, "sink %u still has %ld references\n", i, sinks[i].refcount);
        if (bridge[i]) clear_sink(&sinks[i]);
    }
    pair_release(&pair);
}

/* The bridge keeps its Messenger session; released, it lets go of it. */
static void test_lifetime(void)
{
    IMsgrSessionManager *manager = create_manager();
    IRendezvousSession *bridge;
    IMsgrSession *session;
    ULONG ref;

    if (!manager) return;
    session = create_session(manager);
    bridge = create_bridge(manager, session, L"someone");
    if (bridge)
    {
        ref = IMsgrSession_AddRef(session);
        IMsgrSession_Release(session);
        ok(ref > 2, "the bridge holds no reference\n");
        ok(IMsgrSession_Release(session) > 0, "the session went with the bridge alive\n");
        ok(!IRendezvousSession_Release(bridge), "bridge still referenced\n");
    }
    else IMsgrSession_Release(session);
    ok(!IMsgrSessionManager_Release(manager), "manager still referenced\n");
}

/* Remote Assistance over two Messenger sessions: the Ask flow. */

static void record_path(WCHAR *path, const WCHAR *name)
{
    swprintf(path, MAX_PATH, L"%lsmsgr_%ls.txt", temp_dir, name);
}

static void set_backend(const WCHAR *role, const WCHAR *mode, const WCHAR *record)
{
    WCHAR command[MAX_PATH * 3];
    LSTATUS status;

    DeleteFileW(record);
    swprintf(command, ARRAY_SIZE(command), L"\"%ls\" bridge backend %ls \"%ls\" user=%%USER%%", test_exe,
             mode, record);
    status = RegSetKeyValueW(HKEY_CURRENT_USER, BACKENDS_KEY, role, REG_SZ, command,
                             (lstrlenW(command) + 1) * sizeof(WCHAR));
    ok(!status, "cannot set %s: %ld\n", wine_dbgstr_w(role), status);
}

#define FREERDP_FINGERPRINT "ef513c0de8bfb2afb45c1cffdc87784d1f530cc17f4cdf354f247b81d7729baa"
/* The same in the ticket: base64url without padding. */
#define FREERDP_FP L"71E8Dei_sq-0XBz_3Id4TR9TDMF_TN81TyR7gddym6o"

/* The backend child: records its arguments and input, then says it is ready. */
static void backend_child(int argc, char **argv)
{
    char line[512];
    FILE *f;
    int i;

    if (!(f = fopen(argv[4], "w"))) ExitProcess(3);
    fprintf(f, "role %s\n", argv[3]);
    for (i = 5; i < argc; i++) fprintf(f, "arg %s\n", argv[i]);
    for (i = 0; i < 64 && fgets(line, sizeof(line), stdin); i++)
    {
        line[strcspn(line, "\r\n")] = 0;
        fprintf(f, "in %s\n", line);
        if (!strcmp(line, "END")) break;
    }
    if (!strcmp(argv[3], "share")) printf("ADDRESS 127.0.0.1 PORT 5900\nREADY\n");
    /* As the FreeRDP backend reports at most: its certificate's SHA-256 and
     * four LAN addresses of the longest kind. */
    else if (!strcmp(argv[3], "share-freerdp"))
        printf("FINGERPRINT " FREERDP_FINGERPRINT "\nADDRESS 192.168.100.201 PORT 65151\n"
               "ADDRESS 192.168.101.202 PORT 65151\nADDRESS 192.168.102.203 PORT 65151\n"
               "ADDRESS 192.168.103.204 PORT 65151\nREADY\n");
    else printf("READY\n");
    fflush(stdout);
    fprintf(f, "ready\n");
    fclose(f);
    ExitProcess(0);
}

static BOOL read_record(const WCHAR *path, char *buffer, size_t size)
{
    FILE *f = _wfopen(path, L"r");
    size_t n;

    buffer[0] = 0;
    if (!f) return FALSE;
    n = fread(buffer, 1, size - 1, f);
    buffer[n] = 0;
    fclose(f);
    return TRUE;
}

static unsigned int connection_count(IConnectionPoint *point)
{
    IEnumConnections *connections;
    unsigned int count = 0;
    CONNECTDATA data;

    if (FAILED(IConnectionPoint_EnumConnections(point, &connections))) return ~0u;
    while (IEnumConnections_Next(connections, 1, &data, NULL) == S_OK)
    {
        IUnknown_Release(data.pUnk);
        count++;
    }
    ok(!IEnumConnections_Release(connections), "enumerator still referenced\n");
    return count;
}

/* Both sides saw their final state change. */
static BOOL both_ended(void *arg)
{
    struct msgr_pair *pair = arg;
    unsigned int i;
    BOOL ended[2] = { FALSE, FALSE };

    for (i = 0; i < 2; i++)
    {
        ended[i] = state_seen(&(struct state_wait){ &pair->sink[i], DISPID_ONSTATECHANGED, SS_CANCELLED }) ||
                   state_seen(&(struct state_wait){ &pair->sink[i], DISPID_ONSTATECHANGED, SS_DECLINED }) ||
                   state_seen(&(struct state_wait){ &pair->sink[i], DISPID_ONSTATECHANGED, SS_TERMINATED });
    }
    return ended[0] && ended[1];
}

/* Remote Assistance let go of both bridges, which unadvised: only the test's sinks are left. */
static BOOL bridges_gone(void *arg)
{
    struct msgr_pair *pair = arg;
    return connection_count(pair->point[0]) == 1 && connection_count(pair->point[1]) == 1;
}

static void test_remote_assistance(BOOL freerdp)
{
    BOOL ret;
    IRendezvousApplication *apps[2] = { NULL, NULL };
    IRendezvousSession *bridge[2] = { NULL, NULL };
    WCHAR share_path[MAX_PATH], connect_path[MAX_PATH];
    char share[4096], connect[4096];
    struct msgr_pair pair;
    struct record *r;
    unsigned int i;
    DWORD consent;
    HRESULT hr;

    winetest_push_context(freerdp ? "FreeRDP-like" : "one address");
    record_path(share_path, L"share");
    record_path(connect_path, L"connect");
    set_backend(L"Share", freerdp ? L"share-freerdp" : L"share", share_path);
    set_backend(L"Connect", L"connect", connect_path);
    /* No question on the screen before sharing (rendezvoussession's ShareConsent). */
    consent = 1;
    RegSetKeyValueW(HKEY_CURRENT_USER, SETTINGS_KEY, L"ShareConsent", REG_DWORD, &consent, sizeof(consent));

    /* The novice invites the expert over Messenger, as XP's Remote Assistance did. */
    if (!pair_connect(&pair, test_app, NULL)) goto done;
    bridge[0] = create_bridge(pair.manager, pair.session[0], L"expert@example.org");
    bridge[1] = create_bridge(pair.manager, pair.session[1], L"novice@example.org");
    for (i = 0; i < 2; i++)
    {
        hr = CoCreateInstance(&CLSID_AskComponent, NULL, CLSCTX_INPROC_SERVER, &IID_IRendezvousApplication,
                              (void **)&apps[i]);
        ok(hr == S_OK, "CoCreateInstance(Ask component) returned %#lx\n", hr);
        if (FAILED(hr) || !bridge[i]) goto done;
    }
    for (i = 0; i < 2; i++)
    {
        hr = IRendezvousApplication_SetRendezvousSession(apps[i], (IUnknown *)bridge[i]);
        ok(hr == S_OK, "SetRendezvousSession %u returned %#lx\n", i, hr);
        /* The IM lets go of the bridge; Remote Assistance holds it. */
        IRendezvousSession_Release(bridge[i]);
        bridge[i] = NULL;
    }

    ok(pump_until(both_ended, &pair, WAIT_MS * 3), "the Remote Assistance flow did not end: states %ld, %ld\n",
       get_state(pair.session[0]), get_state(pair.session[1]));

    /* Hello and ack from the helper (the invitee), the ticket from the sharer (the inviter),
     * all within Messenger's limits. */
    ok(count_events(&pair.sink[0], DISPID_ONCONTEXTDATA) == 2, "the sharer got %u messages\n",
       count_events(&pair.sink[0], DISPID_ONCONTEXTDATA));
    ok(count_events(&pair.sink[1], DISPID_ONCONTEXTDATA) == 1, "the helper got %u messages\n",
       count_events(&pair.sink[1], DISPID_ONCONTEXTDATA));
    r = find_event(&pair.sink[1], DISPID_ONCONTEXTDATA, 0);
    ok(r != NULL, "got %p\n", r);
    if (r) ok(SysStringLen(r->data) <= 300, "got %u\n", SysStringLen(r->data));
    if (r && freerdp)
    {
        /* Of the four addresses, as many as fit in 300 units: one of this length. */
        static const WCHAR start[] = L"<E><A FP=\"" FREERDP_FP L"\" ID=\"";

        ok(!wcsncmp(r->data, start, wcslen(start)), "got %s\n", wine_dbgstr_w(r->data));
        ok(wcsstr(r->data, L"<L P=\"65151\" N=\"192.168.100.201\"/></T>") != NULL, "got %s\n", wine_dbgstr_w(r->data));
        ok(SysStringLen(r->data) == 268, "got %u\n", SysStringLen(r->data));
    }
    else if (r)
        ok(!wcsncmp(r->data, L"<E><A ID=\"{", 11), "got %s\n", wine_dbgstr_w(r->data));
    r = find_event(&pair.sink[0], DISPID_ONCONTEXTDATA, 1);
    ok(r != NULL, "got %p\n", r);
    if (r) ok(!wcsncmp(r->data, L"<K V=\"1\" ID=\"", 13), "got %s\n", wine_dbgstr_w(r->data));
    /* The sharer ended it with Terminate(S_OK): its Messenger session cancelled, the helper's declined. */
    ok(get_state(pair.session[0]) == SS_CANCELLED, "sharer state %ld\n", get_state(pair.session[0]));
    ok(get_state(pair.session[1]) == SS_DECLINED, "helper state %ld\n", get_state(pair.session[1]));
    r = find_event(&pair.sink[1], DISPID_ONTERMINATION, 0);
    ok(r != NULL, "got %p\n", r);
    if (r) ok(r->value == SR_SESSION_CANCELLED_REMOTE, "helper OnTermination %#lx\n", r ? r->value : 0);

    /* Both backends ran with the ticket's values. */
    ret = read_record(share_path, share, sizeof(share));
    ok(ret, "share backend: %s\n", share);
    if (ret) ok(strstr(share, "ready") != NULL, "share backend: %s\n", share);
    ret = read_record(connect_path, connect, sizeof(connect));
    ok(ret, "connect backend: %s\n", connect);
    if (ret) ok(strstr(connect, "ready") != NULL, "connect backend: %s\n", connect);
    ok(strstr(share, "arg user=expert@example.org") != NULL, "share backend user: %s\n", share);
    if (freerdp)
    {
        ok(strstr(connect, "in FINGERPRINT " FREERDP_FINGERPRINT "\n") != NULL &&
           strstr(connect, "in ADDRESS 192.168.100.201 PORT 65151\n") != NULL &&
           !strstr(connect, "192.168.101.202"), "connect backend input: %s\n", connect);
    }
    else
    {
        ok(strstr(connect, "in ADDRESS 127.0.0.1 PORT 5900") != NULL && !strstr(connect, "FINGERPRINT"),
           "connect backend input: %s\n", connect);
    }

done:
    for (i = 0; i < 2; i++)
    {
        if (bridge[i]) IRendezvousSession_Release(bridge[i]);
        /* Remote Assistance may still be finishing: it lets go of itself. */
        if (apps[i]) IRendezvousApplication_Release(apps[i]);
    }
    if (pair.point[0] && pair.point[1])
        ok(pump_until(bridges_gone, &pair, WAIT_MS), "the bridges are still advised: %u, %u sinks\n",
           connection_count(pair.point[0]), connection_count(pair.point[1]));
    pair_release(&pair);
    RegDeleteKeyValueW(HKEY_CURRENT_USER, BACKENDS_KEY, L"Share");
    RegDeleteKeyValueW(HKEY_CURRENT_USER, BACKENDS_KEY, L"Connect");
    RegDeleteKeyValueW(HKEY_CURRENT_USER, SETTINGS_KEY, L"ShareConsent");
    DeleteFileW(share_path);
    DeleteFileW(connect_path);
    winetest_pop_context();
}

START_TEST(bridge)
{
    IMsgrSessionManager *manager;
    char **argv;
    int argc;

    argc = winetest_get_mainargs(&argv);
    if (argc > 4 && !strcmp(argv[2], "backend"))
    {
        backend_child(argc, argv);
        return;
    }
    CoInitialize(NULL);
    GetModuleFileNameW(NULL, test_exe, ARRAY_SIZE(test_exe));
    GetTempPathW(ARRAY_SIZE(temp_dir), temp_dir);
    if (!(manager = create_manager()))
    {
        CoUninitialize();
        return;
    }
    delete_app_key(test_app);
    ok(register_app(manager, test_app, L"Remote Assistance over Messenger", L"", test_exe) == S_OK,
       "RegisterApplication failed\n");

    test_create();
    test_events();
    test_lifetime();
    test_remote_assistance(FALSE);
    test_remote_assistance(TRUE);

    unregister_app(manager, test_app);
    ok(!IMsgrSessionManager_Release(manager), "manager still referenced\n");
    check_unload("msgsc.dll");
    check_unload("rendezvoussession.dll");
    CoUninitialize();
}
