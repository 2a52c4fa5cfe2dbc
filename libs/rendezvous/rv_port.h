/*
 * Rendezvous core: portability layer (threads, time, randomness, sockets)
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

#ifndef __WINE_RV_PORT_H
#define __WINE_RV_PORT_H

#include "rendezvous.h"

#ifdef _WIN32

#if !defined(_WIN32_WINNT) || _WIN32_WINNT < 0x0600
#undef _WIN32_WINNT
#define _WIN32_WINNT 0x0600
#endif
#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>

/* A critical section, not an SRW lock: under Wine 8 an uncontended
 * Enter/Leave pair costs a seventh of an SRW Acquire/Release pair, and the
 * core takes its lock twice per event.  Never taken recursively. */
typedef CRITICAL_SECTION rv_mutex;
#define RV_MUTEX_INIT { NULL, -1, 0, 0, 0, 0 }
typedef CONDITION_VARIABLE rv_cond;
typedef DWORD rv_thread_id;
typedef SOCKET rv_socket;
#define RV_INVALID_SOCKET INVALID_SOCKET
typedef WSAPOLLFD rv_pollfd;

struct rv_thread
{
    HANDLE handle;
    void (*fn)(void *arg);
    void *arg;
};

#else /* _WIN32 */

#include <poll.h>
#include <pthread.h>

typedef pthread_mutex_t rv_mutex;
#define RV_MUTEX_INIT PTHREAD_MUTEX_INITIALIZER
typedef pthread_cond_t rv_cond;
typedef pthread_t rv_thread_id;
typedef int rv_socket;
#define RV_INVALID_SOCKET (-1)
typedef struct pollfd rv_pollfd;

struct rv_thread
{
    pthread_t handle;
    void (*fn)(void *arg);
    void *arg;
};

#endif /* _WIN32 */

#define RV_POLL_IN  POLLIN
#define RV_POLL_OUT POLLOUT
#define RV_POLL_ERR (POLLERR | POLLHUP | POLLNVAL)

/* Process-wide one-time setup (WSAStartup); RV_S_OK or an error. */
rv_result rv_port_init(void);

void rv_mutex_lock(rv_mutex *m);
void rv_mutex_unlock(rv_mutex *m);
/* Nonzero when taken; for the exiting thread, which must not wait for a dead owner. */
int rv_mutex_trylock(rv_mutex *m);
void rv_cond_init(rv_cond *c);
void rv_cond_destroy(rv_cond *c);
/* Waits at most timeout_ms (spurious wake-ups possible). */
void rv_cond_wait(rv_cond *c, rv_mutex *m, uint32_t timeout_ms);
void rv_cond_broadcast(rv_cond *c);

/* A flag written under a lock and read without it by another thread (GCC and
 * MinGW both build the core). */
static inline uint8_t rv_load_flag(const uint8_t *flag)
{
    return __atomic_load_n(flag, __ATOMIC_ACQUIRE);
}

static inline void rv_store_flag(uint8_t *flag, uint8_t value)
{
    __atomic_store_n(flag, value, __ATOMIC_RELEASE);
}

/* The struct must stay alive until rv_thread_join returns. */
rv_result rv_thread_start(struct rv_thread *t, void (*fn)(void *arg), void *arg);
void rv_thread_join(struct rv_thread *t);
rv_thread_id rv_thread_self(void);
int rv_thread_equal(rv_thread_id a, rv_thread_id b);
void rv_sleep_ms(uint32_t ms);

/* Monotonic milliseconds. */
uint64_t rv_time_ms(void);

/* Numeric socket address; family 4 or 6, bytes in network order. */
struct rv_addr
{
    uint8_t  family;
    uint8_t  bytes[16];
    uint16_t port;
};

/* All sockets are non-blocking, close-on-exec, TCP_NODELAY. */
rv_result rv_socket_listen(const struct rv_addr *addr, int backlog, rv_socket *out,
                           uint16_t *bound_port);
/* RV_S_OK with a socket, RV_S_FALSE when nothing is pending, or an error. */
rv_result rv_socket_accept(rv_socket listener, rv_socket *out, struct rv_addr *peer);
/* RV_S_OK connected, RV_S_FALSE in progress (poll for output), or an error. */
rv_result rv_socket_connect(const struct rv_addr *addr, rv_socket *out);
/* For a socket in progress: RV_S_OK connected, RV_S_FALSE still pending, or an error. */
rv_result rv_socket_connect_status(rv_socket s);
/* 0 when the poll knows there is nothing to read or accept now, so that the
 * call that would block (a wineserver round trip under Wine) is not made. */
int rv_socket_may_read(rv_socket s);
/* Bytes transferred (> 0), 0 on orderly EOF (recv only), -1 would block, -2 error (*err set). */
long rv_socket_send(rv_socket s, const void *data, size_t size, rv_result *err);
long rv_socket_recv(rv_socket s, void *data, size_t size, rv_result *err);
void rv_socket_shutdown_write(rv_socket s);
void rv_socket_close(rv_socket s);
rv_result rv_socket_peer(rv_socket s, struct rv_addr *peer);

/*
 * Routing (Windows): a socket reports its readiness to another thread's window
 * instead of to the poll, as WSAAsyncSelect messages (wParam the socket).
 * Winsock gives a socket one such registration only, so the poll leaves a
 * routed socket alone and learns its readiness from the messages that the
 * window's thread hands back.  Elsewhere routing is not supported: nonzero.
 */
#define RV_ROUTED_READABLE  0x1     /* data or the end of the stream: read */
#define RV_ROUTED_WRITABLE  0x2     /* room again after a send would block */
int rv_socket_route(rv_socket s, uintptr_t window, unsigned int message);
/* Folds a routed message (its lParam) into the poll's view; returns RV_ROUTED_*. */
unsigned int rv_socket_routed_event(rv_socket s, uintptr_t lparam);
/* Back to the poll, which registers it again the next time it polls it. */
void rv_socket_unroute(rv_socket s);

/*
 * Level-triggered, as poll().  Returns the number of ready entries, 0 on timeout
 * or interruption, -1 on error.  On Windows it does not use WSAPoll, whose cost
 * under Wine grows with the number of sockets: each calling thread gets a
 * message-only window that its sockets report to (WSAAsyncSelect), so sockets
 * must be created, sent to, received from and closed through this layer.
 */
int rv_poll(rv_pollfd *fds, unsigned int count, int timeout_ms);
/* The exiting thread is the only one left: no lock another thread may have
 * died holding is taken by the socket calls after this. */
void rv_port_process_exit(void);
/* Sockets only, with no window or message queue behind it: for the exiting thread. */
int rv_poll_sockets(rv_pollfd *fds, unsigned int count, int timeout_ms);

/* Wake-up channel for the I/O thread: a pipe, or a loopback socket pair on
 * Windows, where a message to the polling thread's window stands in for the
 * byte once that thread has bound it (a send, its FD_READ and the recv that
 * drains it cost a wineserver round trip each under Wine). */
struct rv_waker
{
    rv_socket read_end;
    rv_socket write_end;
    void *window;           /* Windows: the bound thread's poll window */
    volatile long sent;     /* Windows: a byte went through the sockets */
};

rv_result rv_waker_open(struct rv_waker *w);
/* The polling thread: wake-ups come to it as messages from now on, until rv_waker_unbind. */
void rv_waker_bind(struct rv_waker *w);
void rv_waker_unbind(struct rv_waker *w);
void rv_waker_signal(struct rv_waker *w);
void rv_waker_drain(struct rv_waker *w);
void rv_waker_close(struct rv_waker *w);

#endif /* __WINE_RV_PORT_H */
