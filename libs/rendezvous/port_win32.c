/*
 * Rendezvous core: Windows port layer (SRW locks, WSAPoll, BCryptGenRandom)
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

#include <bcrypt.h>

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

static BOOL WINAPI init_once_callback(INIT_ONCE *once, void *param, void **context)
{
    WSADATA data;
    int err;

    (void)once; (void)param; (void)context;
    err = WSAStartup(MAKEWORD(2, 2), &data);
    init_result = err ? hresult_from_wsa(err) : RV_S_OK;
    return TRUE;
}

rv_result rv_port_init(void)
{
    InitOnceExecuteOnce(&init_once, init_once_callback, NULL, NULL);
    return init_result;
}

void rv_mutex_lock(rv_mutex *m)
{
    AcquireSRWLockExclusive(m);
}

void rv_mutex_unlock(rv_mutex *m)
{
    ReleaseSRWLockExclusive(m);
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
    SleepConditionVariableSRW(c, m, timeout_ms, 0);
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

rv_result rv_random(void *buffer, size_t size)
{
    uint8_t *p = buffer;

    while (size)
    {
        ULONG n = size > 0x10000000 ? 0x10000000 : (ULONG)size;

        if (BCryptGenRandom(NULL, p, n, BCRYPT_USE_SYSTEM_PREFERRED_RNG) < 0) return RV_E_FAIL;
        p += n;
        size -= n;
    }
    return RV_S_OK;
}

static int to_sockaddr(const struct rv_addr *addr, struct sockaddr_storage *ss)
{
    memset(ss, 0, sizeof(*ss));
    if (addr->family == 4)
    {
        struct sockaddr_in *sin = (struct sockaddr_in *)ss;

        sin->sin_family = AF_INET;
        sin->sin_port = htons(addr->port);
        memcpy(&sin->sin_addr, addr->bytes, 4);
        return sizeof(*sin);
    }
    else
    {
        struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

        sin6->sin6_family = AF_INET6;
        sin6->sin6_port = htons(addr->port);
        memcpy(&sin6->sin6_addr, addr->bytes, 16);
        return sizeof(*sin6);
    }
}

static void from_sockaddr(const struct sockaddr_storage *ss, struct rv_addr *addr)
{
    memset(addr, 0, sizeof(*addr));
    if (ss->ss_family == AF_INET)
    {
        const struct sockaddr_in *sin = (const struct sockaddr_in *)ss;

        addr->family = 4;
        addr->port = ntohs(sin->sin_port);
        memcpy(addr->bytes, &sin->sin_addr, 4);
    }
    else if (ss->ss_family == AF_INET6)
    {
        const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)ss;

        addr->family = 6;
        addr->port = ntohs(sin6->sin6_port);
        memcpy(addr->bytes, &sin6->sin6_addr, 16);
    }
}

static int prepare_socket(SOCKET s)
{
    u_long one = 1;
    BOOL nodelay = TRUE;

    if (ioctlsocket(s, FIONBIO, &one)) return -1;
    SetHandleInformation((HANDLE)s, HANDLE_FLAG_INHERIT, 0);
    setsockopt(s, IPPROTO_TCP, TCP_NODELAY, (const char *)&nodelay, sizeof(nodelay));
    return 0;
}

static SOCKET new_socket(int family)
{
    SOCKET s = socket(family == 4 ? AF_INET : AF_INET6, SOCK_STREAM, IPPROTO_TCP);

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

rv_result rv_socket_accept(rv_socket listener, rv_socket *out, struct rv_addr *peer)
{
    struct sockaddr_storage ss;
    int len = sizeof(ss), err;
    SOCKET s;

    if ((s = accept(listener, (struct sockaddr *)&ss, &len)) == INVALID_SOCKET)
    {
        err = WSAGetLastError();
        if (err == WSAEWOULDBLOCK || err == WSAECONNRESET || err == WSAEINTR) return RV_S_FALSE;
        return hresult_from_wsa(err);
    }
    if (prepare_socket(s))
    {
        closesocket(s);
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
    if (err == WSAEWOULDBLOCK || err == WSAEINPROGRESS) return RV_S_FALSE;
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
    return FD_ISSET(s, &wr) ? RV_S_OK : RV_S_FALSE;
}

long rv_socket_send(rv_socket s, const void *data, size_t size, rv_result *err)
{
    int n, e;

    if (size > 0x40000000) size = 0x40000000;
    n = send(s, data, (int)size, 0);
    if (n >= 0) return n;
    e = WSAGetLastError();
    if (e == WSAEWOULDBLOCK) return -1;
    *err = hresult_from_wsa(e);
    return -2;
}

long rv_socket_recv(rv_socket s, void *data, size_t size, rv_result *err)
{
    int n, e;

    if (size > 0x40000000) size = 0x40000000;
    n = recv(s, data, (int)size, 0);
    if (n >= 0) return n;
    e = WSAGetLastError();
    if (e == WSAEWOULDBLOCK) return -1;
    *err = hresult_from_wsa(e);
    return -2;
}

void rv_socket_shutdown_write(rv_socket s)
{
    shutdown(s, SD_SEND);
}

void rv_socket_close(rv_socket s)
{
    if (s != INVALID_SOCKET) closesocket(s);
}

rv_result rv_socket_peer(rv_socket s, struct rv_addr *peer)
{
    struct sockaddr_storage ss;
    int len = sizeof(ss);

    if (getpeername(s, (struct sockaddr *)&ss, &len)) return hresult_from_wsa(WSAGetLastError());
    from_sockaddr(&ss, peer);
    return peer->family ? RV_S_OK : RV_E_FAIL;
}

int rv_poll(rv_pollfd *fds, unsigned int count, int timeout_ms)
{
    int n = WSAPoll(fds, count, timeout_ms);

    if (n == SOCKET_ERROR) return WSAGetLastError() == WSAEINTR ? 0 : -1;
    return n;
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

void rv_waker_signal(struct rv_waker *w)
{
    static const char byte = 1;

    /* A full buffer already holds a pending wake-up. */
    send(w->write_end, &byte, 1, 0);
}

void rv_waker_drain(struct rv_waker *w)
{
    char buffer[64];

    while (recv(w->read_end, buffer, sizeof(buffer), 0) > 0);
}

void rv_waker_close(struct rv_waker *w)
{
    closesocket(w->read_end);
    closesocket(w->write_end);
    w->read_end = w->write_end = INVALID_SOCKET;
}

#endif /* _WIN32 */
