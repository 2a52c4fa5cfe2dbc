/*
 * Rendezvous core: session, connection and event structures
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

#ifndef __WINE_RV_CORE_H
#define __WINE_RV_CORE_H

#include "rv_private.h"
#include "rv_port.h"
#include "rv_noise.h"

/* Listener plus concurrent handshakes: the most sockets one session ever has. */
#define RV_CONNS_PER_SESSION (1 + RV_MAX_PENDING_CONNECTIONS)
/* How long a closing connection, orphaned or not, may take to flush its last frames. */
#define RV_LINGER_MS 5000
/* Once its frames are out and the write side is shut: how long it waits for the peer's EOF. */
#define RV_DRAIN_MS 1000
/* At most this much unread input is discarded before a socket is closed. */
#define RV_CLOSE_DRAIN_BYTES 65536
/* Pause after a failing accept(), so that a full descriptor table cannot spin the I/O thread. */
#define RV_ACCEPT_BACKOFF_MS 100
#define RV_MAX_STATE_EVENTS 4

enum event_kind
{
    EV_STATE,
    EV_CONTEXT_DATA,
    EV_TERMINATION,
    EV_SEND_ERROR,
    EV_ANSWER,
};

/* An inviter hears of an accept and then of a cancel; anyone else of one answer. */
#define RV_MAX_ANSWER_EVENTS 2

struct rv_slab;

struct rv_event
{
    struct rv_event *next;
    uint8_t          kind;
    uint8_t          allocated;   /* the event itself is freed after dispatch */
    uint8_t          large;       /* from large_alloc */
    enum rv_state    new_state;
    enum rv_state    prev_state;
    rv_result        hr;
    uint8_t          answer;      /* EV_ANSWER: enum rv_answer */
    uint32_t         count;
    const uint16_t  *units;
    void            *block;       /* separately allocated data, freed after dispatch */
    size_t           charge;      /* bytes counted against RV_MAX_INCOMING_BYTES */
    struct rv_slab  *slab;        /* carved from this slab (allocated events only) */
};

/* At most this many events, and this many bytes of them, leave the queue at once
 * for delivery without the lock. */
#define RV_DISPATCH_BATCH       256
#define RV_DISPATCH_BATCH_BYTES (64u << 10)

/* One queued outgoing frame: header and payload in a single allocation. */
struct rv_out
{
    struct rv_out *next;
    uint32_t       size;
    uint32_t       sent;
    uint8_t        is_data;
    uint8_t        large;         /* from large_alloc */
    uint32_t       sealed;        /* chunks sealed: all once its first byte is to go out */
    uint8_t        bytes[];       /* header + payload, with room for the tags */
};

enum conn_phase
{
    PHASE_LISTEN,           /* inviter: listening socket */
    PHASE_WAIT_HELLO,       /* inviter: accepted, unauthenticated */
    PHASE_WAIT_RESPONSE,    /* inviter: CHALLENGE sent */
    PHASE_CONNECTING,       /* invitee: TCP connect in progress, HELLO ready */
    PHASE_WAIT_CHALLENGE,   /* invitee: HELLO sent */
    PHASE_WAIT_CONFIRM,     /* invitee: RESPONSE sent */
    PHASE_ESTABLISHED,      /* authenticated, frames flow */
    PHASE_CLOSING,          /* flush the last frames, shut down, wait for EOF */
};

struct rv_conn
{
    struct rv_conn    *next;
    struct rv_session *session;     /* NULL once closed or orphaned: never used then */
    rv_socket          sock;
    uint8_t            phase;
    uint8_t            dead;
    uint8_t            detached;    /* the session no longer follows it: no events */
    uint8_t            host_reads;  /* the owner's thread reads it (rv_session_read_now) */
    uint8_t            routed;      /* its readiness goes to the owner's window (rv_socket_route) */
    uint8_t            pending;     /* inviter handshake counted in n_pending */
    uint8_t            intent;      /* invitee: intent for RESPONSE */
    uint8_t            final_cancel;/* send CANCEL once the queue is flushed */
    uint8_t            shut;        /* write side shut down */
    uint32_t           seq;         /* inviter: order of acceptance, for eviction */
    uint64_t           accepted;    /* inviter: when it was accepted */
    uint8_t            rx_dropped;  /* the DATA frame being read could not be stored */
    uint8_t            orphan;      /* its session is destroyed: in the closing list */
    uint8_t            n_errors;
    uint8_t            sealed;      /* the handshake is done: frames are sealed both ways */
    uint8_t            seal_failed; /* a control frame could not be sealed: the connection fails */
    uint16_t           ctl_len;
    uint16_t           ctl_sent;
    uint16_t           answer_len;  /* invitee: bytes of application data for RESPONSE */
    uint16_t           cancel_len;  /* bytes of the final CANCEL's payload (0: none) */
    uint8_t           *answer;      /* invitee: that data, UTF-16LE (rv_alloc) */
    uint8_t           *cancel;      /* that payload: reason + UTF-16LE (rv_alloc) */
    rv_result          errors[4];   /* SEND_ERROR frames to send */
    uint32_t           errors_owed; /* more of them, once errors[] was full: never dropped */
    rv_result          owed_hr;     /* their hr */
    uint64_t           deadline;    /* 0 = none */
    uint32_t           ticket;      /* orphan: the destroy that handed it over */
    struct rv_decoder  dec;
    struct rv_event   *rx_event;    /* DATA being read into its event */
    struct rv_slab    *slab;        /* where its small DATA events are carved */
    uint8_t           *rx_block;    /* TERMINATE payload being read */
    uint8_t           *rx_buf;      /* where the frame being read goes whole; NULL: dropped */
    uint32_t           rx_opened;   /* its chunks opened as they came */
    struct rv_out     *out_head;
    struct rv_out     *out_tail;
    size_t             out_bytes;
    uint32_t           out_data;    /* DATA frames not completely written */
    uint8_t            small[RV_SMALL_PAYLOAD_MAX + RV_SEAL_TAG];
    uint8_t            ctl[RV_FRAME_HEADER_SIZE + RV_SMALL_PAYLOAD_MAX + RV_SEAL_TAG];
    /* The handshake (an orphan still in it keeps its own PSK there), then the ciphers. */
    struct rv_noise        noise;
    struct rv_noise_cipher tx;
    struct rv_noise_cipher rx;
    uint8_t            hash[RV_NOISE_HASH_SIZE];    /* handshake hash */
};

struct rv_session
{
    struct rv_session          *prev;
    struct rv_session          *next;
    struct rv_session          *wake_next;
    struct rv_profile           profile;
    struct rv_session_callbacks cb;
    void                       *user;
    uint32_t                    flags;
    enum rv_state               state;
    uint32_t                    hs_timeout;
    uint32_t                    lifetime;       /* of the invitation, ms */
    uint64_t                    expires;        /* inviter: when the listener closes */
    uint32_t                    accept_seq;
    uint32_t                    sends_ok;
    uint32_t                    auth_failures;
    uint8_t                     id[RV_SESSION_ID_SIZE];
    uint8_t                     secret[RV_SECRET_SIZE];
    uint8_t                     hash[RV_NOISE_HASH_SIZE];   /* of the established channel */
    uint8_t                     hash_known;
    struct rv_addr              peer;         /* invitee: the inviter's address */
    struct rv_addr              remote;       /* peer address once connected */
    uint8_t                     remote_known;
    uint8_t                     closing;      /* destroyed: no more events or wakes */
    uint8_t                     io_held;      /* counted by the I/O thread: it used the network */
    uint8_t                     destroy_deferred;
    uint8_t                     wake_pending; /* a wake was given and not yet followed by dispatch */
    uint8_t                     wake_queued;  /* in core.wake list */
    uint8_t                     throttled;
    unsigned int                n_pending;
    unsigned int                in_wake;
    unsigned int                dispatch_depth;
    rv_thread_id                dispatch_thread;
    struct rv_conn             *conns;
    struct rv_conn             *active;       /* the connection that carries the session */
    struct rv_conn             *listener;
    struct rv_event            *ev_head;
    struct rv_event            *ev_tail;
    size_t                      ev_bytes;
    unsigned int                n_state_events;
    struct rv_event             state_events[RV_MAX_STATE_EVENTS];
    struct rv_event             term_event;
    struct rv_event             send_error_event;
    struct rv_event             answer_events[RV_MAX_ANSWER_EVENTS];
    uint8_t                     n_answers;
    uint8_t                     term_used;
    uint8_t                     send_error_queued;  /* send_error_event is in the queue */
    /* Taken off the queue by the dispatching thread and touched by it alone: */
    struct rv_event            *batch;        /* not yet delivered, batch_left of them */
    unsigned int                batch_left;
    struct rv_event             batch_send_error;  /* send_error_event as it was taken */
    struct rv_event            *delivered;    /* to free under the lock */
};

/* Process-wide state, all under core.lock. */
struct rv_core
{
    rv_mutex            lock;
    rv_cond             event_cond;     /* an event was queued */
    rv_cond             idle_cond;      /* a wake or dispatch finished */
    struct rv_session  *sessions;
    struct rv_session  *wake_head;
    struct rv_session  *wake_tail;
    unsigned int        n_sessions;
    int                 exiting;        /* rv_process_exit runs: nothing is freed */
};

extern struct rv_core core;

static inline int state_is_final(enum rv_state state)
{
    return state == RV_STATE_CANCELLED || state == RV_STATE_DECLINED || state == RV_STATE_TERMINATED;
}

/* queue.c: a session's events (core.lock held) */
void session_set_state(struct rv_session *s, enum rv_state state);
void session_queue_event(struct rv_session *s, struct rv_event *ev);
void session_queue_termination(struct rv_session *s, rv_result hr, void *block,
                               const uint16_t *units, uint32_t count, size_t charge);
void session_queue_send_error(struct rv_session *s, rv_result hr);
/* Queues on_answer with data in UTF-16LE bytes (length even, at most RV_APPDATA_BYTES);
 * nothing when the session has no on_answer handler. */
void session_queue_answer(struct rv_session *s, enum rv_answer answer, rv_result hr,
                          const uint8_t *data, uint32_t length);
/* Ends a live session on an error: termination event, TERMINATED, connections closed. */
void session_fail(struct rv_session *s, rv_result hr);

/* session.c */
/* Delivers pending wakes (only == NULL: all of them); may drop and retake core.lock. */
void session_deliver_wakes(struct rv_session *only);

/* pool.c: the buffer pools (core.lock held) */
/* Blocks of RV_LARGE_MIN bytes or more, kept for reuse while sessions exist. */
#define RV_LARGE_MIN (16u << 10)
void *large_alloc(size_t size);
void large_free(void *ptr);
/* Frees the blocks kept for reuse. */
void large_trim(void);
/* Events of at most this size are carved from a slab of their connection. */
#define SLAB_EVENT_MAX  1024u
/* Carves an event from c's slab; the caller sets the event's slab to *ret. */
struct rv_event *slab_event_alloc(struct rv_conn *c, size_t size, struct rv_slab **ret);
/* Gives back an event carved from a slab. */
void slab_event_free(struct rv_event *ev);
/* The connection ends: its current slab goes with its last event. */
void slab_release(struct rv_conn *c);
struct rv_out *out_new(uint8_t type, uint32_t payload_size, int is_data);
void out_free(struct rv_out *out);
/* Frees an event's data, and the event itself when it was allocated. */
void event_free(struct rv_event *ev);

/*
 * The layers call one way: the session (session.c, handshake.c), then the
 * connections (conn.c, channel.c), then the I/O thread (io.c), over the
 * pools (pool.c).  What happens below goes back up through these callbacks.
 */

/* What a connection tells the session layer (session.c registers it with conn_init; core.lock held). */
struct conn_upcalls
{
    /* A handshake frame opened and is in c->small; c->phase says which. */
    void (*handshake_frame)(struct rv_conn *c);
    /* An inviter's handshake that did not authenticate: another secret or a forgery. */
    void (*handshake_rejected)(struct rv_conn *c);
    /* From the authenticated peer: context data (ev goes to the session), */
    void (*data)(struct rv_session *s, struct rv_event *ev);
    /* SEND_ERROR, */
    void (*send_error)(struct rv_session *s, rv_result hr);
    /* TERMINATE (block: its payload, rv_alloc, or NULL with hr alone), */
    void (*terminated)(struct rv_conn *c, rv_result hr, uint8_t *block, uint32_t length);
    /* CANCEL, in c->small. */
    void (*cancelled)(struct rv_conn *c);
    /* The connection that carries s failed; lost: context data was still queued on it. */
    void (*failed)(struct rv_session *s, rv_result hr, int lost);
    /* After a round of the I/O thread: the wakes owed go out (may drop and retake core.lock). */
    void (*deliver)(void);
};

/* handshake.c: the handshake's frame handlers (core.lock held) */
/* A frame of the handshake opened: conn_upcalls.handshake_frame. */
void handshake_on_frame(struct rv_conn *c);
/* Inviter: closes a connection that did not authenticate; too many end the session. */
void inviter_reject(struct rv_conn *c);
/* A CANCEL from the authenticated peer is in c->small: queues on_answer. */
void queue_cancel_answer(struct rv_conn *c);

/* conn.c (core.lock held) */
/* Before the first session, without core.lock: where connections report; registers the I/O thread's client. */
void conn_init(const struct conn_upcalls *upcalls);
struct rv_conn *conn_new(struct rv_session *s);
void conn_discard(struct rv_conn *c);   /* never linked */
void conn_link(struct rv_conn *c);
void conn_close(struct rv_conn *c);
/* A failure on c: the session ends if c carries it. */
void conn_fail(struct rv_conn *c, rv_result hr);
void conn_append(struct rv_conn *c, struct rv_out *out);
/* From an API call: writes what is queued at once; 1 when the I/O thread must still act. */
int conn_write_now(struct rv_conn *c);
/* From an API call: reads what an established connection has now (rv_session_read_now). */
void conn_read_now(struct rv_conn *c);
/* Whether the owner reads the connection, not the I/O thread. */
int conn_read_by_host(const struct rv_conn *c);
/* The socket of an established connection; 0 when it is not one. */
int conn_get_socket(const struct rv_conn *c, rv_socket *sock);
/* From an API call: routes an established connection's readiness to the
 * owner's window, which then reads it (rv_session_route_socket); 1 if routed. */
int conn_route(struct rv_conn *c, uintptr_t window, uint32_t message);
/* A routed message for c (rv_session_socket_event); RV_S_FALSE when socket is not c's routed one. */
rv_result conn_routed_event(struct rv_conn *c, uintptr_t socket, uintptr_t lparam);
/*
 * Local cancel: listener closed, handshakes told, peer sent CANCEL.  block
 * (rv_alloc, or NULL) is the payload for the one authenticated connection,
 * reason + UTF-16LE, which takes it over; an invitee whose RESPONSE is not out
 * yet declines instead, with the payload's data.  Unauthenticated handshakes
 * get a CANCEL without payload.  block is freed when nobody takes it.
 */
void session_cancel_conns(struct rv_session *s, uint8_t *block, uint32_t length);
void session_close_conns(struct rv_session *s, int keep_detached);
/*
 * Destroy: connections with frames still to write, or lingering for the peer's
 * EOF, move to the process-wide closing list; the others close.  Returns a
 * ticket for io_wait_handover, 0 when nothing is left to write.
 */
uint32_t session_hand_over_conns(struct rv_session *s);

/* What the I/O thread asks of the connection layer (conn.c registers it; core.lock held). */
struct io_client
{
    /* Fills fds and owners from index 1 on (at most cap entries in all) with
     * what to poll, lowers *next to the next deadline; returns the count, index 0 included. */
    unsigned int (*poll_set)(rv_pollfd *fds, struct rv_conn **owners, unsigned int cap, uint64_t now,
                             uint64_t *next);
    /* The poll reported revents for c. */
    void (*on_ready)(struct rv_conn *c, short revents);
    /* After each round: the deadlines that passed, */
    void (*check_deadlines)(uint64_t now);
    /* then what the round owes the layers above (may drop and retake core.lock). */
    void (*deliver)(void);
    /* The closing list (connections of destroyed sessions): its length; */
    unsigned int (*closing_count)(void);
    /* closes them all; */
    void (*close_closing)(void);
    /* whether some of a ticket's frames are still to be written. */
    int (*handover_pending)(uint32_t ticket);
    /* Process exit: fills fds (from 0) with the connections that still owe their peer; returns the count. */
    unsigned int (*exit_poll_set)(rv_pollfd *fds, struct rv_conn **owners, unsigned int cap);
    /* and what the poll reported for one of them. */
    void (*exit_on_ready)(struct rv_conn *c, short revents);
};

/* io.c: the I/O thread, its loop and process exit (core.lock held unless noted) */
/* Before the first io_acquire, without core.lock. */
void io_set_client(const struct io_client *client);
rv_result io_acquire(void);             /* without core.lock */
/*
 * How long a destroy waits for the network: RV_DESTROY_TIMEOUT_MS without the
 * kernel taking a byte, so that a peer that reads slowly but steadily still
 * gets everything, and at most RV_LINGER_MS in all, the closing list's bound.
 */
struct network_wait
{
    uint64_t deadline;      /* extended by each byte the kernel takes */
    uint64_t end;           /* never beyond */
    uint64_t written;       /* bytes_written when last seen */
};
void network_wait_start(struct network_wait *w);
/* Counts bytes the kernel took: the progress network_wait looks for. */
void network_wait_progress(uint64_t bytes);
/*
 * Without core.lock.  For the last session, a wait lets closing connections
 * finish within it before the I/O thread is joined; NULL never waits for
 * them, and the thread then outlives the session until they are done.
 */
void io_release(struct network_wait *wait);
void io_signal(void);
int io_on_thread(void);
/* Waits, releasing core.lock, until the ticket's frames are written or the wait is over. */
void io_wait_handover(uint32_t ticket, struct network_wait *wait);
/* Room in the poll set for every socket the sessions and the closing list may own. */
rv_result reserve_poll_entries(unsigned int sessions, unsigned int closing);
/* A closed connection goes to the graveyard: freed at the start of the I/O thread's next round. */
void io_bury(struct rv_conn *c);

/* channel.c: the Noise handshake and the sealing of frames (core.lock held) */
/* Invitee: starts the handshake and composes HELLO. */
rv_result channel_start(struct rv_conn *c, const uint8_t *secret, const uint8_t *sid);
/* Inviter: reads HELLO from c->small, composes CHALLENGE; then sealed. */
rv_result channel_on_hello(struct rv_conn *c, const uint8_t *secret, const uint8_t *sid);
/* Invitee: reads CHALLENGE from c->small; then sealed. */
rv_result channel_on_challenge(struct rv_conn *c);
/* Puts a control frame in c->ctl, sealed once the channel is; a failure to
 * seal makes the next write fail the connection (seal_failed). */
void channel_set_ctl(struct rv_conn *c, uint8_t type, const uint8_t *payload, uint32_t size);
/*
 * Seals a queued frame in place once, when it starts going out; from then on
 * it goes out whole before anything else, as its nonces are taken.
 */
rv_result channel_seal_out(struct rv_conn *c, struct rv_out *o);
/* Opens the chunks of the frame being read that came whole (not its last). */
rv_result channel_open_arrived(struct rv_conn *c);
/*
 * Opens in place the frame the decoder just read into c->rx_buf (the
 * plaintext is moved to its start), when it is sealed and acted on.  An
 * error ends the connection: RV_E_PROTOCOL when it does not open.
 */
rv_result channel_open_frame(struct rv_conn *c);
/* The connection carries its session: the session keeps the handshake hash. */
void channel_established(struct rv_conn *c);
/* Wipes the handshake and the ciphers. */
void channel_clear(struct rv_conn *c);

#endif /* __WINE_RV_CORE_H */
