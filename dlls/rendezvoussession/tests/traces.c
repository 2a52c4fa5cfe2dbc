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
 * Not a crosstest unit: it tests this project's own classes or choices
 * (docs/behaviour.md) beside documented facts, so it is built into
 * rendezvoussession_test.exe only.  What Windows documents is tested alone in api.c
 * and typelib.c, which 'make crosstest' also builds for Windows.
 */

/*
 * Project behaviour (docs/behaviour.md): with WINEDEBUG=+rendezvous a whole
 * session's trace holds neither the invitation's secret nor any context
 * data (which is where Remote Assistance's ticket, with its one-time secret,
 * travels).  A child process runs both sides of a session with the channel
 * on and its standard error in a file, which this process then reads.
 *
 * A second child runs Remote Assistance over two such sessions, with backends
 * that record their input: its trace holds neither the invitation's secret,
 * nor the ticket's, nor the security code.  The Noise keys never leave the
 * core, which writes no trace and hands none out: libs/rendezvous/tests/secrets.c.
 */

#define COBJMACROS

#include <ctype.h>
#include <stdio.h>
#include <windows.h>
#include <ole2.h>
#include <olectl.h>

#include "rendezvoussession.h"
#include "winerendezvous.h"

#include "wine/test.h"
#include "child.h"
#include "recording_backend.h"

static const GUID CLSID_AskComponent = { 0xc0b3c446, 0x3032, 0x4016, { 0x92, 0x6f, 0x9b, 0xae, 0x48, 0xbe, 0xbf, 0xbe } };

#define BACKENDS_KEY L"Software\\Wine\\RendezvousSession\\Backends"
#define SETTINGS_KEY L"Software\\Wine\\RendezvousSession"
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
    BOOL ret;
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
    ret = wait_state(inviter, RSS_CONNECTED);
    ok(ret, "child: not connected\n");
    if (ret) ok(wait_state(invitee, RSS_CONNECTED), "child: not connected\n");

    /* What Remote Assistance's ticket looks like to the session: context data. */
    swprintf(text, ARRAY_SIZE(text), L"TICKET secret=%hs", marker);
    send_data(inviter, text, FALSE);
    swprintf(text, ARRAY_SIZE(text), L"ACK %hs", marker);
    send_data(invitee, text, FALSE);
    swprintf(text, ARRAY_SIZE(text), L"done %hs", marker);
    send_data(invitee, text, TRUE);
    ret = wait_state(inviter, RSS_CANCELLED);
    ok(ret, "child: the session did not end\n");
    if (ret) ok(wait_state(invitee, RSS_CANCELLED), "child: the session did not end\n");

    IRendezvousSessionHost_Release(invitee);
    IRendezvousSessionHost_Release(inviter);
}

static BOOL is_final(LONG state)
{
    return state == RSS_CANCELLED || state == RSS_DECLINED || state == RSS_TERMINATED;
}

static BOOL wait_final(IRendezvousSessionHost *host)
{
    DWORD start = GetTickCount();
    MSG msg;

    while (!is_final(host_state(host)))
    {
        if (GetTickCount() - start >= 3 * WAIT_MS) return FALSE;
        while (PeekMessageW(&msg, NULL, 0, 0, PM_REMOVE)) DispatchMessageW(&msg);
        MsgWaitForMultipleObjects(0, NULL, FALSE, 5, QS_ALLINPUT);
    }
    return TRUE;
}

static void write_file(const char *name, const char *text)
{
    HANDLE file = CreateFileA(name, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, 0, NULL);
    DWORD written;

    ok(file != INVALID_HANDLE_VALUE, "child: cannot write %s\n", name);
    WriteFile(file, text, strlen(text), &written, NULL);
    CloseHandle(file);
}

/* The backends, run as "traces backend ROLE RECORD" (recording_backend.h):
 * their input holds the ticket's secret. */
static void set_backend(const WCHAR *role, const char *exe, const char *record)
{
    WCHAR command[MAX_PATH * 3];

    swprintf(command, ARRAY_SIZE(command), L"\"%hs\" traces backend %ls \"%hs\"", exe,
             !wcscmp(role, L"Share") ? L"share" : L"connect", record);
    RegSetKeyValueW(HKEY_CURRENT_USER, BACKENDS_KEY, role, REG_SZ, command, (lstrlenW(command) + 1) * sizeof(WCHAR));
}

static void give_session(IRendezvousSessionHost *host)
{
    IRendezvousApplication *app = NULL;
    IRendezvousSession *session;
    HRESULT hr;

    hr = CoCreateInstance(&CLSID_AskComponent, NULL, CLSCTX_INPROC_SERVER, &IID_IRendezvousApplication,
                          (void **)&app);
    ok(hr == S_OK, "child: CoCreateInstance returned %#lx\n", hr);
    if (!app) return;
    IRendezvousSessionHost_QueryInterface(host, &IID_IRendezvousSession, (void **)&session);
    hr = IRendezvousApplication_SetRendezvousSession(app, (IUnknown *)session);
    ok(hr == S_OK, "child: SetRendezvousSession returned %#lx\n", hr);
    IRendezvousSession_Release(session);
    IRendezvousApplication_Release(app);
}

/* Remote Assistance (Ask) over two sessions of ours, traced; what it must not
 * trace goes to files named after base. */
static void child_assistance(const char *exe, const char *base)
{
    BOOL ret;
    IRendezvousSessionHost *inviter = create_host(RSF_INVITER), *invitee = create_host(RSF_INVITEE);
    char name[MAX_PATH], buffer[300];
    BSTR invitation = NULL, code = NULL;
    DWORD consent = 1;
    HRESULT hr;

    if (!inviter || !invitee) return;
    sprintf(name, "%s_share.txt", base);
    set_backend(L"Share", exe, name);
    sprintf(name, "%s_connect.txt", base);
    set_backend(L"Connect", exe, name);
    RegSetKeyValueW(HKEY_CURRENT_USER, SETTINGS_KEY, L"ShareConsent", REG_DWORD, &consent, sizeof(consent));

    hr = IRendezvousSessionHost_CreateInvitation(inviter, NULL, &invitation);
    ok(hr == S_OK, "child: CreateInvitation returned %#lx\n", hr);
    if (FAILED(hr)) return;
    WideCharToMultiByte(CP_ACP, 0, invitation, -1, buffer, sizeof(buffer), NULL, NULL);
    sprintf(name, "%s_invitation.txt", base);
    write_file(name, buffer);
    hr = IRendezvousSessionHost_ReceiveInvitation(invitee, invitation);
    ok(hr == S_OK, "child: ReceiveInvitation returned %#lx\n", hr);
    SysFreeString(invitation);
    give_session(inviter);
    give_session(invitee);
    hr = IRendezvousSessionHost_Accept(invitee);
    ok(hr == S_OK, "child: Accept returned %#lx\n", hr);
    ret = wait_final(inviter);
    ok(ret, "child: the session did not end\n");
    if (ret) ok(wait_final(invitee), "child: the session did not end\n");

    hr = IRendezvousSessionHost_get_SecurityCode(inviter, &code);
    ok(hr == S_OK, "child: get_SecurityCode returned %#lx\n", hr);
    WideCharToMultiByte(CP_ACP, 0, code ? code : L"", -1, buffer, sizeof(buffer), NULL, NULL);
    sprintf(name, "%s_code.txt", base);
    write_file(name, buffer);
    SysFreeString(code);

    IRendezvousSessionHost_Release(invitee);
    IRendezvousSessionHost_Release(inviter);
    RegDeleteKeyValueW(HKEY_CURRENT_USER, BACKENDS_KEY, L"Share");
    RegDeleteKeyValueW(HKEY_CURRENT_USER, BACKENDS_KEY, L"Connect");
    RegDeleteKeyValueW(HKEY_CURRENT_USER, SETTINGS_KEY, L"ShareConsent");
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

/* Whether needle is in haystack as a word of its own: a code of six digits
 * may well be part of a traced pointer. */
static BOOL contains_word(const char *haystack, const char *needle)
{
    size_t n = strlen(needle);
    const char *p;

    for (p = haystack; (p = strstr(p, needle)); p++)
        if ((p == haystack || !isalnum((unsigned char)p[-1])) && !isalnum((unsigned char)p[n])) return TRUE;
    return FALSE;
}

/* The value of a backend's input line "NAME value", or NULL. */
static const char *input_value(const char *record, const char *name, char *buffer, size_t size)
{
    const char *p = record, *end;
    size_t n = strlen(name);

    for (; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
    {
        if (strncmp(p, name, n) || p[n] != ' ') continue;
        end = p + n + 1 + strcspn(p + n + 1, "\r\n");
        if ((size_t)(end - (p + n + 1)) >= size) return NULL;
        memcpy(buffer, p + n + 1, end - (p + n + 1));
        buffer[end - (p + n + 1)] = 0;
        return buffer;
    }
    return NULL;
}

/* Runs this program with args and the channels on; its standard error is the trace. */
static void run_traced(const char *argv0, const char *args, const char *trace_file)
{
    char cmdline[MAX_PATH * 4];
    SECURITY_ATTRIBUTES sa = { sizeof(sa), NULL, TRUE };
    STARTUPINFOA si = { sizeof(si) };
    PROCESS_INFORMATION pi;
    HANDLE file;

    file = CreateFileA(trace_file, GENERIC_WRITE, FILE_SHARE_READ, &sa, CREATE_ALWAYS, 0, NULL);
    ok(file != INVALID_HANDLE_VALUE, "cannot create %s\n", trace_file);
    si.dwFlags = STARTF_USESTDHANDLES;
    si.hStdInput = GetStdHandle(STD_INPUT_HANDLE);
    si.hStdOutput = GetStdHandle(STD_OUTPUT_HANDLE);
    si.hStdError = file;
    sprintf(cmdline, "\"%s\" traces %s", argv0, args);
    SetEnvironmentVariableA("WINEDEBUG", "+rendezvous");
    ok(create_process_a(cmdline, TRUE, &si, &pi), "CreateProcess failed\n");
    SetEnvironmentVariableA("WINEDEBUG", NULL);
    CloseHandle(file);
    wait_child_process(pi.hProcess);
    CloseHandle(pi.hProcess);
    CloseHandle(pi.hThread);
}

static void test_assistance_traces(const char *argv0)
{
    BOOL ret;
    char temp[MAX_PATH], base[MAX_PATH], name[MAX_PATH], args[MAX_PATH * 2], trace_file[MAX_PATH];
    char *traced, *invitation, *code, *share, *connect, *secret;
    char ticket_secret[80], connect_secret[80], code_text[8], buffer[80];
    static const char *const suffixes[] = { "invitation", "code", "share", "connect" };
    unsigned int i;

    GetTempPathA(sizeof(temp), temp);
    sprintf(base, "%srv_ra_%lu", temp, GetCurrentProcessId());
    sprintf(trace_file, "%s_trace.txt", base);
    sprintf(args, "assistance \"%s\"", base);
    run_traced(argv0, args, trace_file);

    traced = read_file(trace_file);
    sprintf(name, "%s_invitation.txt", base);
    invitation = read_file(name);
    sprintf(name, "%s_code.txt", base);
    code = read_file(name);
    sprintf(name, "%s_share.txt", base);
    share = read_file(name);
    sprintf(name, "%s_connect.txt", base);
    connect = read_file(name);
    ok(traced != NULL, "no trace\n");
    ok(invitation != NULL, "no invitation\n");
    ok(code != NULL, "no security code\n");
    ok(share != NULL, "the share backend did not run\n");
    ok(connect != NULL, "the connect backend did not run\n");
    if (traced && invitation && code && share && connect)
    {
        /* The channel was on, and Remote Assistance ran to its end. */
        ok(strstr(traced, ":trace:rendezvous:application_SetRendezvousSession") != NULL,
           "Remote Assistance is not traced\n");
        ok(contains_word(traced, "terminates with 0"), "the sharer did not end the session with S_OK\n");

        secret = strrchr(invitation, ':');
        ok(secret != NULL, "unexpected invitation %s\n", invitation);
        if (secret) ok(strlen(secret + 1) == 64, "got %Iu\n", strlen(secret + 1));
        if (secret) ok(!contains_nocase(traced, secret + 1), "the trace holds the invitation's secret\n");

        /* Both backends got the ticket's one-time secret. */
        ret = input_value(share, "SECRET", ticket_secret, sizeof(ticket_secret)) != NULL;
        ok(ret, "share input %s\n", share);
        if (ret) ok(strlen(ticket_secret) == 64, "got %Iu\n", strlen(ticket_secret));
        ret = input_value(connect, "SECRET", connect_secret, sizeof(connect_secret)) != NULL;
        ok(ret, "connect input %s\n", connect);
        if (ret) ok(!strcmp(connect_secret, ticket_secret), "got %s\n", connect_secret);
        ok(!contains_nocase(traced, ticket_secret), "the trace holds the ticket's secret\n");

        /* The code, as the sessions give it and as users see it. */
        ok(strlen(code) == 6, "got %Iu\n", strlen(code));
        ok(strspn(code, "0123456789") == 6, "got %Iu\n", strspn(code, "0123456789"));
        if (strlen(code) == 6)
        {
            sprintf(code_text, "%.3s %.3s", code, code + 3);
            ret = input_value(connect, "CODE", buffer, sizeof(buffer)) != NULL;
            ok(ret, "the connect backend was not given code %s: %s\n", code_text, connect);
            if (ret) ok(!strcmp(buffer, code_text), "got %s\n", buffer);
            ok(!contains_word(traced, code), "the trace holds the security code %s\n", code);
            ok(!strstr(traced, code_text), "the trace holds the security code %s\n", code_text);
        }
    }
    free(traced);
    free(invitation);
    free(code);
    free(share);
    free(connect);
    DeleteFileA(trace_file);
    for (i = 0; i < ARRAY_SIZE(suffixes); i++)
    {
        sprintf(name, "%s_%s.txt", base, suffixes[i]);
        DeleteFileA(name);
    }
}

static void test_traces(const char *argv0)
{
    char args[MAX_PATH * 2], temp[MAX_PATH], trace_file[MAX_PATH], invitation_file[MAX_PATH];
    char marker[33], *traced, *invitation, *secret;
    unsigned int i;

    GetTempPathA(sizeof(temp), temp);
    sprintf(trace_file, "%srv_trace_%lu.txt", temp, GetCurrentProcessId());
    sprintf(invitation_file, "%srv_invitation_%lu.txt", temp, GetCurrentProcessId());
    srand(GetTickCount());
    for (i = 0; i < 32; i++) marker[i] = "0123456789abcdef"[rand() % 16];
    marker[32] = 0;

    sprintf(args, "child \"%s\" %s", invitation_file, marker);
    run_traced(argv0, args, trace_file);

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
        ok(secret != NULL, "unexpected invitation %s\n", invitation);
        if (secret) ok(strlen(secret + 1) == 64, "got %Iu\n", strlen(secret + 1));
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
    if (argc > 4 && !strcmp(argv[2], "backend"))
    {
        recording_backend(argv[3], argv[4]);
        return;
    }
    CoInitialize(NULL);
    if (argc > 4 && !strcmp(argv[2], "child")) child_session(argv[3], argv[4]);
    else if (argc > 3 && !strcmp(argv[2], "assistance")) child_assistance(argv[0], argv[3]);
    else
    {
        test_traces(argv[0]);
        test_assistance_traces(argv[0]);
    }
    CoUninitialize();
}
