/*
 * MsgrSession and bridge lifetime: the client's last Release ends everything
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
 * COM's rule: an object's last Release returns 0, and what the object held
 * of its client (sinks, the contact given to Invite, the Messenger session
 * under a bridge) is released before that call returns.  Each way a
 * Messenger session ends, in an STA and in the MTA (where events come on
 * pool threads and may be in flight when the client lets go), is followed by
 * an immediate release that must show exactly that.
 */

#define COBJMACROS

#include <stdio.h>
#include <windows.h>
#include <ole2.h>
#include <olectl.h>

#include "msgrpriv.h"
#include "winemsgr.h"
#include "rendezvoussession.h"

#include "wine/test.h"
#include "msgsc_test.h"
#include "../../rendezvoussession/tests/unload.h"
#include "../../rendezvoussession/tests/malloc_spy.h"

/* Each way of ending, in each apartment; LIFETIME_RUNS sets another number
 * (the soak repeats the whole unit, and takes fewer each time). */
#define RUNS 200

static unsigned int env_runs(const char *name, unsigned int runs)
{
    char value[16];

    if (GetEnvironmentVariableA(name, value, sizeof(value)) && atoi(value) > 0) runs = atoi(value);
    return runs;
}

static const WCHAR test_app[] = L"{6D3A59B2-5C44-4E52-9B1E-0A7E5C6D7E11}";

static LONG session_state(IMsgrSession *session)
{
    SESSION_STATE state = SS_UNKNOWN;

    if (session) IMsgrSession_get_State(session, &state);
    return state;
}

static BOOL is_final(LONG state)
{
    return state == SS_CANCELLED || state == SS_DECLINED || state == SS_TERMINATED;
}

/* Until both live sessions' states (the core's, which may be ahead of the
 * events) are final: their events may still be queued or in flight. */
static BOOL pair_ended(void *arg)
{
    struct msgr_pair *pair = arg;

    return (!pair->session[0] || is_final(session_state(pair->session[0]))) &&
           (!pair->session[1] || is_final(session_state(pair->session[1])));
}

static BOOL invitee_ended(void *arg)
{
    struct msgr_pair *pair = arg;
    return !pair->session[1] || is_final(session_state(pair->session[1]));
}

static BOOL wait_ended(struct msgr_pair *pair)
{
    DWORD start = GetTickCount();
    MSG msg;

    while (!pair_ended(pair))
    {
        if (GetTickCount() - start >= WAIT_MS) return FALSE;
        while (PeekMessageW(&msg, NULL, 0, 0, PM_REMOVE)) DispatchMessageW(&msg);
        MsgWaitForMultipleObjects(0, NULL, FALSE, 1, QS_ALLINPUT);
    }
    return TRUE;
}

/* The client lets go of one session without unadvising: the last Release
 * must return 0 and give back the sink, and the inviter's the contact. */
static void release_side(struct msgr_pair *pair, unsigned int i)
{
    ULONG ref;

    if (!pair->session[i]) return;
    /* OnInvitation's record holds the invitee. */
    if (i == 1) clear_sink(&pair->manager_sink);
    IConnectionPoint_Release(pair->point[i]);
    pair->point[i] = NULL;
    ref = IMsgrSession_Release(pair->session[i]);
    pair->session[i] = NULL;
    ok(!ref, "session %u: the last Release returned %lu\n", i, ref);
    ok(pair->sink[i].refcount == 1, "session %u: the sink has %ld references after the last Release\n", i,
       pair->sink[i].refcount);
    if (!i) ok(pair->contact.refcount == 1, "the contact has %ld references after the inviter's last Release\n",
               pair->contact.refcount);
}

static void cancel(IMsgrSession *session)
{
    HRESULT hr = IMsgrSession_Cancel(session, SR_SESSION_CANCELLED_LOCAL, NULL);
    ok(hr == S_OK, "Cancel returned %#lx\n", hr);
}

/* A bridge over the connected inviter, Terminated through the bridge. */
static void end_through_bridge(struct msgr_pair *pair)
{
    IMsgrSessionManagerHost *host;
    struct sink sink;
    IConnectionPoint *point;
    IRendezvousSession *bridge;
    IUnknown *unk = NULL;
    BSTR user = SysAllocString(L"expert"), data = SysAllocString(L"done");
    ULONG ref;
    HRESULT hr;

    IMsgrSessionManager_QueryInterface(pair->manager, &IID_IMsgrSessionManagerHost, (void **)&host);
    hr = IMsgrSessionManagerHost_CreateRendezvousSession(host, (IDispatch *)pair->session[0], user, &unk);
    ok(hr == S_OK, "CreateRendezvousSession returned %#lx\n", hr);
    IMsgrSessionManagerHost_Release(host);
    SysFreeString(user);
    if (FAILED(hr)) goto done;
    IUnknown_QueryInterface(unk, &IID_IRendezvousSession, (void **)&bridge);
    IUnknown_Release(unk);
    init_sink(&sink, &DIID_DRendezvousSessionEvents);
    advise_sink((IUnknown *)bridge, &DIID_DRendezvousSessionEvents, &sink, &point);
    IConnectionPoint_Release(point);

    hr = IRendezvousSession_Terminate(bridge, S_OK, data);
    ok(hr == S_OK, "Terminate returned %#lx\n", hr);
    ok(wait_ended(pair), "the sessions did not end: states %ld, %ld\n", session_state(pair->session[0]),
       session_state(pair->session[1]));
    /* The client's session is still held by the client: only the bridge goes. */
    ref = IRendezvousSession_Release(bridge);
    ok(!ref, "bridge: the last Release returned %lu\n", ref);
    ok(sink.refcount == 1, "bridge: the sink has %ld references after the last Release\n", sink.refcount);
    clear_sink(&sink);
done:
    SysFreeString(data);
}

enum ending
{
    END_CANCEL_INVITER,
    END_CANCEL_INVITEE,
    END_DECLINE,
    END_WRONG_SECRET,
    END_PEER_GONE,
    END_OUT_OF_MEMORY,
    END_BRIDGE_TERMINATE,
    END_COUNT
};

static const char *const ending_names[] =
{
    "Cancel by the inviter", "Cancel by the invitee", "Decline", "wrong secret", "peer gone", "out of memory",
    "Terminate through the bridge",
};

/* The invitee receives the inviter's invitation with the secret's last
 * digit changed, and accepts: its handshake fails. */
static void receive_wrong_secret(struct msgr_pair *pair)
{
    IMsgrSessionManagerHost *manager_host;
    IMsgrSessionHost *host;
    IDispatch *invitee = NULL;
    BSTR invitation = NULL;
    UINT len;
    HRESULT hr;

    IMsgrSession_QueryInterface(pair->session[0], &IID_IMsgrSessionHost, (void **)&host);
    hr = IMsgrSessionHost_get_Invitation(host, &invitation);
    ok(hr == S_OK, "get_Invitation returned %#lx\n", hr);
    IMsgrSessionHost_Release(host);
    if (FAILED(hr)) return;
    len = SysStringLen(invitation);
    invitation[len - 1] = invitation[len - 1] == L'0' ? L'1' : L'0';
    IMsgrSessionManager_QueryInterface(pair->manager, &IID_IMsgrSessionManagerHost, (void **)&manager_host);
    hr = IMsgrSessionManagerHost_ReceiveInvitation(manager_host, invitation, &invitee);
    ok(hr == S_OK, "ReceiveInvitation returned %#lx\n", hr);
    IMsgrSessionManagerHost_Release(manager_host);
    SysFreeString(invitation);
    if (FAILED(hr)) return;
    IDispatch_QueryInterface(invitee, &IID_IMsgrSession, (void **)&pair->session[1]);
    IDispatch_Release(invitee);
    pair->cookie[1] = advise_sink((IUnknown *)pair->session[1], &DIID_DMsgrSessionEvents, &pair->sink[1],
                                  &pair->point[1]);
    hr = IMsgrSession_Accept(pair->session[1], NULL);
    ok(hr == S_OK, "Accept returned %#lx\n", hr);
}

/* The invitee made by pair_invite is not wanted: it goes first. */
static void drop_invitee(struct msgr_pair *pair)
{
    release_side(pair, 1);
    clear_sink(&pair->sink[1]);
    init_sink(&pair->sink[1], &DIID_DMsgrSessionEvents);
}

static void run_ending(enum ending ending)
{
    struct msgr_pair pair;
    BSTR data;
    HRESULT hr;

    switch (ending)
    {
    case END_CANCEL_INVITER:
    case END_CANCEL_INVITEE:
        if (!pair_connect(&pair, test_app, NULL)) break;
        cancel(pair.session[ending == END_CANCEL_INVITER ? 0 : 1]);
        ok(wait_ended(&pair), "the sessions did not end\n");
        break;
    case END_DECLINE:
        if (!pair_invite(&pair, test_app, NULL)) break;
        hr = IMsgrSession_Decline(pair.session[1], NULL);
        ok(hr == S_OK, "Decline returned %#lx\n", hr);
        ok(wait_ended(&pair), "the sessions did not end\n");
        break;
    case END_WRONG_SECRET:
        if (!pair_invite(&pair, test_app, NULL)) break;
        drop_invitee(&pair);
        receive_wrong_secret(&pair);
        ok(pump_until(invitee_ended, &pair, WAIT_MS), "the invitee did not end: state %ld\n",
           session_state(pair.session[1]));
        ok(session_state(pair.session[1]) == SS_TERMINATED, "the invitee ended in state %ld\n",
           session_state(pair.session[1]));
        /* The inviter still listens: it ends with its Release. */
        break;
    case END_PEER_GONE:
        if (!pair_connect(&pair, test_app, NULL)) break;
        release_side(&pair, 1);
        ok(wait_ended(&pair), "the inviter did not end: state %ld\n", session_state(pair.session[0]));
        ok(session_state(pair.session[0]) == SS_TERMINATED, "the inviter ended in state %ld\n",
           session_state(pair.session[0]));
        break;
    case END_OUT_OF_MEMORY:
        if (!pair_connect(&pair, test_app, NULL)) break;
        data = SysAllocString(L"lost to an allocation failure");
        malloc_spy_fail(1);
        hr = IMsgrSession_SendContextData(pair.session[0], data);
        malloc_spy_fail(0);
        ok(hr == E_OUTOFMEMORY, "SendContextData returned %#lx\n", hr);
        SysFreeString(data);
        /* Both let go while connected: the Release ends them. */
        break;
    case END_BRIDGE_TERMINATE:
        if (!pair_connect(&pair, test_app, NULL)) break;
        end_through_bridge(&pair);
        break;
    case END_COUNT:
        return;
    }
    release_side(&pair, 1);
    release_side(&pair, 0);
    pair_release(&pair);
}

static void run_endings(const char *apartment)
{
    unsigned int i, runs = env_runs("LIFETIME_RUNS", RUNS);
    enum ending ending;

    for (ending = 0; ending < END_COUNT; ending++)
    {
        winetest_push_context("%s, %s", apartment, ending_names[ending]);
        for (i = 0; i < runs; i++) run_ending(ending);
        winetest_pop_context();
    }
}

static DWORD WINAPI mta_thread(void *arg)
{
    CoInitializeEx(NULL, COINIT_MULTITHREADED);
    run_endings("MTA");
    CoUninitialize();
    return 0;
}

START_TEST(lifetime)
{
    IMsgrSessionManager *manager;
    WCHAR path[MAX_PATH];
    HANDLE thread;

    CoInitialize(NULL);
    if (!(manager = create_manager()))
    {
        CoUninitialize();
        return;
    }
    GetModuleFileNameW(NULL, path, ARRAY_SIZE(path));
    delete_app_key(test_app);
    ok(register_app(manager, test_app, L"Lifetime test", L"http://example.org/lifetime", path) == S_OK,
       "RegisterApplication failed\n");

    /* One pair first, so that the process-wide blocks sessions need exist
     * before the spy, which must see every other block go. */
    run_ending(END_CANCEL_INVITER);
    malloc_spy_register();
    run_endings("STA");
    thread = CreateThread(NULL, 0, mta_thread, NULL, 0, NULL);
    ok(WaitForSingleObject(thread, 600000) == WAIT_OBJECT_0, "the MTA thread did not finish\n");
    CloseHandle(thread);

    unregister_app(manager, test_app);
    ok(!IMsgrSessionManager_Release(manager), "manager still referenced\n");
    check_unload("msgsc.dll");
    check_unload("rendezvoussession.dll");
    malloc_spy_revoke();
    CoUninitialize();
}
