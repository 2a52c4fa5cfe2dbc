/*
 * rvbench: how fast context data and events move through rendezvoussession.dll,
 * each figure against a baseline measured in the same run on the same machine
 *
 *   rvbench [--quick] [--rows LIST]   runs the rows (default 1,2,3,4,5,6), prints the table
 *   rvbench warm                      loads everything once, so that the prefix is warm
 *
 * The driver starts copies of itself for the parts that need another process:
 *   rvbench echo INVITATION PORT      the peer of row 1
 *   rvbench startup rv|dict           row 4, one cold start in a fresh process
 *   rvbench memory sessions|sockets N row 5, N idle pairs in a fresh process
 *   rvbench backend share|connect     row 3, Remote Assistance's backends
 *   rvbench connect sessions|sockets N M  row 6, M handshakes one at a time, then N pairs
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
#include <stdlib.h>
#include <string.h>
#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>
#include <ole2.h>
#include <olectl.h>
#include <psapi.h>
#include <tlhelp32.h>

#include <initguid.h>
#include "rendezvoussession.h"
#include "winerendezvous.h"
#include "rv_private.h"
#include "rv_noise.h"

/* Scripting.Dictionary (scrrun.dll): a small in-process class every prefix has. */
DEFINE_GUID(CLSID_BenchDictionary, 0xee09b103, 0x97e0, 0x11cf, 0x97, 0x8f, 0x00, 0xa0, 0x24, 0x63, 0xe0, 0x6f);

#define MAX_UNITS 65536
/* Longest any single wait of the benchmark may last. */
#define WAIT_MS 30000
/* Longest a helper process may run. */
#define CHILD_LIMIT_MS (15 * 60 * 1000)

static LARGE_INTEGER qpc_frequency;
static BOOL quick;

static double now_us(void)
{
    LARGE_INTEGER t;

    QueryPerformanceCounter(&t);
    return (double)t.QuadPart * 1e6 / (double)qpc_frequency.QuadPart;
}

static void fatal(const char *format, ...) __attribute__((format(printf, 1, 2), noreturn));
static void fatal(const char *format, ...)
{
    va_list args;

    fputs("rvbench: ", stderr);
    va_start(args, format);
    vfprintf(stderr, format, args);
    va_end(args);
    fputc('\n', stderr);
    fflush(stderr);
    ExitProcess(1);
}

static void note(const char *format, ...) __attribute__((format(printf, 1, 2)));
static void note(const char *format, ...)
{
    va_list args;

    fputs("# ", stdout);
    va_start(args, format);
    vprintf(format, args);
    va_end(args);
    fputc('\n', stdout);
    fflush(stdout);
}

static unsigned int scaled(unsigned int n)
{
    return quick ? (n + 9) / 10 : n;
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Sorts the samples; the nearest-rank percentile. */
static double percentile(double *samples, unsigned int count, double p)
{
    unsigned int rank;

    qsort(samples, count, sizeof(*samples), compare_doubles);
    rank = (unsigned int)(p / 100.0 * count + 0.999999);
    if (rank < 1) rank = 1;
    if (rank > count) rank = count;
    return samples[rank - 1];
}

/* ---------------------------------------------------------------------------
 * The result table
 */

struct result
{
    char row[4];
    char what[64];
    char figure[24];
    char baseline[24];
    double ratio;           /* < 0: none */
    char target[16];
    const char *verdict;
};

static struct result results[64];
static unsigned int result_count;

static void add_result(const char *row, const char *what, const char *figure, const char *baseline,
                       double ratio, const char *target, const char *verdict)
{
    struct result *r;

    if (result_count >= ARRAYSIZE(results)) return;
    r = &results[result_count++];
    lstrcpynA(r->row, row, sizeof(r->row));
    lstrcpynA(r->what, what, sizeof(r->what));
    lstrcpynA(r->figure, figure, sizeof(r->figure));
    lstrcpynA(r->baseline, baseline, sizeof(r->baseline));
    r->ratio = ratio;
    lstrcpynA(r->target, target, sizeof(r->target));
    r->verdict = verdict;
    printf("%-3s %-44s %14s %14s ", r->row, r->what, r->figure, r->baseline);
    if (ratio >= 0) printf("%7.2f", ratio);
    else printf("%7s", "-");
    printf("  %-9s %s\n", r->target, r->verdict);
    fflush(stdout);
}

static void print_table(void)
{
    unsigned int i;

    printf("\n%-3s %-44s %14s %14s %7s  %-9s %s\n", "row", "measure", "figure", "baseline", "ratio",
           "target", "");
    for (i = 0; i < result_count; i++)
    {
        const struct result *r = &results[i];

        printf("%-3s %-44s %14s %14s ", r->row, r->what, r->figure, r->baseline);
        if (r->ratio >= 0) printf("%7.2f", r->ratio);
        else printf("%7s", "-");
        printf("  %-9s %s\n", r->target, r->verdict);
    }
    fflush(stdout);
}

static const char *verdict_at_most(double ratio, double limit)
{
    return ratio <= limit ? "met" : "MISSED";
}

static const char *verdict_at_least(double ratio, double limit)
{
    return ratio >= limit ? "met" : "MISSED";
}

static void format_us(char *buffer, size_t size, double us)
{
    if (us >= 10000) snprintf(buffer, size, "%.1f ms", us / 1000);
    else if (us >= 100) snprintf(buffer, size, "%.0f us", us);
    else if (us >= 1) snprintf(buffer, size, "%.1f us", us);
    else snprintf(buffer, size, "%.0f ns", us * 1000);
}

static void format_bytes(char *buffer, size_t size, double bytes)
{
    if (bytes >= 10240 || bytes <= -10240) snprintf(buffer, size, "%.1f KiB", bytes / 1024);
    else snprintf(buffer, size, "%.0f B", bytes);
}

/* ---------------------------------------------------------------------------
 * A DRendezvousSessionEvents sink, as an IM program writes one
 */

enum sink_role
{
    SINK_DRIVER,    /* records the time of each reply */
    SINK_ECHO,      /* the peer of row 1: answers pings, counts streams */
    SINK_COUNT,     /* counts only */
};

struct sink
{
    IDispatch IDispatch_iface;
    LONG refcount;
    enum sink_role role;
    IRendezvousSession *session;    /* echo: where answers go (not referenced) */
    LONG state;
    LONG connected;                 /* OnStateChanged(RSS_CONNECTED) seen, for every session advised */
    LONG ended;
    LONG data_events;
    LONG send_errors;
    ULONGLONG units;
    double reply_us;                /* driver: when the last context data arrived */
    double ticket_us;               /* driver: when a Remote Assistance ticket ("<E>...") arrived */
    double hello_us;                /* driver: when the helper's HELLO ("<H ...") arrived */
    WCHAR reply_tag;
    LONG reply_value;
    LONG stream_count;              /* echo: 'S' messages since the last 'E' */
    LONG stamp_first, stamp_last;   /* count: data_events values whose arrival is timed */
    double first_us, last_us;       /* count: when they arrived */
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

static BSTR make_message(WCHAR tag, unsigned int units)
{
    BSTR text = SysAllocStringLen(NULL, units);
    unsigned int i;

    if (!text) fatal("out of memory");
    text[0] = tag;
    /* Any UTF-16 will do; this is what a ticket looks like. */
    for (i = 1; i < units; i++) text[i] = 'a' + i % 26;
    return text;
}

static BSTR make_count_message(WCHAR tag, LONG value)
{
    WCHAR text[32];

    swprintf(text, ARRAYSIZE(text), L"%lc%ld", tag, value);
    return SysAllocString(text);
}

static void echo_context_data(struct sink *sink, BSTR data)
{
    HRESULT hr = S_OK;
    BSTR reply;

    switch (data[0])
    {
    case 'P':
        /* Answer from inside OnContextData, as the row measures. */
        hr = IRendezvousSession_SendContextData(sink->session, data);
        break;
    case 'S':
        sink->stream_count++;
        break;
    case 'E':
        reply = make_count_message('A', sink->stream_count);
        sink->stream_count = 0;
        hr = IRendezvousSession_SendContextData(sink->session, reply);
        SysFreeString(reply);
        break;
    }
    if (FAILED(hr)) fprintf(stderr, "rvbench echo: SendContextData failed: %#lx\n", hr);
}

static HRESULT WINAPI sink_Invoke(IDispatch *iface, DISPID id, REFIID riid, LCID lcid, WORD flags,
                                  DISPPARAMS *params, VARIANT *result, EXCEPINFO *excepinfo, UINT *argerr)
{
    struct sink *sink = impl_from_IDispatch(iface);
    BSTR data;

    switch (id)
    {
    case DISPID_EVENT_ON_CONTEXT_DATA:
        if (params->cArgs != 1 || V_VT(&params->rgvarg[0]) != VT_BSTR) return DISP_E_BADPARAMCOUNT;
        data = V_BSTR(&params->rgvarg[0]);
        sink->data_events++;
        sink->units += SysStringLen(data);
        /* Two clock reads a batch, not one an event: a clock read costs more than a firing. */
        if (sink->data_events == sink->stamp_first) sink->first_us = now_us();
        else if (sink->data_events == sink->stamp_last) sink->last_us = now_us();
        if (sink->role == SINK_DRIVER)
        {
            sink->reply_us = now_us();
            sink->reply_tag = data[0];
            if (data[0] == 'A') sink->reply_value = wcstol(data + 1, NULL, 10);
            if (!wcsncmp(data, L"<E>", 3)) sink->ticket_us = sink->reply_us;
            else if (!wcsncmp(data, L"<H ", 3)) sink->hello_us = sink->reply_us;
        }
        else if (sink->role == SINK_ECHO) echo_context_data(sink, data);
        return S_OK;
    case DISPID_EVENT_ON_STATE_CHANGED:
        if (params->cArgs != 1 || V_VT(&params->rgvarg[0]) != VT_I4) return DISP_E_BADPARAMCOUNT;
        sink->state = V_I4(&params->rgvarg[0]);
        if (sink->state == RSS_CONNECTED) sink->connected++;
        if (sink->state >= RSS_CANCELLED) sink->ended++;
        return S_OK;
    case DISPID_EVENT_ON_TERMINATION:
        return S_OK;
    case DISPID_EVENT_ON_SEND_ERROR:
        sink->send_errors++;
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

static void init_sink(struct sink *sink, enum sink_role role)
{
    memset(sink, 0, sizeof(*sink));
    sink->IDispatch_iface.lpVtbl = &sink_vtbl;
    sink->refcount = 1;
    sink->role = role;
}

/* ---------------------------------------------------------------------------
 * Sessions and the message loop
 */

struct peer
{
    IRendezvousSession *session;
    IRendezvousSessionHost *host;
    IConnectionPoint *point;
    DWORD cookie;
};

static HRESULT create_peer(struct peer *peer, struct sink *sink, LONG flags)
{
    IConnectionPointContainer *container;
    HRESULT hr;

    memset(peer, 0, sizeof(*peer));
    hr = CoCreateInstance(&CLSID_RendezvousSession, NULL, CLSCTX_INPROC_SERVER, &IID_IRendezvousSession,
                          (void **)&peer->session);
    if (FAILED(hr)) return hr;
    IRendezvousSession_QueryInterface(peer->session, &IID_IRendezvousSessionHost, (void **)&peer->host);
    IRendezvousSession_QueryInterface(peer->session, &IID_IConnectionPointContainer, (void **)&container);
    hr = IConnectionPointContainer_FindConnectionPoint(container, &DIID_DRendezvousSessionEvents, &peer->point);
    IConnectionPointContainer_Release(container);
    if (SUCCEEDED(hr)) hr = IConnectionPoint_Advise(peer->point, (IUnknown *)&sink->IDispatch_iface, &peer->cookie);
    if (SUCCEEDED(hr)) hr = IRendezvousSessionHost_Initialize(peer->host, flags);
    return hr;
}

static void release_peer(struct peer *peer)
{
    if (peer->point)
    {
        if (peer->cookie) IConnectionPoint_Unadvise(peer->point, peer->cookie);
        IConnectionPoint_Release(peer->point);
    }
    if (peer->host) IRendezvousSessionHost_Release(peer->host);
    if (peer->session) IRendezvousSession_Release(peer->session);
    memset(peer, 0, sizeof(*peer));
}

/* The pairs a row set up, and the spare pair that kept the process warm. */
static void release_pairs(struct peer *inviters, struct peer *invitees, unsigned int pairs, struct peer *spare_a,
                          struct peer *spare_b)
{
    unsigned int i;

    for (i = 0; i < pairs; i++)
    {
        release_peer(&invitees[i]);
        release_peer(&inviters[i]);
    }
    release_peer(spare_b);
    release_peer(spare_a);
}

/* Two sessions, the invitee given the inviter's invitation; Accept is the caller's. */
static void invite_pair(struct peer *inviter, struct sink *sink_a, struct peer *invitee, struct sink *sink_b,
                        unsigned int index)
{
    BSTR invitation;
    HRESULT hr;

    if (FAILED(hr = create_peer(inviter, sink_a, RSF_INVITER)) ||
        FAILED(hr = create_peer(invitee, sink_b, RSF_INVITEE)) ||
        FAILED(hr = IRendezvousSessionHost_CreateInvitation(inviter->host, NULL, &invitation)))
        fatal("session %u: %#lx", index, hr);
    hr = IRendezvousSessionHost_ReceiveInvitation(invitee->host, invitation);
    SysFreeString(invitation);
    if (FAILED(hr)) fatal("session %u: %#lx", index, hr);
}

/* A thread timer, so that GetMessage never waits for long: every wait is bounded. */
static void start_watchdog(void)
{
    SetTimer(NULL, 0, 250, NULL);
}

/* Runs this thread's message loop, where an STA session fires its events,
 * until *counter reaches target or the time is up. */
static BOOL pump_until(const LONG *counter, LONG target, DWORD timeout)
{
    DWORD start = GetTickCount();
    MSG msg;

    while (*counter < target)
    {
        if (GetTickCount() - start >= timeout) return FALSE;
        if (GetMessageW(&msg, NULL, 0, 0) <= 0) return FALSE;
        DispatchMessageW(&msg);
    }
    return TRUE;
}

static void pump_pending(void)
{
    MSG msg;

    while (PeekMessageW(&msg, NULL, 0, 0, PM_REMOVE)) DispatchMessageW(&msg);
}

/* Connects an inviter and an invitee of this process. */
static HRESULT connect_local_pair(struct peer *inviter, struct sink *inviter_sink, struct peer *invitee,
                                  struct sink *invitee_sink)
{
    LONG target_a = inviter_sink->connected + 1, target_b = invitee_sink->connected + 1;
    BSTR invitation;
    HRESULT hr;

    if (FAILED(hr = create_peer(inviter, inviter_sink, RSF_INVITER))) return hr;
    if (FAILED(hr = create_peer(invitee, invitee_sink, RSF_INVITEE))) return hr;
    if (FAILED(hr = IRendezvousSessionHost_CreateInvitation(inviter->host, NULL, &invitation))) return hr;
    hr = IRendezvousSessionHost_ReceiveInvitation(invitee->host, invitation);
    SysFreeString(invitation);
    if (FAILED(hr)) return hr;
    if (FAILED(hr = IRendezvousSessionHost_Accept(invitee->host))) return hr;
    if (!pump_until(&inviter_sink->connected, target_a, WAIT_MS) ||
        !pump_until(&invitee_sink->connected, target_b, WAIT_MS))
        return HRESULT_FROM_WIN32(ERROR_TIMEOUT);
    return S_OK;
}

/* ---------------------------------------------------------------------------
 * Plain winsock: messages are a 32-bit little-endian byte count and the UTF-16 bytes
 */

static void socket_options(SOCKET s)
{
    BOOL one = TRUE;

    /* As the session transport does. */
    setsockopt(s, IPPROTO_TCP, TCP_NODELAY, (const char *)&one, sizeof(one));
}

static BOOL send_all(SOCKET s, const char *data, int size)
{
    while (size > 0)
    {
        int n = send(s, data, size, 0);

        if (n <= 0) return FALSE;
        data += n;
        size -= n;
    }
    return TRUE;
}

static BOOL recv_all(SOCKET s, char *data, int size)
{
    while (size > 0)
    {
        int n = recv(s, data, size, 0);

        if (n <= 0) return FALSE;
        data += n;
        size -= n;
    }
    return TRUE;
}

/*
 * The floor of any handshake: a session's connection carries four messages
 * before both sides are connected (HELLO, CHALLENGE, RESPONSE, CONFIRM), each
 * waiting for the one before.  The same count of small messages, one way then
 * the other, on plain blocking sockets.
 */
#define HANDSHAKE_FLIGHTS 4

static void exchange_flights(SOCKET connecting, SOCKET accepted, unsigned int flights)
{
    char message[64];
    unsigned int i;

    memset(message, 0x5a, sizeof(message));
    for (i = 0; i < flights; i++)
    {
        SOCKET from = i % 2 ? accepted : connecting, to = i % 2 ? connecting : accepted;

        if (!send_all(from, message, sizeof(message)) || !recv_all(to, message, sizeof(message)))
            fatal("message exchange failed: %d", WSAGetLastError());
    }
}

/* A framed copy of the message, ready for one send(). */
static char *make_frame(BSTR message, int *size)
{
    UINT bytes = SysStringByteLen(message);
    char *frame = malloc(4 + bytes);

    if (!frame) fatal("out of memory");
    memcpy(frame, &bytes, 4);
    memcpy(frame + 4, message, bytes);
    *size = 4 + bytes;
    return frame;
}

/* Reads one framed message into buffer (at least 4 + 2 * MAX_UNITS bytes). */
static BOOL recv_frame(SOCKET s, char *buffer, UINT *bytes)
{
    if (!recv_all(s, buffer, 4)) return FALSE;
    memcpy(bytes, buffer, 4);
    if (*bytes > 2 * MAX_UNITS) return FALSE;
    return recv_all(s, buffer + 4, *bytes);
}

static void start_winsock(void)
{
    WSADATA data;

    if (WSAStartup(MAKEWORD(2, 2), &data)) fatal("WSAStartup failed");
}

/* ---------------------------------------------------------------------------
 * The peer of row 1 (another process): echoes pings, counts streams, on both channels
 */

static DWORD WINAPI raw_echo_thread(void *arg)
{
    SOCKET s = (SOCKET)(ULONG_PTR)arg;
    size_t capacity = 4 * (4 + 2 * MAX_UNITS), have = 0;
    char *buffer = malloc(capacity);
    LONG stream_count = 0;

    if (!buffer) fatal("out of memory");
    for (;;)
    {
        size_t offset = 0;
        int n = recv(s, buffer + have, (int)(capacity - have), 0);

        if (n <= 0) break;
        have += n;
        /* Every complete message in the buffer, then keep the rest. */
        while (have - offset >= 4)
        {
            UINT bytes;
            WCHAR tag;

            memcpy(&bytes, buffer + offset, 4);
            if (bytes > 2 * MAX_UNITS || bytes < 2) fatal("echo: bad frame of %u bytes", bytes);
            if (have - offset < 4 + bytes) break;
            memcpy(&tag, buffer + offset + 4, 2);
            if (tag == 'P')
            {
                if (!send_all(s, buffer + offset, 4 + bytes)) fatal("echo: send failed");
            }
            else if (tag == 'S') stream_count++;
            else if (tag == 'E')
            {
                BSTR reply = make_count_message('A', stream_count);
                int size;
                char *frame = make_frame(reply, &size);

                stream_count = 0;
                if (!send_all(s, frame, size)) fatal("echo: send failed");
                free(frame);
                SysFreeString(reply);
            }
            offset += 4 + bytes;
        }
        memmove(buffer, buffer + offset, have - offset);
        have -= offset;
    }
    free(buffer);
    closesocket(s);
    return 0;
}

static int run_echo(const char *invitation, unsigned short port)
{
    struct sockaddr_in addr = {0};
    struct sink sink;
    struct peer peer;
    WCHAR textW[300];
    HANDLE thread;
    BSTR text;
    SOCKET s;
    HRESULT hr;

    CoInitialize(NULL);
    start_winsock();
    start_watchdog();
    init_sink(&sink, SINK_ECHO);
    if (FAILED(hr = create_peer(&peer, &sink, RSF_INVITEE))) fatal("echo: cannot create a session: %#lx", hr);
    sink.session = peer.session;
    MultiByteToWideChar(CP_ACP, 0, invitation, -1, textW, ARRAYSIZE(textW));
    text = SysAllocString(textW);
    hr = IRendezvousSessionHost_ReceiveInvitation(peer.host, text);
    SysFreeString(text);
    if (FAILED(hr) || FAILED(hr = IRendezvousSessionHost_Accept(peer.host)))
        fatal("echo: cannot accept the invitation: %#lx", hr);

    if ((s = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)) == INVALID_SOCKET) fatal("echo: no socket");
    socket_options(s);
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(s, (struct sockaddr *)&addr, sizeof(addr))) fatal("echo: connect failed: %d", WSAGetLastError());
    if (!(thread = CreateThread(NULL, 0, raw_echo_thread, (void *)(ULONG_PTR)s, 0, NULL)))
        fatal("echo: no thread");

    /* Serve the session until the driver terminates it. */
    if (!pump_until(&sink.ended, 1, CHILD_LIMIT_MS)) fprintf(stderr, "rvbench echo: the session did not end\n");
    if (WaitForSingleObject(thread, WAIT_MS)) fprintf(stderr, "rvbench echo: the socket was not closed\n");
    CloseHandle(thread);
    release_peer(&peer);
    WSACleanup();
    CoUninitialize();
    return 0;
}

/* ---------------------------------------------------------------------------
 * Helper processes
 */

static WCHAR self_path[MAX_PATH];

/* Starts this program with arguments; with output != NULL, its stdout and stderr go to a pipe. */
static HANDLE start_self(const char *args, HANDLE *output)
{
    SECURITY_ATTRIBUTES sa = { sizeof(sa), NULL, TRUE };
    STARTUPINFOW si = { sizeof(si) };
    PROCESS_INFORMATION pi;
    WCHAR cmdline[MAX_PATH + 600];
    HANDLE read_end = NULL, write_end = NULL;
    int len;

    len = swprintf(cmdline, ARRAYSIZE(cmdline), L"\"%ls\" ", self_path);
    MultiByteToWideChar(CP_ACP, 0, args, -1, cmdline + len, ARRAYSIZE(cmdline) - len);
    if (output)
    {
        if (!CreatePipe(&read_end, &write_end, &sa, 0)) fatal("CreatePipe failed");
        SetHandleInformation(read_end, HANDLE_FLAG_INHERIT, 0);
        si.dwFlags = STARTF_USESTDHANDLES;
        si.hStdInput = NULL;
        si.hStdOutput = si.hStdError = write_end;
    }
    if (!CreateProcessW(NULL, cmdline, NULL, NULL, output != NULL, 0, NULL, NULL, &si, &pi))
        fatal("cannot start a helper process: %lu", GetLastError());
    CloseHandle(pi.hThread);
    if (output)
    {
        CloseHandle(write_end);
        *output = read_end;
    }
    return pi.hProcess;
}

static BOOL wait_process(HANDLE process, DWORD timeout, DWORD *code)
{
    if (WaitForSingleObject(process, timeout))
    {
        TerminateProcess(process, 1);
        WaitForSingleObject(process, 5000);
        CloseHandle(process);
        return FALSE;
    }
    GetExitCodeProcess(process, code);
    CloseHandle(process);
    return TRUE;
}

/* Runs a helper to the end and returns its "RESULT ..." line; other lines are passed on. */
static BOOL run_helper(const char *args, char *result, size_t size)
{
    char output[8192], *line, *next;
    HANDLE pipe, process = start_self(args, &pipe);
    DWORD got = 0, n, code = 1, start = GetTickCount();
    BOOL ok;

    /* The pipe ends when the helper exits; its output is small. */
    while (got < sizeof(output) - 1 && GetTickCount() - start < CHILD_LIMIT_MS)
    {
        DWORD avail = 0;

        if (!PeekNamedPipe(pipe, NULL, 0, NULL, &avail, NULL)) break;
        if (!avail)
        {
            if (!WaitForSingleObject(process, 50))
            {
                if (!PeekNamedPipe(pipe, NULL, 0, NULL, &avail, NULL) || !avail) break;
            }
            continue;
        }
        if (!ReadFile(pipe, output + got, min(avail, (DWORD)sizeof(output) - 1 - got), &n, NULL) || !n) break;
        got += n;
    }
    output[got] = 0;
    CloseHandle(pipe);
    ok = wait_process(process, WAIT_MS, &code) && !code;

    *result = 0;
    for (line = output; line && *line; line = next)
    {
        if ((next = strchr(line, '\n'))) *next++ = 0;
        line[strcspn(line, "\r")] = 0;
        if (!strncmp(line, "RESULT ", 7)) lstrcpynA(result, line + 7, size);
        else if (*line) fprintf(stderr, "  [%s] %s\n", args, line);
    }
    return ok && *result;
}

/* ---------------------------------------------------------------------------
 * Row 1: context data between two processes, against plain winsock between the same two
 */

struct row1
{
    struct peer peer;
    struct sink sink;
    SOCKET raw;
    char *raw_buffer;
};

static double session_round_trip(struct row1 *b, BSTR message)
{
    LONG target = b->sink.data_events + 1;
    double start;
    HRESULT hr;

    start = now_us();
    if (FAILED(hr = IRendezvousSession_SendContextData(b->peer.session, message)))
        fatal("SendContextData failed: %#lx", hr);
    if (!pump_until(&b->sink.data_events, target, WAIT_MS)) fatal("no answer from the peer session");
    return b->sink.reply_us - start;
}

static double raw_round_trip(struct row1 *b, const char *frame, int size)
{
    double start = now_us();
    UINT bytes;

    if (!send_all(b->raw, frame, size)) fatal("send failed");
    if (!recv_frame(b->raw, b->raw_buffer, &bytes) || (int)bytes != size - 4) fatal("no answer on the socket");
    return now_us() - start;
}

/* Sends, waiting while the session's outgoing queue is full (E_OUTOFMEMORY). */
static void session_send_stream(struct row1 *b, BSTR message, unsigned int *backoffs)
{
    HRESULT hr;

    while ((hr = IRendezvousSession_SendContextData(b->peer.session, message)) == E_OUTOFMEMORY)
    {
        (*backoffs)++;
        MsgWaitForMultipleObjects(0, NULL, FALSE, 1, QS_ALLINPUT);
        pump_pending();
    }
    if (FAILED(hr)) fatal("SendContextData failed: %#lx", hr);
}

/* Messages per second: n messages, then 'E'; the peer's count comes back. */
static double session_throughput(struct row1 *b, BSTR message, unsigned int n)
{
    LONG target = b->sink.data_events + 1;
    BSTR end = make_message('E', 1);
    unsigned int i, backoffs = 0;
    double start;

    start = now_us();
    for (i = 0; i < n; i++) session_send_stream(b, message, &backoffs);
    session_send_stream(b, end, &backoffs);
    if (!pump_until(&b->sink.data_events, target, WAIT_MS * 4)) fatal("no count from the peer session");
    SysFreeString(end);
    if (b->sink.reply_tag != 'A' || b->sink.reply_value != (LONG)n)
        fatal("the peer session counted %ld of %u messages", b->sink.reply_value, n);
    return n / ((b->sink.reply_us - start) / 1e6);
}

static double raw_throughput(struct row1 *b, const char *frame, int size, unsigned int n)
{
    BSTR end = make_message('E', 1);
    int end_size;
    char *end_frame = make_frame(end, &end_size);
    unsigned int i;
    double start, elapsed;
    UINT bytes;
    LONG count;

    start = now_us();
    for (i = 0; i < n; i++)
        if (!send_all(b->raw, frame, size)) fatal("send failed");
    if (!send_all(b->raw, end_frame, end_size)) fatal("send failed");
    if (!recv_frame(b->raw, b->raw_buffer, &bytes)) fatal("no count on the socket");
    elapsed = now_us() - start;
    b->raw_buffer[4 + bytes] = b->raw_buffer[5 + bytes] = 0;
    count = wcstol((WCHAR *)(b->raw_buffer + 6), NULL, 10);
    if (count != (LONG)n) fatal("the peer counted %ld of %u messages on the socket", count, n);
    free(end_frame);
    SysFreeString(end);
    return n / (elapsed / 1e6);
}

/*
 * What sealing a message and opening it cost alone, in this process, with the
 * core's own chunks and ciphers (microseconds a message): the CPU time that
 * encryption adds to each delivery.
 */
static double seal_open_us(unsigned int units, unsigned int rounds)
{
    static const uint8_t psk[RV_NOISE_KEY_SIZE] = {1};
    uint32_t bytes = 2 * units, chunks = rv_seal_chunks(bytes), i, c;
    uint8_t header[RV_FRAME_HEADER_SIZE] = {0}, *buffer = malloc(RV_SEAL_CHUNK + RV_SEAL_TAG);
    struct rv_noise_cipher tx, rx;
    struct rv_noise state;
    double start;
    size_t out;

    if (!buffer) fatal("out of memory");
    /* Sets libsodium up (its choice of SIMD code) as a session does. */
    if (rv_noise_init(&state, 1, NULL, 0, psk, NULL)) fatal("rv_noise_init failed");
    rv_noise_clear(&state);
    memset(&tx, 0, sizeof(tx));
    memcpy(tx.k, psk, sizeof(psk));
    tx.has_key = 1;
    rx = tx;
    memset(buffer, 'x', RV_SEAL_CHUNK);
    start = now_us();
    for (i = 0; i < rounds; i++)
    {
        for (c = 0; c < chunks; c++)
        {
            uint32_t n = c + 1 < chunks ? RV_SEAL_CHUNK : bytes - c * RV_SEAL_CHUNK;

            if (rv_noise_encrypt(&tx, header, sizeof(header), buffer, n, buffer, n + RV_SEAL_TAG, &out) ||
                rv_noise_decrypt(&rx, header, sizeof(header), buffer, n + RV_SEAL_TAG, buffer, n, &out))
                fatal("sealing failed");
        }
    }
    start = (now_us() - start) / rounds;
    rv_noise_cipher_clear(&tx);
    rv_noise_cipher_clear(&rx);
    free(buffer);
    return start;
}

static void row1_size(struct row1 *b, unsigned int units, unsigned int rounds, unsigned int stream)
{
    unsigned int warmup = scaled(50), i;
    BSTR ping = make_message('P', units), data = make_message('S', units);
    int ping_size, data_size;
    char *ping_frame = make_frame(ping, &ping_size), *data_frame = make_frame(data, &data_size);
    double *rv = malloc(rounds * sizeof(double)), *raw = malloc(rounds * sizeof(double));
    double rv_median, rv_p99, raw_median, raw_p99, rv_rate, raw_rate, ratio, crypto_us;
    char what[64], figure[24], baseline[24];

    if (!rv || !raw) fatal("out of memory");
    for (i = 0; i < warmup; i++)
    {
        raw_round_trip(b, ping_frame, ping_size);
        session_round_trip(b, ping);
    }
    /* Alternate, so that both see the same machine. */
    for (i = 0; i < rounds; i++)
    {
        raw[i] = raw_round_trip(b, ping_frame, ping_size) / 2;
        rv[i] = session_round_trip(b, ping) / 2;
    }
    raw_median = percentile(raw, rounds, 50);
    raw_p99 = percentile(raw, rounds, 99);
    rv_median = percentile(rv, rounds, 50);
    rv_p99 = percentile(rv, rounds, 99);

    /* Throughput: best of three streams each, alternating. */
    rv_rate = raw_rate = 0;
    for (i = 0; i < 3; i++)
    {
        double r = raw_throughput(b, data_frame, data_size, stream);
        double s = session_throughput(b, data, stream);

        if (r > raw_rate) raw_rate = r;
        if (s > rv_rate) rv_rate = s;
    }

    snprintf(what, sizeof(what), "delivery %u ch, one-way median", units);
    format_us(figure, sizeof(figure), rv_median);
    format_us(baseline, sizeof(baseline), raw_median);
    ratio = rv_median / raw_median;
    add_result("1", what, figure, baseline, ratio, "<= 1.1", verdict_at_most(ratio, 1.1));
    snprintf(what, sizeof(what), "delivery %u ch, one-way p99", units);
    format_us(figure, sizeof(figure), rv_p99);
    format_us(baseline, sizeof(baseline), raw_p99);
    ratio = rv_p99 / raw_p99;
    add_result("1", what, figure, baseline, ratio, "<= 1.1", verdict_at_most(ratio, 1.1));
    /* Winsock's delivery plus sealing and opening, as if nothing overlapped: the
     * session hides part of it (a chunk opens while the next is on its way),
     * a stream cannot (both processes' CPUs are busy). */
    crypto_us = seal_open_us(units, rounds);
    snprintf(what, sizeof(what), "delivery %u ch, winsock + seal/open alone", units);
    format_us(figure, sizeof(figure), raw_median + crypto_us);
    format_us(baseline, sizeof(baseline), raw_median);
    add_result("1", what, figure, baseline, (raw_median + crypto_us) / raw_median, "-", "");
    snprintf(what, sizeof(what), "delivery %u ch, throughput (msg/s)", units);
    snprintf(figure, sizeof(figure), "%.0f", rv_rate);
    snprintf(baseline, sizeof(baseline), "%.0f", raw_rate);
    ratio = rv_rate / raw_rate;
    add_result("1", what, figure, baseline, ratio, ">= 0.9", verdict_at_least(ratio, 0.9));
    /* The same as if each message's sealing and opening were added to Winsock's time. */
    snprintf(what, sizeof(what), "delivery %u ch, winsock + seal/open, msg/s", units);
    snprintf(figure, sizeof(figure), "%.0f", 1e6 / (1e6 / raw_rate + crypto_us));
    add_result("1", what, figure, baseline, 1e6 / (1e6 / raw_rate + crypto_us) / raw_rate, "-", "");

    free(rv);
    free(raw);
    free(ping_frame);
    free(data_frame);
    SysFreeString(ping);
    SysFreeString(data);
}

/* A listening socket on a free loopback port; *addr gets its address. */
static SOCKET listen_loopback(int backlog, struct sockaddr_in *addr)
{
    int len = sizeof(*addr);
    SOCKET listener;

    if ((listener = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)) == INVALID_SOCKET) fatal("no socket");
    memset(addr, 0, sizeof(*addr));
    addr->sin_family = AF_INET;
    addr->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(listener, (struct sockaddr *)addr, sizeof(*addr)) || listen(listener, backlog) ||
        getsockname(listener, (struct sockaddr *)addr, &len))
        fatal("cannot listen: %d", WSAGetLastError());
    return listener;
}

static void run_row1(void)
{
    static const struct { unsigned int units, rounds, stream; } sizes[] =
    {
        { 16, 2000, 20000 },
        { 300, 2000, 10000 },
        { 4096, 1000, 2000 },
        { MAX_UNITS, 300, 200 },
    };
    struct sockaddr_in addr = {0};
    struct row1 b;
    char args[600], invitation_text[300];
    SOCKET listener;
    HANDLE child;
    fd_set set;
    struct timeval tv = { WAIT_MS / 1000, 0 };
    BSTR invitation;
    HRESULT hr;
    DWORD code;
    unsigned int i;

    note("row 1: context data between two processes against plain winsock between the same two");
    memset(&b, 0, sizeof(b));
    init_sink(&b.sink, SINK_DRIVER);
    if (!(b.raw_buffer = malloc(8 + 2 * MAX_UNITS))) fatal("out of memory");
    if (FAILED(hr = create_peer(&b.peer, &b.sink, RSF_INVITER))) fatal("cannot create a session: %#lx", hr);
    if (FAILED(hr = IRendezvousSessionHost_CreateInvitation(b.peer.host, NULL, &invitation)))
        fatal("CreateInvitation failed: %#lx", hr);
    WideCharToMultiByte(CP_ACP, 0, invitation, -1, invitation_text, sizeof(invitation_text), NULL, NULL);
    SysFreeString(invitation);

    listener = listen_loopback(1, &addr);

    snprintf(args, sizeof(args), "echo %s %u", invitation_text, ntohs(addr.sin_port));
    child = start_self(args, NULL);
    FD_ZERO(&set);
    FD_SET(listener, &set);
    if (select(0, &set, NULL, NULL, &tv) != 1 || (b.raw = accept(listener, NULL, NULL)) == INVALID_SOCKET)
        fatal("the peer did not connect its socket");
    closesocket(listener);
    socket_options(b.raw);
    if (!pump_until(&b.sink.connected, 1, WAIT_MS)) fatal("the peer session did not connect");

    for (i = 0; i < ARRAYSIZE(sizes); i++)
        row1_size(&b, sizes[i].units, scaled(sizes[i].rounds), scaled(sizes[i].stream));

    IRendezvousSession_Terminate(b.peer.session, S_OK, NULL);
    closesocket(b.raw);
    if (!wait_process(child, WAIT_MS, &code) || code) note("row 1: the peer process failed (%lu)", code);
    release_peer(&b.peer);
    free(b.raw_buffer);
}

/* ---------------------------------------------------------------------------
 * Row 2: events through the connection point against a bare Invoke on the same sink
 */

/* Queues count events for the receiver (whose thread, this one, does not pump
 * meanwhile), waits settle_ms, then runs the message loop that reads and fires
 * them.  Returns the time per event from the first OnContextData to the last:
 * the firing alone, the reading of the socket before it excluded; *whole_ns
 * is the time per event of the whole loop, reading included (microseconds). */
static double dispatch_batch(struct peer *sender, struct sink *receiver, unsigned int count, BSTR message,
                             DWORD settle_ms, unsigned int *delivered, double *whole_us)
{
    LONG before = receiver->data_events;
    double start, elapsed;
    unsigned int i;
    HRESULT hr;

    for (i = 0; i < count; i++)
        if (FAILED(hr = IRendezvousSession_SendContextData(sender->session, message)))
            fatal("SendContextData failed: %#lx", hr);
    Sleep(settle_ms);

    receiver->stamp_first = before + 1;
    receiver->stamp_last = before + count;
    receiver->first_us = receiver->last_us = 0;
    start = now_us();
    pump_pending();
    elapsed = now_us() - start;
    *delivered = receiver->data_events - before;
    receiver->stamp_first = receiver->stamp_last = 0;
    /* Anything late is collected outside the measurement. */
    if (!pump_until(&receiver->data_events, before + count, WAIT_MS)) fatal("events were lost");
    *whole_us = *delivered ? elapsed / *delivered : -1;
    return (receiver->last_us - receiver->first_us) / (count - 1);
}

/* IDispatch::Invoke called directly on the sink.  make_bstr: each call also
 * makes its argument from the units, as any caller that has the data in hand
 * but not a BSTR must do: the cheapest real firing. */
static double invoke_batch(IDispatch *volatile sink, unsigned int count, BSTR message, BOOL make_bstr)
{
    UINT length = SysStringLen(message);
    DISPPARAMS params;
    VARIANT arg;
    double start;
    unsigned int i;

    params.rgvarg = &arg;
    params.rgdispidNamedArgs = NULL;
    params.cArgs = 1;
    params.cNamedArgs = 0;
    start = now_us();
    for (i = 0; i < count; i++)
    {
        V_VT(&arg) = VT_BSTR;
        V_BSTR(&arg) = make_bstr ? SysAllocStringLen(message, length) : message;
        IDispatch_Invoke(sink, DISPID_EVENT_ON_CONTEXT_DATA, &IID_NULL, LOCALE_USER_DEFAULT, DISPATCH_METHOD,
                         &params, NULL, NULL, NULL);
        if (make_bstr) SysFreeString(V_BSTR(&arg));
    }
    return (now_us() - start) / count;
}

static void run_row2(void)
{
    unsigned int rounds = quick ? 3 : 9, count = 2000, i, n = 0, delivered, retries = 0;
    struct sink receiver_sink, sender_sink;
    struct peer receiver, sender;
    double event[16], whole[16], bare[16], built[16], event_median, whole_median, bare_median, built_median, start;
    char figure[24], baseline[24];
    BSTR message = make_message('S', 16);
    DWORD settle;
    HRESULT hr;

    note("row 2: OnContextData(16 ch) through the connection point (batches of %u queued events, STA; "
         "first to last event) against IDispatch::Invoke called directly on the same sink", count);
    init_sink(&receiver_sink, SINK_COUNT);
    init_sink(&sender_sink, SINK_COUNT);
    if (FAILED(hr = connect_local_pair(&receiver, &receiver_sink, &sender, &sender_sink)))
        fatal("cannot connect a pair: %#lx", hr);

    /* How long a batch takes to arrive, pumping all along; the measured batches wait three times that. */
    start = now_us();
    for (i = 0; i < count; i++) IRendezvousSession_SendContextData(sender.session, message);
    if (!pump_until(&receiver_sink.data_events, count, WAIT_MS)) fatal("events were lost");
    settle = (DWORD)((now_us() - start) / 1000 * 3) + 100;

    while (n < rounds && retries < rounds)
    {
        double whole_us, t = dispatch_batch(&sender, &receiver_sink, count, message, settle, &delivered, &whole_us);

        if (delivered < count)
        {
            /* Not all queued yet: not a measurement of dispatch alone. */
            retries++;
            settle *= 2;
            continue;
        }
        event[n] = t;
        whole[n] = whole_us;
        bare[n] = invoke_batch(&receiver_sink.IDispatch_iface, count * 10, message, FALSE);
        built[n] = invoke_batch(&receiver_sink.IDispatch_iface, count * 10, message, TRUE);
        n++;
    }
    if (!n) fatal("row 2: no batch was queued in time");
    event_median = percentile(event, n, 50);
    whole_median = percentile(whole, n, 50);
    bare_median = percentile(bare, n, 50);
    built_median = percentile(built, n, 50);
    if (retries) note("row 2: %u batches were not all queued in time and were measured again", retries);
    format_us(figure, sizeof(figure), event_median);
    format_us(baseline, sizeof(baseline), bare_median);
    /* Informative: no firing can match a bare Invoke, since an event must carry a BSTR. */
    add_result("2", "event dispatch per event (median of batches)", figure, baseline, event_median / bare_median,
               "-", "");
    /* Issue 18's target, against the fair baseline: Invoke with the BSTR it must pass made. */
    format_us(baseline, sizeof(baseline), built_median);
    add_result("2", "event dispatch vs Invoke with its BSTR made", figure, baseline, event_median / built_median,
               "<= 1.2", verdict_at_most(event_median / built_median, 1.2));
    /* Informative: the STA reads its socket before it fires, so the loop's time includes the reading. */
    format_us(figure, sizeof(figure), whole_median);
    format_us(baseline, sizeof(baseline), bare_median);
    add_result("2", "socket read and dispatch per event", figure, baseline, whole_median / bare_median, "-", "");

    IRendezvousSession_Terminate(sender.session, S_OK, NULL);
    pump_until(&receiver_sink.ended, 1, WAIT_MS);
    release_peer(&sender);
    release_peer(&receiver);
    SysFreeString(message);
}

/* ---------------------------------------------------------------------------
 * Row 3: Remote Assistance out of process
 */

#define BACKENDS_KEY L"Software\\Wine\\RendezvousSession\\Backends"

/* A Share or Connect backend of Remote Assistance: reads what it is given, says where it listens. */
static int run_backend(const char *role)
{
    char line[512];
    int i;

    for (i = 0; i < 64 && fgets(line, sizeof(line), stdin); i++)
        if (!strncmp(line, "END", 3)) break;
    if (!strcmp(role, "share")) printf("ADDRESS 127.0.0.1 PORT 5900\n");
    printf("READY\n");
    fflush(stdout);
    return 0;
}

static BOOL set_backend(const WCHAR *name, const WCHAR *role)
{
    WCHAR command[MAX_PATH + 40];

    swprintf(command, ARRAYSIZE(command), L"\"%ls\" backend %ls", self_path, role);
    return !RegSetKeyValueW(HKEY_CURRENT_USER, BACKENDS_KEY, name, REG_SZ, command,
                            (lstrlenW(command) + 1) * sizeof(WCHAR));
}

/* Where a Remote Assistance flow's time goes, in microseconds from its start. */
struct ra_steps
{
    double sharer_set;      /* the sharer's SetRendezvousSession returned */
    double helper_set;      /* the helper's returned */
    double hello;           /* the helper's HELLO reached the sharer's session */
    double im_threads;      /* threads this process (the IM's) started for the flow, alive at the ticket */
    double server_threads;  /* the same in raserver.exe */
};

#define MAX_SEEN_THREADS 512

/* The threads of this process and raserver.exe, so that those started later can be told apart. */
struct thread_census
{
    DWORD server_pid;
    unsigned int count;
    DWORD ids[MAX_SEEN_THREADS];
};

static DWORD find_process(const WCHAR *name)
{
    PROCESSENTRY32W entry = { sizeof(entry) };
    HANDLE snapshot = CreateToolhelp32Snapshot(TH32CS_SNAPPROCESS, 0);
    DWORD pid = 0;

    if (snapshot == INVALID_HANDLE_VALUE) return 0;
    if (Process32FirstW(snapshot, &entry))
    {
        do
            if (!lstrcmpiW(entry.szExeFile, name)) pid = entry.th32ProcessID;
        while (!pid && Process32NextW(snapshot, &entry));
    }
    CloseHandle(snapshot);
    return pid;
}

static BOOL census_has(const struct thread_census *census, DWORD id)
{
    unsigned int i;

    for (i = 0; i < census->count; i++)
        if (census->ids[i] == id) return TRUE;
    return FALSE;
}

/* Takes the census of this process and raserver.exe; with before, counts instead
 * the threads each has that before did not see. */
static void thread_census(struct thread_census *census, const struct thread_census *before, double *mine,
                          double *server)
{
    THREADENTRY32 entry = { sizeof(entry) };
    HANDLE snapshot = CreateToolhelp32Snapshot(TH32CS_SNAPTHREAD, 0);
    DWORD self = GetCurrentProcessId();

    census->server_pid = before ? before->server_pid : find_process(L"raserver.exe");
    census->count = 0;
    if (mine) *mine = *server = 0;
    if (snapshot == INVALID_HANDLE_VALUE) return;
    if (Thread32First(snapshot, &entry))
    {
        do
        {
            if (entry.th32OwnerProcessID != self && entry.th32OwnerProcessID != census->server_pid) continue;
            if (before)
            {
                if (census_has(before, entry.th32ThreadID)) continue;
                if (entry.th32OwnerProcessID == self) *mine += 1;
                else *server += 1;
            }
            else if (census->count < MAX_SEEN_THREADS)
                census->ids[census->count++] = entry.th32ThreadID;
        } while (Thread32Next(snapshot, &entry));
    }
    CloseHandle(snapshot);
}

static DWORD WINAPI signal_started(void *event)
{
    SetEvent(event);
    return 0;
}

/* What the platform charges for a thread: microseconds from CreateThread until
 * the thread runs (under Wine 8 it first clears most of its 1 MiB stack). */
static double thread_start_us(void)
{
    HANDLE event = CreateEventW(NULL, FALSE, FALSE, NULL), thread;
    double start = now_us(), us;

    if (!event || !(thread = CreateThread(NULL, 0, signal_started, event, 0, NULL)))
        fatal("CreateThread failed: %lu", GetLastError());
    WaitForSingleObject(event, INFINITE);
    us = now_us() - start;
    WaitForSingleObject(thread, INFINITE);
    CloseHandle(thread);
    CloseHandle(event);
    return us;
}

/* One Remote Assistance session: microseconds from the sharer's SetRendezvousSession to its ticket. */
static double ra_flow(struct ra_steps *steps)
{
    static struct thread_census census, after;
    struct sink inviter_sink, invitee_sink;
    struct peer inviter, invitee;
    IRendezvousApplication *sharer, *helper;
    double start, elapsed;
    HRESULT hr;

    init_sink(&inviter_sink, SINK_DRIVER);
    init_sink(&invitee_sink, SINK_DRIVER);
    if (FAILED(hr = connect_local_pair(&inviter, &inviter_sink, &invitee, &invitee_sink)))
        fatal("cannot connect a pair: %#lx", hr);
    if (FAILED(hr = CoCreateInstance(&CLSID_RendezvousApplication, NULL, CLSCTX_LOCAL_SERVER,
                                     &IID_IRendezvousApplication, (void **)&sharer)) ||
        FAILED(hr = CoCreateInstance(&CLSID_RendezvousApplication, NULL, CLSCTX_LOCAL_SERVER,
                                     &IID_IRendezvousApplication, (void **)&helper)))
        fatal("RendezvousApplication out of process: %#lx", hr);

    /* RendezvousApplication asks for help: the inviter shares.  The sharer listens
     * first, so that the helper's hello, sent at once, finds it. */
    thread_census(&census, NULL, NULL, NULL);
    start = now_us();
    if (FAILED(hr = IRendezvousApplication_SetRendezvousSession(sharer, (IUnknown *)inviter.session)))
        fatal("SetRendezvousSession failed: %#lx", hr);
    steps->sharer_set = now_us() - start;
    if (FAILED(hr = IRendezvousApplication_SetRendezvousSession(helper, (IUnknown *)invitee.session)))
        fatal("SetRendezvousSession failed: %#lx", hr);
    steps->helper_set = now_us() - start;
    while (!invitee_sink.ticket_us && !invitee_sink.ended && now_us() - start < WAIT_MS * 1000.0)
        pump_until(&invitee_sink.data_events, invitee_sink.data_events + 1, 250);
    if (!invitee_sink.ticket_us) fatal("no ticket from Remote Assistance");
    elapsed = invitee_sink.ticket_us - start;
    /* Counted once the time is taken; the flow's connections are still open. */
    thread_census(&after, &census, &steps->im_threads, &steps->server_threads);
    steps->hello = inviter_sink.hello_us ? inviter_sink.hello_us - start : elapsed;

    /* The sharer ends the session once the helper has acknowledged. */
    if (!pump_until(&inviter_sink.ended, 1, WAIT_MS) || !pump_until(&invitee_sink.ended, 1, WAIT_MS))
        note("row 3: Remote Assistance did not end the session");
    IRendezvousApplication_Release(sharer);
    IRendezvousApplication_Release(helper);
    release_peer(&invitee);
    release_peer(&inviter);
    return elapsed;
}

static void run_row3(void)
{
    unsigned int runs = quick ? 2 : 7, calls = scaled(500), i;
    double flows[16], backend_start[16], sharer_set[16], helper_set[16], hello[16], im_threads[16];
    double server_threads[16], thread_start[16], *marshaled, start, beyond;
    struct ra_steps steps;
    char figure[24], baseline[24];
    IRendezvousApplication *app;
    DWORD consent = 1;
    HRESULT hr;

    note("row 3: Remote Assistance in raserver.exe (CLSCTX_LOCAL_SERVER) for both sides of a connected pair, "
         "SetRendezvousSession to the ticket at the peer's session, median of %u; against "
         "SetRendezvousSession(NULL) on the same out-of-process object, one marshaled call", runs);
    hr = CoCreateInstance(&CLSID_RendezvousApplication, NULL, CLSCTX_LOCAL_SERVER, &IID_IRendezvousApplication,
                          (void **)&app);
    if (FAILED(hr))
    {
        char reason[64];

        snprintf(reason, sizeof(reason), "no local server (%#lx)", hr);
        add_result("3", "RA: SetRendezvousSession to ticket", "not measured", "-", -1, "-", reason);
        return;
    }
    if (!set_backend(L"Share", L"share") || !set_backend(L"Connect", L"connect")) fatal("cannot set the backends");
    /* No question on the screen before sharing. */
    RegSetKeyValueW(HKEY_CURRENT_USER, L"Software\\Wine\\RendezvousSession", L"ShareConsent", REG_DWORD, &consent,
                    sizeof(consent));

    if (!(marshaled = malloc(calls * sizeof(*marshaled)))) fatal("out of memory");
    for (i = 0; i < 20; i++) IRendezvousApplication_SetRendezvousSession(app, NULL);
    for (i = 0; i < calls; i++)
    {
        start = now_us();
        hr = IRendezvousApplication_SetRendezvousSession(app, NULL);
        marshaled[i] = now_us() - start;
        if (hr != E_INVALIDARG) fatal("SetRendezvousSession(NULL) returned %#lx", hr);
    }

    /* The first flow starts the backends' code cold: not counted. */
    ra_flow(&steps);
    for (i = 0; i < runs; i++)
    {
        flows[i] = ra_flow(&steps);
        sharer_set[i] = steps.sharer_set;
        helper_set[i] = steps.helper_set - steps.sharer_set;
        hello[i] = steps.hello - steps.helper_set;
        im_threads[i] = steps.im_threads;
        server_threads[i] = steps.server_threads;
    }
    for (i = 0; i < runs; i++) thread_start[i] = thread_start_us();
    /* For scale: what starting a backend process by itself costs. */
    for (i = 0; i < runs; i++)
    {
        HANDLE pipe, process;
        char buffer[256];
        DWORD n, code;

        start = now_us();
        process = start_self("backend share", &pipe);
        while (ReadFile(pipe, buffer, sizeof(buffer), &n, NULL) && n) ;
        CloseHandle(pipe);
        wait_process(process, WAIT_MS, &code);
        backend_start[i] = now_us() - start;
    }
    IRendezvousApplication_Release(app);
    RegDeleteKeyValueW(HKEY_CURRENT_USER, BACKENDS_KEY, L"Share");
    RegDeleteKeyValueW(HKEY_CURRENT_USER, BACKENDS_KEY, L"Connect");
    RegDeleteKeyValueW(HKEY_CURRENT_USER, L"Software\\Wine\\RendezvousSession", L"ShareConsent");

    format_us(figure, sizeof(figure), percentile(flows, runs, 50));
    format_us(baseline, sizeof(baseline), percentile(marshaled, calls, 50));
    add_result("3", "RA: SetRendezvousSession to ticket", figure, baseline,
               percentile(flows, runs, 50) / percentile(marshaled, calls, 50), "-", "");
    note("row 3: of which the Share backend is a process: starting one alone takes %.1f ms (median)",
         percentile(backend_start, runs, 50) / 1000);
    note("row 3: breakdown (medians): the sharer's SetRendezvousSession %.1f ms, the helper's %.1f ms, its HELLO "
         "to the sharer's session %.1f ms, then the backend and the ticket %.1f ms",
         percentile(sharer_set, runs, 50) / 1000, percentile(helper_set, runs, 50) / 1000,
         percentile(hello, runs, 50) / 1000,
         (percentile(flows, runs, 50) - percentile(sharer_set, runs, 50) - percentile(helper_set, runs, 50) -
          percentile(hello, runs, 50)) / 1000);
    /* Wine 8's RPC opens a connection for the first call through each new proxy,
     * and the process called starts a thread for it (rpcrt4's RPCRT4_io_thread). */
    note("row 3: threads started for the flow and alive at the ticket (medians): %.0f in this process (the IM's "
         "sessions: one per connection Wine's RPC opens into it), %.0f in raserver.exe; one thread start here "
         "(CreateThread until it runs) takes %.2f ms",
         percentile(im_threads, runs, 50), percentile(server_threads, runs, 50),
         percentile(thread_start, runs, 50) / 1000);
    /* Issue 18: at most 30 ms beyond what the backend's own start costs. */
    beyond = (percentile(flows, runs, 50) - percentile(backend_start, runs, 50)) / 1000;
    snprintf(figure, sizeof(figure), "%.1f ms", beyond);
    snprintf(baseline, sizeof(baseline), "%.1f ms", percentile(backend_start, runs, 50) / 1000);
    add_result("3", "RA: ticket time beyond the backend's start", figure, baseline, -1, "<= 30 ms",
               beyond <= 30 ? "met" : "MISSED");
    free(marshaled);
}

/* ---------------------------------------------------------------------------
 * Row 4: start-up in a fresh process (the prefix is warm)
 */

static int run_startup(const char *what)
{
    BOOL rv = !strcmp(what, "rv");
    const CLSID *clsid = rv ? &CLSID_RendezvousSession : &CLSID_BenchDictionary;
    const IID *iid = rv ? &IID_IRendezvousSessionHost : &IID_IDispatch;
    IUnknown *first, *second;
    double t0, t1, t2;
    HRESULT hr;

    CoInitialize(NULL);
    t0 = now_us();
    hr = CoCreateInstance(clsid, NULL, CLSCTX_INPROC_SERVER, iid, (void **)&first);
    t1 = now_us();
    if (FAILED(hr)) fatal("CoCreateInstance failed: %#lx", hr);
    hr = CoCreateInstance(clsid, NULL, CLSCTX_INPROC_SERVER, iid, (void **)&second);
    t2 = now_us();
    if (FAILED(hr)) fatal("CoCreateInstance failed: %#lx", hr);
    printf("RESULT %.1f %.1f\n", t1 - t0, t2 - t1);
    fflush(stdout);
    IUnknown_Release(second);
    IUnknown_Release(first);
    CoUninitialize();
    return 0;
}

/* ---- Row 4's breakdown: where a fresh process's first session spends its time ---- */

enum step
{
    STEP_LOAD,          /* LoadLibrary of the DLL the registry names */
    STEP_CLASS,         /* DllGetClassObject */
    STEP_FIRST,         /* the first object: this thread's window, the core's session */
    STEP_NEXT,          /* another one */
    STEP_TYPEINFO,      /* the first IDispatch::GetTypeInfo: the typelib */
    STEP_INVITE,        /* the first CreateInvitation: the I/O thread, its waker, a listener */
    STEP_INVITE_NEXT,   /* another one: a listener */
    STEP_CONNECT,       /* Accept to RSS_CONNECTED on both sides: handshake and first events */
    STEP_THREAD,        /* platform: CreateThread until the thread runs */
    STEP_WINDOW,        /* platform: a new thread's first message-only window */
    STEP_SOCKETS,       /* platform: a loopback listener, connect and accept */
    STEP_COUNT
};

static const char *const step_names[STEP_COUNT] =
{
    "DLL load", "DllGetClassObject", "first object (window, core session)", "next object",
    "first GetTypeInfo (typelib)", "first CreateInvitation (I/O thread, waker, listener)",
    "next CreateInvitation (listener)", "Accept to both RSS_CONNECTED (handshake)",
    "platform: CreateThread until it runs", "platform: a thread's first window",
    "platform: loopback listen + connect + accept",
};

static DWORD WINAPI time_first_window(void *arg)
{
    double *us = arg, t0 = now_us();
    HWND window = CreateWindowExW(0, L"Message", NULL, 0, 0, 0, 0, 0, HWND_MESSAGE, NULL, NULL, NULL);

    *us = now_us() - t0;
    if (window) DestroyWindow(window);
    return 0;
}

/* A listener of its own, then one connection to it, set up as the session's. */
static double time_loopback_sockets(unsigned int flights)
{
    struct sockaddr_in addr;
    SOCKET listener, client, server;
    double t0 = now_us(), us;
    u_long one = 1;

    listener = listen_loopback(1, &addr);
    client = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    if (client == INVALID_SOCKET || connect(client, (struct sockaddr *)&addr, sizeof(addr)))
        fatal("loopback connect: %d", WSAGetLastError());
    if ((server = accept(listener, NULL, NULL)) == INVALID_SOCKET) fatal("loopback accept: %d", WSAGetLastError());
    socket_options(client);
    socket_options(server);
    exchange_flights(client, server, flights);
    ioctlsocket(client, FIONBIO, &one);
    ioctlsocket(server, FIONBIO, &one);
    us = now_us() - t0;
    closesocket(server);
    closesocket(client);
    closesocket(listener);
    return us;
}

static int run_breakdown(void)
{
    HRESULT (WINAPI *get_class_object)(REFCLSID, REFIID, void **);
    WCHAR key[128], path[MAX_PATH];
    struct sink sinks[3];
    struct peer peers[3];
    double us[STEP_COUNT], t0;
    IClassFactory *factory;
    IUnknown *first, *next;
    IDispatch *dispatch;
    ITypeInfo *info;
    BSTR invitation[2];
    HANDLE thread;
    DWORD size = sizeof(path);
    HMODULE module;
    unsigned int i;
    HRESULT hr;

    CoInitialize(NULL);
    start_winsock();
    start_watchdog();
    swprintf(key, ARRAYSIZE(key), L"CLSID\\{84B15B78-2FFF-457E-A9C8-0B6EE0495C3C}\\InprocServer32");
    if (RegGetValueW(HKEY_CLASSES_ROOT, key, NULL, RRF_RT_REG_SZ, NULL, path, &size))
        fatal("RendezvousSession is not registered");

    t0 = now_us();
    if (!(module = LoadLibraryW(path))) fatal("cannot load %ls: %lu", path, GetLastError());
    us[STEP_LOAD] = now_us() - t0;
    get_class_object = (void *)GetProcAddress(module, "DllGetClassObject");
    t0 = now_us();
    if (!get_class_object || FAILED(hr = get_class_object(&CLSID_RendezvousSession, &IID_IClassFactory,
                                                          (void **)&factory)))
        fatal("no class object");
    us[STEP_CLASS] = now_us() - t0;
    t0 = now_us();
    if (FAILED(hr = IClassFactory_CreateInstance(factory, NULL, &IID_IUnknown, (void **)&first)))
        fatal("CreateInstance: %#lx", hr);
    us[STEP_FIRST] = now_us() - t0;
    t0 = now_us();
    if (FAILED(hr = IClassFactory_CreateInstance(factory, NULL, &IID_IUnknown, (void **)&next)))
        fatal("CreateInstance: %#lx", hr);
    us[STEP_NEXT] = now_us() - t0;
    IUnknown_QueryInterface(first, &IID_IDispatch, (void **)&dispatch);
    t0 = now_us();
    if (FAILED(hr = IDispatch_GetTypeInfo(dispatch, 0, 0, &info))) fatal("GetTypeInfo: %#lx", hr);
    us[STEP_TYPEINFO] = now_us() - t0;
    ITypeInfo_Release(info);
    IDispatch_Release(dispatch);
    IUnknown_Release(next);
    IUnknown_Release(first);
    IClassFactory_Release(factory);

    for (i = 0; i < 3; i++)
    {
        init_sink(&sinks[i], SINK_COUNT);
        if (FAILED(hr = create_peer(&peers[i], &sinks[i], i ? RSF_INVITER : RSF_INVITEE))) fatal("peer: %#lx", hr);
    }
    t0 = now_us();
    if (FAILED(hr = IRendezvousSessionHost_CreateInvitation(peers[1].host, NULL, &invitation[0])))
        fatal("CreateInvitation: %#lx", hr);
    us[STEP_INVITE] = now_us() - t0;
    t0 = now_us();
    if (FAILED(hr = IRendezvousSessionHost_CreateInvitation(peers[2].host, NULL, &invitation[1])))
        fatal("CreateInvitation: %#lx", hr);
    us[STEP_INVITE_NEXT] = now_us() - t0;
    if (FAILED(hr = IRendezvousSessionHost_ReceiveInvitation(peers[0].host, invitation[0])))
        fatal("ReceiveInvitation: %#lx", hr);
    t0 = now_us();
    if (FAILED(hr = IRendezvousSessionHost_Accept(peers[0].host))) fatal("Accept: %#lx", hr);
    if (!pump_until(&sinks[0].connected, 1, WAIT_MS) || !pump_until(&sinks[1].connected, 1, WAIT_MS))
        fatal("the pair did not connect");
    us[STEP_CONNECT] = now_us() - t0;
    for (i = 0; i < 3; i++) release_peer(&peers[i]);
    SysFreeString(invitation[0]);
    SysFreeString(invitation[1]);

    us[STEP_THREAD] = thread_start_us();
    thread = CreateThread(NULL, 0, time_first_window, &us[STEP_WINDOW], 0, NULL);
    WaitForSingleObject(thread, INFINITE);
    CloseHandle(thread);
    us[STEP_SOCKETS] = time_loopback_sockets(0);

    printf("RESULT");
    for (i = 0; i < STEP_COUNT; i++) printf(" %.1f", us[i]);
    printf("\n");
    fflush(stdout);
    WSACleanup();
    CoUninitialize();
    return 0;
}

/* Medians over fresh processes, printed under row 4. */
static void print_breakdown(unsigned int runs)
{
    double samples[STEP_COUNT][16];
    char result[512], *p, *end, figure[24];
    unsigned int i, n = 0, step;

    for (i = 0; i < runs && n < 16; i++)
    {
        if (!run_helper("breakdown", result, sizeof(result))) fatal("breakdown helper failed");
        for (p = result, step = 0; step < STEP_COUNT; step++, p = end)
        {
            samples[step][n] = strtod(p, &end);
            if (end == p) fatal("breakdown helper: %s", result);
        }
        n++;
    }
    note("row 4 breakdown: a fresh process's first session, step by step (median of %u processes)", n);
    for (step = 0; step < STEP_COUNT; step++)
    {
        format_us(figure, sizeof(figure), percentile(samples[step], n, 50));
        note("  %-56s %12s", step_names[step], figure);
    }
}

static void run_row4(void)
{
    unsigned int runs = quick ? 3 : 9, i, n = 0;
    double rv_first[16], rv_next[16], dict_first[16], dict_next[16], ratio;
    char result[256], figure[24], baseline[24];

    note("row 4: DLL load + CoCreateInstance to a ready object in a fresh process (warm prefix), "
         "against Scripting.Dictionary (scrrun.dll); median of %u processes", runs);
    /* One run of each first, not counted. */
    run_helper("startup rv", result, sizeof(result));
    run_helper("startup dict", result, sizeof(result));
    for (i = 0; i < runs; i++)
    {
        if (!run_helper("startup rv", result, sizeof(result)) ||
            sscanf(result, "%lf %lf", &rv_first[n], &rv_next[n]) != 2) fatal("startup helper failed");
        if (!run_helper("startup dict", result, sizeof(result)) ||
            sscanf(result, "%lf %lf", &dict_first[n], &dict_next[n]) != 2) fatal("startup helper failed");
        n++;
    }
    format_us(figure, sizeof(figure), percentile(rv_first, n, 50));
    format_us(baseline, sizeof(baseline), percentile(dict_first, n, 50));
    ratio = percentile(rv_first, n, 50) / percentile(dict_first, n, 50);
    add_result("4", "start-up: load + first CoCreateInstance", figure, baseline, ratio, "<= 1.5",
               verdict_at_most(ratio, 1.5));
    format_us(figure, sizeof(figure), percentile(rv_next, n, 50));
    format_us(baseline, sizeof(baseline), percentile(dict_next, n, 50));
    ratio = percentile(rv_next, n, 50) / percentile(dict_next, n, 50);
    add_result("4", "start-up: next CoCreateInstance (loaded)", figure, baseline, ratio, "<= 1.5",
               verdict_at_most(ratio, 1.5));
    print_breakdown(runs);
}

/* ---------------------------------------------------------------------------
 * Row 5: memory of idle connected sessions, from the process's own accounting
 */

struct memory
{
    double private_usage;   /* commit charge: PrivateUsage, or PagefileUsage */
    double heap;            /* busy bytes of every process heap */
};

/* PROCESS_MEMORY_COUNTERS_EX, which Wine 8's psapi.h does not declare. */
struct memory_counters
{
    PROCESS_MEMORY_COUNTERS base;
    SIZE_T PrivateUsage;
};

static void measure_memory(struct memory *m)
{
    struct memory_counters counters = { { sizeof(counters) } };
    HANDLE heaps[256];
    DWORD count, i;

    m->heap = 0;
    count = GetProcessHeaps(ARRAYSIZE(heaps), heaps);
    for (i = 0; i < count && i < ARRAYSIZE(heaps); i++)
    {
        PROCESS_HEAP_ENTRY entry;

        memset(&entry, 0, sizeof(entry));
        if (!HeapLock(heaps[i])) continue;
        while (HeapWalk(heaps[i], &entry))
            if (entry.wFlags & PROCESS_HEAP_ENTRY_BUSY) m->heap += entry.cbData + entry.cbOverhead;
        HeapUnlock(heaps[i]);
    }
    GetProcessMemoryInfo(GetCurrentProcess(), &counters.base, sizeof(counters));
    /* Wine 8 leaves PrivateUsage at 0; PagefileUsage, the same commit charge on
     * Windows, is the kernel's count of the process's anonymous memory there. */
    m->private_usage = counters.PrivateUsage ? counters.PrivateUsage : counters.base.PagefileUsage;
}

static int run_memory_sessions(unsigned int pairs)
{
    struct sink sink_a, sink_b;
    struct peer *inviters, *invitees, spare_a, spare_b;
    struct memory before, after;
    unsigned int i, batch = 50;
    double start, connect_time;
    HRESULT hr;

    CoInitialize(NULL);
    start_watchdog();
    init_sink(&sink_a, SINK_COUNT);
    init_sink(&sink_b, SINK_COUNT);
    if (!(inviters = calloc(pairs, sizeof(*inviters))) || !(invitees = calloc(pairs, sizeof(*invitees))))
        fatal("out of memory");
    /* A pair that stays: the DLL, its window, the I/O thread are not per session. */
    if (FAILED(hr = connect_local_pair(&spare_a, &sink_a, &spare_b, &sink_b))) fatal("cannot connect: %#lx", hr);
    pump_pending();
    Sleep(200);
    pump_pending();
    measure_memory(&before);

    start = now_us();
    for (i = 0; i < pairs; i++)
    {
        invite_pair(&inviters[i], &sink_a, &invitees[i], &sink_b, i);
        if (FAILED(hr = IRendezvousSessionHost_Accept(invitees[i].host))) fatal("session %u: %#lx", i, hr);
        /* A batch of handshakes at a time. */
        if ((i + 1) % batch == 0 || i + 1 == pairs)
        {
            if (!pump_until(&sink_a.connected, 1 + i + 1, WAIT_MS * 2) ||
                !pump_until(&sink_b.connected, 1 + i + 1, WAIT_MS * 2))
                fatal("only %ld and %ld of %u sessions connected", sink_a.connected - 1, sink_b.connected - 1,
                      i + 1);
        }
    }
    connect_time = now_us() - start;
    pump_pending();
    Sleep(500);
    pump_pending();
    measure_memory(&after);
    printf("RESULT %.0f %.0f %.0f\n", (after.private_usage - before.private_usage) / (2.0 * pairs),
           (after.heap - before.heap) / (2.0 * pairs), connect_time / 1000);
    fflush(stdout);

    release_pairs(inviters, invitees, pairs, &spare_a, &spare_b);
    free(inviters);
    free(invitees);
    CoUninitialize();
    return 0;
}

static int run_memory_sockets(unsigned int pairs)
{
    struct sockaddr_in addr = {0};
    SOCKET listener, *ends;
    struct memory before, after;
    unsigned int i;
    double start, connect_time;

    start_winsock();
    if (!(ends = calloc(2 * pairs, sizeof(*ends)))) fatal("out of memory");
    listener = listen_loopback(64, &addr);
    measure_memory(&before);

    start = now_us();
    for (i = 0; i < pairs; i++)
    {
        u_long one = 1;

        if ((ends[2 * i] = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)) == INVALID_SOCKET) fatal("no socket");
        if (connect(ends[2 * i], (struct sockaddr *)&addr, sizeof(addr))) fatal("connect failed");
        if ((ends[2 * i + 1] = accept(listener, NULL, NULL)) == INVALID_SOCKET) fatal("accept failed");
        /* Set up as the session transport sets up its own. */
        socket_options(ends[2 * i]);
        socket_options(ends[2 * i + 1]);
        ioctlsocket(ends[2 * i], FIONBIO, &one);
        ioctlsocket(ends[2 * i + 1], FIONBIO, &one);
    }
    connect_time = now_us() - start;
    Sleep(500);
    measure_memory(&after);
    printf("RESULT %.0f %.0f %.0f\n", (after.private_usage - before.private_usage) / (2.0 * pairs),
           (after.heap - before.heap) / (2.0 * pairs), connect_time / 1000);
    fflush(stdout);

    for (i = 0; i < 2 * pairs; i++) closesocket(ends[i]);
    closesocket(listener);
    free(ends);
    WSACleanup();
    return 0;
}

static void run_row5(void)
{
    static const unsigned int pairs[] = { 1, 100, 1000 };
    char args[64], result[256], what[64], figure[24], baseline[24];
    double rv_private, rv_heap, rv_ms, raw_private, raw_heap, raw_ms;
    unsigned int i;

    note("row 5: bytes per idle connected session (fresh process each; commit charge and heap busy bytes), "
         "against a connected loopback socket of plain winsock");
    for (i = 0; i < ARRAYSIZE(pairs); i++)
    {
        snprintf(args, sizeof(args), "memory sessions %u", pairs[i]);
        if (!run_helper(args, result, sizeof(result)) ||
            sscanf(result, "%lf %lf %lf", &rv_private, &rv_heap, &rv_ms) != 3) fatal("memory helper failed");
        snprintf(args, sizeof(args), "memory sockets %u", pairs[i]);
        if (!run_helper(args, result, sizeof(result)) ||
            sscanf(result, "%lf %lf %lf", &raw_private, &raw_heap, &raw_ms) != 3) fatal("memory helper failed");

        snprintf(what, sizeof(what), "memory, %u pair%s: commit / session", pairs[i], pairs[i] > 1 ? "s" : "");
        format_bytes(figure, sizeof(figure), rv_private);
        format_bytes(baseline, sizeof(baseline), raw_private);
        add_result("5", what, figure, baseline, raw_private > 0 ? rv_private / raw_private : -1, "< 64 KiB",
                   rv_private < 65536 ? "met" : "MISSED");
        snprintf(what, sizeof(what), "memory, %u pair%s: heap / session", pairs[i], pairs[i] > 1 ? "s" : "");
        format_bytes(figure, sizeof(figure), rv_heap);
        format_bytes(baseline, sizeof(baseline), raw_heap);
        add_result("5", what, figure, baseline, raw_heap > 0 ? rv_heap / raw_heap : -1, "< 64 KiB",
                   rv_heap < 65536 ? "met" : "MISSED");
        note("row 5: connecting %u pairs took %.0f ms (plain sockets: %.0f ms)", pairs[i], rv_ms, raw_ms);
    }
}

/* ---------------------------------------------------------------------------
 * Row 6: handshakes and connections per second against plain TCP connect, each in a fresh process
 */

/* Pairs connected at once: each session has its own listener, so their handshakes overlap. */
#define CONNECT_BATCH 50

static int run_connect_sessions(unsigned int pairs, unsigned int singles)
{
    struct sink sink_a, sink_b;
    struct peer *inviters, *invitees, spare_a, spare_b;
    double *handshake, start, connect_time;
    unsigned int i, done = 0;
    HRESULT hr;

    CoInitialize(NULL);
    start_watchdog();
    init_sink(&sink_a, SINK_COUNT);
    init_sink(&sink_b, SINK_COUNT);
    if (!(inviters = calloc(pairs, sizeof(*inviters))) || !(invitees = calloc(pairs, sizeof(*invitees))) ||
        !(handshake = calloc(singles, sizeof(*handshake))))
        fatal("out of memory");
    /* A pair that stays: the DLL, its window, the I/O thread are not per session. */
    if (FAILED(hr = connect_local_pair(&spare_a, &sink_a, &spare_b, &sink_b))) fatal("cannot connect: %#lx", hr);

    /* One at a time: from Accept until both sides are RSS_CONNECTED. */
    for (i = 0; i < singles; i++)
    {
        struct peer inviter, invitee;
        LONG target_a = sink_a.connected + 1, target_b = sink_b.connected + 1;

        invite_pair(&inviter, &sink_a, &invitee, &sink_b, i);
        start = now_us();
        if (FAILED(hr = IRendezvousSessionHost_Accept(invitee.host))) fatal("handshake %u: %#lx", i, hr);
        if (!pump_until(&sink_a.connected, target_a, WAIT_MS) ||
            !pump_until(&sink_b.connected, target_b, WAIT_MS))
            fatal("handshake %u did not complete", i);
        handshake[i] = now_us() - start;
        release_peer(&invitee);
        release_peer(&inviter);
        pump_pending();
    }

    /* Many: created, invited, accepted and connected, a batch at a time. */
    sink_a.connected = sink_b.connected = 0;
    start = now_us();
    for (i = 0; i < pairs; i++)
    {
        invite_pair(&inviters[i], &sink_a, &invitees[i], &sink_b, i);
        if (FAILED(hr = IRendezvousSessionHost_Accept(invitees[i].host))) fatal("session %u: %#lx", i, hr);
        if (++done % CONNECT_BATCH == 0 || done == pairs)
        {
            if (!pump_until(&sink_a.connected, done, WAIT_MS * 2) ||
                !pump_until(&sink_b.connected, done, WAIT_MS * 2))
                fatal("only %ld and %ld of %u sessions connected", sink_a.connected, sink_b.connected, done);
        }
    }
    connect_time = now_us() - start;
    printf("RESULT %.1f %.1f\n", percentile(handshake, singles, 50), connect_time / 1000);
    fflush(stdout);

    release_pairs(inviters, invitees, pairs, &spare_a, &spare_b);
    free(handshake);
    free(inviters);
    free(invitees);
    CoUninitialize();
    return 0;
}

/* One pair of plain loopback sockets, set up as the session transport sets up its own. */
static void connect_socket_pair(SOCKET listener, const struct sockaddr_in *addr, SOCKET *ends,
                                unsigned int flights)
{
    u_long one = 1;

    if ((ends[0] = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)) == INVALID_SOCKET) fatal("no socket");
    if (connect(ends[0], (const struct sockaddr *)addr, sizeof(*addr))) fatal("connect failed");
    if ((ends[1] = accept(listener, NULL, NULL)) == INVALID_SOCKET) fatal("accept failed");
    socket_options(ends[0]);
    socket_options(ends[1]);
    exchange_flights(ends[0], ends[1], flights);
    ioctlsocket(ends[0], FIONBIO, &one);
    ioctlsocket(ends[1], FIONBIO, &one);
}

static int run_connect_sockets(unsigned int pairs, unsigned int singles, unsigned int flights)
{
    struct sockaddr_in addr = {0};
    SOCKET listener, *ends, single[2];
    double *handshake, start, connect_time;
    unsigned int i;

    start_winsock();
    if (!(ends = calloc(2 * pairs, sizeof(*ends))) || !(handshake = calloc(singles, sizeof(*handshake))))
        fatal("out of memory");
    listener = listen_loopback(64, &addr);
    /* The first connection of a process costs more: not a pair of the measure. */
    connect_socket_pair(listener, &addr, single, flights);
    closesocket(single[0]);
    closesocket(single[1]);

    for (i = 0; i < singles; i++)
    {
        start = now_us();
        connect_socket_pair(listener, &addr, single, flights);
        handshake[i] = now_us() - start;
        closesocket(single[0]);
        closesocket(single[1]);
    }

    start = now_us();
    for (i = 0; i < pairs; i++) connect_socket_pair(listener, &addr, ends + 2 * i, flights);
    connect_time = now_us() - start;
    printf("RESULT %.1f %.1f\n", percentile(handshake, singles, 50), connect_time / 1000);
    fflush(stdout);

    for (i = 0; i < 2 * pairs; i++) closesocket(ends[i]);
    closesocket(listener);
    free(handshake);
    free(ends);
    WSACleanup();
    return 0;
}

static void run_row6(void)
{
    unsigned int pairs = scaled(1000), singles = scaled(100), rounds = 3, i;
    double rv_hs[3], rv_ms[3], raw_hs[3], raw_ms[3], floor_hs[3], floor_ms[3];
    double rv_handshake, raw_handshake, floor_handshake, rv_rate, raw_rate, floor_rate;
    char args[64], result[256], what[64], figure[24], baseline[24];

    note("row 6: handshakes (Accept to RSS_CONNECTED on both sides, one pair at a time, median of %u) and "
         "%u pairs created, invited, accepted and connected (%u at a time), against plain loopback "
         "connect/accept, and against the floor of a %u-message handshake (plain connect/accept, then as many "
         "small messages each way in turn); a fresh process each, best of %u",
         singles, pairs, CONNECT_BATCH, HANDSHAKE_FLIGHTS, rounds);
    /* Alternate, so that all see the same machine. */
    for (i = 0; i < rounds; i++)
    {
        snprintf(args, sizeof(args), "connect sessions %u %u", pairs, singles);
        if (!run_helper(args, result, sizeof(result)) || sscanf(result, "%lf %lf", &rv_hs[i], &rv_ms[i]) != 2)
            fatal("connect helper failed");
        snprintf(args, sizeof(args), "connect sockets %u %u", pairs, singles);
        if (!run_helper(args, result, sizeof(result)) || sscanf(result, "%lf %lf", &raw_hs[i], &raw_ms[i]) != 2)
            fatal("connect helper failed");
        snprintf(args, sizeof(args), "connect sockets %u %u %u", pairs, singles, HANDSHAKE_FLIGHTS);
        if (!run_helper(args, result, sizeof(result)) || sscanf(result, "%lf %lf", &floor_hs[i], &floor_ms[i]) != 2)
            fatal("connect helper failed");
    }
    rv_handshake = percentile(rv_hs, rounds, 0);
    raw_handshake = percentile(raw_hs, rounds, 0);
    floor_handshake = percentile(floor_hs, rounds, 0);
    rv_rate = pairs / (percentile(rv_ms, rounds, 0) / 1000);
    raw_rate = pairs / (percentile(raw_ms, rounds, 0) / 1000);
    floor_rate = pairs / (percentile(floor_ms, rounds, 0) / 1000);

    format_us(figure, sizeof(figure), rv_handshake);
    format_us(baseline, sizeof(baseline), raw_handshake);
    add_result("6", "handshake, one pair, median", figure, baseline, rv_handshake / raw_handshake, "-", "");
    format_us(baseline, sizeof(baseline), floor_handshake);
    add_result("6", "handshake against its floor", figure, baseline, rv_handshake / floor_handshake, "-", "");
    /* Issue 18: connecting 1000 pairs, handshakes included, at most twice the time of plain connects. */
    snprintf(what, sizeof(what), "connect %u pairs at once (pairs/s)", pairs);
    snprintf(figure, sizeof(figure), "%.0f", rv_rate);
    snprintf(baseline, sizeof(baseline), "%.0f", raw_rate);
    add_result("6", what, figure, baseline, rv_rate / raw_rate, ">= 0.5", verdict_at_least(rv_rate / raw_rate, 0.5));
    /* What no handshake of that many messages can beat on this machine. */
    snprintf(what, sizeof(what), "floor: plain pairs and %u messages (pairs/s)", HANDSHAKE_FLIGHTS);
    snprintf(figure, sizeof(figure), "%.0f", floor_rate);
    add_result("6", what, figure, baseline, floor_rate / raw_rate, "-", "");
    snprintf(figure, sizeof(figure), "%.0f", rv_rate);
    snprintf(baseline, sizeof(baseline), "%.0f", floor_rate);
    add_result("6", "connect pairs against the floor (pairs/s)", figure, baseline, rv_rate / floor_rate, "-", "");
}

/* ---------------------------------------------------------------------------
 * Row 7: many idle sessions in one process; row 8: a session from CreateInvitation to connected
 */

/* RESULT: commit and heap bytes per object, set-up time per object (us). */
static int run_idle(const char *what, unsigned int count)
{
    BOOL rv = !strcmp(what, "sessions");
    const CLSID *clsid = rv ? &CLSID_RendezvousSession : &CLSID_BenchDictionary;
    struct memory before, after;
    IUnknown **objects, *warm;
    unsigned int i;
    double start, setup;
    HRESULT hr;

    CoInitialize(NULL);
    if (!(objects = calloc(count, sizeof(*objects)))) fatal("out of memory");
    /* One first, kept: the DLL and this thread's window are not per object. */
    if (FAILED(hr = CoCreateInstance(clsid, NULL, CLSCTX_INPROC_SERVER, &IID_IUnknown, (void **)&warm)))
        fatal("CoCreateInstance: %#lx", hr);
    measure_memory(&before);
    start = now_us();
    for (i = 0; i < count; i++)
    {
        IRendezvousSessionHost *host;

        if (FAILED(hr = CoCreateInstance(clsid, NULL, CLSCTX_INPROC_SERVER, &IID_IUnknown, (void **)&objects[i])))
            fatal("object %u: %#lx", i, hr);
        /* An idle session has a role, as an IM program's has before it invites. */
        if (rv && SUCCEEDED(IUnknown_QueryInterface(objects[i], &IID_IRendezvousSessionHost, (void **)&host)))
        {
            if (FAILED(hr = IRendezvousSessionHost_Initialize(host, RSF_INVITER))) fatal("Initialize: %#lx", hr);
            IRendezvousSessionHost_Release(host);
        }
    }
    setup = now_us() - start;
    measure_memory(&after);
    printf("RESULT %.0f %.0f %.2f\n", (after.private_usage - before.private_usage) / count,
           (after.heap - before.heap) / count, setup / count);
    fflush(stdout);
    for (i = 0; i < count; i++) IUnknown_Release(objects[i]);
    IUnknown_Release(warm);
    free(objects);
    CoUninitialize();
    return 0;
}

static void run_row7(void)
{
    unsigned int count = scaled(10000);
    double rv_private, rv_heap, rv_us, dict_private, dict_heap, dict_us;
    char args[64], result[256], what[64], figure[24], baseline[24];

    note("row 7: %u idle sessions (created and given a role) in one fresh process: bytes and set-up time per "
         "session, against as many Scripting.Dictionary objects", count);
    snprintf(args, sizeof(args), "idle sessions %u", count);
    if (!run_helper(args, result, sizeof(result)) ||
        sscanf(result, "%lf %lf %lf", &rv_private, &rv_heap, &rv_us) != 3) fatal("idle helper failed");
    snprintf(args, sizeof(args), "idle dictionaries %u", count);
    if (!run_helper(args, result, sizeof(result)) ||
        sscanf(result, "%lf %lf %lf", &dict_private, &dict_heap, &dict_us) != 3) fatal("idle helper failed");
    snprintf(what, sizeof(what), "%u idle sessions: set-up / session", count);
    format_us(figure, sizeof(figure), rv_us);
    format_us(baseline, sizeof(baseline), dict_us);
    add_result("7", what, figure, baseline, rv_us / dict_us, "<= 1.5", verdict_at_most(rv_us / dict_us, 1.5));
    snprintf(what, sizeof(what), "%u idle sessions: commit / session", count);
    format_bytes(figure, sizeof(figure), rv_private);
    format_bytes(baseline, sizeof(baseline), dict_private);
    add_result("7", what, figure, baseline, dict_private > 0 ? rv_private / dict_private : -1, "< 64 KiB",
               rv_private < 65536 ? "met" : "MISSED");
    snprintf(what, sizeof(what), "%u idle sessions: heap / session", count);
    format_bytes(figure, sizeof(figure), rv_heap);
    format_bytes(baseline, sizeof(baseline), dict_heap);
    add_result("7", what, figure, baseline, dict_heap > 0 ? rv_heap / dict_heap : -1, "< 64 KiB",
               rv_heap < 65536 ? "met" : "MISSED");
}

/* RESULT: the median time (us) from CreateInvitation to both sessions RSS_CONNECTED,
 * or from a new listener to an accepted, set-up connection. */
static int run_end_to_end(const char *what, unsigned int count)
{
    double *samples, start;
    unsigned int i;

    struct sink spare_sink;
    struct peer spare;
    BSTR spare_invitation = NULL;
    HRESULT hr;

    CoInitialize(NULL);
    start_winsock();
    start_watchdog();
    if (!(samples = calloc(count, sizeof(*samples)))) fatal("out of memory");
    /* A session that stays invited keeps what is per process (the I/O thread,
     * its waker) out of the figures: the breakdown of row 4 shows those. */
    init_sink(&spare_sink, SINK_COUNT);
    memset(&spare, 0, sizeof(spare));
    if (!strcmp(what, "sessions") &&
        (FAILED(hr = create_peer(&spare, &spare_sink, RSF_INVITER)) ||
         FAILED(hr = IRendezvousSessionHost_CreateInvitation(spare.host, NULL, &spare_invitation))))
        fatal("spare session: %#lx", hr);
    for (i = 0; i < count; i++)
    {
        if (!strcmp(what, "sessions"))
        {
            struct sink sink_a, sink_b;
            struct peer inviter, invitee;
            BSTR invitation;

            init_sink(&sink_a, SINK_COUNT);
            init_sink(&sink_b, SINK_COUNT);
            if (FAILED(hr = create_peer(&inviter, &sink_a, RSF_INVITER)) ||
                FAILED(hr = create_peer(&invitee, &sink_b, RSF_INVITEE)))
                fatal("peer: %#lx", hr);
            start = now_us();
            if (FAILED(hr = IRendezvousSessionHost_CreateInvitation(inviter.host, NULL, &invitation)))
                fatal("CreateInvitation: %#lx", hr);
            hr = IRendezvousSessionHost_ReceiveInvitation(invitee.host, invitation);
            SysFreeString(invitation);
            if (FAILED(hr) || FAILED(hr = IRendezvousSessionHost_Accept(invitee.host))) fatal("accept: %#lx", hr);
            if (!pump_until(&sink_a.connected, 1, WAIT_MS) || !pump_until(&sink_b.connected, 1, WAIT_MS))
                fatal("pair %u did not connect", i);
            samples[i] = now_us() - start;
            release_peer(&invitee);
            release_peer(&inviter);
        }
        else samples[i] = time_loopback_sockets(strcmp(what, "floor") ? 0 : HANDSHAKE_FLIGHTS);
    }
    printf("RESULT %.1f\n", percentile(samples, count, 50));
    fflush(stdout);
    release_peer(&spare);
    SysFreeString(spare_invitation);
    free(samples);
    WSACleanup();
    CoUninitialize();
    return 0;
}

static void run_row8(void)
{
    unsigned int count = scaled(100), rounds = 3, i;
    double rv[3], raw[3], floor_us[3], rv_best, raw_best, floor_best;
    char args[64], result[256], figure[24], baseline[24];

    note("row 8: one session from CreateInvitation to both sides RSS_CONNECTED (median of %u pairs made one after "
         "the other, while another session keeps the I/O thread), against a new loopback listener, a connection and "
         "its accept, and against the same with the handshake's %u messages; a fresh process each, best of %u",
         count, HANDSHAKE_FLIGHTS, rounds);
    for (i = 0; i < rounds; i++)
    {
        snprintf(args, sizeof(args), "end-to-end sessions %u", count);
        if (!run_helper(args, result, sizeof(result)) || sscanf(result, "%lf", &rv[i]) != 1)
            fatal("end-to-end helper failed");
        snprintf(args, sizeof(args), "end-to-end sockets %u", count);
        if (!run_helper(args, result, sizeof(result)) || sscanf(result, "%lf", &raw[i]) != 1)
            fatal("end-to-end helper failed");
        snprintf(args, sizeof(args), "end-to-end floor %u", count);
        if (!run_helper(args, result, sizeof(result)) || sscanf(result, "%lf", &floor_us[i]) != 1)
            fatal("end-to-end helper failed");
    }
    rv_best = percentile(rv, rounds, 0);
    raw_best = percentile(raw, rounds, 0);
    floor_best = percentile(floor_us, rounds, 0);
    format_us(figure, sizeof(figure), rv_best);
    format_us(baseline, sizeof(baseline), raw_best);
    add_result("8", "CreateInvitation to both RSS_CONNECTED", figure, baseline, rv_best / raw_best, "<= 2",
               verdict_at_most(rv_best / raw_best, 2));
    format_us(baseline, sizeof(baseline), floor_best);
    add_result("8", "the same against its floor", figure, baseline, rv_best / floor_best, "-", "");
}

/* ---------------------------------------------------------------------------
 * The driver
 */

static int run_warm(void)
{
    IUnknown *unk;

    /* Loads everything a later run loads, so that the disk cache and the prefix are warm. */
    CoInitialize(NULL);
    if (SUCCEEDED(CoCreateInstance(&CLSID_RendezvousSession, NULL, CLSCTX_INPROC_SERVER, &IID_IUnknown,
                                   (void **)&unk)))
        IUnknown_Release(unk);
    else fatal("RendezvousSession is not registered");
    if (SUCCEEDED(CoCreateInstance(&CLSID_BenchDictionary, NULL, CLSCTX_INPROC_SERVER, &IID_IUnknown,
                                   (void **)&unk)))
        IUnknown_Release(unk);
    CoUninitialize();
    return 0;
}

static int run_driver(const char *rows)
{
    double start = now_us();

    CoInitialize(NULL);
    start_winsock();
    start_watchdog();
    printf("%-3s %-44s %14s %14s %7s  %-9s %s\n", "row", "measure", "figure", "baseline", "ratio", "target", "");
    if (strchr(rows, '1')) run_row1();
    if (strchr(rows, '2')) run_row2();
    if (strchr(rows, '3')) run_row3();
    if (strchr(rows, '4')) run_row4();
    if (strchr(rows, '5')) run_row5();
    if (strchr(rows, '6')) run_row6();
    if (strchr(rows, '7')) run_row7();
    if (strchr(rows, '8')) run_row8();
    print_table();
    note("%s run, %.0f s in all", quick ? "quick" : "full", (now_us() - start) / 1e6);
    WSACleanup();
    CoUninitialize();
    return 0;
}

int main(int argc, char **argv)
{
    const char *rows = "12345678";
    int i;

    QueryPerformanceFrequency(&qpc_frequency);
    GetModuleFileNameW(NULL, self_path, ARRAYSIZE(self_path));
    setvbuf(stdout, NULL, _IOFBF, 65536);

    if (argc >= 4 && !strcmp(argv[1], "echo")) return run_echo(argv[2], (unsigned short)atoi(argv[3]));
    if (argc >= 3 && !strcmp(argv[1], "startup")) return run_startup(argv[2]);
    if (argc >= 4 && !strcmp(argv[1], "memory") && !strcmp(argv[2], "sessions"))
        return run_memory_sessions(atoi(argv[3]));
    if (argc >= 4 && !strcmp(argv[1], "memory") && !strcmp(argv[2], "sockets"))
        return run_memory_sockets(atoi(argv[3]));
    if (argc >= 5 && !strcmp(argv[1], "connect") && !strcmp(argv[2], "sessions"))
        return run_connect_sessions(atoi(argv[3]), atoi(argv[4]));
    if (argc >= 5 && !strcmp(argv[1], "connect") && !strcmp(argv[2], "sockets"))
        return run_connect_sockets(atoi(argv[3]), atoi(argv[4]), argc >= 6 ? atoi(argv[5]) : 0);
    if (argc >= 2 && !strcmp(argv[1], "warm")) return run_warm();
    if (argc >= 2 && !strcmp(argv[1], "breakdown")) return run_breakdown();
    if (argc >= 4 && !strcmp(argv[1], "idle")) return run_idle(argv[2], atoi(argv[3]));
    if (argc >= 4 && !strcmp(argv[1], "end-to-end")) return run_end_to_end(argv[2], atoi(argv[3]));
    if (argc >= 3 && !strcmp(argv[1], "backend")) return run_backend(argv[2]);

    for (i = 1; i < argc; i++)
    {
        if (!strcmp(argv[i], "--quick")) quick = TRUE;
        else if (!strcmp(argv[i], "--rows") && i + 1 < argc) rows = argv[++i];
        else
        {
            fprintf(stderr, "usage: rvbench [--quick] [--rows 12345678]\n");
            return 2;
        }
    }
    return run_driver(rows);
}
