/*
 * rendezvoussession.dll private definitions
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

#ifndef __RENDEZVOUSSESSION_PRIVATE_H
#define __RENDEZVOUSSESSION_PRIVATE_H

#include "rendezvoussession.h"
#include "winerendezvous.h"
#include "rvcombase.h"
#include "rv_ticket.h"

extern HINSTANCE rendezvous_instance;


/* Type information: our dual interfaces (WineRendezvousLib) and, for the
 * Remote Assistance sink, DRendezvousSessionEvents (RendezvousSessionLib). */
enum type_id
{
    IRendezvousSessionHost_tid,
    DRendezvousSessionEvents_tid,
    LAST_tid
};

/* Indexed by enum type_id, for the dispatch_* helpers. */
extern struct typeinfo_cache rendezvous_typeinfo;


HRESULT rendezvous_session_create(REFIID riid, void **obj);

/* Remote Assistance (application.c): the classes Windows registers under
 * HKLM\SOFTWARE\Microsoft\RendezvousApps.  CLSID_RendezvousApplication and
 * the Ask component behave alike. */
DEFINE_GUID(CLSID_RemoteAssistanceAsk, 0xc0b3c446, 0x3032, 0x4016, 0x92, 0x6f, 0x9b, 0xae, 0x48, 0xbe, 0xbf, 0xbe);
DEFINE_GUID(CLSID_RemoteAssistanceOffer, 0x49010c18, 0xb110, 0x421a, 0x90, 0x47, 0xad, 0xca, 0x42, 0x1c, 0xbc, 0x40);

HRESULT rendezvous_application_create_ask(REFIID riid, void **obj);
HRESULT rendezvous_application_create_offer(REFIID riid, void **obj);
void rendezvous_application_unregister_class(void);

/* The factory of the module's proxies and stubs (proxy.c), whose CLSID is, as
 * MIDL makes it, the IID of the first interface: IRendezvousSession's; and
 * oleaut32's typelib marshaler, which it replaces for the module's interfaces. */
DEFINE_GUID(CLSID_RendezvousProxyStub, 0x9ba4b1dd, 0x8b0c, 0x48b7, 0x9e, 0x7c, 0x2f, 0x25, 0x85, 0x7c, 0x8d, 0xf5);
DEFINE_GUID(CLSID_PSOAInterface, 0x00020424, 0x0000, 0x0000, 0xc0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x46);
HRESULT rendezvous_proxy_get_class_object(REFCLSID clsid, REFIID riid, void **obj);
HRESULT rendezvous_proxy_can_unload_now(void);
HRESULT WINAPI __wine_rendezvous_idle(void);

/* Codes Remote Assistance ends a session with (docs/behaviour.md). */
#define RA_E_BAD_MESSAGE     HRESULT_FROM_WIN32(ERROR_INVALID_DATA)       /* refused hello, ticket or ack */
#define RA_E_NO_BACKEND      HRESULT_FROM_WIN32(ERROR_NOT_SUPPORTED)      /* no backend configured */
#define RA_E_TIMEOUT         HRESULT_FROM_WIN32(ERROR_TIMEOUT)            /* handshake or backend too slow */
#define RA_E_BACKEND_OUTPUT  HRESULT_FROM_WIN32(ERROR_BAD_FORMAT)         /* backend's output not understood */
#define RA_E_BACKEND_CONFIG  HRESULT_FROM_WIN32(ERROR_BAD_CONFIGURATION)  /* unusable backend template */
#define RA_E_ALREADY_SET     HRESULT_FROM_WIN32(ERROR_ALREADY_INITIALIZED)
/* Messenger's SR_CONTEXT_DATA_OVER_LIMIT (msgrpriv.h), as its SendContextData
 * (and the bridge over it) refuses more than 300 units. */
#define RA_E_CONTEXT_OVER_LIMIT ((HRESULT)0x81000611)

/* Backends (backend.c): command templates from the registry, run with the
 * session's values, reporting back to a window. */
struct rv_ticket_address;
struct backend_job;

enum backend_role
{
    BACKEND_SHARE,
    BACKEND_CONNECT,
};

#define BACKEND_MAX_USER 64
#define BACKEND_ID_SIZE 16
#define BACKEND_SECRET_SIZE 32
/* The SHA-256 of the screen server's certificate (docs/behaviour.md, "Backends"). */
#define BACKEND_FINGERPRINT_SIZE 32
/* The security code as users see it, "123 456" (docs/behaviour.md), and a NUL. */
#define BACKEND_CODE_SIZE 8

struct backend_request
{
    enum backend_role role;
    const WCHAR *command;               /* the template */
    BOOL expand;                        /* REG_EXPAND_SZ: environment variables too */
    DWORD timeout;                      /* ms until the backend must have started */
    const char *user;                   /* sanitised, see backend_sanitise_user */
    const BYTE *id;                     /* BACKEND_ID_SIZE bytes */
    const BYTE *secret;                 /* BACKEND_SECRET_SIZE bytes */
    const struct rv_ticket_address *addresses;  /* connect: where to go */
    unsigned int count;
    const char *code;                   /* "123 456" of our own session, or NULL */
    const BYTE *fingerprint;            /* connect: the ticket's, BACKEND_FINGERPRINT_SIZE bytes, or NULL */
};

/* The template of a role, CoTaskMemAlloc'ed, or NULL (S_FALSE) when none is
 * configured; *expand tells whether it is a REG_EXPAND_SZ. */
HRESULT backend_get_command(enum backend_role role, WCHAR **command, BOOL *expand);
DWORD backend_get_start_timeout(void);
DWORD backend_get_handshake_timeout(void);
DWORD backend_get_invitation_lifetime(void);
/* Keeps [A-Za-z0-9@._+-] and writes '_' for anything else; at most BACKEND_MAX_USER characters. */
void backend_sanitise_user(const WCHAR *name, UINT length, char *out);
/* Starts the backend on a worker thread, which posts message (lparam = job) to
 * window when it has started or failed.  The message carries a reference;
 * *job gets another for the caller. */
HRESULT backend_start(const struct backend_request *request, HWND window, UINT message,
                      struct backend_job **job);
/* Asks the worker to give up; a process it started and that did not succeed is killed. */
void backend_cancel(struct backend_job *job);
/* After the message: S_OK or the backend's failure. */
HRESULT backend_get_result(struct backend_job *job);
/* Share only: the addresses it reported (at most RV_TICKET_MAX_ADDRESSES). */
unsigned int backend_get_addresses(struct backend_job *job, struct rv_ticket_address *addresses);
/* Share only: whether it reported a FINGERPRINT, and that fingerprint. */
BOOL backend_get_fingerprint(struct backend_job *job, BYTE *fingerprint);
/* A running backend and whatever it started, in a job object of its own when
 * the process could be put in one: Wine 8 leaves a killed backend's console
 * host running at times, and with it the whole prefix, unless it goes too. */
struct backend_process
{
    HANDLE process;
    HANDLE job;
};
/* Share only: takes the running backend (both handles NULL when none). */
void backend_take_process(struct backend_job *job, struct backend_process *out);
/* Kills the backend and what it started (exit code ERROR_CANCELLED), then closes the handles. */
void backend_process_stop(struct backend_process *process);
/* Closes the handles: the backend runs on. */
void backend_process_detach(struct backend_process *process);
/* Share, after the helper's ACK: the backend runs on while this process does
 * and ends with it (the IM program's end ends the sharing). */
void backend_process_hand_over(struct backend_process *process);
/* How many handed-over share backends still run: the DLL stays loaded for them. */
unsigned int backend_shares_running(void);
void backend_release(struct backend_job *job);

/* The Remote Assistance handshake (handshake.c), run by a RendezvousApplication
 * from its window: messages and timer below go to that window. */
#define WM_RA_EVENTS    (WM_APP + 0x60)
#define WM_RA_BACKEND   (WM_APP + 0x61)    /* lparam: the backend_job */
#define HANDSHAKE_TIMER 1

enum handshake_phase
{
    PHASE_IDLE,             /* no session yet */
    PHASE_WAIT_CONNECTED,   /* session held, not yet RSS_CONNECTED */
    PHASE_WAIT_HELLO,       /* sharer */
    PHASE_SHARE_STARTING,   /* sharer: Share backend starting */
    PHASE_WAIT_ACK,         /* sharer: ticket sent */
    PHASE_WAIT_TICKET,      /* helper: hello sent */
    PHASE_CONNECT_STARTING, /* helper: Connect backend starting */
    PHASE_WAIT_END,         /* helper: ack sent, the sharer terminates */
    PHASE_ENDED,            /* session released */
};

struct handshake;

struct handshake_ops
{
    /* A backend job was started: its WM_RA_BACKEND message keeps the owner
     * alive, and the owner releases that reference when it handles it. */
    void (*hold)(struct handshake *hs);
    /* The session is over: the owner unadvises and releases session.  The
     * owner may go away in this call: the handshake touches nothing after it. */
    void (*end)(struct handshake *hs, IRendezvousSession *session);
};

struct handshake
{
    const struct handshake_ops *ops;
    enum handshake_phase phase;
    BOOL sharer;
    IRendezvousSession *session;
    IRendezvousSessionHost *host;   /* our own session's: its security code; else NULL */
    HWND window;
    BOOL timer;
    char user[BACKEND_MAX_USER + 1];
    WCHAR *command;             /* this side's backend template */
    BOOL command_expand;        /* a REG_EXPAND_SZ */

    /* Work found while the owner's loop runs (an outgoing call lets COM
     * dispatch its messages): done by handshake_run_pending, never nested. */
    BOOL timed_out;
    struct backend_job *done_job;

    BYTE nonce[RV_TICKET_NONCE_SIZE];
    BYTE id[RV_TICKET_ID_SIZE];
    BYTE secret[RV_TICKET_SECRET_SIZE];
    struct rv_ticket ticket;
    struct backend_job *job;
    struct backend_process share_process;
};

/* Takes the references of session and host (NULL for another IM's session);
 * user is the remote user, as the IM names it. */
void handshake_begin(struct handshake *hs, const struct handshake_ops *ops, IRendezvousSession *session,
                     IRendezvousSessionHost *host, HWND window, BOOL sharer, BSTR user);
/* Between handshake_begin and the session's end. */
BOOL handshake_active(const struct handshake *hs);
/* The IM's events, one at a time. */
void handshake_check_state(struct handshake *hs);
void handshake_data(struct handshake *hs, BSTR data);
/* Ends the session on our side with Terminate(result), then lets go of it. */
void handshake_terminate(struct handshake *hs, HRESULT result);
/* Lets go of a session that is over. */
void handshake_end(struct handshake *hs);
/* WM_RA_BACKEND: TRUE when job is this handshake's, for handshake_run_pending. */
BOOL handshake_take_backend(struct handshake *hs, struct backend_job *job);
/* HANDSHAKE_TIMER: for handshake_run_pending. */
void handshake_timer_fired(struct handshake *hs);
/* Handles a timeout or a finished backend; FALSE when there was none. */
BOOL handshake_run_pending(struct handshake *hs);
/* Frees the backend template and wipes the secrets. */
void handshake_free(struct handshake *hs);

#endif /* __RENDEZVOUSSESSION_PRIVATE_H */
