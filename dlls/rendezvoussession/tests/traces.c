/*
 * RendezvousSession traces: secrets never reach the debug channel
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
 * Project behaviour (docs/behaviour.md): with WINEDEBUG=+rendezvous a whole
 * session's trace holds neither the invitation's secret nor any context
 * data (which is where Remote Assistance's ticket, with its one-time secret,
 * travels).  A child process runs both sides of a session with the channel
 * on and its standard error in a file, which this process then reads.
 */

#define COBJMACROS

#include <stdio.h>
#include <windows.h>
#include <ole2.h>
#include <olectl.h>

#include <initguid.h>
#include "rendezvoussession.h"
#include "winerendezvous.h"

#include "wine/test.h"

#define WAIT_MS 10000

static IRendezvousSessionHost *create_host(LONG flags)
{
    IRendezvousSessionHost *host = NULL;
    HRESULT hr;

    hr = CoCreateInstance(&CLSID_RendezvousSession, NULL, CLSCTX_INPROC_SERVER, &IID_IRendezvousSessionHost,
                          (void **)&host);
    ok(hr == S_OK, "CoCreateInstance returned %#lx\n", hr);
    if (host) IRendezvousSessionHost_Initialize(host, flags);
    return host;
}

static LONG host_state(IRendezvousSessionHost *host)
{
    RENDEZVOUS_SESSION_STATE state = RSS_UNKNOWN;
    IRendezvousSession *session;

    IRendezvousSessionHost_QueryInterface(host, &IID_IRendezvousSession, (void **)&session);
    IRendezvousSession_get_State(session, &state);
    IRendezvousSession_Release(session);
    return state;
}

static BOOL wait_state(IRendezvousSessionHost *host, LONG state)
{
    DWORD start = GetTickCount();
    MSG msg;

    while (host_state(host) != state)
    {
        if (GetTickCount() - start >= WAIT_MS) return FALSE;
        while (PeekMessageW(&msg, NULL, 0, 0, PM_REMOVE)) DispatchMessageW(&msg);
        MsgWaitForMultipleObjects(0, NULL, FALSE, 5, QS_ALLINPUT);
    }
    return TRUE;
}

static void send_data(IRendezvousSessionHost *host, const WCHAR *text, BOOL terminate)
{
    IRendezvousSession *session;
    BSTR str = SysAllocString(text);
    HRESULT hr;

    IRendezvousSessionHost_QueryInterface(host, &IID_IRendezvousSession, (void **)&session);
    if (terminate) hr = IRendezvousSession_Terminate(session, S_OK, str);
    else hr = IRendezvousSession_SendContextData(session, str);
    ok(hr == S_OK, "child: %s returned %#lx\n", terminate ? "Terminate" : "SendContextData", hr);
    IRendezvousSession_Release(session);
    SysFreeString(str);
}

/* Both sides of one session, traced; the invitation goes to a file of its own. */
static void child_session(const char *invitation_file, const char *marker)
{
    IRendezvousSessionHost *inviter = create_host(RSF_INVITER), *invitee = create_host(RSF_INVITEE);
    WCHAR text[200];
    BSTR invitation = NULL;
    DWORD written;
    HANDLE file;
    HRESULT hr;
    char buffer[300];
    int len;

    if (!inviter || !invitee) return;
    hr = IRendezvousSessionHost_CreateInvitation(inviter, NULL, &invitation);
    ok(hr == S_OK, "child: CreateInvitation returned %#lx\n", hr);
    if (FAILED(hr)) return;
    len = WideCharToMultiByte(CP_ACP, 0, invitation, -1, buffer, sizeof(buffer), NULL, NULL);
    file = CreateFileA(invitation_file, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, 0, NULL);
    ok(file != INVALID_HANDLE_VALUE, "child: cannot write %s\n", invitation_file);
    WriteFile(file, buffer, len - 1, &written, NULL);
    CloseHandle(file);

    hr = IRendezvousSessionHost_ReceiveInvitation(invitee, invitation);
    ok(hr == S_OK, "child: ReceiveInvitation returned %#lx\n", hr);
    SysFreeString(invitation);
    hr = IRendezvousSessionHost_Accept(invitee);
    ok(hr == S_OK, "child: Accept returned %#lx\n", hr);
    ok(wait_state(inviter, RSS_CONNECTED) && wait_state(invitee, RSS_CONNECTED), "child: not connected\n");

    /* What Remote Assistance's ticket looks like to the session: context data. */
    swprintf(text, ARRAY_SIZE(text), L"TICKET secret=%hs", marker);
    send_data(inviter, text, FALSE);
    swprintf(text, ARRAY_SIZE(text), L"ACK %hs", marker);
    send_data(invitee, text, FALSE);
    swprintf(text, ARRAY_SIZE(text), L"done %hs", marker);
    send_data(invitee, text, TRUE);
    ok(wait_state(inviter, RSS_CANCELLED) && wait_state(invitee, RSS_CANCELLED), "child: the session did not end\n");

    IRendezvousSessionHost_Release(invitee);
    IRendezvousSessionHost_Release(inviter);
}

static char *read_file(const char *name)
{
    HANDLE file = CreateFileA(name, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE, NULL, OPEN_EXISTING, 0, NULL);
    DWORD size, got = 0;
    char *data;

    if (file == INVALID_HANDLE_VALUE) return NULL;
    size = GetFileSize(file, NULL);
    data = calloc(1, size + 1);
    ReadFile(file, data, size, &got, NULL);
    CloseHandle(file);
    return data;
}

static BOOL contains_nocase(const char *haystack, const char *needle)
{
    size_t n = strlen(needle);

    for (; *haystack; haystack++)
        if (!_strnicmp(haystack, needle, n)) return TRUE;
    return FALSE;
}

static void test_traces(const char *argv0)
{
    char cmdline[MAX_PATH * 3 + 100], temp[MAX_PATH], trace_file[MAX_PATH], invitation_file[MAX_PATH];
    char marker[33], *traced, *invitation, *secret;
    SECURITY_ATTRIBUTES sa = { sizeof(sa), NULL, TRUE };
    STARTUPINFOA si = { sizeof(si) };
    PROCESS_INFORMATION pi;
    HANDLE file;
    unsigned int i;

    GetTempPathA(sizeof(temp), temp);
    sprintf(trace_file, "%srv_trace_%lu.txt", temp, GetCurrentProcessId());
    sprintf(invitation_file, "%srv_invitation_%lu.txt", temp, GetCurrentProcessId());
    srand(GetTickCount());
    for (i = 0; i < 32; i++) marker[i] = "0123456789abcdef"[rand() % 16];
    marker[32] = 0;

    file = CreateFileA(trace_file, GENERIC_WRITE, FILE_SHARE_READ, &sa, CREATE_ALWAYS, 0, NULL);
    ok(file != INVALID_HANDLE_VALUE, "cannot create %s\n", trace_file);
    si.dwFlags = STARTF_USESTDHANDLES;
    si.hStdInput = GetStdHandle(STD_INPUT_HANDLE);
    si.hStdOutput = GetStdHandle(STD_OUTPUT_HANDLE);
    si.hStdError = file;
    sprintf(cmdline, "\"%s\" traces child \"%s\" %s", argv0, invitation_file, marker);
    SetEnvironmentVariableA("WINEDEBUG", "+rendezvous");
    ok(CreateProcessA(NULL, cmdline, NULL, NULL, TRUE, 0, NULL, NULL, &si, &pi), "CreateProcess failed\n");
    SetEnvironmentVariableA("WINEDEBUG", NULL);
    CloseHandle(file);
    wait_child_process(pi.hProcess);
    CloseHandle(pi.hProcess);
    CloseHandle(pi.hThread);

    traced = read_file(trace_file);
    invitation = read_file(invitation_file);
    ok(traced != NULL, "no trace\n");
    ok(invitation != NULL, "no invitation\n");
    if (traced && invitation)
    {
        /* The channel was on: the session's calls are traced. */
        ok(strstr(traced, ":trace:rendezvous:") != NULL, "the trace holds no rendezvous line\n");
        ok(strstr(traced, "session_SendContextData") != NULL, "SendContextData is not traced\n");
        secret = strrchr(invitation, ':');
        ok(secret && strlen(secret + 1) == 64, "unexpected invitation %s\n", invitation);
        if (secret) ok(!contains_nocase(traced, secret + 1), "the trace holds the invitation's secret\n");
        ok(!contains_nocase(traced, invitation), "the trace holds the invitation\n");
        ok(!contains_nocase(traced, marker), "the trace holds context data\n");
    }
    free(traced);
    free(invitation);
    DeleteFileA(trace_file);
    DeleteFileA(invitation_file);
}

START_TEST(traces)
{
    char **argv;
    int argc;

    argc = winetest_get_mainargs(&argv);
    CoInitialize(NULL);
    if (argc > 4 && !strcmp(argv[2], "child")) child_session(argv[3], argv[4]);
    else test_traces(argv[0]);
    CoUninitialize();
}
