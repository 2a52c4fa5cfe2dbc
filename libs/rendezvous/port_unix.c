/*
 * Rendezvous core: POSIX port layer (pthreads, poll, pipes, getrandom)
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

#ifndef _WIN32

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#ifdef __linux__
#include <sys/random.h>
#endif

#include "rv_port.h"
#include "rv_sockaddr.h"

#ifndef MSG_NOSIGNAL
#define MSG_NOSIGNAL 0
#endif

/* errno values mapped to the HRESULT of the matching Winsock error, for identical results. */
static rv_result hresult_from_errno(int err)
{
    switch (err)
    {
    case ENOMEM:
    case ENOBUFS:       return RV_E_OUTOFMEMORY;
    case ECONNRESET:
    case EPIPE:
    case ECONNABORTED:  return RV_E_CONNECTION_RESET;
    case ECONNREFUSED:  return RV_E_CONNECTION_REFUSED;
    case ETIMEDOUT:     return (rv_result)0x8007274cu; /* WSAETIMEDOUT */
    case EADDRINUSE:    return (rv_result)0x80072740u; /* WSAEADDRINUSE */
    case EADDRNOTAVAIL: return (rv_result)0x80072741u; /* WSAEADDRNOTAVAIL */
    case ENETUNREACH:   return (rv_result)0x80072743u; /* WSAENETUNREACH */
    case EHOSTUNREACH:  return (rv_result)0x80072751u; /* WSAEHOSTUNREACH */
    case EMFILE:
    case ENFILE:        return (rv_result)0x80072728u; /* WSAEMFILE */
    case EAFNOSUPPORT:  return (rv_result)0x8007273fu; /* WSAEAFNOSUPPORT */
    case EACCES:        return RV_E_ACCESS_DENIED;
    default:            return RV_E_FAIL;
    }
}

rv_result rv_port_init(void)
{
    return RV_S_OK;
}

void rv_mutex_lock(rv_mutex *m)
{
    pthread_mutex_lock(m);
}

int rv_mutex_trylock(rv_mutex *m)
{
    return !pthread_mutex_trylock(m);
}

void rv_mutex_unlock(rv_mutex *m)
{
    pthread_mutex_unlock(m);
}

void rv_cond_init(rv_cond *c)
{
    pthread_condattr_t attr;

    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(c, &attr);
    pthread_condattr_destroy(&attr);
}

void rv_cond_destroy(rv_cond *c)
{
    pthread_cond_destroy(c);
}

void rv_cond_wait(rv_cond *c, rv_mutex *m, uint32_t timeout_ms)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_sec += timeout_ms / 1000;
    ts.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L)
    {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    pthread_cond_timedwait(c, m, &ts);
}

void rv_cond_broadcast(rv_cond *c)
{
    pthread_cond_broadcast(c);
}

static void *thread_trampoline(void *arg)
{
    struct rv_thread *t = arg;

    t->fn(t->arg);
    return NULL;
}

rv_result rv_thread_start(struct rv_thread *t, void (*fn)(void *arg), void *arg)
{
    int err;

    t->fn = fn;
    t->arg = arg;
    if ((err = pthread_create(&t->handle, NULL, thread_trampoline, t)))
        return err == EAGAIN ? RV_E_OUTOFMEMORY : RV_E_FAIL;
    return RV_S_OK;
}

void rv_thread_join(struct rv_thread *t)
{
    pthread_join(t->handle, NULL);
}

rv_thread_id rv_thread_self(void)
{
    return pthread_self();
}

int rv_thread_equal(rv_thread_id a, rv_thread_id b)
{
    return pthread_equal(a, b);
}

void rv_sleep_ms(uint32_t ms)
{
    struct timespec ts;

    ts.tv_sec = ms / 1000;
    ts.tv_nsec = (long)(ms % 1000) * 1000000L;
    while (nanosleep(&ts, &ts) && errno == EINTR);
}

uint64_t rv_time_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

rv_result rv_random(void *buffer, size_t size)
{
    uint8_t *p = buffer;
    int fd;

#ifdef __linux__
    while (size)
    {
        ssize_t n = getrandom(p, size, 0);

        if (n < 0)
        {
            if (errno == EINTR) continue;
            if (errno == ENOSYS) break;
            return RV_E_FAIL;
        }
        p += n;
        size -= (size_t)n;
    }
    if (!size) return RV_S_OK;
#endif
    /* Kernels without getrandom: the urandom device. */
    if ((fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC)) < 0) return RV_E_FAIL;
    while (size)
    {
        ssize_t n = read(fd, p, size);

        if (n < 0 && errno == EINTR) continue;
        if (n <= 0)
        {
            close(fd);
            return RV_E_FAIL;
        }
        p += n;
        size -= (size_t)n;
    }
    close(fd);
    return RV_S_OK;
}

static int set_nonblocking(int fd)
{
    int flags = fcntl(fd, F_GETFL);

    if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) return -1;
    return fcntl(fd, F_SETFD, FD_CLOEXEC);
}

static int new_socket(int family)
{
    int fd = socket(family == 4 ? AF_INET : AF_INET6, SOCK_STREAM, 0);
    int one = 1, buffer = RV_SOCKET_BUFFER_BYTES;

    if (fd < 0) return -1;
    if (set_nonblocking(fd) < 0)
    {
        close(fd);
        return -1;
    }
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    /* As on Windows: a whole largest frame fits, so a send rarely waits. */
    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buffer, sizeof(buffer));
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buffer, sizeof(buffer));
    return fd;
}

rv_result rv_socket_listen(const struct rv_addr *addr, int backlog, rv_socket *out,
                           uint16_t *bound_port)
{
    struct sockaddr_storage ss;
    socklen_t len;
    int fd, one = 1;
    rv_result hr;

    if ((fd = new_socket(addr->family)) < 0) return hresult_from_errno(errno);
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (addr->family == 6) setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
    len = to_sockaddr(addr, &ss);
    if (bind(fd, (struct sockaddr *)&ss, len) < 0 || listen(fd, backlog) < 0) goto fail;
    len = sizeof(ss);
    if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0) goto fail;
    if (bound_port)
    {
        struct rv_addr bound;

        from_sockaddr(&ss, &bound);
        *bound_port = bound.port;
    }
    *out = fd;
    return RV_S_OK;

fail:
    hr = hresult_from_errno(errno);
    close(fd);
    return hr;
}

rv_result rv_socket_accept(rv_socket listener, rv_socket *out, struct rv_addr *peer)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    int fd, one = 1;

    for (;;)
    {
        fd = accept(listener, (struct sockaddr *)&ss, &len);
        if (fd >= 0) break;
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ECONNABORTED) return RV_S_FALSE;
        return hresult_from_errno(errno);
    }
    if (set_nonblocking(fd) < 0)
    {
        close(fd);
        return RV_S_FALSE;
    }
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    if (peer) from_sockaddr(&ss, peer);
    *out = fd;
    return RV_S_OK;
}

rv_result rv_socket_connect(const struct rv_addr *addr, rv_socket *out)
{
    struct sockaddr_storage ss;
    socklen_t len;
    int fd;

    if ((fd = new_socket(addr->family)) < 0) return hresult_from_errno(errno);
    len = to_sockaddr(addr, &ss);
    *out = fd;
    if (!connect(fd, (struct sockaddr *)&ss, len)) return RV_S_OK;
    if (errno == EINPROGRESS || errno == EINTR) return RV_S_FALSE;
    /* The socket stays valid: the caller closes it and reports the error. */
    return hresult_from_errno(errno);
}

rv_result rv_socket_connect_status(rv_socket s)
{
    struct pollfd pfd;
    int err = 0;
    socklen_t len = sizeof(err);

    pfd.fd = s;
    pfd.events = POLLOUT;
    pfd.revents = 0;
    if (poll(&pfd, 1, 0) <= 0) return RV_S_FALSE;
    if (getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &len) < 0) return hresult_from_errno(errno);
    if (err) return hresult_from_errno(err);
    if (pfd.revents & (POLLERR | POLLHUP)) return RV_E_CONNECTION_REFUSED;
    return RV_S_OK;
}

long rv_socket_send(rv_socket s, const void *data, size_t size, rv_result *err)
{
    for (;;)
    {
        ssize_t n = send(s, data, size, MSG_NOSIGNAL);

        if (n >= 0) return (long)n;
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) return -1;
        *err = hresult_from_errno(errno);
        return -2;
    }
}

long rv_socket_recv(rv_socket s, void *data, size_t size, rv_result *err)
{
    for (;;)
    {
        ssize_t n = recv(s, data, size, 0);

        if (n >= 0) return (long)n;
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) return -1;
        *err = hresult_from_errno(errno);
        return -2;
    }
}

void rv_socket_shutdown_write(rv_socket s)
{
    shutdown(s, SHUT_WR);
}

void rv_socket_close(rv_socket s)
{
    if (s != RV_INVALID_SOCKET) close(s);
}

/* Readiness goes through poll() alone here. */
int rv_socket_route(rv_socket s, uintptr_t window, unsigned int message)
{
    (void)s; (void)window; (void)message;
    return -1;
}

unsigned int rv_socket_routed_event(rv_socket s, uintptr_t lparam)
{
    (void)s; (void)lparam;
    return 0;
}

void rv_socket_unroute(rv_socket s)
{
    (void)s;
}

rv_result rv_socket_peer(rv_socket s, struct rv_addr *peer)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);

    if (getpeername(s, (struct sockaddr *)&ss, &len) < 0) return hresult_from_errno(errno);
    from_sockaddr(&ss, peer);
    return peer->family ? RV_S_OK : RV_E_FAIL;
}

int rv_poll(rv_pollfd *fds, unsigned int count, int timeout_ms)
{
    int n = poll(fds, count, timeout_ms);

    if (n < 0 && errno == EINTR) return 0;
    return n;
}

void rv_port_process_exit(void)
{
}

int rv_poll_sockets(rv_pollfd *fds, unsigned int count, int timeout_ms)
{
    return rv_poll(fds, count, timeout_ms);
}

/* poll() keeps no state between calls: a read that would block says so. */
int rv_socket_may_read(rv_socket s)
{
    (void)s;
    return 1;
}

rv_result rv_waker_open(struct rv_waker *w)
{
    int fds[2];

    if (pipe(fds) < 0) return hresult_from_errno(errno);
    if (set_nonblocking(fds[0]) < 0 || set_nonblocking(fds[1]) < 0)
    {
        close(fds[0]);
        close(fds[1]);
        return RV_E_FAIL;
    }
    w->read_end = fds[0];
    w->write_end = fds[1];
    w->window = NULL;
    w->sent = 0;
    return RV_S_OK;
}

/* A pipe's byte is all it takes here. */
void rv_waker_bind(struct rv_waker *w)
{
    (void)w;
}

void rv_waker_unbind(struct rv_waker *w)
{
    (void)w;
}

void rv_waker_signal(struct rv_waker *w)
{
    static const char byte = 1;
    ssize_t n;

    /* A full pipe already holds a pending wake-up. */
    do n = write(w->write_end, &byte, 1);
    while (n < 0 && errno == EINTR);
}

void rv_waker_drain(struct rv_waker *w)
{
    char buffer[64];
    ssize_t n;

    do n = read(w->read_end, buffer, sizeof(buffer));
    while (n > 0 || (n < 0 && errno == EINTR));
}

void rv_waker_close(struct rv_waker *w)
{
    close(w->read_end);
    close(w->write_end);
    w->read_end = w->write_end = -1;
}

#endif /* _WIN32 */
