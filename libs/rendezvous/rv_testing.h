/*
 * What only the core and its tests use of the core: not for the DLLs
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

#ifndef __WINE_RV_TESTING_H
#define __WINE_RV_TESTING_H

#include "rendezvous.h"

/* Handshake deadline for later handshakes, 1..600000 ms (default 10 s). */
rv_result rv_session_set_handshake_timeout(struct rv_session *s, uint32_t timeout_ms);

/*
 * Inviter: listen on bind_host (numeric, NULL = "127.0.0.1") and port (0 = any)
 * and write the invitation into a buffer of at least RV_INVITATION_BUFFER_SIZE.
 * READY -> INVITATION.  The DLLs use rv_session_invite_with.
 */
rv_result rv_session_invite(struct rv_session *s, const char *bind_host, uint16_t port,
                            char *invitation, size_t size);

/* Waits until an event is pending (RV_S_OK) or timeout_ms passes (RV_S_FALSE). */
rv_result rv_session_wait(struct rv_session *s, uint32_t timeout_ms);

/*
 * For a host that can have the system tell its own thread when the session's
 * socket is readable (its own poll; on Windows see rv_session_route_socket
 * in rendezvous.h), so that the data needs no second thread woken.  rv_session_get_socket gives
 * the established connection's socket (RV_S_FALSE when there is none);
 * rv_session_read_now reads what it has on the calling thread and queues the
 * events without a wake: the caller runs rv_session_dispatch next.  From its
 * first call on, the caller is the connection's only reader, of its data and
 * of its end: the I/O thread no longer polls it for input (only to send what
 * a call could not), and a dispatch that makes room after the incoming limit
 * reads on.  So the caller must call it whenever the socket is readable or
 * closed, on the thread that dispatches.
 */
rv_result rv_session_get_socket(struct rv_session *s, uintptr_t *handle);
rv_result rv_session_read_now(struct rv_session *s);

/* Same over a byte buffer that need not be terminated (for fuzzers). */
rv_result rv_invitation_parse_bytes(const char *text, size_t length, struct rv_invitation *out);
/* Canonical text; size must be at least RV_INVITATION_BUFFER_SIZE. */
rv_result rv_invitation_format(const struct rv_invitation *inv, char *buffer, size_t size);

#endif /* __WINE_RV_TESTING_H */
