/*
 * Rendezvous core: Windows port layer (locks, sockets, RtlGenRandom)
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

#ifdef _WIN32

#include <string.h>

#include "rv_port.h"
#include "rv_sockaddr.h"

#include <ntsecapi.h>

#ifndef BCRYPT_USE_SYSTEM_PREFERRED_RNG
#define BCRYPT_USE_SYSTEM_PREFERRED_RNG 0x00000002
#endif

static INIT_ONCE init_once = INIT_ONCE_STATIC_INIT;
static rv_result init_result;

static rv_result hresult_from_wsa(int err)
{
    switch (err)
    {
    case WSAENOBUFS:        return RV_E_OUTOFMEMORY;
    case WSAECONNABORTED:
    case WSAESHUTDOWN:
    case WSAENETRESET:      return RV_E_CONNECTION_RESET;
    case 0:                 return RV_E_FAIL;
    default:                return (rv_result)(0x80070000u | ((unsigned int)err & 0xffff));
    }
}

/*
 * Readiness without WSAPoll.  Wine's WSAPoll costs a wineserver round trip per
 * socket on every call: tens of milliseconds per poll with a thousand idle
 * sessions, paid again for every message.  Instead each polled socket reports
 * to a message-only window of the polling thread (WSAAsyncSelect), and this
 * table keeps its readiness between polls, level-triggered as poll() is:
 *   READABLE    set by FD_READ, FD_ACCEPT, FD_CLOSE; cleared by the recv or
 *               accept that follows (Winsock posts again while data remains)
 *   CLOSED      set by FD_CLOSE; cleared by a recv that would block
 *   BLOCKED     set by a send that would block and while a connect is in
 *               progress (CONNECTING); cleared by FD_WRITE, FD_CONNECT or a send
 * A socket (re)registered is taken as readable and writable: a spurious
 * readiness costs one call that would block, a missed one would hang.
 */
#define POLL_MESSAGE    (WM_APP + 0x5256)
#define WAKE_MESSAGE    (WM_APP + 0x5257)   /* wParam: the waker's read end */
#define POLL_EVENTS     (FD_READ | FD_WRITE | FD_ACCEPT | FD_CONNECT | FD_CLOSE)
#define SOCK_READABLE   0x1
#define SOCK_CLOSED     0x2
#define SOCK_BLOCKED    0x4
#define SOCK_CONNECTING 0x8
#define SOCK_BUCKETS    1024

struct sock_entry
{
    struct sock_entry *next;
    SOCKET socket;
    HWND window;            /* registered with; NULL: not yet */
    DWORD thread;           /* the window's, in case a handle value comes back */
    unsigned int flags;
    BOOL routed;            /* registered with another thread's window: not the poll's */
};

static SRWLOCK sock_lock = SRWLOCK_INIT;
static struct sock_entry *sock_table[SOCK_BUCKETS];
/* Each polling thread has its window (the I/O thread; a test polling its own sockets). */
static DWORD poll_tls = TLS_OUT_OF_INDEXES;

/* sock_lock held */
static struct sock_entry **sock_link(SOCKET s)
{
    struct sock_entry **p = &sock_table[((ULONG_PTR)s >> 2) % SOCK_BUCKETS];

    while (*p && (*p)->socket != s) p = &(*p)->next;
    return p;
}

/* sock_lock held; NULL only without memory. */
static struct sock_entry *sock_get(SOCKET s)
{
    struct sock_entry **p = sock_link(s), *e;

    if (*p) return *p;
    /* Not rv_alloc: the core's allocation hook is for the core's own objects. */
    if (!(e = HeapAlloc(GetProcessHeap(), 0, sizeof(*e)))) return NULL;
    e->next = NULL;
    e->socket = s;
    e->window = NULL;
    e->thread = 0;
    e->flags = 0;
    e->routed = FALSE;
    *p = e;
    return e;
}

/* At process exit a killed thread may hold sock_lock, or the heap's lock: the
 * table of routed sockets is left alone then (nothing routes any more). */
static LONG process_exiting;

void rv_port_process_exit(void)
{
    InterlockedExchange(&process_exiting, 1);
}

static void sock_update(SOCKET s, unsigned int set, unsigned int clear, BOOL create)
{
    struct sock_entry *e;

    if (process_exiting) return;

    AcquireSRWLockExclusive(&sock_lock);
    if ((e = create ? sock_get(s) : *sock_link(s))) e->flags = (e->flags & ~clear) | set;
    ReleaseSRWLockExclusive(&sock_lock);
}

static void sock_forget(SOCKET s)
{
    struct sock_entry **p, *e;

    if (process_exiting) return;

    AcquireSRWLockExclusive(&sock_lock);
    if ((e = *(p = sock_link(s))))
    {
        *p = e->next;
        HeapFree(GetProcessHeap(), 0, e);
    }
    ReleaseSRWLockExclusive(&sock_lock);
}

static BOOL WINAPI init_once_callback(INIT_ONCE *once, void *param, void **context)
{
    WSADATA data;
    int err;

    (void)once; (void)param; (void)context;
    err = WSAStartup(MAKEWORD(2, 2), &data);
    init_result = err ? hresult_from_wsa(err) : RV_S_OK;
    /* Without it, rv_poll falls back to WSAPoll. */
    poll_tls = TlsAlloc();
    return TRUE;
}

rv_result rv_port_init(void)
{
    InitOnceExecuteOnce(&init_once, init_once_callback, NULL, NULL);
    return init_result;
}

void rv_mutex_lock(rv_mutex *m)
{
    EnterCriticalSection(m);
}

int rv_mutex_trylock(rv_mutex *m)
{
    return TryEnterCriticalSection(m);
}

void rv_mutex_unlock(rv_mutex *m)
{
    LeaveCriticalSection(m);
}

void rv_cond_init(rv_cond *c)
{
    InitializeConditionVariable(c);
}

void rv_cond_destroy(rv_cond *c)
{
    (void)c;
}

void rv_cond_wait(rv_cond *c, rv_mutex *m, uint32_t timeout_ms)
{
    SleepConditionVariableCS(c, m, timeout_ms);
}

void rv_cond_broadcast(rv_cond *c)
{
    WakeAllConditionVariable(c);
}

static DWORD WINAPI thread_trampoline(void *arg)
{
    struct rv_thread *t = arg;

    t->fn(t->arg);
    return 0;
}

rv_result rv_thread_start(struct rv_thread *t, void (*fn)(void *arg), void *arg)
{
    t->fn = fn;
    t->arg = arg;
    if (!(t->handle = CreateThread(NULL, 0, thread_trampoline, t, 0, NULL)))
        return GetLastError() == ERROR_NOT_ENOUGH_MEMORY ? RV_E_OUTOFMEMORY : RV_E_FAIL;
    return RV_S_OK;
}

void rv_thread_join(struct rv_thread *t)
{
    WaitForSingleObject(t->handle, INFINITE);
    CloseHandle(t->handle);
    t->handle = NULL;
}

rv_thread_id rv_thread_self(void)
{
    return GetCurrentThreadId();
}

int rv_thread_equal(rv_thread_id a, rv_thread_id b)
{
    return a == b;
}

void rv_sleep_ms(uint32_t ms)
{
    Sleep(ms);
}

uint64_t rv_time_ms(void)
{
    return GetTickCount64();
}

/* RtlGenRandom (advapi32), not BCryptGenRandom: loading bcrypt.dll costs Wine
 * 8 several milliseconds (it starts GnuTLS), a fifth of a cold CoCreateInstance;
 * both read the system's random source. */
rv_result rv_random(void *buffer, size_t size)
{
    uint8_t *p = buffer;

    while (size)
    {
        ULONG n = size > 0x10000000 ? 0x10000000 : (ULONG)size;

        if (!RtlGenRandom(p, n)) return RV_E_FAIL;
        p += n;
        size -= n;
    }
    return RV_S_OK;
}

/* Each call is a wineserver round trip under Wine: an accepted socket takes
 * these from its listener instead (see rv_socket_accept). */
static int prepare_socket(SOCKET s)
{
    u_long one = 1;
    BOOL nodelay = TRUE;
    int buffer = RV_SOCKET_BUFFER_BYTES;

    if (ioctlsocket(s, FIONBIO, &one)) return -1;
    setsockopt(s, IPPROTO_TCP, TCP_NODELAY, (const char *)&nodelay, sizeof(nodelay));
    /* Room for a whole largest frame both ways, so that a send from the
     * caller's thread completes at once instead of waiting for the I/O thread. */
    setsockopt(s, SOL_SOCKET, SO_SNDBUF, (const char *)&buffer, sizeof(buffer));
    setsockopt(s, SOL_SOCKET, SO_RCVBUF, (const char *)&buffer, sizeof(buffer));
    return 0;
}

static SOCKET new_socket(int family)
{
    /* Not inherited: a backend started later must not keep a connection open. */
    SOCKET s = WSASocketW(family == 4 ? AF_INET : AF_INET6, SOCK_STREAM, IPPROTO_TCP, NULL, 0,
                          WSA_FLAG_OVERLAPPED | WSA_FLAG_NO_HANDLE_INHERIT);

    if (s == INVALID_SOCKET) return s;
    if (prepare_socket(s))
    {
        closesocket(s);
        return INVALID_SOCKET;
    }
    return s;
}

rv_result rv_socket_listen(const struct rv_addr *addr, int backlog, rv_socket *out,
                           uint16_t *bound_port)
{
    struct sockaddr_storage ss;
    BOOL one = TRUE;
    int len;
    rv_result hr;
    SOCKET s;

    if ((s = new_socket(addr->family)) == INVALID_SOCKET) return hresult_from_wsa(WSAGetLastError());
    /* Nobody else may bind the same port while we listen. */
    setsockopt(s, SOL_SOCKET, SO_EXCLUSIVEADDRUSE, (const char *)&one, sizeof(one));
    if (addr->family == 6) setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, (const char *)&one, sizeof(one));
    len = to_sockaddr(addr, &ss);
    if (bind(s, (struct sockaddr *)&ss, len) || listen(s, backlog)) goto fail;
    len = sizeof(ss);
    if (getsockname(s, (struct sockaddr *)&ss, &len)) goto fail;
    if (bound_port)
    {
        struct rv_addr bound;

        from_sockaddr(&ss, &bound);
        *bound_port = bound.port;
    }
    *out = s;
    return RV_S_OK;

fail:
    hr = hresult_from_wsa(WSAGetLastError());
    closesocket(s);
    return hr;
}

/*
 * An accepted socket has "the same properties" as its listener (accept's
 * documentation): non-blocking mode, options and the WSAAsyncSelect
 * registration, which Wine's server copies too.  A listener registered with a
 * poll window leaves nothing to set but the handle's inheritance; the table
 * learns the registration, so that the poll does not make it again.
 */
static BOOL sock_inherit_registration(SOCKET listener, SOCKET s)
{
    struct sock_entry *l, *e;
    BOOL ret = FALSE;

    if (process_exiting) return FALSE;

    AcquireSRWLockExclusive(&sock_lock);
    if ((l = *sock_link(listener)) && l->window && !l->routed && (e = sock_get(s)))
    {
        e->window = l->window;
        e->thread = l->thread;
        e->routed = FALSE;
        /* Taken as readable and writable, as any socket newly registered. */
        e->flags = SOCK_READABLE;
        ret = TRUE;
    }
    ReleaseSRWLockExclusive(&sock_lock);
    return ret;
}

rv_result rv_socket_accept(rv_socket listener, rv_socket *out, struct rv_addr *peer)
{
    struct sockaddr_storage ss;
    int len = sizeof(ss), err;
    SOCKET s;

    s = accept(listener, (struct sockaddr *)&ss, &len);
    /* Winsock posts FD_ACCEPT again while connections are pending. */
    sock_update(listener, 0, SOCK_READABLE, FALSE);
    if (s == INVALID_SOCKET)
    {
        err = WSAGetLastError();
        if (err == WSAEWOULDBLOCK || err == WSAECONNRESET || err == WSAEINTR) return RV_S_FALSE;
        return hresult_from_wsa(err);
    }
    SetHandleInformation((HANDLE)s, HANDLE_FLAG_INHERIT, 0);
    if (!sock_inherit_registration(listener, s) && prepare_socket(s))
    {
        rv_socket_close(s);
        return RV_S_FALSE;
    }
    if (peer) from_sockaddr(&ss, peer);
    *out = s;
    return RV_S_OK;
}

rv_result rv_socket_connect(const struct rv_addr *addr, rv_socket *out)
{
    struct sockaddr_storage ss;
    int len, err;
    SOCKET s;

    if ((s = new_socket(addr->family)) == INVALID_SOCKET) return hresult_from_wsa(WSAGetLastError());
    len = to_sockaddr(addr, &ss);
    *out = s;
    if (!connect(s, (struct sockaddr *)&ss, len)) return RV_S_OK;
    err = WSAGetLastError();
    if (err == WSAEWOULDBLOCK || err == WSAEINPROGRESS)
    {
        sock_update(s, SOCK_BLOCKED | SOCK_CONNECTING, 0, TRUE);
        return RV_S_FALSE;
    }
    return hresult_from_wsa(err);
}

/* WSAPoll may not report a failed connect: select's except set does. */
rv_result rv_socket_connect_status(rv_socket s)
{
    fd_set wr, ex;
    struct timeval tv = {0, 0};
    int err = 0, len = sizeof(err);

    FD_ZERO(&wr);
    FD_ZERO(&ex);
    FD_SET(s, &wr);
    FD_SET(s, &ex);
    if (select(0, NULL, &wr, &ex, &tv) <= 0) return RV_S_FALSE;
    if (FD_ISSET(s, &ex))
    {
        if (getsockopt(s, SOL_SOCKET, SO_ERROR, (char *)&err, &len) || !err)
            return RV_E_CONNECTION_REFUSED;
        return hresult_from_wsa(err);
    }
    if (!FD_ISSET(s, &wr)) return RV_S_FALSE;
    sock_update(s, 0, SOCK_BLOCKED | SOCK_CONNECTING, FALSE);
    return RV_S_OK;
}

long rv_socket_send(rv_socket s, const void *data, size_t size, rv_result *err)
{
    int n, e;

    if (size > 0x40000000) size = 0x40000000;
    n = send(s, data, (int)size, 0);
    if (n >= 0)
    {
        sock_update(s, 0, SOCK_BLOCKED | SOCK_CONNECTING, FALSE);
        return n;
    }
    e = WSAGetLastError();
    if (e == WSAEWOULDBLOCK)
    {
        /* Winsock posts FD_WRITE once there is room again. */
        sock_update(s, SOCK_BLOCKED, 0, TRUE);
        return -1;
    }
    *err = hresult_from_wsa(e);
    return -2;
}

long rv_socket_recv(rv_socket s, void *data, size_t size, rv_result *err)
{
    int n, e;

    if (size > 0x40000000) size = 0x40000000;
    n = recv(s, data, (int)size, 0);
    if (n > 0) sock_update(s, 0, SOCK_READABLE, FALSE);
    if (n >= 0) return n;
    e = WSAGetLastError();
    if (e == WSAEWOULDBLOCK)
    {
        sock_update(s, 0, SOCK_READABLE | SOCK_CLOSED, FALSE);
        return -1;
    }
    *err = hresult_from_wsa(e);
    return -2;
}

int rv_socket_may_read(rv_socket s)
{
    struct sock_entry *e;
    int ret = 1;

    if (process_exiting) return 1;
    AcquireSRWLockShared(&sock_lock);
    /* Registered and neither FD_READ, FD_ACCEPT nor FD_CLOSE since the last call that took it. */
    if ((e = *sock_link(s)) && e->window && !(e->flags & (SOCK_READABLE | SOCK_CLOSED))) ret = 0;
    ReleaseSRWLockShared(&sock_lock);
    return ret;
}

void rv_socket_shutdown_write(rv_socket s)
{
    shutdown(s, SD_SEND);
}

void rv_socket_close(rv_socket s)
{
    if (s == INVALID_SOCKET) return;
    sock_forget(s);
    closesocket(s);
}

rv_result rv_socket_peer(rv_socket s, struct rv_addr *peer)
{
    struct sockaddr_storage ss;
    int len = sizeof(ss);

    if (getpeername(s, (struct sockaddr *)&ss, &len)) return hresult_from_wsa(WSAGetLastError());
    from_sockaddr(&ss, peer);
    return peer->family ? RV_S_OK : RV_E_FAIL;
}

static int wsa_poll(rv_pollfd *fds, unsigned int count, int timeout_ms)
{
    int n = WSAPoll(fds, count, timeout_ms);

    if (n == SOCKET_ERROR) return WSAGetLastError() == WSAEINTR ? 0 : -1;
    return n;
}

/* Takes the notifications queued for this thread. */
static void poll_take_messages(HWND window)
{
    MSG msg;

    while (PeekMessageW(&msg, NULL, 0, 0, PM_REMOVE))
    {
        unsigned int set = 0, clear = 0, events;

        if (msg.hwnd == window && msg.message == WAKE_MESSAGE)
        {
            /* rv_waker_signal: the waker's read end is ready, with no byte to read. */
            sock_update((SOCKET)msg.wParam, SOCK_READABLE, 0, FALSE);
            continue;
        }
        if (msg.hwnd != window || msg.message != POLL_MESSAGE)
        {
            DispatchMessageW(&msg);
            continue;
        }
        events = WSAGETSELECTEVENT(msg.lParam);
        if (events & (FD_READ | FD_ACCEPT)) set |= SOCK_READABLE;
        if (events & FD_CLOSE) set |= SOCK_READABLE | SOCK_CLOSED;
        if (events & (FD_WRITE | FD_CONNECT)) clear |= SOCK_BLOCKED | SOCK_CONNECTING;
        sock_update((SOCKET)msg.wParam, set, clear, FALSE);
    }
}

#define ROUTED_EVENTS (FD_READ | FD_WRITE | FD_CLOSE)

int rv_socket_route(rv_socket s, uintptr_t window, unsigned int message)
{
    struct sock_entry *e;
    int ret = -1;

    AcquireSRWLockExclusive(&sock_lock);
    /* Under the lock, as poll_register: a poll cannot take it back meanwhile. */
    if ((e = sock_get(s)) && !WSAAsyncSelect(s, (HWND)window, message, ROUTED_EVENTS))
    {
        e->window = (HWND)window;
        e->thread = GetWindowThreadProcessId((HWND)window, NULL);
        e->routed = TRUE;
        ret = 0;
    }
    ReleaseSRWLockExclusive(&sock_lock);
    return ret;
}

unsigned int rv_socket_routed_event(rv_socket s, uintptr_t lparam)
{
    unsigned int events = WSAGETSELECTEVENT(lparam), set = 0, clear = 0, ret = 0;

    if (events & FD_READ)
    {
        set |= SOCK_READABLE;
        ret |= RV_ROUTED_READABLE;
    }
    if (events & FD_CLOSE)
    {
        set |= SOCK_READABLE | SOCK_CLOSED;
        ret |= RV_ROUTED_READABLE;
    }
    if (events & FD_WRITE)
    {
        clear |= SOCK_BLOCKED;
        ret |= RV_ROUTED_WRITABLE;
    }
    sock_update(s, set, clear, FALSE);
    return ret;
}

void rv_socket_unroute(rv_socket s)
{
    struct sock_entry *e;

    AcquireSRWLockExclusive(&sock_lock);
    if ((e = *sock_link(s)) && e->routed)
    {
        e->routed = FALSE;
        e->window = NULL;
    }
    ReleaseSRWLockExclusive(&sock_lock);
}

/* This thread's poll window, made on first use; NULL to fall back to WSAPoll. */
static HWND poll_window_get(void)
{
    HWND poll_window;

    if (poll_tls == TLS_OUT_OF_INDEXES) return NULL;
    if (!(poll_window = TlsGetValue(poll_tls)))
    {
        /* The window goes when its thread ends; sockets then register with the next one. */
        if (!(poll_window = CreateWindowExW(0, L"Message", NULL, 0, 0, 0, 0, 0, HWND_MESSAGE, NULL, NULL, NULL)))
            return NULL;
        TlsSetValue(poll_tls, poll_window);
    }
    return poll_window;
}

/* Registers every socket of the set with this thread's window, routed ones
 * excepted; FALSE to fall back to WSAPoll. */
static BOOL poll_register(rv_pollfd *fds, unsigned int count, HWND *ret_window)
{
    HWND poll_window;
    BOOL ret = TRUE;
    unsigned int i;

    if (!(poll_window = poll_window_get())) return FALSE;
    *ret_window = poll_window;
    AcquireSRWLockExclusive(&sock_lock);
    for (i = 0; i < count && ret; i++)
    {
        struct sock_entry *e;

        fds[i].revents = 0;
        if (!(e = sock_get(fds[i].fd))) ret = FALSE;
        else if (!e->routed && (e->window != poll_window || e->thread != GetCurrentThreadId()))
        {
            if (WSAAsyncSelect(fds[i].fd, poll_window, POLL_MESSAGE, POLL_EVENTS))
            {
                /* Not a socket any more, as WSAPoll would say. */
                *sock_link(fds[i].fd) = e->next;
                HeapFree(GetProcessHeap(), 0, e);
                fds[i].revents = POLLNVAL;
                continue;
            }
            e->window = poll_window;
            e->thread = GetCurrentThreadId();
            e->flags |= SOCK_READABLE;
            if (!(e->flags & SOCK_CONNECTING)) e->flags &= ~SOCK_BLOCKED;
        }
    }
    ReleaseSRWLockExclusive(&sock_lock);
    return ret;
}

static int poll_ready(rv_pollfd *fds, unsigned int count)
{
    unsigned int i;
    int ready = 0;

    AcquireSRWLockShared(&sock_lock);
    for (i = 0; i < count; i++)
    {
        struct sock_entry *e;
        short revents = 0;

        if (fds[i].revents == POLLNVAL)
        {
            ready++;
            continue;
        }
        if (!(e = *sock_link(fds[i].fd))) continue;
        if ((fds[i].events & POLLIN) && (e->flags & (SOCK_READABLE | SOCK_CLOSED))) revents |= POLLRDNORM;
        if (e->flags & SOCK_CLOSED) revents |= POLLHUP;
        if ((fds[i].events & POLLOUT) && !(e->flags & SOCK_BLOCKED)) revents |= POLLWRNORM;
        fds[i].revents = revents;
        if (revents) ready++;
    }
    ReleaseSRWLockShared(&sock_lock);
    return ready;
}

int rv_poll(rv_pollfd *fds, unsigned int count, int timeout_ms)
{
    ULONGLONG start = GetTickCount64();
    HWND window;
    int ready;

    if (!poll_register(fds, count, &window)) return wsa_poll(fds, count, timeout_ms);
    for (;;)
    {
        ULONGLONG elapsed;

        poll_take_messages(window);
        if ((ready = poll_ready(fds, count)) || !timeout_ms) return ready;
        elapsed = GetTickCount64() - start;
        if (timeout_ms > 0 && elapsed >= (ULONGLONG)timeout_ms) return 0;
        MsgWaitForMultipleObjectsEx(0, NULL, timeout_ms < 0 ? INFINITE : (DWORD)(timeout_ms - elapsed),
                                    QS_ALLINPUT, MWMO_INPUTAVAILABLE);
    }
}

int rv_poll_sockets(rv_pollfd *fds, unsigned int count, int timeout_ms)
{
    return wsa_poll(fds, count, timeout_ms);
}

/* A connected loopback TCP pair stands in for a pipe, since WSAPoll only takes sockets. */
rv_result rv_waker_open(struct rv_waker *w)
{
    struct rv_addr loopback;
    SOCKET listener = INVALID_SOCKET, rd = INVALID_SOCKET, wr = INVALID_SOCKET;
    uint16_t port;
    rv_result hr;
    int i;

    memset(&loopback, 0, sizeof(loopback));
    loopback.family = 4;
    loopback.bytes[0] = 127;
    loopback.bytes[3] = 1;
    if ((hr = rv_socket_listen(&loopback, 1, &listener, &port))) return hr;
    loopback.port = port;
    hr = rv_socket_connect(&loopback, &wr);
    if (RV_FAILED(hr)) goto done;
    /* Bounded wait for the loopback connection to show up. */
    for (i = 0; i < 2000; i++)
    {
        struct rv_addr peer;
        struct sockaddr_storage local;
        struct rv_addr local_addr;
        int len = sizeof(local);

        hr = rv_socket_accept(listener, &rd, &peer);
        if (RV_FAILED(hr)) goto done;
        if (hr == RV_S_OK)
        {
            /* Only our own connecting socket may be the peer. */
            if (getsockname(wr, (struct sockaddr *)&local, &len)) goto fail_wsa;
            from_sockaddr(&local, &local_addr);
            if (local_addr.port == peer.port) break;
            closesocket(rd);
            rd = INVALID_SOCKET;
        }
        Sleep(1);
    }
    if (rd == INVALID_SOCKET)
    {
        hr = RV_E_TIMEOUT;
        goto done;
    }
    closesocket(listener);
    w->read_end = rd;
    w->write_end = wr;
    w->window = NULL;
    w->sent = 0;
    return RV_S_OK;

fail_wsa:
    hr = hresult_from_wsa(WSAGetLastError());
done:
    if (RV_SUCCEEDED(hr)) hr = RV_E_FAIL;
    rv_socket_close(rd);
    rv_socket_close(wr);
    closesocket(listener);
    return hr;
}

void rv_waker_bind(struct rv_waker *w)
{
    InterlockedExchangePointer(&w->window, poll_window_get());
}

/* Before its thread ends, so that no wake-up goes to a window that is gone. */
void rv_waker_unbind(struct rv_waker *w)
{
    InterlockedExchangePointer(&w->window, NULL);
}

void rv_waker_signal(struct rv_waker *w)
{
    static const char byte = 1;
    HWND window = InterlockedCompareExchangePointer(&w->window, NULL, NULL);

    if (window && PostMessageW(window, WAKE_MESSAGE, (WPARAM)w->read_end, 0)) return;
    /* A full buffer already holds a pending wake-up. */
    send(w->write_end, &byte, 1, 0);
    /* After the send: a drain that sees it reads the byte (one that misses it
     * was woken by its FD_READ, and the next drain reads it). */
    InterlockedExchange(&w->sent, 1);
}

void rv_waker_drain(struct rv_waker *w)
{
    char buffer[64];

    sock_update(w->read_end, 0, SOCK_READABLE | SOCK_CLOSED, FALSE);
    if (!InterlockedExchange(&w->sent, 0)) return;
    while (recv(w->read_end, buffer, sizeof(buffer), 0) > 0);
}

void rv_waker_close(struct rv_waker *w)
{
    rv_socket_close(w->read_end);
    rv_socket_close(w->write_end);
    w->read_end = w->write_end = INVALID_SOCKET;
}

#endif /* _WIN32 */
