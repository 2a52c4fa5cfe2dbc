/*
 * Remote Assistance's consent question, read from the screen: the security code
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
 * Project behaviour (docs/behaviour.md, "Backends"): two RendezvousSessions
 * of ours, each handed to a Remote Assistance object, as two IM programs do.
 * The novice is asked before its screen is shared; a thread reads the
 * question's text from the screen and answers it.  The question and both
 * backends' input carry the security code both sessions give, "123 456"; an
 * IM session that is not ours has no code, and the question no such line.
 *
 * The question is a window: this unit needs a display (tools/runtest runs
 * it under Xvfb).
 */

#define COBJMACROS

#include <stdio.h>
#include <windows.h>
#include <ole2.h>
#include <olectl.h>

#include "rendezvoussession.h"
#include "winerendezvous.h"

#include "wine/test.h"
#include "unload.h"
#include "recording_backend.h"

static const GUID CLSID_AskComponent = { 0xc0b3c446, 0x3032, 0x4016, { 0x92, 0x6f, 0x9b, 0xae, 0x48, 0xbe, 0xbf, 0xbe } };

#define BACKENDS_KEY L"Software\\Wine\\RendezvousSession\\Backends"
#define SETTINGS_KEY L"Software\\Wine\\RendezvousSession"
#define WAIT_MS 30000
/* The id of a MessageBox's text control, in Windows and in Wine. */
#define MSGBOX_TEXT_ID 0xffff
#define CODE_LINE L"Check that your helper sees the same security code: "

static WCHAR test_exe[MAX_PATH];
static WCHAR temp_dir[MAX_PATH];

/* ---------------------------------------------------------------------------
 * The backends: this program, run as "consent backend ROLE RECORD"
 * (recording_backend.h).
 */

static void record_path(WCHAR *path, const WCHAR *role)
{
    swprintf(path, MAX_PATH, L"%lsra_consent_%ls.txt", temp_dir, role);
}

static void set_backend(const WCHAR *role, const WCHAR *record)
{
    WCHAR command[MAX_PATH * 3];
    LSTATUS status;

    DeleteFileW(record);
    swprintf(command, ARRAY_SIZE(command), L"\"%ls\" consent backend %ls \"%ls\"", test_exe,
             !wcscmp(role, L"Share") ? L"share" : L"connect", record);
    status = RegSetKeyValueW(HKEY_CURRENT_USER, BACKENDS_KEY, role, REG_SZ, command,
                             (lstrlenW(command) + 1) * sizeof(WCHAR));
    ok(!status, "cannot set %s: %ld\n", wine_dbgstr_w(role), status);
}

static void set_dword(const WCHAR *key, const WCHAR *name, DWORD value)
{
    LSTATUS status = RegSetKeyValueW(HKEY_CURRENT_USER, key, name, REG_DWORD, &value, sizeof(value));
    ok(!status, "cannot set %s: %ld\n", wine_dbgstr_w(name), status);
}

/* The value of the backend's input line "NAME value", or NULL: in "ran", whether it ran. */
static const char *record_line(const WCHAR *path, const char *name, char *buffer, size_t size, BOOL *ran)
{
    FILE *f = _wfopen(path, L"r");
    const char *found = NULL;
    char line[512];

    *ran = f != NULL;
    if (!f) return NULL;
    while (!found && fgets(line, sizeof(line), f))
    {
        line[strcspn(line, "\r\n")] = 0;
        if (!strncmp(line, name, strlen(name)) && line[strlen(name)] == ' ')
        {
            lstrcpynA(buffer, line + 1 + strlen(name), size);
            found = buffer;
        }
    }
    fclose(f);
    return found;
}

/* ---------------------------------------------------------------------------
 * An IM session that is not ours: it passes IRendezvousSession and the
 * connection point on to one of ours, and has no IRendezvousSessionHost.
 */

struct foreign
{
    IRendezvousSession IRendezvousSession_iface;
    IConnectionPointContainer IConnectionPointContainer_iface;
    LONG refcount;
    IRendezvousSession *inner;
    IConnectionPointContainer *inner_cpc;
};

static inline struct foreign *impl_from_IRendezvousSession(IRendezvousSession *iface)
{
    return CONTAINING_RECORD(iface, struct foreign, IRendezvousSession_iface);
}

static inline struct foreign *impl_from_IConnectionPointContainer(IConnectionPointContainer *iface)
{
    return CONTAINING_RECORD(iface, struct foreign, IConnectionPointContainer_iface);
}

static HRESULT WINAPI foreign_QueryInterface(IRendezvousSession *iface, REFIID riid, void **obj)
{
    struct foreign *f = impl_from_IRendezvousSession(iface);

    if (IsEqualGUID(riid, &IID_IUnknown) || IsEqualGUID(riid, &IID_IRendezvousSession))
        *obj = &f->IRendezvousSession_iface;
    else if (IsEqualGUID(riid, &IID_IConnectionPointContainer))
        *obj = &f->IConnectionPointContainer_iface;
    else
    {
        *obj = NULL;
        return E_NOINTERFACE;
    }
    IRendezvousSession_AddRef(iface);
    return S_OK;
}

static ULONG WINAPI foreign_AddRef(IRendezvousSession *iface)
{
    struct foreign *f = impl_from_IRendezvousSession(iface);
    return InterlockedIncrement(&f->refcount);
}

static ULONG WINAPI foreign_Release(IRendezvousSession *iface)
{
    struct foreign *f = impl_from_IRendezvousSession(iface);
    ULONG refcount = InterlockedDecrement(&f->refcount);

    if (!refcount)
    {
        IConnectionPointContainer_Release(f->inner_cpc);
        IRendezvousSession_Release(f->inner);
        free(f);
    }
    return refcount;
}

static HRESULT WINAPI foreign_get_State(IRendezvousSession *iface, RENDEZVOUS_SESSION_STATE *state)
{
    return IRendezvousSession_get_State(impl_from_IRendezvousSession(iface)->inner, state);
}

static HRESULT WINAPI foreign_get_RemoteUser(IRendezvousSession *iface, BSTR *user)
{
    return IRendezvousSession_get_RemoteUser(impl_from_IRendezvousSession(iface)->inner, user);
}

static HRESULT WINAPI foreign_get_Flags(IRendezvousSession *iface, LONG *flags)
{
    return IRendezvousSession_get_Flags(impl_from_IRendezvousSession(iface)->inner, flags);
}

static HRESULT WINAPI foreign_SendContextData(IRendezvousSession *iface, BSTR data)
{
    return IRendezvousSession_SendContextData(impl_from_IRendezvousSession(iface)->inner, data);
}

static HRESULT WINAPI foreign_Terminate(IRendezvousSession *iface, HRESULT hr, BSTR data)
{
    return IRendezvousSession_Terminate(impl_from_IRendezvousSession(iface)->inner, hr, data);
}

static const IRendezvousSessionVtbl foreign_vtbl =
{
    foreign_QueryInterface,
    foreign_AddRef,
    foreign_Release,
    foreign_get_State,
    foreign_get_RemoteUser,
    foreign_get_Flags,
    foreign_SendContextData,
    foreign_Terminate,
};

static HRESULT WINAPI foreign_cpc_QueryInterface(IConnectionPointContainer *iface, REFIID riid, void **obj)
{
    return foreign_QueryInterface(&impl_from_IConnectionPointContainer(iface)->IRendezvousSession_iface, riid, obj);
}

static ULONG WINAPI foreign_cpc_AddRef(IConnectionPointContainer *iface)
{
    return foreign_AddRef(&impl_from_IConnectionPointContainer(iface)->IRendezvousSession_iface);
}

static ULONG WINAPI foreign_cpc_Release(IConnectionPointContainer *iface)
{
    return foreign_Release(&impl_from_IConnectionPointContainer(iface)->IRendezvousSession_iface);
}

static HRESULT WINAPI foreign_cpc_EnumConnectionPoints(IConnectionPointContainer *iface, IEnumConnectionPoints **ret)
{
    return IConnectionPointContainer_EnumConnectionPoints(impl_from_IConnectionPointContainer(iface)->inner_cpc, ret);
}

static HRESULT WINAPI foreign_cpc_FindConnectionPoint(IConnectionPointContainer *iface, REFIID riid,
                                                      IConnectionPoint **ret)
{
    return IConnectionPointContainer_FindConnectionPoint(impl_from_IConnectionPointContainer(iface)->inner_cpc,
                                                         riid, ret);
}

static const IConnectionPointContainerVtbl foreign_cpc_vtbl =
{
    foreign_cpc_QueryInterface,
    foreign_cpc_AddRef,
    foreign_cpc_Release,
    foreign_cpc_EnumConnectionPoints,
    foreign_cpc_FindConnectionPoint,
};

static IUnknown *create_foreign(IRendezvousSession *inner)
{
    struct foreign *f = calloc(1, sizeof(*f));
    HRESULT hr;

    f->IRendezvousSession_iface.lpVtbl = &foreign_vtbl;
    f->IConnectionPointContainer_iface.lpVtbl = &foreign_cpc_vtbl;
    f->refcount = 1;
    f->inner = inner;
    IRendezvousSession_AddRef(inner);
    hr = IRendezvousSession_QueryInterface(inner, &IID_IConnectionPointContainer, (void **)&f->inner_cpc);
    ok(hr == S_OK, "no IConnectionPointContainer: %#lx\n", hr);
    return (IUnknown *)&f->IRendezvousSession_iface;
}

/* ---------------------------------------------------------------------------
 * The question on the screen
 */

struct question
{
    UINT answer;            /* IDYES or IDNO */
    BOOL seen;
    WCHAR caption[64];
    WCHAR text[1024];
};

/* Waits for the question, reads it and answers it. */
static DWORD WINAPI answer_thread(void *arg)
{
    struct question *q = arg;
    DWORD start = GetTickCount();
    HWND dlg;

    /* Visible once MessageBox has filled it in. */
    while (!(dlg = FindWindowW(L"#32770", L"Remote Assistance")) || !IsWindowVisible(dlg))
    {
        if (GetTickCount() - start >= WAIT_MS) return 1;
        Sleep(20);
    }
    q->seen = TRUE;
    GetWindowTextW(dlg, q->caption, ARRAY_SIZE(q->caption));
    GetDlgItemTextW(dlg, MSGBOX_TEXT_ID, q->text, ARRAY_SIZE(q->text));
    PostMessageW(dlg, WM_COMMAND, q->answer, 0);
    return 0;
}

/* ---------------------------------------------------------------------------
 * Two IMs with sessions of ours, each with its Remote Assistance (Ask)
 */

struct ra_run
{
    /* set up by the caller */
    BOOL foreign;           /* the IMs hand Remote Assistance a session that is not ours */
    UINT answer;
    /* results */
    struct question q;
    WCHAR code[8];          /* the sessions' code as users see it, "123 456" */
    BOOL share_ran, connect_ran;
    char share_code[32], connect_code[32];
    BOOL share_has_code, connect_has_code;
};

static IRendezvousSessionHost *create_host(LONG flags, const WCHAR *remote_user)
{
    IRendezvousSessionHost *host = NULL;
    BSTR user;
    HRESULT hr;

    hr = CoCreateInstance(&CLSID_RendezvousSession, NULL, CLSCTX_INPROC_SERVER, &IID_IRendezvousSessionHost,
                          (void **)&host);
    ok(hr == S_OK, "CoCreateInstance returned %#lx\n", hr);
    if (!host) return NULL;
    hr = IRendezvousSessionHost_Initialize(host, flags);
    ok(hr == S_OK, "Initialize returned %#lx\n", hr);
    user = SysAllocString(remote_user);
    hr = IRendezvousSessionHost_put_RemoteUser(host, user);
    ok(hr == S_OK, "put_RemoteUser returned %#lx\n", hr);
    SysFreeString(user);
    return host;
}

static RENDEZVOUS_SESSION_STATE host_state(IRendezvousSessionHost *host)
{
    RENDEZVOUS_SESSION_STATE state = RSS_UNKNOWN;
    IRendezvousSession *session;

    if (SUCCEEDED(IRendezvousSessionHost_QueryInterface(host, &IID_IRendezvousSession, (void **)&session)))
    {
        IRendezvousSession_get_State(session, &state);
        IRendezvousSession_Release(session);
    }
    return state;
}

static BOOL is_final(RENDEZVOUS_SESSION_STATE state)
{
    return state == RSS_CANCELLED || state == RSS_DECLINED || state == RSS_TERMINATED;
}

/* Pumps until both sessions have ended and the answer thread is done. */
static BOOL wait_end(IRendezvousSessionHost **hosts, HANDLE thread)
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
        if (is_final(host_state(hosts[0])) && is_final(host_state(hosts[1])) &&
            WaitForSingleObject(thread, 0) == WAIT_OBJECT_0)
            return TRUE;
        if (GetTickCount() - start >= WAIT_MS) return FALSE;
        MsgWaitForMultipleObjects(0, NULL, FALSE, 10, QS_ALLINPUT);
    }
}

static void give_session(IRendezvousSessionHost *host, BOOL foreign)
{
    IRendezvousApplication *app = NULL;
    IRendezvousSession *session;
    IUnknown *unk;
    HRESULT hr;

    hr = CoCreateInstance(&CLSID_AskComponent, NULL, CLSCTX_INPROC_SERVER, &IID_IRendezvousApplication,
                          (void **)&app);
    ok(hr == S_OK, "CoCreateInstance returned %#lx\n", hr);
    if (!app) return;
    IRendezvousSessionHost_QueryInterface(host, &IID_IRendezvousSession, (void **)&session);
    unk = foreign ? create_foreign(session) : (IUnknown *)session;
    hr = IRendezvousApplication_SetRendezvousSession(app, unk);
    ok(hr == S_OK, "SetRendezvousSession returned %#lx\n", hr);
    if (foreign) IUnknown_Release(unk);
    IRendezvousSession_Release(session);
    /* The IM lets go at once: the session keeps Remote Assistance alive. */
    IRendezvousApplication_Release(app);
}

static void run_session(struct ra_run *r)
{
    IRendezvousSessionHost *hosts[2];
    WCHAR share_path[MAX_PATH], connect_path[MAX_PATH];
    BSTR invitation = NULL, codes[2] = { NULL, NULL };
    HANDLE thread;
    unsigned int i;
    HRESULT hr;

    record_path(share_path, L"share");
    record_path(connect_path, L"connect");
    set_backend(L"Share", share_path);
    set_backend(L"Connect", connect_path);

    /* Ask: the inviter is the novice, who is asked. */
    hosts[0] = create_host(RSF_INVITER, L"helper@example.org");
    hosts[1] = create_host(RSF_INVITEE, L"novice@example.org");
    if (!hosts[0] || !hosts[1]) goto done;
    hr = IRendezvousSessionHost_CreateInvitation(hosts[0], NULL, &invitation);
    ok(hr == S_OK, "CreateInvitation returned %#lx\n", hr);
    hr = IRendezvousSessionHost_ReceiveInvitation(hosts[1], invitation);
    ok(hr == S_OK, "ReceiveInvitation returned %#lx\n", hr);
    SysFreeString(invitation);
    give_session(hosts[0], r->foreign);
    give_session(hosts[1], r->foreign);

    r->q.answer = r->answer;
    thread = CreateThread(NULL, 0, answer_thread, &r->q, 0, NULL);
    hr = IRendezvousSessionHost_Accept(hosts[1]);
    ok(hr == S_OK, "Accept returned %#lx\n", hr);
    ok(wait_end(hosts, thread), "the session did not end: states %d, %d\n", host_state(hosts[0]),
       host_state(hosts[1]));
    CloseHandle(thread);
    ok(r->q.seen, "no question on the screen\n");
    ok(!wcscmp(r->q.caption, L"Remote Assistance"), "caption %s\n", wine_dbgstr_w(r->q.caption));

    /* The code both sessions give, whatever Remote Assistance could see. */
    for (i = 0; i < 2; i++)
    {
        hr = IRendezvousSessionHost_get_SecurityCode(hosts[i], &codes[i]);
        ok(hr == S_OK, "get_SecurityCode %u returned %#lx\n", i, hr);
    }
    ok(codes[0] != NULL, "codes %s, %s\n", wine_dbgstr_w(codes[0]), wine_dbgstr_w(codes[1]));
    if (codes[0]) ok(codes[1] != NULL, "codes %s, %s\n", wine_dbgstr_w(codes[0]), wine_dbgstr_w(codes[1]));
    if (codes[0] && codes[1]) ok(!wcscmp(codes[0], codes[1]), "got %s\n", wine_dbgstr_w(codes[0]));
    ok(codes[0] != NULL, "code %s\n", wine_dbgstr_w(codes[0]));
    if (codes[0]) ok(lstrlenW(codes[0]) == 6, "got %d\n", lstrlenW(codes[0]));
    if (codes[0]) ok(wcsspn(codes[0], L"0123456789") == 6, "got %Iu\n", wcsspn(codes[0], L"0123456789"));
    if (codes[0] && lstrlenW(codes[0]) == 6)
        swprintf(r->code, ARRAY_SIZE(r->code), L"%.3ls %.3ls", codes[0], codes[0] + 3);
    SysFreeString(codes[0]);
    SysFreeString(codes[1]);

    r->share_has_code = record_line(share_path, "CODE", r->share_code, sizeof(r->share_code), &r->share_ran) != NULL;
    r->connect_has_code = record_line(connect_path, "CODE", r->connect_code, sizeof(r->connect_code),
                                      &r->connect_ran) != NULL;
done:
    for (i = 0; i < 2; i++)
        if (hosts[i]) IRendezvousSessionHost_Release(hosts[i]);
    DeleteFileW(share_path);
    DeleteFileW(connect_path);
}

/* ---------------------------------------------------------------------------
 * Tests
 */

static void test_code_shown(void)
{
    WCHAR expect[128];
    char code[8];
    struct ra_run r;

    /* Undocumented: the question names the helper and shows the code; Yes shares. */
    memset(&r, 0, sizeof(r));
    r.answer = IDYES;
    run_session(&r);
    ok(lstrlenW(r.code) == 7, "no code: %s\n", wine_dbgstr_w(r.code));
    swprintf(expect, ARRAY_SIZE(expect), L"%ls%ls\n", CODE_LINE, r.code);
    ok(wcsstr(r.q.text, expect) != NULL, "the question lacks %s: %s\n", wine_dbgstr_w(expect),
       wine_dbgstr_w(r.q.text));
    ok(wcsstr(r.q.text, L"helper@example.org asks for Remote Assistance.") == r.q.text, "text %s\n",
       wine_dbgstr_w(r.q.text));
    ok(wcsstr(r.q.text, L"see your screen now?") != NULL, "text %s\n", wine_dbgstr_w(r.q.text));

    /* Both backends are given the code, the helper's to show it to the helper. */
    WideCharToMultiByte(CP_ACP, 0, r.code, -1, code, sizeof(code), NULL, NULL);
    ok(r.share_ran, "the share backend did not run\n");
    ok(r.connect_ran, "the connect backend did not run\n");
    ok(r.share_has_code, "got %d\n", r.share_has_code);
    if (r.share_has_code) ok(!strcmp(r.share_code, code), "got %s\n", r.share_code);
    ok(r.connect_has_code, "connect backend code %s, expected %s\n", r.connect_has_code ? r.connect_code : "(none)", code);
    if (r.connect_has_code) ok(!strcmp(r.connect_code, code), "got %s\n", r.connect_code);
}

static void test_code_declined(void)
{
    WCHAR expect[128];
    struct ra_run r;

    /* No: the question had the code too, and nothing started. */
    memset(&r, 0, sizeof(r));
    r.answer = IDNO;
    run_session(&r);
    ok(lstrlenW(r.code) == 7, "no code: %s\n", wine_dbgstr_w(r.code));
    swprintf(expect, ARRAY_SIZE(expect), L"%ls%ls\n", CODE_LINE, r.code);
    ok(wcsstr(r.q.text, expect) != NULL, "the question lacks %s: %s\n", wine_dbgstr_w(expect),
       wine_dbgstr_w(r.q.text));
    ok(!r.share_ran, "the share backend ran\n");
    ok(!r.connect_ran, "the connect backend ran\n");
}

static void test_foreign_session(void)
{
    struct ra_run r;

    /* Undocumented: another IM's session has no code to show; the question
     * says nothing of one, even though our session underneath has one. */
    memset(&r, 0, sizeof(r));
    r.foreign = TRUE;
    r.answer = IDYES;
    run_session(&r);
    ok(lstrlenW(r.code) == 7, "no code underneath: %s\n", wine_dbgstr_w(r.code));
    ok(wcsstr(r.q.text, L"helper@example.org asks for Remote Assistance.") == r.q.text, "text %s\n",
       wine_dbgstr_w(r.q.text));
    ok(!wcsstr(r.q.text, L"security code"), "the question speaks of a code: %s\n", wine_dbgstr_w(r.q.text));
    ok(!wcsstr(r.q.text, r.code), "the question holds the code: %s\n", wine_dbgstr_w(r.q.text));
    ok(r.share_ran, "the share backend did not run\n");
    ok(r.connect_ran, "the connect backend did not run\n");
    ok(!r.share_has_code, "the share backend got code %s\n", r.share_code);
    ok(!r.connect_has_code, "the connect backend got code %s\n", r.connect_code);
}

START_TEST(consent)
{
    HWND window;
    char **argv;
    int argc;

    argc = winetest_get_mainargs(&argv);
    if (argc >= 5 && !strcmp(argv[2], "backend"))
    {
        recording_backend(argv[3], argv[4]);
        return;
    }

    /* Without a display no window, and so no question, can be made. */
    window = CreateWindowExW(0, L"static", L"probe", WS_OVERLAPPEDWINDOW, 0, 0, 10, 10, NULL, NULL, NULL, NULL);
    ok(window != NULL, "no window (%lu): run this unit on a display, as tools/runtest does under Xvfb\n",
       GetLastError());
    if (!window) return;
    DestroyWindow(window);

    CoInitialize(NULL);
    GetModuleFileNameW(NULL, test_exe, ARRAY_SIZE(test_exe));
    GetTempPathW(ARRAY_SIZE(temp_dir), temp_dir);
    set_dword(SETTINGS_KEY, L"ShareConsent", 0);

    test_code_shown();
    test_code_declined();
    test_foreign_session();

    RegDeleteKeyValueW(HKEY_CURRENT_USER, BACKENDS_KEY, L"Share");
    RegDeleteKeyValueW(HKEY_CURRENT_USER, BACKENDS_KEY, L"Connect");
    RegDeleteKeyValueW(HKEY_CURRENT_USER, SETTINGS_KEY, L"ShareConsent");
    check_unload("rendezvoussession.dll");
    CoUninitialize();
}
