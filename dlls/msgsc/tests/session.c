/*
 * Conformance tests for MsgrSession: every IMsgrSession member and code, the
 * session events, and two Messenger peers over the core's transport
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
 * Documented (MSDocs-win32 desktop-src/winmessenger): the DISPIDs and
 * arguments of the events, SendContextData's S_OK, E_INVALIDARG,
 * SR_CONTEXT_DATA_OVER_LIMIT (over 300 characters, after five calls),
 * SR_NOT_VALID_FOR_APP_INVITE and E_OUTOFMEMORY, and the error lists of the
 * other members.  Where a list leaves the choice open, the test says so in a
 * comment: those are this project's choices (docs/behaviour.md, "Messenger").
 */

#define COBJMACROS

#include <stdio.h>
#include <windows.h>
#include <ole2.h>
#include <olectl.h>
#include <tlhelp32.h>

#include "msgrpriv.h"
#include "winemsgr.h"

#include "wine/test.h"
#include "../../rendezvoussession/tests/unload.h"
#include "../../rendezvoussession/tests/child.h"
#include "msgsc_test.h"

#define E_INVALID_STATE HRESULT_FROM_WIN32(ERROR_INVALID_STATE)

static const WCHAR test_app[] = L"{6D3A59B2-5C44-4E52-9B1E-0A7E5C6D7E01}";
static const WCHAR launch_app[] = L"{6D3A59B2-5C44-4E52-9B1E-0A7E5C6D7E02}";
static const WCHAR missing_app[] = L"{6D3A59B2-5C44-4E52-9B1E-0A7E5C6D7E03}";
static char **test_argv;
static WCHAR launch_command[MAX_PATH + 32];

/* Exported by oleaut32, but not in mingw-w64's headers or i686 import library. */
static void (WINAPI *pSetOaNoCache)(void);

static IMsgrSessionManager *manager;

static void test_new_session(void)
{
    IMsgrSessionHost *host;
    IDispatch *user;
    IUnknown *unk;
    SESSION_STATE state;
    LONG flags;
    BSTR str;
    HRESULT hr;
    IMsgrSession *session = create_session(manager);

    if (!session) return;

    /* Every getter refuses a NULL pointer with E_INVALIDARG, as documented. */
    ok(IMsgrSession_get_Application(session, NULL) == E_INVALIDARG, "get_Application(NULL)\n");
    ok(IMsgrSession_get_State(session, NULL) == E_INVALIDARG, "get_State(NULL)\n");
    ok(IMsgrSession_get_RemoteAddress(session, NULL) == E_INVALIDARG, "get_RemoteAddress(NULL)\n");
    ok(IMsgrSession_get_SessionID(session, NULL) == E_INVALIDARG, "get_SessionID(NULL)\n");
    ok(IMsgrSession_get_ContextData(session, NULL) == E_INVALIDARG, "get_ContextData(NULL)\n");
    ok(IMsgrSession_get_ApplicationName(session, NULL) == E_INVALIDARG, "get_ApplicationName(NULL)\n");
    ok(IMsgrSession_get_ApplicationURL(session, NULL) == E_INVALIDARG, "get_ApplicationURL(NULL)\n");
    ok(IMsgrSession_get_Flags(session, NULL) == E_INVALIDARG, "get_Flags(NULL)\n");
    ok(IMsgrSession_get_User(session, NULL) == E_INVALIDARG, "get_User(NULL)\n");
    ok(IMsgrSession_get_LocalAddress(session, NULL) == E_INVALIDARG, "get_LocalAddress(NULL)\n");

    hr = IMsgrSession_get_State(session, &state);
    ok(hr == S_OK, "got %#lx\n", hr);
    ok(state == SS_READY, "got %d\n", state);
    /* Undocumented choice: a session from CreateSession can only invite, so it is the inviter's. */
    hr = IMsgrSession_get_Flags(session, &flags);
    ok(hr == S_OK, "got %#lx\n", hr);
    ok(flags == SF_INVITER, "got %#lx\n", flags);
    hr = IMsgrSession_get_SessionID(session, &str);
    ok(hr == S_OK, "got %#lx\n", hr);
    ok(SysStringLen(str) == 38, "got %u\n", SysStringLen(str));
    ok(str[0] == '{', "got %#lx, %s\n", hr, wine_dbgstr_w(str));
    ok(str[37] == '}', "got %#lx, %s\n", hr, wine_dbgstr_w(str));
    SysFreeString(str);

    str = (BSTR)0xdeadbeef;
    hr = IMsgrSession_get_Application(session, &str);
    ok(hr == SR_APP_NOT_SPECIFIED, "got %#lx\n", hr);
    ok(!str, "got %p\n", str);
    hr = IMsgrSession_get_ApplicationName(session, &str);
    ok(hr == SR_APP_NOT_SPECIFIED, "got %#lx\n", hr);
    hr = IMsgrSession_get_ApplicationURL(session, &str);
    ok(hr == SR_APP_NOT_SPECIFIED, "got %#lx\n", hr);
    user = (IDispatch *)0xdeadbeef;
    hr = IMsgrSession_get_User(session, &user);
    ok(hr == SR_NO_USER_INVITED, "got %#lx\n", hr);
    ok(!user, "got %p\n", user);
    /* S_FALSE: "not retrieved". */
    str = (BSTR)0xdeadbeef;
    hr = IMsgrSession_get_ContextData(session, &str);
    ok(hr == S_FALSE, "got %#lx\n", hr);
    ok(!str, "got %p\n", str);
    str = (BSTR)0xdeadbeef;
    hr = IMsgrSession_get_RemoteAddress(session, &str);
    ok(hr == S_FALSE, "got %#lx\n", hr);
    ok(!str, "got %p\n", str);
    /* Undocumented choice: the default local address is the loopback address Invite listens on. */
    hr = IMsgrSession_get_LocalAddress(session, &str);
    ok(hr == S_OK, "got %#lx\n", hr);
    ok(!lstrcmpW(str, L"127.0.0.1"), "got %s\n", wine_dbgstr_w(str));
    SysFreeString(str);

    /* Interfaces. */
    hr = IMsgrSession_QueryInterface(session, &IID_IDispatch, (void **)&unk);
    ok(hr == S_OK, "IDispatch: got %#lx\n", hr);
    ok(unk == (IUnknown *)session, "IDispatch: got %p\n", unk);
    if (hr == S_OK) IUnknown_Release(unk);
    hr = IMsgrSession_QueryInterface(session, &IID_IMsgrLock, (void **)&unk);
    ok(hr == S_OK, "IMsgrLock: %#lx\n", hr);
    if (hr == S_OK)
    {
        LockStatus status;

        /* The lock belongs to the .NET Messenger Service: disabled here. */
        hr = IMsgrLock_get_Status((IMsgrLock *)unk, &status);
        ok(hr == S_OK, "got %#lx\n", hr);
        ok(status == LOCK_DISABLED, "got %d\n", status);
        IUnknown_Release(unk);
    }

    /* The host interface: no invitation yet. */
    hr = IMsgrSession_QueryInterface(session, &IID_IMsgrSessionHost, (void **)&host);
    ok(hr == S_OK, "got %#lx\n", hr);
    if (hr == S_OK)
    {
        VARIANT_BOOL handled = 1;

        ok(IMsgrSessionHost_get_Invitation(host, NULL) == E_POINTER, "get_Invitation(NULL)\n");
        str = (BSTR)0xdeadbeef;
        hr = IMsgrSessionHost_get_Invitation(host, &str);
        ok(hr == E_INVALID_STATE, "got %#lx\n", hr);
        ok(!str, "got %p\n", str);
        hr = IMsgrSessionHost_get_Handled(host, &handled);
        ok(hr == S_OK, "got %#lx\n", hr);
        ok(handled == VARIANT_FALSE, "got %d\n", handled);
        /* Launch is for an invitee. */
        ok(IMsgrSessionHost_Launch(host) == SR_SESSION_STATE_INVALID, "Launch on a new session\n");
        /* No handshake yet, so no security code. */
        ok(IMsgrSessionHost_get_SecurityCode(host, NULL) == E_POINTER, "get_SecurityCode(NULL)\n");
        str = (BSTR)0xdeadbeef;
        hr = IMsgrSessionHost_get_SecurityCode(host, &str);
        ok(hr == E_INVALID_STATE, "got %#lx\n", hr);
        ok(!str, "got %p\n", str);
        IMsgrSessionHost_Release(host);
    }

    /* Answers of a session that is no invitee. */
    str = SysAllocString(L"data");
    hr = IMsgrSession_Accept(session, str);
    ok(hr == SR_SESSION_STATE_INVALID, "Accept: %#lx\n", hr);
    hr = IMsgrSession_Decline(session, str);
    ok(hr == SR_NOT_INVITEE, "Decline: %#lx\n", hr);
    /* SendContextData before anything: not ready (the core's rule, undocumented). */
    hr = IMsgrSession_SendContextData(session, str);
    ok(hr == SR_SESSION_NOT_READY, "SendContextData: %#lx\n", hr);
    SysFreeString(str);
    ok(get_state(session) == SS_READY, "state changed\n");

    ok(!IMsgrSession_Release(session), "session still referenced\n");
}

static void test_application(void)
{
    IMsgrSession *session = create_session(manager);
    LONG flags;
    BSTR str;
    HRESULT hr;

    if (!session) return;

    /* Documented: too long is E_OUTOFMEMORY, anything else not valid E_INVALIDARG. */
    str = bstr_fill('A', 40);
    hr = IMsgrSession_put_Application(session, str);
    ok(hr == E_OUTOFMEMORY, "40 characters: %#lx\n", hr);
    SysFreeString(str);
    hr = IMsgrSession_put_Application(session, NULL);
    ok(hr == E_INVALIDARG, "NULL: %#lx\n", hr);
    hr = put_app(session, L"{6d3a59b2-5c44-4e52-9b1e-0a7e5c6d7e01}");
    ok(hr == E_INVALIDARG, "lower case: %#lx\n", hr);
    hr = put_app(session, L"6D3A59B2-5C44-4E52-9B1E-0A7E5C6D7E01");
    ok(hr == E_INVALIDARG, "no braces: %#lx\n", hr);
    hr = put_app(session, L"{6D3A59B2-5C44-4E52-9B1E-0A7E5C6D7E01} ");
    ok(hr == E_INVALIDARG, "39 characters: %#lx\n", hr);
    /* Undocumented choice: a GUID that is not registered gives SR_APP_NOT_REGISTERED. */
    hr = put_app(session, missing_app);
    ok(hr == SR_APP_NOT_REGISTERED, "not registered: %#lx\n", hr);
    hr = IMsgrSession_get_Application(session, &str);
    ok(hr == SR_APP_NOT_SPECIFIED, "got %#lx\n", hr);

    hr = put_app(session, test_app);
    ok(hr == S_OK, "registered: %#lx\n", hr);
    hr = IMsgrSession_get_Application(session, &str);
    ok(hr == S_OK, "got %#lx\n", hr);
    ok(!lstrcmpW(str, test_app), "got %s\n", wine_dbgstr_w(str));
    SysFreeString(str);
    /* Name and URL as registered. */
    hr = IMsgrSession_get_ApplicationName(session, &str);
    ok(hr == S_OK, "got %#lx\n", hr);
    ok(!lstrcmpW(str, L"Session test"), "got %s\n", wine_dbgstr_w(str));
    SysFreeString(str);
    hr = IMsgrSession_get_ApplicationURL(session, &str);
    ok(hr == S_OK, "got %#lx\n", hr);
    ok(!lstrcmpW(str, L"http://example.org/session"), "got %s\n", wine_dbgstr_w(str));
    SysFreeString(str);
    /* Undocumented choice: SF_APP_INVITE_COMPATIBLE once the application is registered here. */
    hr = IMsgrSession_get_Flags(session, &flags);
    ok(hr == S_OK, "got %#lx\n", hr);
    ok(flags == (SF_INVITER | SF_APP_INVITE_COMPATIBLE), "got %#lx\n", flags);
    /* It may change while the session is ready. */
    hr = put_app(session, launch_app);
    ok(hr == S_OK, "second application: %#lx\n", hr);
    ok(!IMsgrSession_Release(session), "session still referenced\n");
}

static void test_local_address(void)
{
    IMsgrSession *session = create_session(manager);
    BSTR str;
    HRESULT hr;

    if (!session) return;
    /* Documented: too long (over 30) is E_OUTOFMEMORY. */
    str = bstr_fill('1', 31);
    hr = IMsgrSession_put_LocalAddress(session, str);
    ok(hr == E_OUTOFMEMORY, "31 characters: %#lx\n", hr);
    SysFreeString(str);
    /* Undocumented choice: NULL, "" and embedded NULs are not valid. */
    hr = IMsgrSession_put_LocalAddress(session, NULL);
    ok(hr == E_INVALIDARG, "NULL: %#lx\n", hr);
    str = SysAllocString(L"");
    hr = IMsgrSession_put_LocalAddress(session, str);
    ok(hr == E_INVALIDARG, "empty: %#lx\n", hr);
    SysFreeString(str);
    str = bstr_len(L"1.2\0.3", 6);
    hr = IMsgrSession_put_LocalAddress(session, str);
    ok(hr == E_INVALIDARG, "NUL: %#lx\n", hr);
    SysFreeString(str);

    str = bstr_fill('x', 30);
    hr = IMsgrSession_put_LocalAddress(session, str);
    ok(hr == S_OK, "30 characters: %#lx\n", hr);
    SysFreeString(str);
    str = SysAllocString(L"192.0.2.7");
    hr = IMsgrSession_put_LocalAddress(session, str);
    ok(hr == S_OK, "got %#lx\n", hr);
    SysFreeString(str);
    hr = IMsgrSession_get_LocalAddress(session, &str);
    ok(hr == S_OK, "got %#lx\n", hr);
    ok(!lstrcmpW(str, L"192.0.2.7"), "got %s\n", wine_dbgstr_w(str));
    SysFreeString(str);
    ok(!IMsgrSession_Release(session), "session still referenced\n");
}

static void test_invite(void)
{
    struct sink contact, events;
    IConnectionPoint *point;
    IMsgrSessionHost *host;
    IDispatch *user;
    DWORD cookie;
    LONG flags;
    BSTR str, data;
    HRESULT hr;
    IMsgrSession *session = create_session(manager);

    if (!session) return;
    init_sink(&events, &DIID_DMsgrSessionEvents);
    cookie = advise_sink((IUnknown *)session, &DIID_DMsgrSessionEvents, &events, &point);
    create_contact(&contact);

    data = SysAllocString(L"invite data");
    hr = IMsgrSession_Invite(session, NULL, data);
    ok(hr == E_INVALIDARG, "NULL contact: %#lx\n", hr);
    /* Application data: 512 bytes. */
    str = bstr_fill('d', 257);
    hr = IMsgrSession_Invite(session, &contact.IDispatch_iface, str);
    ok(hr == E_INVALIDARG, "257 units: %#lx\n", hr);
    SysFreeString(str);
    hr = IMsgrSession_Invite(session, &contact.IDispatch_iface, data);
    ok(hr == SR_APP_NOT_SPECIFIED, "no application: %#lx\n", hr);
    ok(contact.refcount == 1, "contact kept\n");

    ok(put_app(session, test_app) == S_OK, "put_Application failed\n");
    /* Undocumented choice: a LocalAddress Invite cannot listen on is a network configuration failure. */
    str = SysAllocString(L"not an address");
    IMsgrSession_put_LocalAddress(session, str);
    SysFreeString(str);
    hr = IMsgrSession_Invite(session, &contact.IDispatch_iface, data);
    ok(hr == SR_NETWORK_CONFIG_FAILURE, "bad local address: %#lx\n", hr);
    ok(get_state(session) == SS_READY, "state changed\n");
    /* An address of no interface here (TEST-NET-1): listening fails, SR_INVITATION_SEND_FAILURE. */
    str = SysAllocString(L"192.0.2.7");
    IMsgrSession_put_LocalAddress(session, str);
    SysFreeString(str);
    hr = IMsgrSession_Invite(session, &contact.IDispatch_iface, data);
    ok(hr == SR_INVITATION_SEND_FAILURE, "foreign local address: %#lx\n", hr);
    ok(get_state(session) == SS_READY, "state changed\n");
    ok(contact.refcount == 1, "contact kept\n");
    str = SysAllocString(L"127.0.0.1");
    IMsgrSession_put_LocalAddress(session, str);
    SysFreeString(str);

    /* Any IDispatch is a contact (undocumented choice). */
    str = bstr_fill('d', 256);
    hr = IMsgrSession_Invite(session, &contact.IDispatch_iface, str);
    ok(hr == S_OK, "Invite: %#lx\n", hr);
    SysFreeString(str);
    ok(get_state(session) == SS_INVITATION, "state %ld\n", get_state(session));
    ok(state_event(&events, DISPID_ONSTATECHANGED, 0) == SS_INVITATION, "no OnStateChanged(SS_INVITATION)\n");
    hr = IMsgrSession_get_Flags(session, &flags);
    ok(hr == S_OK, "got %#lx\n", hr);
    ok(flags == (SF_INVITER | SF_APP_INVITE_COMPATIBLE), "got %#lx\n", flags);
    hr = IMsgrSession_get_User(session, &user);
    ok(hr == S_OK, "got %#lx\n", hr);
    ok(user == &contact.IDispatch_iface, "got %p\n", user);
    if (hr == S_OK) IDispatch_Release(user);

    hr = IMsgrSession_QueryInterface(session, &IID_IMsgrSessionHost, (void **)&host);
    ok(hr == S_OK, "got %#lx\n", hr);
    hr = IMsgrSessionHost_get_Invitation(host, &str);
    ok(hr == S_OK, "got %#lx\n", hr);
    ok(!wcsncmp(str, L"msgr1;", 6), "got %s\n", wine_dbgstr_w(str));
    ok(wcsstr(str, test_app) != NULL, "the invitation does not name the application\n");
    ok(wcsstr(str, L";rv1:127.0.0.1:") != NULL, "the invitation has no core part\n");
    SysFreeString(str);
    IMsgrSessionHost_Release(host);

    /* Not twice, and the application stays. */
    hr = IMsgrSession_Invite(session, &contact.IDispatch_iface, data);
    ok(hr == SR_SESSION_NOT_READY, "second Invite: %#lx\n", hr);
    hr = put_app(session, test_app);
    ok(hr == SR_SESSION_NOT_READY, "put_Application after Invite: %#lx\n", hr);
    /* Context data is not for an invitation (documented). */
    hr = IMsgrSession_SendContextData(session, data);
    ok(hr == SR_NOT_VALID_FOR_APP_INVITE, "SendContextData: %#lx\n", hr);
    hr = IMsgrSession_Accept(session, data);
    ok(hr == SR_SESSION_STATE_INVALID, "Accept on the inviter: %#lx\n", hr);
    hr = IMsgrSession_Decline(session, data);
    ok(hr == SR_NOT_INVITEE, "Decline on the inviter: %#lx\n", hr);

    /* The inviter takes the invitation back. */
    str = bstr_fill('c', 257);
    hr = IMsgrSession_Cancel(session, E_ABORT, str);
    ok(hr == E_INVALIDARG, "Cancel with 257 units: %#lx\n", hr);
    SysFreeString(str);
    hr = IMsgrSession_Cancel(session, E_ABORT, data);
    ok(hr == S_OK, "Cancel: %#lx\n", hr);
    ok(get_state(session) == SS_CANCELLED, "state %ld\n", get_state(session));
    /* Undocumented choice: the canceller's sinks get OnTermination(SR_SESSION_CANCELLED_LOCAL, data)
     * before OnStateChanged(SS_CANCELLED). */
    {
        struct record *t = find_event(&events, DISPID_ONTERMINATION, 0);
        struct record *s = find_event(&events, DISPID_ONSTATECHANGED, 1);

        ok(t != NULL, "got %p\n", t);
        if (t) ok(t->value == SR_SESSION_CANCELLED_LOCAL, "OnTermination %#lx %s\n", t ? t->value : 0, t ? wine_dbgstr_w(t->data) : "none");
        if (t) ok(t->data != NULL, "got %p\n", t->data);
        if (t && t->data) ok(!lstrcmpW(t->data, L"invite data"), "got %s\n", wine_dbgstr_w(t->data));
        ok(t != NULL, "got %p\n", t);
        if (t) ok(t->args == 2, "argument types\n");
        if (t) ok(t->vt[0] == VT_I4, "argument types\n");
        if (t) ok(t->vt[1] == VT_BSTR, "argument types\n");
        ok(s != NULL, "got %p\n", s);
        if (s) ok(s->value == SS_CANCELLED, "OnStateChanged(SS_CANCELLED) not after OnTermination\n");
        if (s) ok(record_index(&events, t) < record_index(&events, s), "OnStateChanged(SS_CANCELLED) not after OnTermination\n");
    }
    /* Documented: E_FAIL when there is nothing to cancel. */
    hr = IMsgrSession_Cancel(session, E_ABORT, data);
    ok(hr == E_FAIL, "second Cancel: %#lx\n", hr);
    SysFreeString(data);

    unadvise_sink(point, cookie);
    clear_sink(&events);
    ok(!IMsgrSession_Release(session), "session still referenced\n");
    ok(contact.refcount == 1, "contact still has %ld references\n", contact.refcount);
}

static void test_invitee(void)
{
    IMsgrSessionManagerHost *host;
    struct msgr_pair pair;
    struct record *r;
    IDispatch *user;
    LONG flags;
    BSTR str, id0, id1;
    HRESULT hr;

    if (!pair_invite(&pair, test_app, L"from the inviter")) goto done;

    /* OnInvitation(pSession, bstrAppData, pfHandled) on the manager's sinks. */
    r = find_event(&pair.manager_sink, DISPID_ONINVITATION, 0);
    ok(r != NULL, "no OnInvitation\n");
    if (r)
    {
        IMsgrSession *session = NULL;

        ok(r->args == 3, "%u args, vt %#x %#x %#x\n", r->args, r->vt[0], r->vt[1], r->vt[2]);
        ok(r->vt[0] == VT_DISPATCH, "%u args, vt %#x %#x %#x\n", r->args, r->vt[0], r->vt[1], r->vt[2]);
        ok(r->vt[1] == VT_BSTR, "%u args, vt %#x %#x %#x\n", r->args, r->vt[0], r->vt[1], r->vt[2]);
        ok(r->vt[2] == (VT_BOOL | VT_BYREF), "%u args, vt %#x %#x %#x\n", r->args, r->vt[0], r->vt[1], r->vt[2]);
        ok(r->data != NULL, "got %p\n", r->data);
        if (r->data) ok(!lstrcmpW(r->data, L"from the inviter"), "got %s\n", wine_dbgstr_w(r->data));
        if (r->disp) IDispatch_QueryInterface(r->disp, &IID_IMsgrSession, (void **)&session);
        ok(session == pair.session[1], "OnInvitation gave %p, ReceiveInvitation %p\n", session, pair.session[1]);
        if (session) IMsgrSession_Release(session);
    }

    ok(get_state(pair.session[1]) == SS_INVITATION, "invitee state %ld\n", get_state(pair.session[1]));
    hr = IMsgrSession_get_Flags(pair.session[1], &flags);
    ok(hr == S_OK, "got %#lx\n", hr);
    ok(flags == (SF_INVITEE | SF_APP_INVITE_COMPATIBLE), "got %#lx\n", flags);
    hr = IMsgrSession_get_Application(pair.session[1], &str);
    ok(hr == S_OK, "got %#lx\n", hr);
    ok(!lstrcmpW(str, test_app), "got %s\n", wine_dbgstr_w(str));
    SysFreeString(str);
    hr = IMsgrSession_get_ApplicationName(pair.session[1], &str);
    ok(hr == S_OK, "got %#lx\n", hr);
    ok(!lstrcmpW(str, L"Session test"), "got %s\n", wine_dbgstr_w(str));
    SysFreeString(str);
    hr = IMsgrSession_get_ApplicationURL(pair.session[1], &str);
    ok(hr == S_OK, "got %#lx\n", hr);
    ok(!lstrcmpW(str, L"http://example.org/session"), "got %s\n", wine_dbgstr_w(str));
    SysFreeString(str);
    /* Undocumented choice: an invitee has no contact to give. */
    hr = IMsgrSession_get_User(pair.session[1], &user);
    ok(hr == SR_NO_USER_INVITED, "got %#lx\n", hr);
    /* Both know the session ID. */
    IMsgrSession_get_SessionID(pair.session[0], &id0);
    IMsgrSession_get_SessionID(pair.session[1], &id1);
    ok(id0 != NULL, "ids %s, %s\n", wine_dbgstr_w(id0), wine_dbgstr_w(id1));
    if (id0) ok(id1 != NULL, "ids %s, %s\n", wine_dbgstr_w(id0), wine_dbgstr_w(id1));
    if (id0 && id1) ok(!lstrcmpW(id0, id1), "got %s\n", wine_dbgstr_w(id0));
    SysFreeString(id0);
    SysFreeString(id1);

    /* The invitee cannot change the application or invite, and context data is not for an invitation. */
    ok(put_app(pair.session[1], test_app) == SR_SESSION_NOT_READY, "put_Application on the invitee\n");
    hr = IMsgrSession_Invite(pair.session[1], &pair.contact.IDispatch_iface, NULL);
    ok(hr == SR_SESSION_NOT_READY, "Invite on the invitee: %#lx\n", hr);
    str = SysAllocString(L"x");
    hr = IMsgrSession_SendContextData(pair.session[1], str);
    ok(hr == SR_NOT_VALID_FOR_APP_INVITE, "SendContextData: %#lx\n", hr);
    SysFreeString(str);
    str = bstr_fill('a', 257);
    ok(IMsgrSession_Accept(pair.session[1], str) == E_INVALIDARG, "Accept with 257 units\n");
    ok(IMsgrSession_Decline(pair.session[1], str) == E_INVALIDARG, "Decline with 257 units\n");
    SysFreeString(str);

    /* Malformed invitations. */
    hr = IMsgrSessionManager_QueryInterface(pair.manager, &IID_IMsgrSessionManagerHost, (void **)&host);
    ok(hr == S_OK, "got %#lx\n", hr);
    {
        static const WCHAR *const bad[] =
        {
            L"",
            L"msgr1;",
            L"msgr2;{6D3A59B2-5C44-4E52-9B1E-0A7E5C6D7E01};;;;rv1:127.0.0.1:1:00000000000000000000000000000000:"
             "0000000000000000000000000000000000000000000000000000000000000000",
            L"msgr1;{6d3a59b2-5c44-4e52-9b1e-0a7e5c6d7e01};;;;rv1:127.0.0.1:1:00000000000000000000000000000000:"
             "0000000000000000000000000000000000000000000000000000000000000000",
            L"msgr1;{6D3A59B2-5C44-4E52-9B1E-0A7E5C6D7E01};QQ=;;;rv1:127.0.0.1:1:00000000000000000000000000000000:"
             "0000000000000000000000000000000000000000000000000000000000000000",
            L"msgr1;{6D3A59B2-5C44-4E52-9B1E-0A7E5C6D7E01};QQ==;;;rv1:127.0.0.1:1:00000000000000000000000000000000:"
             "0000000000000000000000000000000000000000000000000000000000000000",
            L"msgr1;{6D3A59B2-5C44-4E52-9B1E-0A7E5C6D7E01};QR==;;;rv1:127.0.0.1:1:00000000000000000000000000000000:"
             "0000000000000000000000000000000000000000000000000000000000000000",
            L"msgr1;{6D3A59B2-5C44-4E52-9B1E-0A7E5C6D7E01};;;;rv1:127.0.0.1:1:0000",
            L"msgr1;{6D3A59B2-5C44-4E52-9B1E-0A7E5C6D7E01};;;rv1:127.0.0.1:1:00000000000000000000000000000000:"
             "0000000000000000000000000000000000000000000000000000000000000000",
        };
        unsigned int i;
        IDispatch *disp;

        ok(IMsgrSessionManagerHost_ReceiveInvitation(host, NULL, &disp) == E_INVALIDARG, "NULL invitation\n");
        for (i = 0; i < ARRAY_SIZE(bad); i++)
        {
            str = SysAllocString(bad[i]);
            disp = (IDispatch *)0xdeadbeef;
            hr = IMsgrSessionManagerHost_ReceiveInvitation(host, str, &disp);
            ok(hr == E_INVALIDARG, "got %#lx\n", hr);
            ok(!disp, "got %p\n", disp);
            SysFreeString(str);
        }
        ok(IMsgrSessionManagerHost_ReceiveInvitation(host, NULL, NULL) == E_POINTER, "NULL out\n");
        ok(count_events(&pair.manager_sink, DISPID_ONINVITATION) == 1, "OnInvitation for a bad invitation\n");
        /* A well-formed one decodes to the given data: "A" as UTF-16LE is "QQA=". */
        str = SysAllocString(L"msgr1;{6D3A59B2-5C44-4E52-9B1E-0A7E5C6D7E01};QQA=;;QgBDAA==;"
                             "rv1:127.0.0.1:1:00000000000000000000000000000000:"
                             "0000000000000000000000000000000000000000000000000000000000000000");
        hr = IMsgrSessionManagerHost_ReceiveInvitation(host, str, &disp);
        ok(hr == S_OK, "well-formed invitation: %#lx\n", hr);
        SysFreeString(str);
        r = find_event(&pair.manager_sink, DISPID_ONINVITATION, 1);
        ok(r != NULL, "got %p\n", r);
        if (r) ok(r->data != NULL, "got %p\n", r->data);
        if (r && r->data) ok(!lstrcmpW(r->data, L"BC"), "got %s\n", wine_dbgstr_w(r->data));
        if (hr == S_OK) IDispatch_Release(disp);
    }
    IMsgrSessionManagerHost_Release(host);

done:
    pair_release(&pair);
}

/* OnInvitation's pfHandled comes back through the host interface. */
static void test_handled(void)
{
    IMsgrSessionManagerHost *mhost;
    struct sink contact, answer;
    IConnectionPoint *point;
    IMsgrSessionHost *shost;
    IMsgrSession *inviter = create_session(manager), *invitee = NULL;
    VARIANT_BOOL handled;
    IDispatch *disp = NULL;
    DWORD cookie;
    BSTR text = NULL;
    HRESULT hr;

    if (!inviter) return;
    init_sink(&answer, &DIID_DMsgrSessionManagerEvents);
    answer.change_bool = TRUE;
    answer.set_bool = VARIANT_TRUE;
    cookie = advise_sink((IUnknown *)manager, &DIID_DMsgrSessionManagerEvents, &answer, &point);
    put_app(inviter, test_app);
    hr = IMsgrSession_Invite(inviter, create_contact(&contact), NULL);
    ok(hr == S_OK, "Invite returned %#lx\n", hr);
    IMsgrSession_QueryInterface(inviter, &IID_IMsgrSessionHost, (void **)&shost);
    IMsgrSessionHost_get_Invitation(shost, &text);
    IMsgrSessionHost_Release(shost);
    IMsgrSessionManager_QueryInterface(manager, &IID_IMsgrSessionManagerHost, (void **)&mhost);
    hr = IMsgrSessionManagerHost_ReceiveInvitation(mhost, text, &disp);
    ok(hr == S_OK, "got %#lx\n", hr);
    SysFreeString(text);
    IMsgrSessionManagerHost_Release(mhost);
    ok(count_events(&answer, DISPID_ONINVITATION) == 1, "no OnInvitation\n");
    if (disp)
    {
        IDispatch_QueryInterface(disp, &IID_IMsgrSessionHost, (void **)&shost);
        hr = IMsgrSessionHost_get_Handled(shost, &handled);
        ok(hr == S_OK, "got %#lx\n", hr);
        ok(handled == VARIANT_TRUE, "got %d\n", handled);
        ok(IMsgrSessionHost_get_Handled(shost, NULL) == E_POINTER, "get_Handled(NULL)\n");
        IMsgrSessionHost_Release(shost);
        IDispatch_QueryInterface(disp, &IID_IMsgrSession, (void **)&invitee);
        IDispatch_Release(disp);
    }
    unadvise_sink(point, cookie);
    clear_sink(&answer);
    if (invitee) ok(!IMsgrSession_Release(invitee), "invitee still referenced\n");
    ok(!IMsgrSession_Release(inviter), "inviter still referenced\n");
    ok(contact.refcount == 1, "contact still has %ld references\n", contact.refcount);
}

static void test_connect(void)
{
    static const WCHAR accept_data[] = L"yes \xd83d\xde00 please";
    struct msgr_pair pair;
    struct record *r;
    unsigned int i;
    LONG flags;
    BSTR str;
    HRESULT hr;

    if (!pair_connect(&pair, test_app, accept_data)) goto done;

    /* The inviter: OnAccepted(data) before OnStateChanged(SS_ACCEPTED). */
    r = find_event(&pair.sink[0], DISPID_ONACCEPTED, 0);
    ok(r != NULL, "got %p\n", r);
    if (r) ok(r->args == 1, "OnAccepted %s\n", r ? wine_dbgstr_w(r->data) : "none");
    if (r) ok(r->vt[0] == VT_BSTR, "OnAccepted %s\n", r ? wine_dbgstr_w(r->data) : "none");
    if (r) ok(r->data != NULL, "got %p\n", r->data);
    if (r && r->data) ok(!lstrcmpW(r->data, accept_data), "got %s\n", wine_dbgstr_w(r->data));
    ok(record_index(&pair.sink[0], r) + 1 < pair.sink[0].count &&
       pair.sink[0].records[record_index(&pair.sink[0], r) + 1].dispid == DISPID_ONSTATECHANGED &&
       pair.sink[0].records[record_index(&pair.sink[0], r) + 1].value == SS_ACCEPTED,
       "OnStateChanged(SS_ACCEPTED) does not follow OnAccepted\n");
    ok(!find_event(&pair.sink[1], DISPID_ONACCEPTED, 0), "the invitee got OnAccepted\n");

    /* OnStateChanged carries the new state (undocumented choice), as VT_I4, on this thread. */
    for (i = 0; i < 2; i++)
    {
        winetest_push_context("side %u", i);
        if (i == 0) ok(state_event(&pair.sink[0], DISPID_ONSTATECHANGED, 0) == SS_INVITATION, "first state\n");
        r = find_event(&pair.sink[i], DISPID_ONSTATECHANGED, i ? 0 : 1);
        ok(r != NULL, "got %p\n", r);
        if (r) ok(r->value == SS_ACCEPTED, "state %ld\n", r ? r->value : -1);
        r = find_event(&pair.sink[i], DISPID_ONSTATECHANGED, i ? 1 : 2);
        ok(r != NULL, "got %p\n", r);
        if (r) ok(r->value == SS_CONNECTED, "state %ld\n", r ? r->value : -1);
        if (r)
        {
            ok(r->args == 1, "%u args, vt %d\n", r->args, r->vt[0]);
            ok(r->vt[0] == VT_I4, "%u args, vt %d\n", r->args, r->vt[0]);
            ok(r->thread == GetCurrentThreadId(), "event on thread %04lx\n", r->thread);
            ok(IsEqualGUID(r->riid, &IID_NULL), "got %s\n", wine_dbgstr_guid(r->riid));
            ok(r->flags == DISPATCH_METHOD, "got %#x\n", r->flags);
        }
        ok(get_state(pair.session[i]) == SS_CONNECTED, "state %ld\n", get_state(pair.session[i]));
        hr = IMsgrSession_get_RemoteAddress(pair.session[i], &str);
        ok(hr == S_OK, "got %#lx\n", hr);
        ok(!lstrcmpW(str, L"127.0.0.1"), "got %s\n", wine_dbgstr_w(str));
        SysFreeString(str);
        winetest_pop_context();
    }
    hr = IMsgrSession_get_Flags(pair.session[1], &flags);
    ok(hr == S_OK, "got %#lx\n", hr);
    ok((flags & (SF_INVITER | SF_INVITEE)) == SF_INVITEE, "flags %#lx\n", flags);
    ok(IMsgrSession_Accept(pair.session[1], NULL) == SR_SESSION_STATE_INVALID, "second Accept\n");
    ok(IMsgrSession_Decline(pair.session[1], NULL) == SR_SESSION_STATE_INVALID, "Decline when connected\n");

    /* Both sides show the same six-digit security code. */
    {
        IMsgrSessionHost *host;
        BSTR codes[2] = { NULL, NULL };

        for (i = 0; i < 2; i++)
        {
            IMsgrSession_QueryInterface(pair.session[i], &IID_IMsgrSessionHost, (void **)&host);
            hr = IMsgrSessionHost_get_SecurityCode(host, &codes[i]);
            ok(hr == S_OK, "got %#lx\n", hr);
            ok(codes[i] != NULL, "got %p\n", codes[i]);
            if (codes[i]) ok(lstrlenW(codes[i]) == 6, "got %d\n", lstrlenW(codes[i]));
            if (codes[i]) ok(wcsspn(codes[i], L"0123456789") == 6, "got %Iu\n", wcsspn(codes[i], L"0123456789"));
            IMsgrSessionHost_Release(host);
        }
        ok(codes[0] != NULL, "codes differ: got %p\n", codes[0]);
        if (codes[0]) ok(codes[1] != NULL, "codes differ: got %p\n", codes[1]);
        if (codes[0] && codes[1]) ok(!lstrcmpW(codes[0], codes[1]), "codes differ: got %s\n", wine_dbgstr_w(codes[0]));
        SysFreeString(codes[0]);
        SysFreeString(codes[1]);
    }

done:
    pair_release(&pair);
}

struct data_wait
{
    struct sink *sink;
    unsigned int count;
};

static BOOL has_data(void *arg)
{
    struct data_wait *wait = arg;
    return count_events(wait->sink, DISPID_ONCONTEXTDATA) >= wait->count;
}

static void check_delivery(struct msgr_pair *pair, unsigned int from, const WCHAR *data, UINT len, int line)
{
    struct data_wait wait = { &pair->sink[!from], count_events(&pair->sink[!from], DISPID_ONCONTEXTDATA) + 1 };
    struct record *r;
    BSTR str = bstr_len(data, len);
    HRESULT hr;

    hr = IMsgrSession_SendContextData(pair->session[from], str);
    ok_(__FILE__, line)(hr == S_OK, "SendContextData returned %#lx\n", hr);
    ok_(__FILE__, line)(pump_until(has_data, &wait, WAIT_MS), "nothing arrived\n");
    r = find_event(&pair->sink[!from], DISPID_ONCONTEXTDATA, wait.count - 1);
    ok_(__FILE__, line)(r != NULL, "got %p\n", r);
    if (r) ok_(__FILE__, line)(r->args == 1, "no OnContextData(BSTR)\n");
    if (r) ok_(__FILE__, line)(r->vt[0] == VT_BSTR, "no OnContextData(BSTR)\n");
    if (r) ok_(__FILE__, line)(SysStringLen(r->data) == len && !memcmp(r->data, data, len * sizeof(WCHAR)),
                               "got %s\n", wine_dbgstr_wn(r->data, SysStringLen(r->data)));
    SysFreeString(str);
}

static void test_context_data(void)
{
    static const WCHAR odd[] = { 'a', 0, 0xd800, 'b', 0xffff };
    struct msgr_pair pair;
    unsigned int i;
    BSTR str, big;
    HRESULT hr;

    if (!pair_connect(&pair, test_app, NULL)) goto done;
    big = bstr_fill('z', 301);
    for (i = 0; i < 301; i++) big[i] = (WCHAR)(0x100 + i * 7);

    /* Documented: E_INVALIDARG for data that is not valid (undocumented choice: NULL and ""). */
    hr = IMsgrSession_SendContextData(pair.session[0], NULL);
    ok(hr == E_INVALIDARG, "NULL: %#lx\n", hr);
    str = SysAllocString(L"");
    hr = IMsgrSession_SendContextData(pair.session[0], str);
    ok(hr == E_INVALIDARG, "empty: %#lx\n", hr);
    SysFreeString(str);
    /* Documented: 300 characters; more is SR_CONTEXT_DATA_OVER_LIMIT, and failed calls do not count
     * towards the five (undocumented choice). */
    hr = IMsgrSession_SendContextData(pair.session[0], big);
    ok(hr == SR_CONTEXT_DATA_OVER_LIMIT, "301 units: %#lx\n", hr);

    /* Five successful calls: the most data, any UTF-16, from both sides. */
    check_delivery(&pair, 0, big, 300, __LINE__);
    check_delivery(&pair, 0, odd, ARRAY_SIZE(odd), __LINE__);
    check_delivery(&pair, 1, L"back", 4, __LINE__);
    check_delivery(&pair, 0, L"3", 1, __LINE__);
    hr = IMsgrSession_SendContextData(pair.session[0], big);
    ok(hr == SR_CONTEXT_DATA_OVER_LIMIT, "over the limit between sends: %#lx\n", hr);
    check_delivery(&pair, 0, L"4", 1, __LINE__);
    check_delivery(&pair, 0, L"5", 1, __LINE__);
    /* The sixth successful call is over the limit (documented: up to five times). */
    str = SysAllocString(L"6");
    hr = IMsgrSession_SendContextData(pair.session[0], str);
    ok(hr == SR_CONTEXT_DATA_OVER_LIMIT, "sixth: %#lx\n", hr);
    /* Each side counts its own. */
    check_delivery(&pair, 1, L"2 from the invitee", 18, __LINE__);
    pump_for(200);
    ok(count_events(&pair.sink[1], DISPID_ONCONTEXTDATA) == 5, "the invitee got %u messages\n",
       count_events(&pair.sink[1], DISPID_ONCONTEXTDATA));
    SysFreeString(str);

    /* Undocumented choice: ContextData is the last data received. */
    hr = IMsgrSession_get_ContextData(pair.session[1], &str);
    ok(hr == S_OK, "got %#lx\n", hr);
    ok(!lstrcmpW(str, L"5"), "got %s\n", wine_dbgstr_w(str));
    SysFreeString(str);
    hr = IMsgrSession_get_ContextData(pair.session[0], &str);
    ok(hr == S_OK, "got %#lx\n", hr);
    ok(!lstrcmpW(str, L"2 from the invitee"), "got %s\n", wine_dbgstr_w(str));
    SysFreeString(str);

    /* After the end: not ready (undocumented choice, the core's rule). */
    hr = IMsgrSession_Cancel(pair.session[1], S_OK, NULL);
    ok(hr == S_OK, "Cancel: %#lx\n", hr);
    str = SysAllocString(L"late");
    hr = IMsgrSession_SendContextData(pair.session[1], str);
    ok(hr == SR_SESSION_NOT_READY, "after the end: %#lx\n", hr);
    SysFreeString(str);
    SysFreeString(big);

done:
    pair_release(&pair);
}

/* An IMallocSpy that fails the n-th allocation made on this thread. */

struct malloc_spy
{
    IMallocSpy IMallocSpy_iface;
    DWORD thread;
    LONG fail_at;
    LONG allocations;
    LONG failed;
    void *live[256];
    LONG live_count;
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
    LeaveCriticalSection(&spy.cs);
    return ptr;
}

static void WINAPI spy_PostFree(IMallocSpy *iface, BOOL spyed) {}

static SIZE_T WINAPI spy_PreRealloc(IMallocSpy *iface, void *ptr, SIZE_T size, void **new_ptr, BOOL spyed)
{
    *new_ptr = ptr;
    spy_PreFree(iface, ptr, spyed);
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

/* Invite, ReceiveInvitation and Accept under the same sweep: each failure
 * leaves the session as it was and the sinks uninformed. */
static void test_out_of_memory_setup(void)
{
    IMsgrSessionManagerHost *mhost;
    IMsgrSessionHost *shost;
    struct sink contact, events;
    IConnectionPoint *point;
    IMsgrSession *inviter = create_session(manager), *invitee = NULL;
    IDispatch *disp = NULL, *user;
    BSTR data = SysAllocString(L"application data"), text = NULL;
    DWORD cookie;
    LONG n;
    HRESULT hr;

    if (!inviter) return;
    init_sink(&events, &DIID_DMsgrSessionManagerEvents);
    cookie = advise_sink((IUnknown *)manager, &DIID_DMsgrSessionManagerEvents, &events, &point);
    put_app(inviter, test_app);
    create_contact(&contact);
    for (n = 1; n < 64; n++)
    {
        arm_spy(n);
        hr = IMsgrSession_Invite(inviter, &contact.IDispatch_iface, data);
        arm_spy(0);
        if (hr == S_OK) break;
        winetest_push_context("Invite, allocation %ld", n);
        ok(hr == E_OUTOFMEMORY, "got %#lx\n", hr);
        ok(spy.live_count == 0, "%ld blocks leaked\n", spy.live_count);
        ok(get_state(inviter) == SS_READY, "state changed\n");
        ok(IMsgrSession_get_User(inviter, &user) == SR_NO_USER_INVITED, "the contact was kept\n");
        winetest_pop_context();
    }
    ok(hr == S_OK, "Invite: got %#lx\n", hr);
    ok(n > 1, "Invite: got %ld\n", n);

    IMsgrSession_QueryInterface(inviter, &IID_IMsgrSessionHost, (void **)&shost);
    IMsgrSessionHost_get_Invitation(shost, &text);
    IMsgrSessionHost_Release(shost);
    IMsgrSessionManager_QueryInterface(manager, &IID_IMsgrSessionManagerHost, (void **)&mhost);
    for (n = 1; n < 64; n++)
    {
        arm_spy(n);
        hr = IMsgrSessionManagerHost_ReceiveInvitation(mhost, text, &disp);
        arm_spy(0);
        if (hr == S_OK) break;
        winetest_push_context("ReceiveInvitation, allocation %ld", n);
        ok(hr == E_OUTOFMEMORY, "got %#lx\n", hr);
        ok(spy.live_count == 0, "%ld blocks leaked\n", spy.live_count);
        ok(!events.count, "OnInvitation for a failed call\n");
        winetest_pop_context();
    }
    ok(hr == S_OK, "ReceiveInvitation: got %#lx\n", hr);
    ok(n > 1, "ReceiveInvitation: got %ld\n", n);
    IMsgrSessionManagerHost_Release(mhost);
    if (disp)
    {
        IDispatch_QueryInterface(disp, &IID_IMsgrSession, (void **)&invitee);
        IDispatch_Release(disp);
    }
    clear_sink(&events);

    for (n = 1; invitee && n < 64; n++)
    {
        arm_spy(n);
        hr = IMsgrSession_Accept(invitee, data);
        arm_spy(0);
        if (hr == S_OK) break;
        winetest_push_context("Accept, allocation %ld", n);
        ok(hr == E_OUTOFMEMORY, "got %#lx\n", hr);
        ok(spy.live_count == 0, "%ld blocks leaked\n", spy.live_count);
        ok(get_state(invitee) == SS_INVITATION, "state changed\n");
        winetest_pop_context();
    }
    ok(hr == S_OK, "Accept: got %#lx\n", hr);
    ok(n > 1, "Accept: got %ld\n", n);
    pump_for(100);

    unadvise_sink(point, cookie);
    SysFreeString(text);
    SysFreeString(data);
    if (invitee) ok(!IMsgrSession_Release(invitee), "invitee still referenced\n");
    ok(!IMsgrSession_Release(inviter), "inviter still referenced\n");
    ok(contact.refcount == 1, "contact still has %ld references\n", contact.refcount);
}

/* Every allocation on the way fails in turn: E_OUTOFMEMORY, nothing sent,
 * nothing leaked, and the failed calls do not count towards the five. */
static BOOL receiver_failed_or_got(void *arg)
{
    return spy.failed || count_events(arg, DISPID_ONCONTEXTDATA);
}

/* The spy watches this thread; oleaut32's BSTR cache is off, so that every
 * block it counts comes back through it. */
static HRESULT spy_register(void)
{
    HRESULT hr;

    spy.IMallocSpy_iface.lpVtbl = &spy_vtbl;
    spy.thread = GetCurrentThreadId();
    InitializeCriticalSection(&spy.cs);
    if (pSetOaNoCache) pSetOaNoCache();
    hr = CoRegisterMallocSpy(&spy.IMallocSpy_iface);
    ok(hr == S_OK, "CoRegisterMallocSpy returned %#lx\n", hr);
    return hr;
}

static void test_out_of_memory(void)
{
    struct msgr_pair pair;
    LONG n, sent = 0;
    BSTR data;
    HRESULT hr;

    hr = spy_register();
    if (FAILED(hr)) return;

    if (!pair_connect(&pair, test_app, NULL)) goto done;
    data = SysAllocString(L"context data under memory pressure");

    for (n = 1; n < 32; n++)
    {
        winetest_push_context("allocation %ld", n);
        clear_sink(&pair.sink[1]);
        arm_spy(n);
        hr = IMsgrSession_SendContextData(pair.session[0], data);
        arm_spy(0);
        if (hr == S_OK)
        {
            sent++;
            winetest_pop_context();
            break;
        }
        ok(hr == E_OUTOFMEMORY, "got %#lx\n", hr);
        ok(spy.live_count == 0, "%ld blocks leaked\n", spy.live_count);
        ok(get_state(pair.session[0]) == SS_CONNECTED, "state changed\n");
        pump_for(50);
        ok(!count_events(&pair.sink[1], DISPID_ONCONTEXTDATA), "the peer received data\n");
        winetest_pop_context();
    }
    ok(hr == S_OK, "got %#lx\n", hr);
    ok(n > 1, "got %ld\n", n);
    ok(wait_event(&pair.sink[1], DISPID_ONCONTEXTDATA, 1, WAIT_MS), "the successful send did not arrive\n");

    /* Four more sends are allowed: the failures did not count. */
    for (n = 0; n < 4; n++)
    {
        hr = IMsgrSession_SendContextData(pair.session[0], data);
        ok(hr == S_OK, "send %ld after the faults: %#lx\n", n, hr);
    }
    hr = IMsgrSession_SendContextData(pair.session[0], data);
    ok(hr == SR_CONTEXT_DATA_OVER_LIMIT, "sixth: %#lx\n", hr);

    /* The other calls that allocate fail cleanly too. */
    for (n = 1; n < 16; n++)
    {
        BSTR str;

        arm_spy(n);
        hr = IMsgrSession_get_SessionID(pair.session[1], &str);
        arm_spy(0);
        if (hr == S_OK)
        {
            SysFreeString(str);
            break;
        }
        ok(hr == E_OUTOFMEMORY, "get_SessionID, allocation %ld: %#lx\n", n, hr);
    }
    for (n = 1; n < 16; n++)
    {
        arm_spy(n);
        hr = IMsgrSession_Cancel(pair.session[1], E_ABORT, data);
        arm_spy(0);
        if (hr == S_OK) break;
        ok(hr == E_OUTOFMEMORY, "Cancel, allocation %ld: %#lx\n", n, hr);
        ok(get_state(pair.session[1]) == SS_CONNECTED, "Cancel, allocation %ld: state changed\n", n);
    }
    ok(hr == S_OK, "got %#lx\n", hr);
    ok(n > 1, "got %ld\n", n);
    ok(wait_state(&pair.sink[0], DISPID_ONSTATECHANGED, SS_DECLINED, WAIT_MS), "the inviter did not end\n");
    pair_release(&pair);

    /* The receiver cannot store what arrives: the sender hears OnSendError(E_OUTOFMEMORY).
     * Both sessions live on this thread, so the receiver's allocations are this thread's. */
    if (pair_connect(&pair, test_app, NULL))
    {
        BOOL failed = FALSE;
        struct record *r;

        for (n = 1; n < 5 && !failed; n++)
        {
            hr = IMsgrSession_SendContextData(pair.session[0], data);
            ok(hr == S_OK, "send %ld: %#lx\n", n, hr);
            arm_spy(1);
            /* Until the data or the fault arrives: a loaded machine may take long. */
            pump_until(receiver_failed_or_got, &pair.sink[1], WAIT_MS);
            failed = spy.failed && !count_events(&pair.sink[1], DISPID_ONCONTEXTDATA);
            arm_spy(0);
        }
        ok(failed, "could not make the receiving side fail\n");
        ok(wait_event(&pair.sink[0], DISPID_ONSENDERROR, 1, WAIT_MS), "no OnSendError\n");
        r = find_event(&pair.sink[0], DISPID_ONSENDERROR, 0);
        ok(r != NULL, "got %p\n", r);
        if (r) ok(r->args == 1, "OnSendError %#lx\n", r ? r->value : 0);
        if (r) ok(r->vt[0] == VT_I4, "OnSendError %#lx\n", r ? r->value : 0);
        if (r) ok(r->value == E_OUTOFMEMORY, "OnSendError %#lx\n", r ? r->value : 0);
        ok(get_state(pair.session[0]) == SS_CONNECTED, "the sender's state changed\n");
    }
    pair_release(&pair);
    SysFreeString(data);

    test_out_of_memory_setup();

done:
    pair_release(&pair);
    hr = CoRevokeMallocSpy();
    ok(hr == S_OK, "CoRevokeMallocSpy returned %#lx\n", hr);
    DeleteCriticalSection(&spy.cs);
}

/* Re-entrancy: a sink calls back into its session from inside each event. */

enum msgr_trigger
{
    T_CONNECTED,        /* OnStateChanged(SS_CONNECTED), the invitee's */
    T_ACCEPTED,         /* OnAccepted, the inviter's */
    T_CONTEXT_DATA,     /* OnContextData, the invitee's */
    T_CANCELLED,        /* OnCancelled, the invitee's, after the inviter's Cancel */
    T_TERMINATION,      /* OnTermination, likewise */
    T_FINAL_STATE,      /* OnStateChanged(SS_DECLINED), likewise */
    T_DECLINED,         /* OnDeclined, the inviter's, after the invitee's Decline */
    T_SEND_ERROR,       /* OnSendError, the inviter's: the invitee could not store its data */
};

static const char *const msgr_trigger_names[] =
{
    "OnStateChanged(SS_CONNECTED)", "OnAccepted", "OnContextData", "OnCancelled", "OnTermination",
    "OnStateChanged(SS_DECLINED)", "OnDeclined", "OnSendError",
};

enum msgr_reaction
{
    R_SEND = 1,         /* SendContextData */
    R_UNADVISE,         /* Unadvise of its own cookie */
    R_CANCEL,           /* Cancel(E_ABORT, data) */
    R_RELEASE,          /* Release of the last reference to the session, which the test gave it */
};

static const char *const msgr_reaction_names[] = { "", "SendContextData", "Unadvise", "Cancel", "Release" };

struct reentry
{
    enum msgr_reaction reaction;
    DISPID dispid;
    LONG state;
    IMsgrSession *session;
    IConnectionPoint *point;
    DWORD cookie;
    BOOL reacted;
    HRESULT hr;
    LONG count_at_reaction;
    struct sink *receiver;      /* T_SEND_ERROR: the peer whose allocation fails */
    unsigned int data_before;
};

/* Called just before a reaction, for tests that must stop failing allocations then. */
static void (*before_reaction)(void);
static int reentry_cases;

static void reentry_hook(struct sink *sink, DISPID dispid, DISPPARAMS *params)
{
    struct reentry *re = sink->context;
    BSTR str;

    if (re->reacted || dispid != re->dispid) return;
    if (dispid == DISPID_ONSTATECHANGED &&
        !(params->cArgs >= 1 && V_VT(&params->rgvarg[params->cArgs - 1]) == VT_I4 &&
          V_I4(&params->rgvarg[params->cArgs - 1]) == re->state))
        return;
    re->reacted = TRUE;
    re->count_at_reaction = sink->count;
    if (before_reaction) before_reaction();
    switch (re->reaction)
    {
    case R_SEND:
        str = SysAllocString(L"sent from inside an event");
        re->hr = IMsgrSession_SendContextData(re->session, str);
        SysFreeString(str);
        break;
    case R_UNADVISE:
        re->hr = IConnectionPoint_Unadvise(re->point, re->cookie);
        break;
    case R_CANCEL:
        str = SysAllocString(L"cancelled from inside an event");
        re->hr = IMsgrSession_Cancel(re->session, E_ABORT, str);
        SysFreeString(str);
        break;
    case R_RELEASE:
        /* The object goes away now or when the event returns; either way safely. */
        IMsgrSession_Release(re->session);
        re->session = NULL;
        re->hr = S_OK;
        break;
    }
}

static BOOL reentry_done(void *arg)
{
    return ((struct reentry *)arg)->reacted;
}

static BOOL reacted_or_delivered(void *arg)
{
    struct reentry *re = arg;
    return re->reacted || count_events(re->receiver, DISPID_ONCONTEXTDATA) > re->data_before;
}

static BOOL sink_released(void *arg)
{
    return ((struct sink *)arg)->refcount == 1;
}

struct text_wait
{
    struct sink *sink;
    const WCHAR *text;
};

static BOOL has_text(void *arg)
{
    struct text_wait *wait = arg;
    LONG i;

    for (i = 0; i < wait->sink->count && i < MAX_RECORDS; i++)
        if (wait->sink->records[i].dispid == DISPID_ONCONTEXTDATA && wait->sink->records[i].data &&
            !lstrcmpW(wait->sink->records[i].data, wait->text))
            return TRUE;
    return FALSE;
}

static void reentry_case(enum msgr_trigger trigger, enum msgr_reaction reaction)
{
    static const WCHAR after[] = L"after the reaction";
    unsigned int me = trigger == T_ACCEPTED || trigger == T_DECLINED || trigger == T_SEND_ERROR ? 0 : 1;
    BOOL live = trigger == T_CONNECTED || trigger == T_ACCEPTED || trigger == T_CONTEXT_DATA ||
                trigger == T_SEND_ERROR;
    struct reentry re = { reaction };
    struct msgr_pair pair;
    struct sink witness;
    DWORD witness_cookie = 0;
    struct sink *sink;
    LONG other_end;
    BSTR str;
    HRESULT hr;
    LONG n;

    winetest_push_context("%s from %s", msgr_reaction_names[reaction], msgr_trigger_names[trigger]);
    reentry_cases++;
    if (!pair_invite(&pair, test_app, NULL))
    {
        pair_release(&pair);
        winetest_pop_context();
        return;
    }
    sink = &pair.sink[me];
    init_sink(&witness, &DIID_DMsgrSessionEvents);
    hr = IConnectionPoint_Advise(pair.point[me], (IUnknown *)&witness.IDispatch_iface, &witness_cookie);
    ok(hr == S_OK, "Advise returned %#lx\n", hr);
    re.session = pair.session[me];
    re.point = pair.point[me];
    re.cookie = pair.cookie[me];
    switch (trigger)
    {
    case T_CONNECTED: re.dispid = DISPID_ONSTATECHANGED; re.state = SS_CONNECTED; break;
    case T_ACCEPTED: re.dispid = DISPID_ONACCEPTED; break;
    case T_CONTEXT_DATA: re.dispid = DISPID_ONCONTEXTDATA; break;
    case T_CANCELLED: re.dispid = DISPID_ONCANCELLED; break;
    case T_TERMINATION: re.dispid = DISPID_ONTERMINATION; break;
    case T_FINAL_STATE: re.dispid = DISPID_ONSTATECHANGED; re.state = SS_DECLINED; break;
    case T_DECLINED: re.dispid = DISPID_ONDECLINED; break;
    case T_SEND_ERROR: re.dispid = DISPID_ONSENDERROR; break;
    }
    sink->context = &re;
    sink->hook = reentry_hook;

    str = SysAllocString(trigger == T_DECLINED ? L"no" : L"yes");
    if (trigger == T_DECLINED) hr = IMsgrSession_Decline(pair.session[1], str);
    else hr = IMsgrSession_Accept(pair.session[1], str);
    ok(hr == S_OK, "Accept or Decline returned %#lx\n", hr);
    SysFreeString(str);
    if (reaction == R_RELEASE)
    {
        /* From here on the sink holds the only reference to its session
         * (OnInvitation's record held the invitee). */
        if (me == 1) clear_sink(&pair.manager_sink);
        IConnectionPoint_Release(pair.point[me]);
        pair.point[me] = NULL;
        pair.cookie[me] = 0;
        pair.session[me] = NULL;
    }
    if (trigger != T_CONNECTED && trigger != T_ACCEPTED && trigger != T_DECLINED)
        ok(pump_until(pair_connected, &pair, WAIT_MS), "the sessions did not connect\n");
    switch (trigger)
    {
    case T_CONTEXT_DATA:
        str = SysAllocString(L"ping");
        ok(IMsgrSession_SendContextData(pair.session[!me], str) == S_OK, "send failed\n");
        SysFreeString(str);
        break;
    case T_CANCELLED:
    case T_TERMINATION:
    case T_FINAL_STATE:
        str = SysAllocString(L"bye");
        ok(IMsgrSession_Cancel(pair.session[!me], E_ABORT, str) == S_OK, "Cancel failed\n");
        SysFreeString(str);
        break;
    case T_SEND_ERROR:
        /* The receiver fails an allocation for what arrives; the reaction stops the spy. */
        str = SysAllocString(L"ping");
        for (n = 1; n < 5 && !re.reacted; n++)
        {
            hr = IMsgrSession_SendContextData(re.session, str);
            ok(hr == S_OK, "send %ld returned %#lx\n", n, hr);
            re.receiver = &pair.sink[!me];
            re.data_before = count_events(re.receiver, DISPID_ONCONTEXTDATA);
            arm_spy(1);
            /* Until the reaction or the data arrives: a loaded machine may take long. */
            pump_until(reacted_or_delivered, &re, WAIT_MS);
            arm_spy(0);
        }
        SysFreeString(str);
        break;
    default:
        break;
    }
    ok(pump_until(reentry_done, &re, WAIT_MS), "the event did not come\n");

    switch (reaction)
    {
    case R_SEND:
    {
        struct text_wait wait = { &pair.sink[!me], L"sent from inside an event" };

        /* A session that ended refuses; a live one sends. */
        ok(re.hr == (live ? S_OK : SR_SESSION_NOT_READY), "SendContextData returned %#lx\n", re.hr);
        if (live) ok(pump_until(has_text, &wait, WAIT_MS), "the peer did not get the data\n");
        break;
    }
    case R_UNADVISE:
    {
        struct text_wait wait = { &witness, after };

        ok(re.hr == S_OK, "Unadvise returned %#lx\n", re.hr);
        pair.cookie[me] = 0;
        /* The unadvised sink hears nothing more; the witness does. */
        if (live)
        {
            if (trigger == T_ACCEPTED || trigger == T_CONNECTED)
                ok(pump_until(pair_connected, &pair, WAIT_MS) ||
                   wait_state(&witness, DISPID_ONSTATECHANGED, SS_CONNECTED, WAIT_MS), "no connection\n");
            str = SysAllocString(after);
            ok(IMsgrSession_SendContextData(pair.session[!me], str) == S_OK, "send failed\n");
            SysFreeString(str);
            ok(pump_until(has_text, &wait, WAIT_MS), "the witness did not get the data\n");
        }
        else if (trigger != T_FINAL_STATE)
            ok(wait_state(&witness, DISPID_ONSTATECHANGED, SS_DECLINED, WAIT_MS), "the witness did not see the end\n");
        ok(sink->count == re.count_at_reaction, "%ld events after Unadvise\n", sink->count - re.count_at_reaction);
        ok(IConnectionPoint_Unadvise(pair.point[me], re.cookie) == CONNECT_E_NOCONNECTION,
           "the cookie is still valid\n");
        break;
    }
    case R_CANCEL:
        ok(re.hr == (live ? S_OK : E_FAIL), "Cancel returned %#lx\n", re.hr);
        if (live)
        {
            struct record *r;

            ok(wait_state(sink, DISPID_ONSTATECHANGED, SS_CANCELLED, WAIT_MS), "this side did not end\n");
            ok(wait_state(&pair.sink[!me], DISPID_ONSTATECHANGED, SS_DECLINED, WAIT_MS), "the peer did not end\n");
            r = find_event(&pair.sink[!me], DISPID_ONCANCELLED, 0);
            ok(r != NULL, "got %p\n", r);
            if (r) ok(r->data != NULL, "got %p\n", r->data);
            if (r && r->data) ok(!lstrcmpW(r->data, L"cancelled from inside an event"), "got %s\n", wine_dbgstr_w(r->data));
            ok(get_state(pair.session[me]) == SS_CANCELLED, "state %ld\n", get_state(pair.session[me]));
        }
        break;
    case R_RELEASE:
        /* The object let go of its sinks; a live peer sees it go. */
        ok(pump_until(sink_released, sink, WAIT_MS), "the sink still has %ld references\n", sink->refcount);
        ok(pump_until(sink_released, &witness, WAIT_MS), "the witness still has %ld references\n",
           witness.refcount);
        if (live)
        {
            other_end = SS_TERMINATED;
            ok(wait_state(&pair.sink[!me], DISPID_ONSTATECHANGED, other_end, WAIT_MS),
               "the peer did not see the session go\n");
        }
        break;
    }

    sink->hook = NULL;
    if (reaction != R_RELEASE)
        ok(IConnectionPoint_Unadvise(pair.point[me], witness_cookie) == S_OK, "Unadvise failed\n");
    pair_release(&pair);
    ok(witness.refcount == 1, "the witness still has %ld references\n", witness.refcount);
    clear_sink(&witness);
    winetest_pop_context();
}

static void test_reentry(void)
{
    static const enum msgr_trigger triggers[] =
    {
        T_CONNECTED, T_ACCEPTED, T_CONTEXT_DATA, T_CANCELLED, T_TERMINATION, T_FINAL_STATE, T_DECLINED,
    };
    enum msgr_reaction reaction;
    unsigned int i;

    for (i = 0; i < ARRAY_SIZE(triggers); i++)
        for (reaction = R_SEND; reaction <= R_RELEASE; reaction++)
            reentry_case(triggers[i], reaction);
}

static void disarm_spy(void)
{
    EnterCriticalSection(&spy.cs);
    spy.fail_at = 0;
    LeaveCriticalSection(&spy.cs);
}

/* OnSendError takes a receiver that fails an allocation: the cases run under
 * the spy, whose revocation also checks that every block was freed. */
static void test_reentry_send_error(void)
{
    enum msgr_reaction reaction;
    HRESULT hr;

    hr = spy_register();
    if (SUCCEEDED(hr))
    {
        before_reaction = disarm_spy;
        for (reaction = R_SEND; reaction <= R_RELEASE; reaction++) reentry_case(T_SEND_ERROR, reaction);
        before_reaction = NULL;
        hr = CoRevokeMallocSpy();
        ok(hr == S_OK, "CoRevokeMallocSpy returned %#lx\n", hr);
    }
    DeleteCriticalSection(&spy.cs);
    trace("%ld allocation failures injected, %d re-entrancy cases\n", faults_injected, reentry_cases);
}

static void check_termination(struct sink *sink, HRESULT hr, const WCHAR *data, LONG state, int line)
{
    struct record *t = find_event(sink, DISPID_ONTERMINATION, 0);
    struct record *s = NULL;
    LONG i;

    for (i = 0; i < sink->count && i < MAX_RECORDS; i++)
        if (sink->records[i].dispid == DISPID_ONSTATECHANGED && sink->records[i].value == state)
            s = sink->records + i;
    ok_(__FILE__, line)(t != NULL, "no OnTermination\n");
    if (!t) return;
    ok_(__FILE__, line)(t->args == 2, "OnTermination arguments\n");
    ok_(__FILE__, line)(t->vt[0] == VT_I4, "OnTermination arguments\n");
    ok_(__FILE__, line)(t->vt[1] == VT_BSTR, "OnTermination arguments\n");
    ok_(__FILE__, line)(t->value == hr, "OnTermination hr %#lx, expected %#lx\n", t->value, hr);
    ok_(__FILE__, line)(!lstrcmpW(t->data ? t->data : L"", data), "OnTermination data %s\n",
                        wine_dbgstr_w(t->data));
    ok_(__FILE__, line)(count_events(sink, DISPID_ONTERMINATION) == 1, "%u OnTermination\n",
                        count_events(sink, DISPID_ONTERMINATION));
    ok_(__FILE__, line)(s != NULL, "got %p\n", s);
    if (s) ok_(__FILE__, line)(record_index(sink, s) > record_index(sink, t), "no OnStateChanged(%ld) after OnTermination\n", state);
}

static void test_decline(void)
{
    static const WCHAR data[] = L"no, thank you";
    struct msgr_pair pair;
    struct record *r;
    BSTR str;
    HRESULT hr;

    if (!pair_invite(&pair, test_app, NULL)) goto done;
    str = SysAllocString(data);
    hr = IMsgrSession_Decline(pair.session[1], str);
    ok(hr == S_OK, "Decline: %#lx\n", hr);
    ok(get_state(pair.session[1]) == SS_DECLINED, "invitee state %ld\n", get_state(pair.session[1]));
    ok(wait_state(&pair.sink[0], DISPID_ONSTATECHANGED, SS_DECLINED, WAIT_MS), "the inviter did not see it\n");

    /* The inviter: OnDeclined(data), OnTermination(SR_INVITATION_DECLINED, data), SS_DECLINED. */
    r = find_event(&pair.sink[0], DISPID_ONDECLINED, 0);
    ok(r != NULL, "got %p\n", r);
    if (r) ok(r->args == 1, "OnDeclined %s\n", r ? wine_dbgstr_w(r->data) : "none");
    if (r) ok(r->data != NULL, "got %p\n", r->data);
    if (r && r->data) ok(!lstrcmpW(r->data, data), "got %s\n", wine_dbgstr_w(r->data));
    ok(record_index(&pair.sink[0], r) < record_index(&pair.sink[0], find_event(&pair.sink[0], DISPID_ONTERMINATION, 0)),
       "OnDeclined after OnTermination\n");
    check_termination(&pair.sink[0], SR_INVITATION_DECLINED, data, SS_DECLINED, __LINE__);
    /* Undocumented choice: the decliner's own sinks get the same OnTermination. */
    check_termination(&pair.sink[1], SR_INVITATION_DECLINED, data, SS_DECLINED, __LINE__);
    ok(!find_event(&pair.sink[1], DISPID_ONDECLINED, 0), "the decliner got OnDeclined\n");

    ok(IMsgrSession_Decline(pair.session[1], str) == SR_SESSION_STATE_INVALID, "second Decline\n");
    ok(IMsgrSession_Accept(pair.session[1], str) == SR_SESSION_STATE_INVALID, "Accept after Decline\n");
    ok(IMsgrSession_Cancel(pair.session[0], S_OK, str) == E_FAIL, "Cancel after the end\n");
    SysFreeString(str);

done:
    pair_release(&pair);
}

static void test_cancel(void)
{
    static const WCHAR data[] = L"stop \xd83d\xde00";
    struct msgr_pair pair;
    struct record *r;
    unsigned int side;
    BSTR str;
    HRESULT hr;

    str = SysAllocString(data);
    for (side = 0; side < 2; side++)
    {
        winetest_push_context("side %u cancels", side);
        if (!pair_connect(&pair, test_app, NULL))
        {
            pair_release(&pair);
            winetest_pop_context();
            continue;
        }
        hr = IMsgrSession_Cancel(pair.session[side], E_ABORT, str);
        ok(hr == S_OK, "Cancel: %#lx\n", hr);
        ok(get_state(pair.session[side]) == SS_CANCELLED, "state %ld\n", get_state(pair.session[side]));
        ok(wait_state(&pair.sink[!side], DISPID_ONSTATECHANGED, SS_DECLINED, WAIT_MS), "the peer did not end\n");

        /* The peer: OnCancelled(data), OnTermination(the reason, data), SS_DECLINED ("remotely cancelled"). */
        r = find_event(&pair.sink[!side], DISPID_ONCANCELLED, 0);
        ok(r != NULL, "got %p\n", r);
        if (r) ok(r->args == 1, "OnCancelled %s\n", r ? wine_dbgstr_w(r->data) : "none");
        if (r) ok(r->vt[0] == VT_BSTR, "OnCancelled %s\n", r ? wine_dbgstr_w(r->data) : "none");
        if (r) ok(r->data != NULL, "got %p\n", r->data);
        if (r && r->data) ok(!lstrcmpW(r->data, data), "got %s\n", wine_dbgstr_w(r->data));
        /* Undocumented choice: Cancel's reason, when it is a failure, reaches the peer's OnTermination. */
        check_termination(&pair.sink[!side], E_ABORT, data, SS_DECLINED, __LINE__);
        check_termination(&pair.sink[side], SR_SESSION_CANCELLED_LOCAL, data, SS_CANCELLED, __LINE__);
        ok(!find_event(&pair.sink[side], DISPID_ONCANCELLED, 0), "the canceller got OnCancelled\n");
        pair_release(&pair);
        winetest_pop_context();
    }

    /* A success code as reason: the peer sees SR_SESSION_CANCELLED_REMOTE. */
    if (pair_connect(&pair, test_app, NULL))
    {
        hr = IMsgrSession_Cancel(pair.session[0], S_OK, NULL);
        ok(hr == S_OK, "Cancel: %#lx\n", hr);
        ok(wait_state(&pair.sink[1], DISPID_ONSTATECHANGED, SS_DECLINED, WAIT_MS), "the peer did not end\n");
        check_termination(&pair.sink[1], SR_SESSION_CANCELLED_REMOTE, L"", SS_DECLINED, __LINE__);
    }
    pair_release(&pair);

    /* The most application data, 512 bytes. */
    if (pair_connect(&pair, test_app, NULL))
    {
        BSTR most = bstr_fill(0x263a, 256);

        hr = IMsgrSession_Cancel(pair.session[1], E_FAIL, most);
        ok(hr == S_OK, "Cancel with 256 units: %#lx\n", hr);
        ok(wait_event(&pair.sink[0], DISPID_ONCANCELLED, 1, WAIT_MS), "no OnCancelled\n");
        r = find_event(&pair.sink[0], DISPID_ONCANCELLED, 0);
        ok(r != NULL, "got %p\n", r);
        if (r) ok(SysStringLen(r->data) == 256, "got %u\n", SysStringLen(r->data));
        if (r) ok(!memcmp(r->data, most, 512), "data differs\n");
        SysFreeString(most);
    }
    pair_release(&pair);
    SysFreeString(str);
}

/* Ends before anyone is connected (undocumented choices). */
static void test_early_ends(void)
{
    IMsgrSessionManagerHost *host;
    IMsgrSessionHost *shost;
    struct msgr_pair pair;
    struct sink contact, events;
    IConnectionPoint *point;
    IMsgrSession *inviter, *invitee = NULL;
    IDispatch *disp = NULL;
    DWORD cookie = 0;
    BSTR text = NULL;
    HRESULT hr;

    /* The inviter takes back an invitation the invitee has not answered: a later Accept
     * finds nobody, and the invitee ends TERMINATED. */
    if (pair_invite(&pair, test_app, NULL))
    {
        ok(IMsgrSession_Cancel(pair.session[0], E_ABORT, NULL) == S_OK, "Cancel failed\n");
        hr = IMsgrSession_Accept(pair.session[1], NULL);
        ok(hr == S_OK, "Accept: %#lx\n", hr);
        ok(wait_state(&pair.sink[1], DISPID_ONSTATECHANGED, SS_TERMINATED, WAIT_MS), "the invitee did not end\n");
        check_termination(&pair.sink[1], SR_CONNECTION_FAILURE, L"", SS_TERMINATED, __LINE__);
    }
    pair_release(&pair);

    /* The invitee cancels before it answers: the inviter is not told. */
    if (pair_invite(&pair, test_app, NULL))
    {
        ok(IMsgrSession_Cancel(pair.session[1], E_ABORT, NULL) == S_OK, "Cancel failed\n");
        ok(get_state(pair.session[1]) == SS_CANCELLED, "invitee state %ld\n", get_state(pair.session[1]));
        pump_for(300);
        ok(get_state(pair.session[0]) == SS_INVITATION, "inviter state %ld\n", get_state(pair.session[0]));
        ok(pair.sink[0].count == 1, "the inviter got %ld events\n", pair.sink[0].count);
    }
    pair_release(&pair);

    /* A changed secret: the invitee's handshake fails, SR_AUTHENTICATION_FAILED. */
    inviter = create_session(manager);
    put_app(inviter, test_app);
    ok(IMsgrSession_Invite(inviter, create_contact(&contact), NULL) == S_OK, "Invite failed\n");
    IMsgrSession_QueryInterface(inviter, &IID_IMsgrSessionHost, (void **)&shost);
    IMsgrSessionHost_get_Invitation(shost, &text);
    IMsgrSessionHost_Release(shost);
    if (text)
    {
        WCHAR *last = text + SysStringLen(text) - 1;
        *last = *last == '0' ? '1' : '0';
        IMsgrSessionManager_QueryInterface(manager, &IID_IMsgrSessionManagerHost, (void **)&host);
        hr = IMsgrSessionManagerHost_ReceiveInvitation(host, text, &disp);
        ok(hr == S_OK, "ReceiveInvitation: %#lx\n", hr);
        IMsgrSessionManagerHost_Release(host);
        SysFreeString(text);
    }
    if (disp)
    {
        IDispatch_QueryInterface(disp, &IID_IMsgrSession, (void **)&invitee);
        IDispatch_Release(disp);
        init_sink(&events, &DIID_DMsgrSessionEvents);
        cookie = advise_sink((IUnknown *)invitee, &DIID_DMsgrSessionEvents, &events, &point);
        ok(IMsgrSession_Accept(invitee, NULL) == S_OK, "Accept failed\n");
        ok(wait_state(&events, DISPID_ONSTATECHANGED, SS_TERMINATED, WAIT_MS), "the invitee was not refused\n");
        check_termination(&events, SR_AUTHENTICATION_FAILED, L"", SS_TERMINATED, __LINE__);
        ok(get_state(inviter) == SS_INVITATION, "inviter state %ld\n", get_state(inviter));
        unadvise_sink(point, cookie);
        clear_sink(&events);
        ok(!IMsgrSession_Release(invitee), "invitee still referenced\n");
    }
    ok(!IMsgrSession_Release(inviter), "inviter still referenced\n");
    ok(contact.refcount == 1, "contact still has %ld references\n", contact.refcount);
}

static void test_peer_gone(void)
{
    struct msgr_pair pair;

    if (pair_connect(&pair, test_app, NULL))
    {
        pair_release_side(&pair, 1);
        ok(wait_state(&pair.sink[0], DISPID_ONSTATECHANGED, SS_TERMINATED, WAIT_MS), "no end\n");
        /* Undocumented choice: a connection that breaks is SR_CONNECTION_FAILURE. */
        check_termination(&pair.sink[0], SR_CONNECTION_FAILURE, L"", SS_TERMINATED, __LINE__);
    }
    pair_release(&pair);
}

/* The dual interface through IDispatch, as a script would use it. */
static void test_dispatch(void)
{
    static const struct { const WCHAR *name; DISPID id; } members[] =
    {
        { L"Application", 0 }, { L"State", 1 }, { L"Invite", 2 }, { L"Decline", 3 }, { L"Cancel", 4 },
        { L"Accept", 5 }, { L"RemoteAddress", 6 }, { L"SessionID", 7 }, { L"ContextData", 8 },
        { L"ApplicationName", 9 }, { L"ApplicationURL", 10 }, { L"Flags", 11 }, { L"User", 12 },
        { L"LocalAddress", 13 }, { L"SendContextData", 14 },
    };
    static const WCHAR *host_members[] = { L"Invitation", L"Handled", L"Launch" };
    DISPID put_id = DISPID_PROPERTYPUT;
    EXCEPINFO excepinfo;
    IMsgrSessionHost *host;
    DISPPARAMS params;
    VARIANT arg, result;
    IDispatch *disp;
    ITypeInfo *info;
    unsigned int i;
    UINT count;
    DISPID id;
    HRESULT hr;
    IMsgrSession *session = create_session(manager);

    if (!session) return;
    hr = IMsgrSession_QueryInterface(session, &IID_IDispatch, (void **)&disp);
    ok(hr == S_OK, "got %#lx\n", hr);
    hr = IDispatch_GetTypeInfoCount(disp, &count);
    ok(hr == S_OK, "got %#lx\n", hr);
    ok(count == 1, "got %u\n", count);
    hr = IDispatch_GetTypeInfo(disp, 0, 0, &info);
    ok(hr == S_OK, "got %#lx\n", hr);
    if (hr == S_OK)
    {
        TYPEATTR *attr;

        ITypeInfo_GetTypeAttr(info, &attr);
        ok(IsEqualGUID(&attr->guid, &IID_IMsgrSession), "type info for %s\n", wine_dbgstr_guid(&attr->guid));
        ITypeInfo_ReleaseTypeAttr(info, attr);
        ITypeInfo_Release(info);
    }
    ok(IDispatch_GetTypeInfo(disp, 1, 0, &info) == DISP_E_BADINDEX, "second type info\n");

    for (i = 0; i < ARRAY_SIZE(members); i++)
    {
        WCHAR *name = (WCHAR *)members[i].name;
        hr = IDispatch_GetIDsOfNames(disp, &IID_NULL, &name, 1, 0, &id);
        ok(hr == S_OK, "got %#lx\n", hr);
        ok(id == members[i].id, "got %ld\n", id);
    }

    /* put_Application and get_Application by DISPID 0. */
    V_VT(&arg) = VT_BSTR;
    V_BSTR(&arg) = SysAllocString(test_app);
    params.rgvarg = &arg;
    params.cArgs = 1;
    params.rgdispidNamedArgs = &put_id;
    params.cNamedArgs = 1;
    hr = IDispatch_Invoke(disp, 0, &IID_NULL, 0, DISPATCH_PROPERTYPUT, &params, NULL, NULL, NULL);
    ok(hr == S_OK, "Invoke(put Application) returned %#lx\n", hr);
    VariantClear(&arg);
    params.cArgs = 0;
    params.cNamedArgs = 0;
    params.rgdispidNamedArgs = NULL;
    VariantInit(&result);
    hr = IDispatch_Invoke(disp, 0, &IID_NULL, 0, DISPATCH_PROPERTYGET, &params, &result, NULL, NULL);
    ok(hr == S_OK, "got %#lx\n", hr);
    ok(V_VT(&result) == VT_BSTR, "got %d\n", V_VT(&result));
    ok(!lstrcmpW(V_BSTR(&result), test_app), "got %s\n", wine_dbgstr_w(V_BSTR(&result)));
    VariantClear(&result);
    hr = IDispatch_Invoke(disp, 1, &IID_NULL, 0, DISPATCH_PROPERTYGET, &params, &result, NULL, NULL);
    ok(hr == S_OK, "State: got %#lx\n", hr);
    ok(V_VT(&result) == VT_I4, "State: got %d\n", V_VT(&result));
    ok(V_I4(&result) == SS_READY, "State: got %ld\n", V_I4(&result));
    /* A documented failure comes back as Invoke's result. */
    V_VT(&arg) = VT_BSTR;
    V_BSTR(&arg) = SysAllocString(L"data");
    params.rgvarg = &arg;
    params.cArgs = 1;
    memset(&excepinfo, 0, sizeof(excepinfo));
    hr = IDispatch_Invoke(disp, 14, &IID_NULL, 0, DISPATCH_METHOD, &params, NULL, &excepinfo, NULL);
    ok(hr == DISP_E_EXCEPTION, "got %#lx\n", hr);
    ok(excepinfo.scode == SR_SESSION_NOT_READY, "Invoke(SendContextData) returned %#lx, scode %#lx\n", hr, excepinfo.scode);
    SysFreeString(excepinfo.bstrSource);
    SysFreeString(excepinfo.bstrDescription);
    SysFreeString(excepinfo.bstrHelpFile);
    VariantClear(&arg);
    hr = IDispatch_Invoke(disp, 1000, &IID_NULL, 0, DISPATCH_METHOD, &params, NULL, NULL, NULL);
    ok(hr == DISP_E_MEMBERNOTFOUND, "unknown DISPID: %#lx\n", hr);
    IDispatch_Release(disp);

    /* The host interface is dual too. */
    hr = IMsgrSession_QueryInterface(session, &IID_IMsgrSessionHost, (void **)&host);
    ok(hr == S_OK, "got %#lx\n", hr);
    for (i = 0; i < ARRAY_SIZE(host_members); i++)
    {
        WCHAR *name = (WCHAR *)host_members[i];
        hr = IMsgrSessionHost_GetIDsOfNames(host, &IID_NULL, &name, 1, 0, &id);
        ok(hr == S_OK, "got %#lx\n", hr);
        ok(id == (DISPID)(i + 1), "got %ld\n", id);
    }
    params.cArgs = 0;
    hr = IMsgrSessionHost_Invoke(host, 2, &IID_NULL, 0, DISPATCH_PROPERTYGET, &params, &result, NULL, NULL);
    ok(hr == S_OK, "Handled: got %#lx\n", hr);
    ok(V_VT(&result) == VT_BOOL, "Handled: got %d\n", V_VT(&result));
    ok(!V_BOOL(&result), "Handled: got %d\n", V_BOOL(&result));
    IMsgrSessionHost_Release(host);
    ok(!IMsgrSession_Release(session), "session still referenced\n");
}

/* In the MTA nothing is pumped: events come on pool threads. */
struct mta_result
{
    BOOL connected;
    DWORD event_thread, main_thread;
};

static DWORD WINAPI mta_thread(void *arg)
{
    struct mta_result *result = arg;
    struct msgr_pair pair;
    struct record *r;
    BSTR str = NULL;
    DWORD start;

    CoInitializeEx(NULL, COINIT_MULTITHREADED);
    result->main_thread = GetCurrentThreadId();
    if (pair_invite(&pair, test_app, NULL) && IMsgrSession_Accept(pair.session[1], str) == S_OK)
    {
        start = GetTickCount();
        while (!pair_connected(&pair) && GetTickCount() - start < WAIT_MS) Sleep(10);
        result->connected = pair_connected(&pair);
        r = find_event(&pair.sink[0], DISPID_ONSTATECHANGED, 2);
        if (r) result->event_thread = r->thread;
    }
    pair_release(&pair);
    CoUninitialize();
    return 0;
}

static void test_mta(void)
{
    struct mta_result result = { 0 };
    HANDLE thread = CreateThread(NULL, 0, mta_thread, &result, 0, NULL);

    ok(WaitForSingleObject(thread, WAIT_MS * 3) == WAIT_OBJECT_0, "MTA thread did not finish\n");
    CloseHandle(thread);
    ok(result.connected, "MTA sessions did not connect without a message loop\n");
    ok(result.event_thread, "got %lu\n", result.event_thread);
    if (result.event_thread) ok(result.event_thread != result.main_thread, "got %lu\n", result.event_thread);
    /* Whichever thread let go last, the sessions and their manager end: the
     * check_unload at the end proves it (this file's own manager lives on). */
}

/* The invitee in another process: the parent is the inviter. */
static void child_invitee(const char *text)
{
    IMsgrSessionManagerHost *host;
    struct sink events;
    IConnectionPoint *point;
    IMsgrSession *session = NULL;
    IDispatch *disp = NULL;
    WCHAR buffer[4096];
    DWORD cookie = 0;
    struct record *r;
    BSTR str;
    HRESULT hr;

    init_sink(&events, &DIID_DMsgrSessionEvents);
    MultiByteToWideChar(CP_ACP, 0, text, -1, buffer, ARRAY_SIZE(buffer));
    IMsgrSessionManager_QueryInterface(manager, &IID_IMsgrSessionManagerHost, (void **)&host);
    str = SysAllocString(buffer);
    hr = IMsgrSessionManagerHost_ReceiveInvitation(host, str, &disp);
    ok(hr == S_OK, "child: ReceiveInvitation returned %#lx\n", hr);
    SysFreeString(str);
    IMsgrSessionManagerHost_Release(host);
    if (FAILED(hr)) return;
    IDispatch_QueryInterface(disp, &IID_IMsgrSession, (void **)&session);
    IDispatch_Release(disp);
    cookie = advise_sink((IUnknown *)session, &DIID_DMsgrSessionEvents, &events, &point);
    str = SysAllocString(L"from the child");
    hr = IMsgrSession_Accept(session, str);
    ok(hr == S_OK, "child: Accept returned %#lx\n", hr);
    ok(wait_state(&events, DISPID_ONSTATECHANGED, SS_CONNECTED, WAIT_MS), "child: not connected\n");
    ok(wait_event(&events, DISPID_ONCONTEXTDATA, 1, WAIT_MS), "child: no data\n");
    r = find_event(&events, DISPID_ONCONTEXTDATA, 0);
    ok(r != NULL, "child: got %p\n", r);
    if (r) ok(r->data != NULL, "child: got %p\n", r->data);
    if (r && r->data) ok(!lstrcmpW(r->data, L"from the parent"), "child: got %s\n", wine_dbgstr_w(r->data));
    hr = IMsgrSession_SendContextData(session, str);
    ok(hr == S_OK, "child: SendContextData returned %#lx\n", hr);
    SysFreeString(str);
    /* The parent cancels. */
    ok(wait_state(&events, DISPID_ONSTATECHANGED, SS_DECLINED, WAIT_MS), "child: no end\n");
    r = find_event(&events, DISPID_ONCANCELLED, 0);
    ok(r != NULL, "child: got %p\n", r);
    if (r) ok(r->data != NULL, "child: got %p\n", r->data);
    if (r && r->data) ok(!lstrcmpW(r->data, L"parent done"), "child: got %s\n", wine_dbgstr_w(r->data));
    unadvise_sink(point, cookie);
    clear_sink(&events);
    ok(!IMsgrSession_Release(session), "child: session still referenced\n");
}

static void test_child_process(void)
{
    PROCESS_INFORMATION pi;
    STARTUPINFOA si = { sizeof(si) };
    IMsgrSessionHost *host;
    struct sink events, contact;
    IConnectionPoint *point;
    char cmdline[8192];
    struct record *r;
    DWORD cookie;
    BSTR text, str;
    HRESULT hr;
    int len;
    IMsgrSession *session = create_session(manager);

    if (!session) return;
    init_sink(&events, &DIID_DMsgrSessionEvents);
    cookie = advise_sink((IUnknown *)session, &DIID_DMsgrSessionEvents, &events, &point);
    put_app(session, test_app);
    hr = IMsgrSession_Invite(session, create_contact(&contact), NULL);
    ok(hr == S_OK, "Invite returned %#lx\n", hr);
    IMsgrSession_QueryInterface(session, &IID_IMsgrSessionHost, (void **)&host);
    hr = IMsgrSessionHost_get_Invitation(host, &text);
    IMsgrSessionHost_Release(host);
    ok(hr == S_OK, "get_Invitation returned %#lx\n", hr);
    if (FAILED(hr)) goto done;
    len = sprintf(cmdline, "\"%s\" session invitee ", test_argv[0]);
    WideCharToMultiByte(CP_ACP, 0, text, -1, cmdline + len, sizeof(cmdline) - len, NULL, NULL);
    SysFreeString(text);
    ok(create_process_a(cmdline, FALSE, &si, &pi), "CreateProcess failed\n");

    ok(wait_state(&events, DISPID_ONSTATECHANGED, SS_CONNECTED, WAIT_MS), "the child did not connect\n");
    r = find_event(&events, DISPID_ONACCEPTED, 0);
    ok(r != NULL, "got %p\n", r);
    if (r) ok(r->data != NULL, "got %p\n", r->data);
    if (r && r->data) ok(!lstrcmpW(r->data, L"from the child"), "got %s\n", wine_dbgstr_w(r->data));
    str = SysAllocString(L"from the parent");
    ok(IMsgrSession_SendContextData(session, str) == S_OK, "send failed\n");
    SysFreeString(str);
    ok(wait_event(&events, DISPID_ONCONTEXTDATA, 1, WAIT_MS), "nothing from the child\n");
    str = SysAllocString(L"parent done");
    ok(IMsgrSession_Cancel(session, S_OK, str) == S_OK, "Cancel failed\n");
    SysFreeString(str);

    while (MsgWaitForMultipleObjects(1, &pi.hProcess, FALSE, WAIT_MS, QS_ALLINPUT) == WAIT_OBJECT_0 + 1)
        pump_for(0);
    wait_child_process(pi.hProcess);
    CloseHandle(pi.hProcess);
    CloseHandle(pi.hThread);
done:
    unadvise_sink(point, cookie);
    clear_sink(&events);
    ok(!IMsgrSession_Release(session), "session still referenced\n");
}

/* Launch: Messenger's own accept, which starts the registered application. */

static void veto_launch(struct sink *sink, DISPID dispid, DISPPARAMS *params)
{
    if (dispid == DISPID_BEFOREAPPLAUNCH && params->cArgs == 1 && V_VT(&params->rgvarg[0]) == (VT_BOOL | VT_BYREF))
        *V_BOOLREF(&params->rgvarg[0]) = VARIANT_FALSE;
}

/* The launched application: this test program run by Launch.  Only that:
 * the first wine process of a fresh wineserver is also the parent of the
 * services it starts. */
static HANDLE find_child_process(void)
{
    PROCESSENTRY32W entry = { sizeof(entry) };
    HANDLE snapshot, process = NULL;
    WCHAR path[MAX_PATH], *name;

    GetModuleFileNameW(NULL, path, ARRAY_SIZE(path));
    name = wcsrchr(path, '\\') ? wcsrchr(path, '\\') + 1 : path;
    snapshot = CreateToolhelp32Snapshot(TH32CS_SNAPPROCESS, 0);
    if (snapshot == INVALID_HANDLE_VALUE) return NULL;
    if (Process32FirstW(snapshot, &entry))
    {
        do
        {
            if (entry.th32ParentProcessID != GetCurrentProcessId() || wcsicmp(entry.szExeFile, name)) continue;
            process = OpenProcess(SYNCHRONIZE | PROCESS_QUERY_INFORMATION, FALSE, entry.th32ProcessID);
            if (process) break;
        } while (Process32NextW(snapshot, &entry));
    }
    CloseHandle(snapshot);
    return process;
}

static void test_launch(void)
{
    struct msgr_pair pair;
    IMsgrSessionHost *host;
    struct record *r;
    IDispatch *disp;
    HANDLE process;
    HRESULT hr;

    /* Not registered on this side: OnAppNotPresent, and the invitation is declined. */
    if (pair_invite(&pair, launch_app, NULL))
    {
        ok(unregister_app(pair.manager, launch_app) == S_OK, "UnRegisterApplication failed\n");
        IMsgrSession_QueryInterface(pair.session[1], &IID_IMsgrSessionHost, (void **)&host);
        hr = IMsgrSessionHost_Launch(host);
        ok(hr == SR_APP_NOT_REGISTERED, "Launch: %#lx\n", hr);
        r = find_event(&pair.sink[1], DISPID_ONAPPNOTPRESENT, 0);
        ok(r != NULL, "got %p\n", r);
        if (r) ok(r->args == 2, "no OnAppNotPresent(BSTR, BSTR)\n");
        if (r) ok(r->vt[0] == VT_BSTR, "no OnAppNotPresent(BSTR, BSTR)\n");
        if (r) ok(r->vt[1] == VT_BSTR, "no OnAppNotPresent(BSTR, BSTR)\n");
        /* The name and URL the inviter has. */
        ok(r != NULL, "got %p\n", r);
        if (r) ok(r->data != NULL, "got %p\n", r->data);
        if (r && r->data) ok(!lstrcmpW(r->data, L"Launch test"), "got %s\n", wine_dbgstr_w(r->data));
        if (r && r->data) ok(r->data2 != NULL, "OnAppNotPresent(%s, %s)\n", r ? wine_dbgstr_w(r->data) : "", r ? wine_dbgstr_w(r->data2) : "");
        if (r && r->data && r->data2) ok(!lstrcmpW(r->data2, L"http://example.org/launch"), "got %s\n", wine_dbgstr_w(r->data2));
        check_termination(&pair.sink[1], SR_APP_NOT_REGISTERED, L"", SS_DECLINED, __LINE__);
        ok(wait_event(&pair.sink[0], DISPID_ONDECLINED, 1, WAIT_MS), "the inviter did not see the decline\n");
        ok(IMsgrSessionHost_Launch(host) == SR_SESSION_STATE_INVALID, "second Launch\n");
        IMsgrSessionHost_Release(host);
    }
    pair_release(&pair);
    ok(register_app(manager, launch_app, L"Launch test", L"http://example.org/launch", launch_command) == S_OK,
       "RegisterApplication failed\n");

    /* BeforeAppLaunch can keep the application from starting: accepted all the same. */
    if (pair_invite(&pair, launch_app, NULL))
    {
        pair.sink[1].hook = veto_launch;
        IMsgrSession_QueryInterface(pair.session[1], &IID_IMsgrSessionHost, (void **)&host);
        hr = IMsgrSessionHost_Launch(host);
        ok(hr == S_OK, "Launch: %#lx\n", hr);
        IMsgrSessionHost_Release(host);
        r = find_event(&pair.sink[1], DISPID_ONREADYTOLAUNCH, 0);
        ok(r != NULL, "got %p\n", r);
        if (r) ok(!r->args, "no OnReadyToLaunch()\n");
        r = find_event(&pair.sink[1], DISPID_BEFOREAPPLAUNCH, 0);
        ok(r != NULL, "got %p\n", r);
        if (r) ok(r->args == 1, "no BeforeAppLaunch(VARIANT_BOOL *)\n");
        if (r) ok(r->vt[0] == (VT_BOOL | VT_BYREF), "no BeforeAppLaunch(VARIANT_BOOL *)\n");
        ok(record_index(&pair.sink[1], find_event(&pair.sink[1], DISPID_ONREADYTOLAUNCH, 0)) < record_index(&pair.sink[1], r),
           "BeforeAppLaunch before OnReadyToLaunch\n");
        ok(pump_until(pair_connected, &pair, WAIT_MS), "not connected\n");
        process = find_child_process();
        ok(!process, "an application was started\n");
        if (process) CloseHandle(process);
    }
    pair_release(&pair);

    /* Started: the application finds its session with GetLaunchingSession. */
    if (pair_invite(&pair, launch_app, NULL))
    {
        IMsgrSession_QueryInterface(pair.session[1], &IID_IMsgrSessionHost, (void **)&host);
        hr = IMsgrSessionHost_Launch(host);
        ok(hr == S_OK, "Launch: %#lx\n", hr);
        IMsgrSessionHost_Release(host);
        process = find_child_process();
        ok(process != NULL, "no application started\n");
        ok(wait_event(&pair.sink[0], DISPID_ONCONTEXTDATA, 1, WAIT_MS), "nothing from the application\n");
        r = find_event(&pair.sink[0], DISPID_ONCONTEXTDATA, 0);
        ok(r != NULL, "got %p\n", r);
        if (r) ok(r->data != NULL, "got %p\n", r->data);
        if (r && r->data) ok(!lstrcmpW(r->data, L"from the launched application"), "got %s\n", wine_dbgstr_w(r->data));
        if (process)
        {
            while (MsgWaitForMultipleObjects(1, &process, FALSE, WAIT_MS, QS_ALLINPUT) == WAIT_OBJECT_0 + 1)
                pump_for(0);
            wait_child_process(process);
            CloseHandle(process);
        }
        /* Not for this process. */
        hr = IMsgrSessionManager_GetLaunchingSession(pair.manager, GetCurrentProcessId(), &disp);
        ok(hr == E_FAIL, "GetLaunchingSession: %#lx\n", hr);
        ok(IMsgrSession_Cancel(pair.session[1], S_OK, NULL) == S_OK, "Cancel failed\n");
    }
    pair_release(&pair);
}

/* The application Launch started: another process. */
static void child_launched(void)
{
    IMsgrSession *session = NULL;
    IDispatch *disp = NULL;
    DWORD start;
    BSTR str;
    HRESULT hr;

    hr = IMsgrSessionManager_GetLaunchingSession(manager, GetCurrentProcessId(), &disp);
    ok(hr == S_OK, "launched: GetLaunchingSession returned %#lx\n", hr);
    if (FAILED(hr)) return;
    hr = IDispatch_QueryInterface(disp, &IID_IMsgrSession, (void **)&session);
    ok(hr == S_OK, "launched: QueryInterface(IMsgrSession) returned %#lx\n", hr);
    IDispatch_Release(disp);
    if (FAILED(hr)) return;
    hr = IMsgrSession_get_Application(session, &str);
    ok(hr == S_OK, "launched: got %#lx\n", hr);
    ok(!lstrcmpW(str, launch_app), "launched: got %s\n", wine_dbgstr_w(str));
    SysFreeString(str);
    start = GetTickCount();
    while (get_state(session) != SS_CONNECTED && GetTickCount() - start < WAIT_MS) Sleep(20);
    ok(get_state(session) == SS_CONNECTED, "launched: not connected\n");
    str = SysAllocString(L"from the launched application");
    hr = IMsgrSession_SendContextData(session, str);
    ok(hr == S_OK, "launched: SendContextData returned %#lx\n", hr);
    SysFreeString(str);
    IMsgrSession_Release(session);
}

START_TEST(session)
{
    WCHAR path[MAX_PATH];
    int argc;

    argc = winetest_get_mainargs(&test_argv);
    CoInitialize(NULL);
    pSetOaNoCache = (void *)GetProcAddress(GetModuleHandleA("oleaut32.dll"), "SetOaNoCache");
    if (!(manager = create_manager()))
    {
        CoUninitialize();
        return;
    }

    if (argc > 2 && !strcmp(test_argv[2], "launched"))
    {
        child_launched();
        IMsgrSessionManager_Release(manager);
        CoUninitialize();
        return;
    }
    if (argc > 3 && !strcmp(test_argv[2], "invitee"))
    {
        child_invitee(test_argv[3]);
        IMsgrSessionManager_Release(manager);
        CoUninitialize();
        return;
    }

    GetModuleFileNameW(NULL, path, ARRAY_SIZE(path));
    swprintf(launch_command, ARRAY_SIZE(launch_command), L"\"%ls\" session launched", path);
    delete_app_key(test_app);
    delete_app_key(launch_app);
    delete_app_key(missing_app);
    ok(register_app(manager, test_app, L"Session test", L"http://example.org/session", path) == S_OK,
       "RegisterApplication failed\n");
    ok(register_app(manager, launch_app, L"Launch test", L"http://example.org/launch", launch_command) == S_OK,
       "RegisterApplication failed\n");

    test_new_session();
    test_application();
    test_local_address();
    test_invite();
    test_invitee();
    test_handled();
    test_connect();
    test_context_data();
    test_out_of_memory();
    test_decline();
    test_cancel();
    test_early_ends();
    test_peer_gone();
    test_reentry();
    test_reentry_send_error();
    test_dispatch();
    test_mta();
    test_child_process();
    test_launch();

    unregister_app(manager, test_app);
    unregister_app(manager, launch_app);
    ok(!IMsgrSessionManager_Release(manager), "manager still referenced\n");
    check_unload("msgsc.dll");
    CoUninitialize();
}
