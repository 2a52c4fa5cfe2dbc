/*
 * Platform-neutral rendezvous session core: public API
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
 * One core, several COM faces: IRendezvousSession and IMsgrSession are thin
 * personalities over the session object declared here.  Nothing in this header
 * depends on COM, Windows or sockets.
 *
 * THREADING AND EVENT CONTRACT
 *
 * - One process-wide I/O thread polls every session's sockets and the closing
 *   connections of destroyed sessions (see DESTROY).  It starts with the first
 *   session and is stopped and joined when the last session is destroyed,
 *   once the closing connections are done or the destroy's bound has passed.
 *   An owner may instead read a connected session's socket on its own thread
 *   (rv_session_route_socket), which spares the hop
 *   through the I/O thread.
 * - Events are never delivered on the I/O thread.  They are queued per session;
 *   when the queue goes from "nothing announced" to "something pending" the core
 *   calls callbacks.wake(user), from any thread (the I/O thread, or the thread
 *   of an API call that queued an event) and without holding any core lock.
 *   wake must only signal the owner (post a message, set an event): it must not
 *   call rv_session_dispatch, rv_session_destroy or rv_session_create.
 *   Spurious wakes are possible; a wake may be skipped while an earlier one has
 *   not yet been followed by rv_session_dispatch.
 * - The owner calls rv_session_dispatch(s) on the thread it wants.  Dispatch
 *   pops events one at a time and calls the on_* handlers on that thread with
 *   no core lock held.  Handlers may call any rv_session_* function, on this
 *   session or another, including a nested rv_session_dispatch on the same
 *   session (it continues with the next event) and rv_session_destroy of the
 *   session being dispatched: then the session is closed at once (no further
 *   handler or wake) and freed when the outermost dispatch returns; the handler
 *   must not use the pointer after destroying it.  Only one thread dispatches a
 *   session at a time: a dispatch from a second thread while one runs returns
 *   RV_S_FALSE at once.
 * - rv_session_destroy must not be called on the I/O thread (that is, from
 *   wake; such a call is ignored), nor from DllMain, nor while holding a lock
 *   that wake takes: it waits for a wake in flight, for a dispatch of that
 *   session running on another thread, for its last frames (bounded, see
 *   DESTROY) and, for the last session, joins the I/O thread.  When it returns
 *   (outside a handler of that session) no wake and no handler call for that
 *   session will ever happen again.
 *   Wakes posted before it returned may still be in the owner's message queue:
 *   the owner must not dispatch a destroyed session when they arrive.
 * - rv_session_get_state returns the core's current state, which may be ahead of
 *   the state changes dispatched so far.
 *
 * INVITATION FORMAT (at most RV_INVITATION_MAX_LENGTH characters)
 *
 *     rv1:HOST:PORT:SESSIONID:SECRET
 *
 *   HOST       numeric IPv4 dotted quad (no leading zeros), or a numeric IPv6
 *              address in brackets ("[::1]"; hex digits of either case, "::"
 *              compression and a dotted IPv4 tail accepted, no zone index)
 *   PORT       decimal 1..65535, no sign, no leading zeros
 *   SESSIONID  32 hex digits (16 bytes) chosen at random by the inviter
 *   SECRET     64 hex digits (32 bytes) from the OS CSPRNG; never sent on the
 *              wire, only used as the pre-shared key of the handshake
 *   The inviter writes lower-case hex and RFC 5952 IPv6 text.
 *
 * WIRE FORMAT
 *
 *   Every frame is an 8-byte header followed by the payload:
 *     u8 type, u8 reserved[3] (must be zero), u32 payload length (little endian)
 *   Types and exact payload bounds (checked before anything is allocated):
 *     1 HELLO       48   Noise message 1 (in clear)
 *     2 CHALLENGE   48   Noise message 2 (in clear)
 *     3 RESPONSE    4..4+2*RV_MAX_APPDATA_UNITS, even: u8 intent (1 accept,
 *                        2 decline), u8 reserved[3], then the invitee's
 *                        application data, UTF-16LE (may be empty)
 *     4 CONFIRM     0
 *     5 DATA        2..2*max_context_units, even: UTF-16LE context data
 *     6 SEND_ERROR  4    u32 hr: the receiver could not deliver a DATA frame
 *     7 TERMINATE   4..4+2*max_context_units, (length-4) even: u32 hr + UTF-16LE
 *     8 CANCEL      0, or 4..4+2*RV_MAX_APPDATA_UNITS, even: u32 reason + the
 *                        canceller's application data, UTF-16LE (may be empty)
 *   Every frame after CHALLENGE, in each direction, is sealed: the header stays
 *   in clear and gives the length L of the plaintext payload (the bounds above
 *   apply to L), then come the payload's chunks of at most 65519 plaintext
 *   bytes, each encrypted with ChaChaPoly under the next nonce of that
 *   direction, the header as associated data, and followed by its 16-byte
 *   tag; an empty payload is one chunk of just a tag.  So L + 16 *
 *   max(1, ceil(L / 65519)) bytes follow the header.
 *   Any violation (unknown type, non-zero reserved bytes, bad length, a frame
 *   that is not expected in the current phase) is a protocol error: the
 *   connection is closed and an authenticated session ends TERMINATED with
 *   RV_E_PROTOCOL.  So is a sealed frame that does not open (changed,
 *   replayed, reordered, truncated, forged, or one before it lost): no event
 *   comes of it.  A direction that has used 2^62 nonces ends the session the
 *   same way.
 *
 * HANDSHAKE (i = invitee, r = inviter, K = secret, sid = session id)
 *
 *   Noise_NNpsk0_25519_ChaChaPoly_BLAKE2b, i the initiator, r the responder,
 *   K the pre-shared key, prologue "wine-rendezvous peer channel 2" | sid:
 *   i -> r  HELLO(-> psk, e)                          empty payload
 *   r -> i  CHALLENGE(<- e, ee)                       empty payload
 *   i -> r  RESPONSE(intent, appdata)                 sealed; i checked CHALLENGE
 *   r -> i  CONFIRM()                                 sealed
 *   Each direction then has its own key; the handshake hash, the same on
 *   both sides, gives rv_session_get_security_code.  A HELLO that does not
 *   authenticate (another secret, session or protocol version), or a
 *   RESPONSE that does not open (a replayed HELLO), makes the inviter close
 *   that connection with no event and keep listening (at most
 *   RV_MAX_PENDING_CONNECTIONS handshakes at once: a new connection then
 *   evicts the oldest that has not sent a HELLO that opens, and each has
 *   RV_HELLO_TIMEOUT_MS from accept for it; after RV_MAX_AUTH_FAILURES
 *   such failures the invitation is revoked: TERMINATED with
 *   RV_E_ACCESS_DENIED).  An invitee whose connection closes before CHALLENGE,
 *   or whose CHALLENGE does not authenticate, ends TERMINATED with
 *   RV_E_ACCESS_DENIED; one whose CONFIRM does not open ends TERMINATED with
 *   RV_E_PROTOCOL.  After a successful RESPONSE the listener is closed: one
 *   invitee per invitation.  Only the two peers can read or change the frames
 *   that follow.
 *
 * STATE MACHINE (every change is queued as on_state_changed(new, prev))
 *
 *   inviter: READY -invite-> INVITATION -(invitee RESPONSE accept)-> ACCEPTED ->
 *            CONNECTED; RESPONSE decline -> DECLINED
 *   invitee: READY -receive_invitation-> INVITATION -accept-> ACCEPTED
 *            -(CONFIRM)-> CONNECTED; decline -> DECLINED at once (the inviter is
 *            told in the background, also DECLINED)
 *   cancel (any non-final state): local CANCELLED; a peer that is connected or
 *            in the handshake ends DECLINED
 *   terminate (INVITATION, ACCEPTED, CONNECTED): local on_termination(hr, data)
 *            then CANCELLED; a connected peer gets the same two events, a peer
 *            still in the handshake ends DECLINED as with cancel
 *   transport failure, peer gone, protocol error, handshake timeout:
 *            on_termination(error, no data) then TERMINATED
 *   Final states: CANCELLED, DECLINED, TERMINATED.
 *
 * APPLICATION DATA AND ANSWERS
 *
 *   rv_session_accept_ex, rv_session_decline_ex and rv_session_cancel_ex carry
 *   up to RV_MAX_APPDATA_UNITS UTF-16 units to the peer (in RESPONSE and
 *   CANCEL), which gets on_answer just before the matching state change:
 *     inviter, invitee accepted:   on_answer(ACCEPTED, RV_S_OK, data), ACCEPTED
 *     inviter, invitee declined:   on_answer(DECLINED, RV_S_OK, data), DECLINED
 *     peer cancelled (connected, or the inviter while the invitee waits for
 *     CONFIRM):                    on_answer(CANCELLED, reason, data), DECLINED
 *   A CANCEL without payload (rv_session_cancel) gives reason RV_S_OK and no
 *   data.  Data goes to an authenticated peer only: an inviter that cancels
 *   while handshakes are unanswered sends them CANCEL without payload, and an
 *   invitee's RESPONSE goes out once CHALLENGE authenticated.  An invitee that cancels
 *   before its RESPONSE is sent declines instead: the inviter gets
 *   on_answer(DECLINED) with the cancel's data.  When the receiver cannot
 *   allocate a copy of the data, the answer comes without it.  The answer
 *   events are queued only when callbacks.on_answer is set, so a face without
 *   it sees exactly the events listed above.
 *
 * DELIVERY
 *
 *   Context data sent before a cancel or terminate is delivered before the
 *   peer's final state change.  When the receiver cannot store a DATA frame
 *   (allocation failure) it answers SEND_ERROR(E_OUTOFMEMORY) and the sender
 *   gets on_send_error (a frame too big for the connection's own buffer is
 *   then passed over unopened, its nonces skipped; a TERMINATE that cannot be
 *   stored ends the session with RV_E_OUTOFMEMORY).  When a connection fails
 *   while DATA frames are still queued locally, on_send_error(hr) comes
 *   before on_termination(hr).  Data
 *   that crosses the peer's own cancel on the wire is dropped silently: the
 *   sender learns of the end from its state change.  Frames that arrive
 *   before the peer's EOF or reset are delivered, in order, before the EOF is
 *   reported.
 *
 * DESTROY
 *
 *   rv_session_destroy still delivers what the session committed to: DATA
 *   accepted by rv_session_send_context_data, SEND_ERROR reports, and the
 *   TERMINATE, CANCEL or declining RESPONSE of an earlier terminate, cancel or
 *   decline (an invitee still in the handshake finishes it to say so).  Those
 *   connections leave the session for a process-wide closing list kept by the
 *   I/O thread for at most 5 s: their frames are written, the write side is
 *   shut, input is read and discarded until the peer's EOF (at most 1 s, and
 *   within the 5 s), then they close.  Every other connection closes at once,
 *   without RST (write side shut, pending input drained): a connected peer
 *   sees EOF and ends TERMINATED with RV_E_CONNECTION_RESET, after any DATA it
 *   was still owed when there was no terminate or cancel.
 *   Outside a handler of the session, destroy blocks until those frames are
 *   written to the socket (the kernel has them, so they arrive even if the
 *   process exits right after) and, when it releases the last session, also
 *   until the closing list is empty; both waits together end
 *   RV_DESTROY_TIMEOUT_MS after the kernel last took a byte (a peer that
 *   reads slowly but steadily gets everything), and last at most 5 s in
 *   all.  If that bound passes, the I/O thread keeps trying
 *   until the 5 s are over, except after the last session: then every closing
 *   connection is closed at once and what was not written yet is lost.
 *   From inside a handler of the session being destroyed it never waits: the
 *   frames are handed over the same way and written in the background, and
 *   the outermost dispatch frees the session without waiting either.  If that
 *   was the last session, the I/O thread outlives it until the closing list is
 *   empty (at most 5 s), stops on its own and is joined by the next
 *   rv_session_create.  A process that unloads the code of this library
 *   within that time may lose those frames; one that exits does not, as
 *   below.
 *
 * PROCESS EXIT
 *
 *   rv_process_exit, called by the exiting thread once every other thread is
 *   gone (DLL_PROCESS_DETACH at process exit), writes what every connection
 *   still owes (the DATA, SEND_ERROR, TERMINATE or CANCEL frames of live and
 *   destroyed sessions), shuts each write side and reads until the peer's EOF,
 *   for at most timeout_ms in all, so that the kernel sends no reset.  It
 *   raises no event and frees nothing, and does nothing when a dead thread
 *   held the core's lock (the I/O thread killed in the middle of a write: what
 *   the kernel took of it cannot be known).  Since send, terminate and cancel
 *   write at once from the calling thread what the socket takes, that only
 *   matters when more was queued.  Nothing of the library may be used after it.
 */

#ifndef __WINE_RENDEZVOUS_H
#define __WINE_RENDEZVOUS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Same values as the Windows HRESULTs, so a COM face can return them unchanged. */
typedef int32_t rv_result;

#define RV_S_OK                     ((rv_result)0)
#define RV_S_FALSE                  ((rv_result)1)
#define RV_E_INVALIDARG             ((rv_result)0x80070057u)
#define RV_E_OUTOFMEMORY            ((rv_result)0x8007000eu)
#define RV_E_POINTER                ((rv_result)0x80004003u)
#define RV_E_FAIL                   ((rv_result)0x80004005u)
/* HRESULT_FROM_WIN32(ERROR_INVALID_STATE): an operation in the wrong state */
#define RV_E_INVALID_STATE          ((rv_result)0x8007139fu)
/* E_ACCESSDENIED: the peer failed authentication */
#define RV_E_ACCESS_DENIED          ((rv_result)0x80070005u)
/* HRESULT_FROM_WIN32(ERROR_TIMEOUT): handshake deadline passed */
#define RV_E_TIMEOUT                ((rv_result)0x800705b4u)
/* HRESULT_FROM_WIN32(WSAECONNRESET): the peer vanished */
#define RV_E_CONNECTION_RESET       ((rv_result)0x80072746u)
/* HRESULT_FROM_WIN32(WSAECONNREFUSED) */
#define RV_E_CONNECTION_REFUSED     ((rv_result)0x8007274du)
/* HRESULT_FROM_WIN32(ERROR_INVALID_DATA): the peer violated the protocol */
#define RV_E_PROTOCOL               ((rv_result)0x8007000du)
/* Windows Messenger SESSION_RESULT codes used by rv_profile_messenger */
#define RV_SR_SESSION_NOT_READY         ((rv_result)0x81000605u)
#define RV_SR_NOT_VALID_FOR_APP_INVITE  ((rv_result)0x8100060fu)
#define RV_SR_CONTEXT_DATA_OVER_LIMIT   ((rv_result)0x81000611u)

#define RV_SUCCEEDED(hr) ((rv_result)(hr) >= 0)
#define RV_FAILED(hr)    ((rv_result)(hr) < 0)

/* RENDEZVOUS_SESSION_STATE / SESSION_STATE, value for value */
enum rv_state
{
    RV_STATE_UNKNOWN    = 0,
    RV_STATE_READY      = 1,
    RV_STATE_INVITATION = 2,
    RV_STATE_ACCEPTED   = 3,
    RV_STATE_CONNECTED  = 4,
    RV_STATE_CANCELLED  = 5,
    RV_STATE_DECLINED   = 6,
    RV_STATE_TERMINATED = 7,
};

/* RSF_INVITER / SF_INVITER and RSF_INVITEE / SF_INVITEE */
#define RV_FLAG_INVITER 0x1
#define RV_FLAG_INVITEE 0x2

/* Invitation text limit, characters; a buffer of RV_INVITATION_BUFFER_SIZE holds any. */
#define RV_INVITATION_MAX_LENGTH   255
#define RV_INVITATION_BUFFER_SIZE  (RV_INVITATION_MAX_LENGTH + 1)

#define RV_SESSION_ID_SIZE 16
#define RV_SECRET_SIZE     32

/* Hard limits (documented behaviour, see the comment at the top) */
#define RV_MAX_CONTEXT_UNITS_LIMIT   (1u << 20)          /* largest profile max_context_units */
#define RV_MAX_OUTGOING_BYTES        (4u << 20)          /* per session, queued unsent frames */
#define RV_SOCKET_BUFFER_BYTES       (256u << 10)        /* SO_SNDBUF and SO_RCVBUF: a 64 Ki-unit frame fits */
#define RV_MAX_INCOMING_BYTES        (4u << 20)          /* per session, undispatched events */
#define RV_MAX_PENDING_CONNECTIONS   4                   /* concurrent unauthenticated handshakes */
#define RV_HELLO_TIMEOUT_MS          2000                /* from accept to a HELLO that opens */
#define RV_DEFAULT_INVITATION_LIFETIME_MS (15u * 60 * 1000)
#define RV_MAX_INVITATION_LIFETIME_MS (24u * 60 * 60 * 1000)
#define RV_MAX_AUTH_FAILURES         16                  /* bad MACs before an invitation is revoked */
#define RV_DEFAULT_HANDSHAKE_TIMEOUT 10000               /* ms */
#define RV_DESTROY_TIMEOUT_MS        2000                /* rv_session_destroy's wait for a network that takes nothing */
#define RV_EXIT_TIMEOUT_MS           2000                /* what a process exit may wait for the network */
#define RV_MAX_APPDATA_UNITS         256                 /* accept, decline and cancel data (512 bytes) */

/*
 * Context-data rules, shared by both COM faces.  rv_session_send_context_data
 * checks, in this order:
 *   1. units == NULL or count == 0              -> RV_E_INVALIDARG
 *   2. count > max_context_units                -> hr_over_length
 *   3. state == RV_STATE_INVITATION             -> hr_in_invitation
 *   4. any other state but RV_STATE_CONNECTED   -> hr_not_connected
 *   5. max_successful_sends reached             -> hr_over_count
 *   6. allocation failure or outgoing queue over RV_MAX_OUTGOING_BYTES
 *                                               -> RV_E_OUTOFMEMORY
 * Only calls that return RV_S_OK count towards max_successful_sends.
 */
struct rv_profile
{
    uint32_t  max_context_units;     /* UTF-16 units, 1..RV_MAX_CONTEXT_UNITS_LIMIT */
    uint32_t  max_successful_sends;  /* 0 = unlimited */
    rv_result hr_over_length;
    rv_result hr_over_count;
    rv_result hr_in_invitation;
    rv_result hr_not_connected;
};

/* 65536 units, unlimited sends, E_INVALIDARG over length, RV_E_INVALID_STATE when not connected */
extern const struct rv_profile rv_profile_rendezvous;
/* 300 units, 5 sends, SR_CONTEXT_DATA_OVER_LIMIT, SR_NOT_VALID_FOR_APP_INVITE, SR_SESSION_NOT_READY */
extern const struct rv_profile rv_profile_messenger;

struct rv_session;

/* What the peer answered, see APPLICATION DATA AND ANSWERS at the top. */
enum rv_answer
{
    RV_ANSWER_ACCEPTED  = 1,
    RV_ANSWER_DECLINED  = 2,
    RV_ANSWER_CANCELLED = 3,
};

/*
 * Handlers run inside rv_session_dispatch only.  Any of them may be NULL.
 * Data pointers are valid for the duration of the call only.
 */
struct rv_session_callbacks
{
    void (*wake)(void *user);
    void (*on_state_changed)(void *user, enum rv_state new_state, enum rv_state prev_state);
    void (*on_context_data)(void *user, const uint16_t *units, uint32_t count);
    void (*on_termination)(void *user, rv_result hr, const uint16_t *units, uint32_t count);
    void (*on_send_error)(void *user, rv_result hr);
    /* Optional: without it no answer event is queued. */
    void (*on_answer)(void *user, enum rv_answer answer, rv_result hr, const uint16_t *units,
                      uint32_t count);
};

/* Fills buffer from the system's CSPRNG (getrandom, RtlGenRandom); RV_E_FAIL
 * when it cannot.  The secrets of the core and of its hosts come from here. */
rv_result rv_random(void *buffer, size_t size);

/*
 * Every allocation of the core goes through these (NULL, NULL = malloc/free).
 * Set it while no session exists and nothing allocated by the previous pair
 * is still alive.
 */
void rv_set_allocator(void *(*alloc_fn)(size_t size), void (*free_fn)(void *ptr));

/* New session in RV_STATE_READY; role_flags is RV_FLAG_INVITER, RV_FLAG_INVITEE,
 * or 0 when the role is chosen later with rv_session_set_role. */
rv_result rv_session_create(const struct rv_profile *profile, uint32_t role_flags,
                            const struct rv_session_callbacks *callbacks, void *user,
                            struct rv_session **out);
/* Chooses the role of a session made with role_flags 0, once, in RV_STATE_READY:
 * RV_E_INVALIDARG for anything but RV_FLAG_INVITER or RV_FLAG_INVITEE,
 * RV_E_INVALID_STATE when a role is already set or the session has moved on. */
rv_result rv_session_set_role(struct rv_session *s, uint32_t role_flags);
/* Closes everything, delivering the last frames; see DESTROY at the top.  NULL is ignored. */
void rv_session_destroy(struct rv_session *s);
/* At process exit, on the last thread: delivers what is owed; see PROCESS EXIT at the top. */
void rv_process_exit(uint32_t timeout_ms);

enum rv_state rv_session_get_state(struct rv_session *s);
uint32_t rv_session_get_flags(struct rv_session *s);
/* The inviter's random id; an invitee has it after rv_session_receive_invitation. */
rv_result rv_session_get_id(struct rv_session *s, uint8_t id[RV_SESSION_ID_SIZE]);
/* Numeric address of the peer ("127.0.0.1", "::1") once connected, else RV_S_FALSE. */
rv_result rv_session_get_peer_address(struct rv_session *s, char *buffer, size_t size);
/*
 * Six decimal digits and a NUL from the handshake hash of the connection that
 * carries the session, the same on both peers: users who compare them detect
 * a man in the middle.  Kept once that connection is established, also after
 * the session ends; RV_E_INVALID_STATE before (code gets "").
 */
rv_result rv_session_get_security_code(struct rv_session *s, char code[7]);
/* How long a later invitation can be answered, 1..RV_MAX_INVITATION_LIFETIME_MS
 * (default 15 min): then the inviter's listener and the handshakes still in
 * progress close, with no event, and the session stays in RV_STATE_INVITATION
 * until it is cancelled; an invitee that comes later finds nothing to connect to. */
rv_result rv_session_set_invitation_lifetime(struct rv_session *s, uint32_t lifetime_ms);

/*
 * Inviter: listen on bind_host (numeric, NULL = "127.0.0.1") and port (0 = any)
 * and hand the invitation text to take(ctx, text) while nothing is
 * visible yet: when take fails, the listener is closed, the state stays READY,
 * no event is queued, and take's result is returned.  take runs with a core
 * lock held: it may copy or allocate, but must not call into the core.
 */
rv_result rv_session_invite_with(struct rv_session *s, const char *bind_host, uint16_t port,
                                 rv_result (*take)(void *ctx, const char *invitation), void *ctx);
/* Invitee: READY -> INVITATION.  Malformed text: RV_E_INVALIDARG. */
rv_result rv_session_receive_invitation(struct rv_session *s, const char *invitation);
/* Invitee: INVITATION -> ACCEPTED at once, then CONNECTED when the handshake completes. */
rv_result rv_session_accept(struct rv_session *s);
/* Invitee: INVITATION -> DECLINED at once; the inviter is told in the background. */
rv_result rv_session_decline(struct rv_session *s);
/* Either side, any non-final state: -> CANCELLED; the peer ends DECLINED. */
rv_result rv_session_cancel(struct rv_session *s);
/*
 * The same with application data for the peer's on_answer (see the top):
 * count <= RV_MAX_APPDATA_UNITS, else RV_E_INVALIDARG; units may be NULL only
 * when count is 0.  Argument errors come before state errors; nothing changes
 * on any error.
 */
rv_result rv_session_accept_ex(struct rv_session *s, const uint16_t *units, uint32_t count);
rv_result rv_session_decline_ex(struct rv_session *s, const uint16_t *units, uint32_t count);
rv_result rv_session_cancel_ex(struct rv_session *s, rv_result reason, const uint16_t *units,
                               uint32_t count);
/*
 * INVITATION, ACCEPTED or CONNECTED: on_termination(hr, data) then CANCELLED on
 * this side, and on a connected peer.  count <= max_context_units; units may be
 * NULL only when count is 0.
 */
rv_result rv_session_terminate(struct rv_session *s, rv_result hr, const uint16_t *units,
                               uint32_t count);
/* See struct rv_profile for the checks.  RV_S_OK: accepted for in-order delivery. */
rv_result rv_session_send_context_data(struct rv_session *s, const uint16_t *units,
                                       uint32_t count);

/*
 * For a face that could not hand received context data on (for example, out of
 * memory building its event): tells the peer, whose sender gets
 * on_send_error(hr).  RV_E_INVALID_STATE when not connected.  Called from a
 * handler or anywhere else.  Never dropped: each report is one SEND_ERROR
 * frame and one on_send_error at the sender, even when reports pile up or
 * either side lacks memory (a few keep their own hr, the rest are counted).
 */
rv_result rv_session_report_delivery_failure(struct rv_session *s, rv_result hr);

/* Calls the handlers of pending events.  RV_S_OK if any ran, RV_S_FALSE if none. */
rv_result rv_session_dispatch(struct rv_session *s);

/*
 * For a host that has the system tell its own thread when the session's socket
 * is readable, so that the data needs no second thread woken.  On Windows a
 * socket has one readiness registration only
 * (WSAAsyncSelect), which the I/O thread's poll also needs: the core routes
 * the established connection's socket to the caller's window, as message
 * with wParam the socket and lParam WSAAsyncSelect's, and the owner passes
 * every such message to rv_session_socket_event on that window's thread, then
 * dispatches.  That reads what arrived on the calling thread and tells the
 * I/O thread of room to send again.  So the owner's thread must pump for the
 * session to hear its peer and to send more than the socket took at once.
 * When the connection no longer carries the session (terminated, ended,
 * destroyed), the I/O thread takes the socket back; later messages for it get
 * RV_S_FALSE.  rv_session_route_socket gives RV_S_FALSE when there is no
 * established connection or the platform cannot route (not Windows).
 */
rv_result rv_session_route_socket(struct rv_session *s, uintptr_t window, uint32_t message, uintptr_t *socket);
rv_result rv_session_socket_event(struct rv_session *s, uintptr_t socket, uintptr_t lparam);

/* Parsed invitation; addr holds 4 (IPv4) or 16 (IPv6) bytes in network order. */
struct rv_invitation
{
    uint8_t  family;                      /* 4 or 6 */
    uint8_t  addr[16];
    uint16_t port;
    uint8_t  session_id[RV_SESSION_ID_SIZE];
    uint8_t  secret[RV_SECRET_SIZE];
};

/* Strict parser of a NUL-terminated invitation; reads at most 256 characters. */
rv_result rv_invitation_parse(const char *text, struct rv_invitation *out);

#ifdef __cplusplus
}
#endif

#endif /* __WINE_RENDEZVOUS_H */
