/*
 * RendezvousSession delivery: nothing accepted is lost, whatever fails
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
 * Two processes in the MTA: this one sends a burst and then strings whose
 * SendContextData fails its n-th allocation (n = 1..24, an IMallocSpy on the
 * calling thread, which in the MTA also delivers this side's events), while
 * the other echoes every string back from inside OnContextData.  Every
 * string accepted with S_OK comes back exactly once and in order, or one of
 * the two senders hears OnSendError; then this side's Terminate ends both
 * at once.  DELIVERY_RUNS sets how many times (default 3; the issue's
 * figure is 50).
 */

#define COBJMACROS

#include <stdio.h>
#include <stdlib.h>
#include <windows.h>
#include <ole2.h>
#include <olectl.h>

#include "rendezvoussession.h"
#include "winerendezvous.h"

#include "wine/test.h"
#include "child.h"
#include "malloc_spy.h"
#include "event_sink.h"

#define WAIT_MS 20000
/* No echo and no send error for this long: the rest is in the child's count. */
#define QUIET_MS 3000
#define BURST 8
#define SWEEP 24
#define SENDS_PER_STEP 2
#define MAX_STRINGS (BURST + SWEEP * SENDS_PER_STEP)

/* A sink that keeps the tag (first unit) of each string it receives, counts
 * OnSendError and notes OnTermination; echo: sends each string back. */
struct recording_sink
{
    struct event_sink base;
    IRendezvousSession *echo;
    CRITICAL_SECTION cs;
    WCHAR tags[MAX_STRINGS * 2];
    UINT lengths[MAX_STRINGS * 2];
    LONG received;
    LONG send_errors;
    LONG echo_failures;
    HANDLE ended;
    HRESULT end_hr;
};

static void recording_sink_event(struct event_sink *base, DISPID id, DISPPARAMS *params)
{
    struct recording_sink *sink = CONTAINING_RECORD(base, struct recording_sink, base);
    BSTR data;

    switch (id)
    {
    case DISPID_EVENT_ON_CONTEXT_DATA:
        if (params->cArgs != 1 || V_VT(&params->rgvarg[0]) != VT_BSTR) break;
        data = V_BSTR(&params->rgvarg[0]);
        EnterCriticalSection(&sink->cs);
        if (sink->received < (LONG)ARRAY_SIZE(sink->tags) && SysStringLen(data))
        {
            sink->tags[sink->received] = data[0];
            sink->lengths[sink->received] = SysStringLen(data);
        }
        sink->received++;
        LeaveCriticalSection(&sink->cs);
        if (sink->echo && IRendezvousSession_SendContextData(sink->echo, data) != S_OK)
            InterlockedIncrement(&sink->echo_failures);
        break;
    case DISPID_EVENT_ON_SEND_ERROR:
        InterlockedIncrement(&sink->send_errors);
        break;
    case DISPID_EVENT_ON_TERMINATION:
        if (params->cArgs == 2 && V_VT(&params->rgvarg[1]) == VT_I4) sink->end_hr = V_I4(&params->rgvarg[1]);
        SetEvent(sink->ended);
        break;
    }
}


struct side
{
    IRendezvousSession *session;
    IRendezvousSessionHost *host;
    IConnectionPoint *point;
    DWORD cookie;
    struct recording_sink sink;
};

static BOOL side_create(struct side *side, LONG flags)
{
    IConnectionPointContainer *container;
    HRESULT hr;

    memset(side, 0, sizeof(*side));
    event_sink_init(&side->sink.base, &DIID_DRendezvousSessionEvents, recording_sink_event);
    side->sink.end_hr = E_FAIL;
    InitializeCriticalSection(&side->sink.cs);
    side->sink.ended = CreateEventW(NULL, TRUE, FALSE, NULL);
    hr = CoCreateInstance(&CLSID_RendezvousSession, NULL, CLSCTX_INPROC_SERVER, &IID_IRendezvousSession,
                          (void **)&side->session);
    ok(hr == S_OK, "CoCreateInstance returned %#lx\n", hr);
    if (FAILED(hr)) return FALSE;
    IRendezvousSession_QueryInterface(side->session, &IID_IRendezvousSessionHost, (void **)&side->host);
    IRendezvousSessionHost_Initialize(side->host, flags);
    IRendezvousSession_QueryInterface(side->session, &IID_IConnectionPointContainer, (void **)&container);
    IConnectionPointContainer_FindConnectionPoint(container, &DIID_DRendezvousSessionEvents, &side->point);
    IConnectionPointContainer_Release(container);
    hr = IConnectionPoint_Advise(side->point, (IUnknown *)&side->sink.base.IDispatch_iface, &side->cookie);
    ok(hr == S_OK, "Advise returned %#lx\n", hr);
    return hr == S_OK;
}

static void side_release(struct side *side)
{
    ULONG ref;

    IConnectionPoint_Release(side->point);
    IRendezvousSessionHost_Release(side->host);
    ref = IRendezvousSession_Release(side->session);
    ok(!ref, "the last Release returned %lu\n", ref);
    ok(side->sink.base.refcount == 1, "the sink has %ld references\n", side->sink.base.refcount);
    CloseHandle(side->sink.ended);
    DeleteCriticalSection(&side->sink.cs);
}

static LONG side_state(struct side *side)
{
    RENDEZVOUS_SESSION_STATE state = RSS_UNKNOWN;

    IRendezvousSession_get_State(side->session, &state);
    return state;
}

static BOOL wait_state(struct side *side, LONG state, DWORD timeout)
{
    DWORD start = GetTickCount();

    while (side_state(side) != state)
    {
        if (GetTickCount() - start >= timeout) return FALSE;
        Sleep(5);
    }
    return TRUE;
}

/* String i: tagged with its index in its first unit, then filled. */
static BSTR make_string(unsigned int i)
{
    static const UINT lengths[] = { 16, 300, 4096, 65536, 1, 2000, 70, 9000 };
    UINT length = lengths[i % ARRAY_SIZE(lengths)], k;
    BSTR str = SysAllocStringLen(NULL, length);

    if (!str) return NULL;
    str[0] = 0x100 + i;
    for (k = 1; k < length; k++) str[k] = L'a' + (i + k) % 26;
    return str;
}

/* The echoing peer: exits with the number of OnSendError it heard, or 200+
 * when something else went wrong. */
static void child_echo(const char *invitation)
{
    struct side side;
    WCHAR text[300];
    BSTR str;
    HRESULT hr;
    LONG errors;

    CoInitializeEx(NULL, COINIT_MULTITHREADED);
    if (!side_create(&side, RSF_INVITEE)) ExitProcess(201);
    side.sink.echo = side.session;
    MultiByteToWideChar(CP_ACP, 0, invitation, -1, text, ARRAY_SIZE(text));
    str = SysAllocString(text);
    hr = IRendezvousSessionHost_ReceiveInvitation(side.host, str);
    SysFreeString(str);
    if (hr == S_OK) hr = IRendezvousSessionHost_Accept(side.host);
    if (hr != S_OK) ExitProcess(202);
    if (WaitForSingleObject(side.sink.ended, 120000)) ExitProcess(203);
    if (side.sink.end_hr != S_OK) ExitProcess(204);
    if (!wait_state(&side, RSS_CANCELLED, WAIT_MS)) ExitProcess(205);
    errors = side.sink.send_errors + side.sink.echo_failures;
    side.sink.echo = NULL;
    IConnectionPoint_Unadvise(side.point, side.cookie);
    IConnectionPoint_Release(side.point);
    IRendezvousSessionHost_Release(side.host);
    if (IRendezvousSession_Release(side.session)) ExitProcess(206);
    CoUninitialize();
    ExitProcess(errors < 200 ? errors : 199);
}

static void delivery_run(const char *argv0, unsigned int run)
{
    PROCESS_INFORMATION pi;
    STARTUPINFOA si = { sizeof(si) };
    char cmdline[MAX_PATH + 400];
    BOOL accepted[MAX_STRINGS] = { 0 };
    LONG sent = 0, settled, last, i, next;
    DWORD code = 255, start, quiet;
    struct side side;
    BSTR invitation, str;
    HRESULT hr;
    int len;

    winetest_push_context("run %u", run);
    if (!side_create(&side, RSF_INVITER)) goto done;
    hr = IRendezvousSessionHost_CreateInvitation(side.host, NULL, &invitation);
    ok(hr == S_OK, "CreateInvitation returned %#lx\n", hr);
    len = sprintf(cmdline, "\"%s\" delivery echo ", argv0);
    WideCharToMultiByte(CP_ACP, 0, invitation, -1, cmdline + len, sizeof(cmdline) - len, NULL, NULL);
    SysFreeString(invitation);
    ok(create_process_a(cmdline, FALSE, &si, &pi), "CreateProcess failed\n");
    ok(wait_state(&side, RSS_CONNECTED, WAIT_MS), "not connected: state %ld\n", side_state(&side));

    /* A burst, then the allocation sweep while the echoes come in. */
    for (i = 0; i < MAX_STRINGS; i++)
    {
        if (!(str = make_string(i))) continue;
        /* Step n of the sweep fails the n-th allocation of its sends. */
        if (i >= BURST && !((i - BURST) % SENDS_PER_STEP)) malloc_spy_fail((i - BURST) / SENDS_PER_STEP + 1);
        hr = IRendezvousSession_SendContextData(side.session, str);
        if (i >= BURST && (i - BURST) % SENDS_PER_STEP == SENDS_PER_STEP - 1) malloc_spy_fail(0);
        ok(hr == S_OK || (i >= BURST && hr == E_OUTOFMEMORY), "string %ld: SendContextData returned %#lx\n", i, hr);
        accepted[i] = hr == S_OK;
        if (hr == S_OK) sent++;
        SysFreeString(str);
    }

    /* Until every accepted string came back or a send error accounts for it,
     * as far as this side can see, or nothing moved for QUIET_MS (a send
     * error heard by the child is known only from its exit code); then half
     * a second of quiet. */
    start = quiet = GetTickCount();
    last = -1;
    for (;;)
    {
        settled = side.sink.received + side.sink.send_errors;
        if (settled >= sent || GetTickCount() - start >= WAIT_MS) break;
        if (settled != last) quiet = GetTickCount();
        else if (GetTickCount() - quiet >= QUIET_MS) break;
        last = settled;
        Sleep(50);
    }
    Sleep(500);

    /* Terminate takes effect here at once, whatever is queued. */
    str = SysAllocString(L"done");
    hr = IRendezvousSession_Terminate(side.session, S_OK, str);
    SysFreeString(str);
    ok(hr == S_OK, "Terminate returned %#lx\n", hr);
    ok(wait_state(&side, RSS_CANCELLED, WAIT_MS), "after Terminate the state is %ld\n", side_state(&side));
    ok(WaitForSingleObject(pi.hProcess, 60000) == WAIT_OBJECT_0, "the child did not end\n");
    GetExitCodeProcess(pi.hProcess, &code);
    CloseHandle(pi.hProcess);
    CloseHandle(pi.hThread);
    ok(code < 200, "the child failed with %lu\n", code);

    /* Each accepted string: echoed, or a send error on one of the two sides. */
    ok(side.sink.received + side.sink.send_errors + (LONG)(code < 200 ? code : 0) == sent,
       "%ld accepted, %ld echoed, %ld send errors here, %lu there\n", sent, side.sink.received,
       side.sink.send_errors, code);
    /* The echoes in order, each one an accepted string, none twice. */
    next = 0;
    for (i = 0; i < side.sink.received && i < (LONG)ARRAY_SIZE(side.sink.tags); i++)
    {
        LONG index = side.sink.tags[i] - 0x100;
        BOOL good = index >= next && index < MAX_STRINGS && accepted[index];

        ok(good, "echo %ld is string %ld (next possible %ld)\n", i, index, next);
        if (!good) break;
        next = index + 1;
    }
    side_release(&side);
done:
    winetest_pop_context();
}

static DWORD WINAPI mta_thread(void *arg)
{
    const char *argv0 = arg;
    unsigned int i, runs = 3;
    char value[16];

    if (GetEnvironmentVariableA("DELIVERY_RUNS", value, sizeof(value)) && atoi(value) > 0) runs = atoi(value);
    CoInitializeEx(NULL, COINIT_MULTITHREADED);
    for (i = 0; i < runs; i++) delivery_run(argv0, i);
    trace("%u runs, %ld allocation failures injected\n", runs, malloc_spy.total_failed);
    CoUninitialize();
    return 0;
}

START_TEST(delivery)
{
    IRendezvousSession *warm;
    HANDLE thread;
    char **argv;
    int argc;

    argc = winetest_get_mainargs(&argv);
    if (argc > 3 && !strcmp(argv[2], "echo")) child_echo(argv[3]);

    CoInitialize(NULL);
    /* The process-wide blocks exist before the spy, which must see the rest go. */
    if (SUCCEEDED(CoCreateInstance(&CLSID_RendezvousSession, NULL, CLSCTX_INPROC_SERVER, &IID_IRendezvousSession,
                                   (void **)&warm)))
        IRendezvousSession_Release(warm);
    malloc_spy_register();
    thread = CreateThread(NULL, 0, mta_thread, argv[0], 0, NULL);
    ok(WaitForSingleObject(thread, 1200000) == WAIT_OBJECT_0, "the runs did not finish\n");
    CloseHandle(thread);
    CoUninitialize();
}
