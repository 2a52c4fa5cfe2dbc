/*
 * rvdemo: one peer of a rendezvous session, driven the way an IM program would
 *
 *   rvdemo inviter FILE [ask]   invites, writes the invitation to FILE
 *   rvdemo invitee FILE [ask]   reads the invitation from FILE and accepts
 *
 * FILE stands in for the IM network that carries the invitation.  Each side
 * prints a transcript of its states and events.  With "ask", each side hands
 * its session to Remote Assistance (CLSID_RendezvousApplication), as an IM's
 * "Ask for Remote Assistance" does: the inviter is the novice who shares its
 * screen, through the configured or built-in backends.  The novice's screen is
 * shared while this program runs, as while an IM program runs: it waits for
 * the end of its standard input (Enter on a console) once the helper is in.
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

#define COBJMACROS

#include <stdio.h>
#include <string.h>
#include <windows.h>
#include <ole2.h>
#include <olectl.h>

#include <initguid.h>
#include "rendezvoussession.h"
#include "winerendezvous.h"

static DWORD wait_limit_ms = 30000;

static const char *role = "?";
static BOOL ask;

static const char *state_name(LONG state)
{
    static const char *const names[] =
    {
        "RSS_UNKNOWN", "RSS_READY", "RSS_INVITATION", "RSS_ACCEPTED",
        "RSS_CONNECTED", "RSS_CANCELLED", "RSS_DECLINED", "RSS_TERMINATED",
    };
    return state >= 0 && state < (LONG)(sizeof(names) / sizeof(names[0])) ? names[state] : "(invalid)";
}

static void say(const char *format, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *format, ...)
{
    char buffer[1024];
    va_list args;
    int len;

    SYSTEMTIME now;

    /* Wall-clock time, so that the two processes' lines can be put in order. */
    GetLocalTime(&now);
    len = snprintf(buffer, sizeof(buffer), "[%02u:%02u:%02u.%03u %-7s] ", now.wHour, now.wMinute,
                   now.wSecond, now.wMilliseconds, role);
    va_start(args, format);
    vsnprintf(buffer + len, sizeof(buffer) - len, format, args);
    va_end(args);
    fputs(buffer, stdout);
    fputc('\n', stdout);
    fflush(stdout);
}

/* The sink: what an IM program's DRendezvousSessionEvents implementation sees. */

struct sink
{
    IDispatch IDispatch_iface;
    LONG refcount;
    IRendezvousSession *session;
    LONG last_state;
    BOOL got_data;
    BOOL got_termination;
    LONG termination_hr;
};

static inline struct sink *impl_from_IDispatch(IDispatch *iface)
{
    return CONTAINING_RECORD(iface, struct sink, IDispatch_iface);
}

static HRESULT WINAPI sink_QueryInterface(IDispatch *iface, REFIID riid, void **obj)
{
    if (IsEqualGUID(riid, &IID_IUnknown) || IsEqualGUID(riid, &IID_IDispatch) ||
        IsEqualGUID(riid, &DIID_DRendezvousSessionEvents))
    {
        *obj = iface;
        IDispatch_AddRef(iface);
        return S_OK;
    }
    *obj = NULL;
    return E_NOINTERFACE;
}

static ULONG WINAPI sink_AddRef(IDispatch *iface)
{
    return InterlockedIncrement(&impl_from_IDispatch(iface)->refcount);
}

static ULONG WINAPI sink_Release(IDispatch *iface)
{
    return InterlockedDecrement(&impl_from_IDispatch(iface)->refcount);
}

static HRESULT WINAPI sink_GetTypeInfoCount(IDispatch *iface, UINT *count)
{
    *count = 0;
    return S_OK;
}

/* A sink with no type information (GetTypeInfoCount says 0). */
static HRESULT WINAPI sink_GetTypeInfo(IDispatch *iface, UINT index, LCID lcid, ITypeInfo **info)
{
    *info = NULL;
    return DISP_E_BADINDEX;
}

static HRESULT WINAPI sink_GetIDsOfNames(IDispatch *iface, REFIID riid, LPOLESTR *names, UINT count,
                                         LCID lcid, DISPID *ids)
{
    return DISP_E_UNKNOWNNAME;
}

static void print_data(const char *what, BSTR data)
{
    char text[512];
    int len = WideCharToMultiByte(CP_UTF8, 0, data, SysStringLen(data), text, sizeof(text) - 1, NULL, NULL);

    text[len > 0 ? len : 0] = 0;
    say("%s: \"%s\" (%u characters)", what, text, SysStringLen(data));
}

static HRESULT WINAPI sink_Invoke(IDispatch *iface, DISPID id, REFIID riid, LCID lcid, WORD flags,
                                  DISPPARAMS *params, VARIANT *result, EXCEPINFO *excepinfo, UINT *argerr)
{
    struct sink *sink = impl_from_IDispatch(iface);
    RENDEZVOUS_SESSION_STATE state;

    switch (id)
    {
    case DISPID_EVENT_ON_STATE_CHANGED:
        if (params->cArgs != 1 || V_VT(&params->rgvarg[0]) != VT_I4) return DISP_E_BADPARAMCOUNT;
        /* As Remote Assistance does, act on get_State; it may already be ahead. */
        IRendezvousSession_get_State(sink->session, &state);
        if ((LONG)state == V_I4(&params->rgvarg[0])) say("OnStateChanged(%s)", state_name(state));
        else say("OnStateChanged(%s), get_State says %s", state_name(V_I4(&params->rgvarg[0])), state_name(state));
        sink->last_state = state;
        return S_OK;
    case DISPID_EVENT_ON_CONTEXT_DATA:
        if (params->cArgs != 1 || V_VT(&params->rgvarg[0]) != VT_BSTR) return DISP_E_BADPARAMCOUNT;
        /* Remote Assistance's ticket holds its secret: not for transcripts. */
        if (ask) say("OnContextData: %u characters of Remote Assistance's handshake", SysStringLen(V_BSTR(&params->rgvarg[0])));
        else print_data("OnContextData", V_BSTR(&params->rgvarg[0]));
        sink->got_data = TRUE;
        return S_OK;
    case DISPID_EVENT_ON_TERMINATION:
        if (params->cArgs != 2) return DISP_E_BADPARAMCOUNT;
        say("OnTermination: hr %#lx", V_I4(&params->rgvarg[1]));
        sink->termination_hr = V_I4(&params->rgvarg[1]);
        print_data("  with data", V_BSTR(&params->rgvarg[0]));
        sink->got_termination = TRUE;
        return S_OK;
    case DISPID_EVENT_ON_SEND_ERROR:
        say("OnSendError: hr %#lx", V_I4(&params->rgvarg[0]));
        return S_OK;
    }
    return DISP_E_MEMBERNOTFOUND;
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

/* Pumps messages (events arrive as messages in this STA) until done() or the limit. */
static BOOL pump_until(struct sink *sink, BOOL (*done)(struct sink *), const char *what)
{
    DWORD start = GetTickCount();
    MSG msg;

    while (!done(sink))
    {
        if (GetTickCount() - start > wait_limit_ms)
        {
            say("gave up waiting for %s after %lu s", what, wait_limit_ms / 1000);
            return FALSE;
        }
        MsgWaitForMultipleObjects(0, NULL, FALSE, 100, QS_ALLINPUT);
        while (PeekMessageW(&msg, NULL, 0, 0, PM_REMOVE)) DispatchMessageW(&msg);
    }
    return TRUE;
}

static BOOL has_ended(struct sink *sink) { return sink->last_state >= RSS_CANCELLED; }
static BOOL is_connected(struct sink *sink) { return sink->last_state == RSS_CONNECTED || has_ended(sink); }
static BOOL has_data(struct sink *sink) { return sink->got_data || has_ended(sink); }

static BOOL send_data(IRendezvousSession *session, const WCHAR *text)
{
    BSTR data = SysAllocString(text);
    HRESULT hr = IRendezvousSession_SendContextData(session, data);
    char utf8[256];

    WideCharToMultiByte(CP_UTF8, 0, text, -1, utf8, sizeof(utf8), NULL, NULL);
    say("SendContextData(\"%s\") = %#lx", utf8, hr);
    SysFreeString(data);
    return SUCCEEDED(hr);
}

/* The shared screen ends with this process, as it would with an IM program's. */
static void hold_while_shared(void)
{
    HANDLE input = GetStdHandle(STD_INPUT_HANDLE);
    char buffer[64];
    DWORD got;

    say("the screen is shared until this program ends (end of input, Enter or Ctrl+C)");
    while (input && input != INVALID_HANDLE_VALUE && ReadFile(input, buffer, sizeof(buffer), &got, NULL) && got)
        if (memchr(buffer, '\n', got)) break;
    say("ending: the screen is no longer shared");
}

static int run(BOOL inviter, const char *file)
{
    struct sink sink = { { &sink_vtbl }, 1, NULL, RSS_UNKNOWN, FALSE, FALSE, S_OK };
    IRendezvousApplication *app = NULL;
    IConnectionPointContainer *container;
    IRendezvousSessionHost *host;
    IConnectionPoint *point;
    BSTR text, user;
    DWORD cookie;
    LONG flags;
    HRESULT hr;
    int ret = 1;

    hr = CoCreateInstance(&CLSID_RendezvousSession, NULL, CLSCTX_INPROC_SERVER,
                          &IID_IRendezvousSessionHost, (void **)&host);
    if (FAILED(hr))
    {
        say("CoCreateInstance(CLSID_RendezvousSession) failed: %#lx (is the DLL registered?)", hr);
        return 1;
    }
    IRendezvousSessionHost_QueryInterface(host, &IID_IRendezvousSession, (void **)&sink.session);
    IRendezvousSessionHost_QueryInterface(host, &IID_IConnectionPointContainer, (void **)&container);
    IConnectionPointContainer_FindConnectionPoint(container, &DIID_DRendezvousSessionEvents, &point);
    IConnectionPoint_Advise(point, (IUnknown *)&sink.IDispatch_iface, &cookie);
    say("created a RendezvousSession and advised a DRendezvousSessionEvents sink");

    IRendezvousSessionHost_Initialize(host, inviter ? RSF_INVITER : RSF_INVITEE);
    user = SysAllocString(inviter ? L"Bob (helper)" : L"Alice (novice)");
    IRendezvousSessionHost_put_RemoteUser(host, user);
    SysFreeString(user);
    IRendezvousSession_get_Flags(sink.session, &flags);
    IRendezvousSession_get_RemoteUser(sink.session, &user);
    say("flags %s, remote user %ls", flags == RSF_INVITER ? "RSF_INVITER" : "RSF_INVITEE", user);
    SysFreeString(user);

    if (inviter)
    {
        FILE *f;

        hr = IRendezvousSessionHost_CreateInvitation(host, NULL, &text);
        if (FAILED(hr))
        {
            say("CreateInvitation failed: %#lx", hr);
            goto done;
        }
        /* Show the address and port only: the secret is not for transcripts. */
        say("invitation for the IM network: %.*ls...", (int)(wcsrchr(text, ':') - text), text);
        if (!(f = fopen(file, "w")) || fprintf(f, "%ls\n", text) < 0 || fclose(f))
        {
            say("cannot write %s", file);
            goto done;
        }
        SysFreeString(text);
    }
    else
    {
        char line[300] = "";
        WCHAR lineW[300];
        FILE *f;

        if (!(f = fopen(file, "r")) || !fgets(line, sizeof(line), f))
        {
            say("cannot read the invitation from %s", file);
            goto done;
        }
        fclose(f);
        line[strcspn(line, "\r\n")] = 0;
        MultiByteToWideChar(CP_ACP, 0, line, -1, lineW, ARRAYSIZE(lineW));
        text = SysAllocString(lineW);
        hr = IRendezvousSessionHost_ReceiveInvitation(host, text);
        SysFreeString(text);
        say("ReceiveInvitation = %#lx", hr);
        hr = IRendezvousSessionHost_Accept(host);
        say("Accept = %#lx", hr);
    }

    if (ask)
    {
        /* What an IM does for "Ask for Remote Assistance", on both sides. */
        hr = CoCreateInstance(&CLSID_RendezvousApplication, NULL, CLSCTX_INPROC_SERVER, &IID_IRendezvousApplication,
                              (void **)&app);
        if (FAILED(hr))
        {
            say("CoCreateInstance(CLSID_RendezvousApplication) failed: %#lx", hr);
            goto done;
        }
        hr = IRendezvousApplication_SetRendezvousSession(app, (IUnknown *)sink.session);
        say("Remote Assistance: SetRendezvousSession = %#lx (%s)", hr, inviter ? "novice, shares its screen" :
            "helper, sees the novice's screen");
        if (FAILED(hr)) goto done;
        if (!pump_until(&sink, has_ended, "the end of the session")) goto done;
        ret = sink.got_termination && sink.termination_hr == S_OK && sink.last_state == RSS_CANCELLED ? 0 : 1;
        say("Remote Assistance handshake over: %s", ret ? "failed (see above)" : "the helper's viewer is started");
        if (!ret && inviter) hold_while_shared();
        goto done;
    }

    if (!pump_until(&sink, is_connected, "the connection")) goto done;
    if (has_ended(&sink))
    {
        say("the session ended before it was connected");
        goto done;
    }

    if (inviter)
    {
        send_data(sink.session, L"<ticket from the inviter: let's share a screen>");
        if (!pump_until(&sink, has_data, "context data")) goto done;
        if (!pump_until(&sink, has_ended, "the end of the session")) goto done;
    }
    else
    {
        if (!pump_until(&sink, has_data, "context data")) goto done;
        send_data(sink.session, L"<reply from the invitee: ticket received \x2714>");
        text = SysAllocString(L"invitee is done");
        hr = IRendezvousSession_Terminate(sink.session, S_OK, text);
        SysFreeString(text);
        say("Terminate(S_OK) = %#lx", hr);
        if (!pump_until(&sink, has_ended, "the end of the session")) goto done;
    }
    ret = sink.got_termination && sink.got_data && sink.last_state == RSS_CANCELLED ? 0 : 1;
    say("session over: %s", ret ? "not clean (see above)" : "clean");

done:
    if (app) IRendezvousApplication_Release(app);
    IConnectionPoint_Unadvise(point, cookie);
    IConnectionPoint_Release(point);
    IConnectionPointContainer_Release(container);
    IRendezvousSession_Release(sink.session);
    IRendezvousSessionHost_Release(host);
    return ret;
}

int main(int argc, char **argv)
{
    int ret;

    if (argc < 3 || argc > 4 || (strcmp(argv[1], "inviter") && strcmp(argv[1], "invitee")) ||
        (argc == 4 && strcmp(argv[3], "ask")))
    {
        fprintf(stderr, "usage: rvdemo inviter|invitee FILE [ask]\n");
        return 2;
    }
    role = argv[1];
    if ((ask = argc == 4)) wait_limit_ms = 90000;
    CoInitialize(NULL);
    ret = run(!strcmp(argv[1], "inviter"), argv[2]);
    CoUninitialize();
    return ret;
}
