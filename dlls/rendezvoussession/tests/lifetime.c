/*
 * RendezvousSession lifetime: the client's last Release ends everything
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
 * COM's rule: an object's last Release returns 0, and what the object held
 * of its client (here the advised sinks) is released before that call
 * returns.  These tests end sessions in every way they can end, in an STA and
 * in the MTA (where events come on pool threads, and may be in flight when
 * the client lets go), and release at once: Release must return 0 and every
 * sink must be back to the client's own reference, then and there.
 */

#define COBJMACROS

#include <stdio.h>
#include <winsock2.h>
#include <windows.h>
#include <ole2.h>
#include <olectl.h>

#include "rendezvoussession.h"
#include "winerendezvous.h"

#include "wine/test.h"
#include "child.h"
#include "unload.h"
#include "malloc_spy.h"
#include "event_sink.h"

#define WAIT_MS 10000
/* Each way of ending, in each apartment; LIFETIME_RUNS sets another number
 * (the soak repeats the whole unit, and takes fewer each time). */
#define RUNS 200

static unsigned int env_runs(const char *name, unsigned int runs)
{
    char value[16];

    if (GetEnvironmentVariableA(name, value, sizeof(value)) && atoi(value) > 0) runs = atoi(value);
    return runs;
}

/* A sink that only counts: a reference count and the events it saw. */
struct counting_sink
{
    struct event_sink base;
    LONG events;
    LONG terminations;
    /* What ended_at_once_case reads, in an STA: the data, one after the other,
     * and OnTermination's arguments. */
    WCHAR received[64];
    LONG64 received_units;
    HRESULT end_hr;
    WCHAR end_data[64];
};

/* Set in a child that lets go of everything from inside its own OnTermination. */
static void (*termination_hook)(void);

static void counting_sink_event(struct event_sink *base, DISPID id, DISPPARAMS *params)
{
    struct counting_sink *sink = CONTAINING_RECORD(base, struct counting_sink, base);

    InterlockedIncrement(&sink->events);
    if (id == DISPID_EVENT_ON_CONTEXT_DATA && params->cArgs == 1 && V_VT(&params->rgvarg[0]) == VT_BSTR)
    {
        sink->received_units += SysStringLen(V_BSTR(&params->rgvarg[0]));
        if (wcslen(sink->received) + SysStringLen(V_BSTR(&params->rgvarg[0])) < ARRAY_SIZE(sink->received))
            wcscat(sink->received, V_BSTR(&params->rgvarg[0]));
    }
    if (id == DISPID_EVENT_ON_TERMINATION && termination_hook)
    {
        void (*hook)(void) = termination_hook;

        termination_hook = NULL;
        hook();
    }
    if (id == DISPID_EVENT_ON_TERMINATION)
    {
        InterlockedIncrement(&sink->terminations);
        if (params->cArgs == 2 && V_VT(&params->rgvarg[1]) == VT_I4 && V_VT(&params->rgvarg[0]) == VT_BSTR)
        {
            sink->end_hr = V_I4(&params->rgvarg[1]);
            lstrcpynW(sink->end_data, V_BSTR(&params->rgvarg[0]), ARRAY_SIZE(sink->end_data));
        }
    }
    /* Give a releasing thread the chance to come while the event is in flight. */
    if (!(sink->events % 3)) Sleep(0);
}

/* One session as a client holds it: the session, its host face, its point,
 * and the sink it advised (and never unadvises: the last Release must). */
struct side
{
    IRendezvousSession *session;
    IRendezvousSessionHost *host;
    IConnectionPoint *point;
    struct counting_sink sink;
};

static BOOL side_create(struct side *side, LONG flags)
{
    IConnectionPointContainer *container;
    DWORD cookie;
    HRESULT hr;

    memset(side, 0, sizeof(*side));
    event_sink_init(&side->sink.base, &DIID_DRendezvousSessionEvents, counting_sink_event);
    hr = CoCreateInstance(&CLSID_RendezvousSession, NULL, CLSCTX_INPROC_SERVER, &IID_IRendezvousSession,
                          (void **)&side->session);
    ok(hr == S_OK, "CoCreateInstance returned %#lx\n", hr);
    if (FAILED(hr)) return FALSE;
    IRendezvousSession_QueryInterface(side->session, &IID_IRendezvousSessionHost, (void **)&side->host);
    hr = IRendezvousSessionHost_Initialize(side->host, flags);
    ok(hr == S_OK, "Initialize returned %#lx\n", hr);
    IRendezvousSession_QueryInterface(side->session, &IID_IConnectionPointContainer, (void **)&container);
    IConnectionPointContainer_FindConnectionPoint(container, &DIID_DRendezvousSessionEvents, &side->point);
    IConnectionPointContainer_Release(container);
    hr = IConnectionPoint_Advise(side->point, (IUnknown *)&side->sink.base.IDispatch_iface, &cookie);
    ok(hr == S_OK, "Advise returned %#lx\n", hr);
    return hr == S_OK;
}

/* Lets go of everything the client holds, the session last. */
static void side_release(struct side *side, const char *who)
{
    ULONG ref;

    if (!side->session) return;
    IConnectionPoint_Release(side->point);
    IRendezvousSessionHost_Release(side->host);
    ref = IRendezvousSession_Release(side->session);
    side->session = NULL;
    ok(!ref, "%s: the last Release returned %lu\n", who, ref);
    /* At once, not after a wait: the sink is the client's again. */
    ok(side->sink.base.refcount == 1, "%s: the sink has %ld references after the last Release\n", who,
       side->sink.base.refcount);
}

static LONG side_state(struct side *side)
{
    RENDEZVOUS_SESSION_STATE state = RSS_UNKNOWN;

    IRendezvousSession_get_State(side->session, &state);
    return state;
}

static BOOL is_final(LONG state)
{
    return state == RSS_CANCELLED || state == RSS_DECLINED || state == RSS_TERMINATED;
}

/* Waits, pumping in an STA, until every side's state (the core's, which may
 * be ahead of the events) satisfies want; the events may still be queued or
 * in flight when it returns, which is the point. */
static BOOL wait_states_within(struct side *sides, unsigned int count, BOOL (*want)(LONG state), DWORD timeout)
{
    DWORD start = GetTickCount();
    unsigned int i;
    MSG msg;

    for (;;)
    {
        for (i = 0; i < count; i++)
            if (sides[i].session && !want(side_state(&sides[i]))) break;
        if (i == count) return TRUE;
        if (GetTickCount() - start >= timeout) return FALSE;
        while (PeekMessageW(&msg, NULL, 0, 0, PM_REMOVE)) DispatchMessageW(&msg);
        MsgWaitForMultipleObjects(0, NULL, FALSE, 1, QS_ALLINPUT);
    }
}

static BOOL wait_states(struct side *sides, unsigned int count, BOOL (*want)(LONG state))
{
    return wait_states_within(sides, count, want, WAIT_MS);
}

/* Runs this thread's queued messages, where an STA object fires its events. */
static void pump_events(void)
{
    MSG msg;

    while (PeekMessageW(&msg, NULL, 0, 0, PM_REMOVE)) DispatchMessageW(&msg);
}

static BOOL is_connected(LONG state)
{
    return state == RSS_CONNECTED;
}

static BSTR invite(struct side *sides)
{
    BSTR invitation = NULL;
    HRESULT hr;

    hr = IRendezvousSessionHost_CreateInvitation(sides[0].host, NULL, &invitation);
    ok(hr == S_OK, "CreateInvitation returned %#lx\n", hr);
    return invitation;
}

static BOOL connect_sides(struct side *sides)
{
    BSTR invitation;
    HRESULT hr;
    BOOL done;

    if (!(invitation = invite(sides))) return FALSE;
    hr = IRendezvousSessionHost_ReceiveInvitation(sides[1].host, invitation);
    ok(hr == S_OK, "ReceiveInvitation returned %#lx\n", hr);
    SysFreeString(invitation);
    hr = IRendezvousSessionHost_Accept(sides[1].host);
    ok(hr == S_OK, "Accept returned %#lx\n", hr);
    done = wait_states(sides, 2, is_connected);
    /* The states are read after the wait, not before it as an argument might be. */
    ok(done, "the sessions did not connect: states %ld, %ld\n",
       side_state(&sides[0]), side_state(&sides[1]));
    return side_state(&sides[0]) == RSS_CONNECTED && side_state(&sides[1]) == RSS_CONNECTED;
}

enum ending
{
    END_TERMINATE_INVITER,
    END_TERMINATE_INVITEE,
    END_CANCEL,
    END_DECLINE,
    END_WRONG_SECRET,
    END_PEER_GONE,
    END_OUT_OF_MEMORY,
    END_COUNT
};

static const char *const ending_names[] =
{
    "Terminate by the inviter", "Terminate by the invitee", "Cancel", "Decline", "wrong secret",
    "peer gone", "out of memory",
};

static void terminate_side(struct side *side)
{
    BSTR data = SysAllocString(L"done");
    HRESULT hr = IRendezvousSession_Terminate(side->session, S_OK, data);

    ok(hr == S_OK, "Terminate returned %#lx\n", hr);
    SysFreeString(data);
}

/* One session pair, ended one way, then released at once. */
static void run_ending(enum ending ending)
{
    struct side sides[2];
    BSTR invitation;
    HRESULT hr;
    BOOL done;

    if (!side_create(&sides[0], RSF_INVITER)) return;
    if (!side_create(&sides[1], RSF_INVITEE))
    {
        side_release(&sides[0], "inviter");
        return;
    }

    switch (ending)
    {
    case END_TERMINATE_INVITER:
    case END_TERMINATE_INVITEE:
        if (!connect_sides(sides)) break;
        terminate_side(&sides[ending == END_TERMINATE_INVITER ? 0 : 1]);
        done = wait_states(sides, 2, is_final);
        ok(done, "the sessions did not end: states %ld, %ld\n",
           side_state(&sides[0]), side_state(&sides[1]));
        break;
    case END_CANCEL:
        /* The inviter cancels while the invitee's handshake is under way. */
        if (!(invitation = invite(sides))) break;
        IRendezvousSessionHost_ReceiveInvitation(sides[1].host, invitation);
        SysFreeString(invitation);
        IRendezvousSessionHost_Accept(sides[1].host);
        hr = IRendezvousSessionHost_Cancel(sides[0].host);
        ok(hr == S_OK, "Cancel returned %#lx\n", hr);
        done = wait_states(sides, 2, is_final);
        ok(done, "the sessions did not end: states %ld, %ld\n",
           side_state(&sides[0]), side_state(&sides[1]));
        break;
    case END_DECLINE:
        if (!(invitation = invite(sides))) break;
        IRendezvousSessionHost_ReceiveInvitation(sides[1].host, invitation);
        SysFreeString(invitation);
        hr = IRendezvousSessionHost_Decline(sides[1].host);
        ok(hr == S_OK, "Decline returned %#lx\n", hr);
        done = wait_states(sides, 2, is_final);
        ok(done, "the sessions did not end: states %ld, %ld\n",
           side_state(&sides[0]), side_state(&sides[1]));
        break;
    case END_WRONG_SECRET:
        if (!(invitation = invite(sides))) break;
        /* The last hex digit of the secret, changed. */
        invitation[SysStringLen(invitation) - 1] = invitation[SysStringLen(invitation) - 1] == L'0' ? L'1' : L'0';
        IRendezvousSessionHost_ReceiveInvitation(sides[1].host, invitation);
        SysFreeString(invitation);
        IRendezvousSessionHost_Accept(sides[1].host);
        done = wait_states(&sides[1], 1, is_final);
        ok(done, "the invitee did not end: state %ld\n", side_state(&sides[1]));
        ok(side_state(&sides[1]) == RSS_TERMINATED, "the invitee ended in state %ld\n", side_state(&sides[1]));
        /* The inviter still listens: it ends with its Release. */
        break;
    case END_PEER_GONE:
        if (!connect_sides(sides)) break;
        side_release(&sides[1], "invitee");
        done = wait_states(sides, 1, is_final);
        ok(done, "the inviter did not end: state %ld\n", side_state(&sides[0]));
        ok(side_state(&sides[0]) == RSS_TERMINATED, "the inviter ended in state %ld\n", side_state(&sides[0]));
        break;
    case END_OUT_OF_MEMORY:
        if (!connect_sides(sides)) break;
        {
            BSTR data = SysAllocString(L"lost to an allocation failure");

            malloc_spy_fail(1);
            hr = IRendezvousSession_SendContextData(sides[0].session, data);
            malloc_spy_fail(0);
            ok(hr == E_OUTOFMEMORY, "SendContextData returned %#lx\n", hr);
            SysFreeString(data);
        }
        /* Both let go while connected: the Release ends them. */
        break;
    case END_COUNT:
        break;
    }
    side_release(&sides[1], "invitee");
    side_release(&sides[0], "inviter");
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

/* Sessions whose handshake times out: the invitees connect to a listener
 * that never answers, all at once, so that the handshake deadline (10 s)
 * passes once for all of them. */
#define TIMEOUT_SESSIONS RUNS

static void run_timeouts(const char *apartment)
{
    struct side *sides = calloc(TIMEOUT_SESSIONS, sizeof(*sides));
    struct sockaddr_in addr = { 0 };
    WCHAR text[160];
    int addr_len = sizeof(addr);
    unsigned int started = 0;
    SOCKET listener;
    unsigned int i;
    BSTR invitation;
    HRESULT hr;
    BOOL done;

    winetest_push_context("%s, handshake timeout", apartment);
    listener = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ok(!bind(listener, (struct sockaddr *)&addr, sizeof(addr)), "bind failed: %d\n", WSAGetLastError());
    ok(!listen(listener, SOMAXCONN), "listen failed: %d\n", WSAGetLastError());
    getsockname(listener, (struct sockaddr *)&addr, &addr_len);
    swprintf(text, ARRAY_SIZE(text), L"rv1:127.0.0.1:%u:0123456789abcdef0123456789abcdef:"
             L"00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff", ntohs(addr.sin_port));

    for (i = 0; i < TIMEOUT_SESSIONS; i++)
    {
        if (!side_create(&sides[i], RSF_INVITEE)) break;
        invitation = SysAllocString(text);
        hr = IRendezvousSessionHost_ReceiveInvitation(sides[i].host, invitation);
        SysFreeString(invitation);
        ok(hr == S_OK, "ReceiveInvitation returned %#lx\n", hr);
        hr = IRendezvousSessionHost_Accept(sides[i].host);
        ok(hr == S_OK, "Accept returned %#lx\n", hr);
        started++;
    }
    /* Each is released as soon as its state says it ended, its events maybe in flight. */
    for (i = 0; i < started; i++)
    {
        done = wait_states(&sides[i], 1, is_final);
        ok(done, "session %u did not time out: state %ld\n", i,
           side_state(&sides[i]));
        ok(side_state(&sides[i]) == RSS_TERMINATED, "session %u ended in state %ld\n", i, side_state(&sides[i]));
        side_release(&sides[i], "invitee");
    }
    closesocket(listener);
    free(sides);
    winetest_pop_context();
}

/* A peer in another process that sends, terminates with data and exits at
 * once, in one of three ways: whatever was accepted with S_OK reaches this
 * side, and the end is OnTermination(S_OK, data), not a connection reset.
 * The child works in the MTA, where its events come on pool threads. */
#define EXIT_RUNS 100
/* A process's start and connection, which a loaded machine can make slow. */
#define EXIT_WAIT_MS 60000
/* After its last Release, more than a socket takes at once: the Release waits
 * until the kernel has it.  (A process that exits while its I/O thread is in
 * the middle of a write cannot know what the kernel took: see behaviour.md.) */
#define EXIT_BIG_SENDS 24
#define EXIT_BIG_UNITS 65536
#define EXIT_UNITS (4 + 4 + 5 + (LONG64)EXIT_BIG_SENDS * EXIT_BIG_UNITS)

enum exit_way
{
    EXIT_AFTER_RELEASE,     /* waits for its own end, releases everything, exits */
    EXIT_HOLDING,           /* ExitProcess right after Terminate, holding everything */
    EXIT_FROM_HANDLER,      /* releases inside its own OnTermination, then exits */
};

static const char *const exit_way_names[] = { "release", "holding", "handler" };

/* The child's side, released from inside its OnTermination. */
static struct side *release_in_handler;
static HANDLE released_event;

static void release_from_handler(void)
{
    struct side *side = release_in_handler;

    /* The last Release from inside the event, as a client that is done may do. */
    IConnectionPoint_Release(side->point);
    IRendezvousSessionHost_Release(side->host);
    IRendezvousSession_Release(side->session);
    SetEvent(released_event);
}

static void child_end_and_exit(const char *invitation, enum exit_way way)
{
    static const WCHAR *const sends[] = { L"one ", L"two ", L"three" };
    struct side side;
    WCHAR text[300];
    unsigned int i;
    BSTR str;
    HRESULT hr;
    DWORD start;

    CoInitializeEx(NULL, COINIT_MULTITHREADED);
    if (!side_create(&side, RSF_INVITEE)) ExitProcess(1);
    MultiByteToWideChar(CP_ACP, 0, invitation, -1, text, ARRAY_SIZE(text));
    str = SysAllocString(text);
    hr = IRendezvousSessionHost_ReceiveInvitation(side.host, str);
    SysFreeString(str);
    if (hr == S_OK) hr = IRendezvousSessionHost_Accept(side.host);
    if (hr != S_OK) ExitProcess(2);
    /* Not connected: 10 + the state it is in, for the parent's message. */
    if (!wait_states_within(&side, 1, is_connected, EXIT_WAIT_MS)) ExitProcess(10 + side_state(&side));
    for (i = 0; i < ARRAY_SIZE(sends); i++)
    {
        str = SysAllocString(sends[i]);
        hr = IRendezvousSession_SendContextData(side.session, str);
        SysFreeString(str);
        if (hr != S_OK) ExitProcess(3);
    }
    if (way == EXIT_AFTER_RELEASE)
    {
        str = SysAllocStringLen(NULL, EXIT_BIG_UNITS);
        for (i = 0; i < EXIT_BIG_UNITS; i++) str[i] = 'a' + i % 26;
        for (i = 0; i < EXIT_BIG_SENDS; i++)
            if (IRendezvousSession_SendContextData(side.session, str) != S_OK) ExitProcess(7);
        SysFreeString(str);
    }
    if (way == EXIT_FROM_HANDLER)
    {
        released_event = CreateEventW(NULL, TRUE, FALSE, NULL);
        release_in_handler = &side;
        termination_hook = release_from_handler;
    }
    str = SysAllocString(L"the child is done");
    hr = IRendezvousSession_Terminate(side.session, S_OK, str);
    SysFreeString(str);
    if (hr != S_OK) ExitProcess(4);
    /* Nothing released, nothing waited for: DLL_PROCESS_DETACH has to see to it. */
    if (way == EXIT_HOLDING) ExitProcess(0);
    if (way == EXIT_FROM_HANDLER)
        ExitProcess(WaitForSingleObject(released_event, WAIT_MS) == WAIT_OBJECT_0 ? 0 : 6);
    start = GetTickCount();
    while (side_state(&side) != RSS_CANCELLED && GetTickCount() - start < WAIT_MS) Sleep(1);
    IConnectionPoint_Release(side.point);
    IRendezvousSessionHost_Release(side.host);
    /* The last Release, then out at once: no CoUninitialize, no wait. */
    ExitProcess(IRendezvousSession_Release(side.session) ? 5 : 0);
}

static BOOL is_cancelled(LONG state)
{
    return state == RSS_CANCELLED;
}

static void ended_at_once_case(const char *argv0, enum exit_way way)
{
    PROCESS_INFORMATION pi;
    STARTUPINFOA si = { sizeof(si) };
    char cmdline[MAX_PATH + 400];
    struct side side;
    BSTR invitation;
    DWORD code = 0, start;
    BOOL done;
    int len;

    if (!side_create(&side, RSF_INVITER)) return;
    if (!(invitation = invite(&side)))
    {
        side_release(&side, "inviter");
        return;
    }
    len = sprintf(cmdline, "\"%s\" lifetime exit-child %s ", argv0, exit_way_names[way]);
    WideCharToMultiByte(CP_ACP, 0, invitation, -1, cmdline + len, sizeof(cmdline) - len, NULL, NULL);
    SysFreeString(invitation);
    if (!create_process_a(cmdline, FALSE, &si, &pi))
    {
        ok(0, "CreateProcess failed: %lu\n", GetLastError());
        side_release(&side, "inviter");
        return;
    }

    done = wait_states_within(&side, 1, is_cancelled, EXIT_WAIT_MS);

    ok(done, "this side ended in state %ld\n",
       side_state(&side));
    /* The events that came with the end are delivered as the thread pumps. */
    start = GetTickCount();
    while (!side.sink.terminations && GetTickCount() - start < WAIT_MS)
    {
        pump_events();
        MsgWaitForMultipleObjects(0, NULL, FALSE, 5, QS_ALLINPUT);
    }
    ok(side.sink.terminations == 1, "%ld OnTermination events\n", side.sink.terminations);
    ok(!lstrcmpW(side.sink.received, L"one two three"), "received %s\n", wine_dbgstr_w(side.sink.received));
    ok(side.sink.received_units == (way == EXIT_AFTER_RELEASE ? EXIT_UNITS : 13), "received %I64d units\n",
       side.sink.received_units);
    ok(side.sink.end_hr == S_OK, "OnTermination(%#lx)\n", side.sink.end_hr);
    ok(!lstrcmpW(side.sink.end_data, L"the child is done"), "OnTermination data %s\n",
       wine_dbgstr_w(side.sink.end_data));
    WaitForSingleObject(pi.hProcess, EXIT_WAIT_MS);
    GetExitCodeProcess(pi.hProcess, &code);
    ok(!code, "the child exited with %lu\n", code);
    CloseHandle(pi.hProcess);
    CloseHandle(pi.hThread);
    side_release(&side, "inviter");
}

static void test_ended_at_once(const char *argv0)
{
    unsigned int i, runs = env_runs("LIFETIME_EXIT_RUNS", EXIT_RUNS);
    enum exit_way way;
    for (way = EXIT_AFTER_RELEASE; way <= EXIT_FROM_HANDLER; way++)
    {
        winetest_push_context("a peer that ends and exits at once (%s)", exit_way_names[way]);
        for (i = 0; i < runs; i++) ended_at_once_case(argv0, way);
        winetest_pop_context();
    }
}

static DWORD WINAPI mta_thread(void *arg)
{
    CoInitializeEx(NULL, COINIT_MULTITHREADED);
    run_endings("MTA");
    run_timeouts("MTA");
    CoUninitialize();
    return 0;
}

START_TEST(lifetime)
{
    WSADATA wsa;
    HANDLE thread;
    char **argv;
    int argc;

    argc = winetest_get_mainargs(&argv);
    WSAStartup(MAKEWORD(2, 2), &wsa);
    if (argc > 4 && !strcmp(argv[2], "exit-child"))
    {
        enum exit_way way = EXIT_AFTER_RELEASE;

        while (way < EXIT_FROM_HANDLER && strcmp(argv[3], exit_way_names[way])) way++;
        child_end_and_exit(argv[4], way);
    }
    CoInitialize(NULL);
    test_ended_at_once(argv[0]);

    /* The most sessions at once come first, so that the process-wide blocks
     * they need exist before the spy, which must see every other block go. */
    run_timeouts("STA");
    malloc_spy_register();
    run_endings("STA");

    thread = CreateThread(NULL, 0, mta_thread, NULL, 0, NULL);
    ok(WaitForSingleObject(thread, 600000) == WAIT_OBJECT_0, "the MTA thread did not finish\n");
    CloseHandle(thread);

    /* Nothing of either apartment's sessions is left behind. */
    check_unload("rendezvoussession.dll");
    malloc_spy_revoke();
    CoUninitialize();
    WSACleanup();
}
