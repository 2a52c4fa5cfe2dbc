/*
 * The Remote Assistance handshake over an IM's rendezvous session
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
 * The handshake of docs/behaviour.md, "Remote Assistance":
 *
 *   the sharer (Ask: the inviter; Offer: the invitee) waits for the helper's
 *   HELLO, starts its Share backend, sends the TICKET, waits for the ACK and
 *   calls Terminate(S_OK);
 *   the helper sends HELLO once connected, checks the TICKET, starts its
 *   Connect backend, sends the ACK and waits for the sharer to terminate.
 *
 * Anything unexpected ends the session with Terminate(error).  The owner
 * (application.c) feeds it the IM's events one at a time, from its window's
 * thread, and is told through handshake_ops when the session is over.
 */

#define COBJMACROS

#include <windows.h>
#include <ole2.h>

#include "rendezvoussession_private.h"

#include "wine/debug.h"

WINE_DEFAULT_DEBUG_CHANNEL(rendezvous);

static const char *phase_name(enum handshake_phase phase)
{
    static const char *const names[] =
    {
        "idle", "wait-connected", "wait-hello", "share-starting", "wait-ack",
        "wait-ticket", "connect-starting", "wait-end", "ended",
    };
    return phase < ARRAY_SIZE(names) ? names[phase] : "?";
}

/* Talking to the IM's session */

static HRESULT send_text(struct handshake *hs, const char *text)
{
    IRendezvousSession *session;
    UINT i, len = strlen(text);
    HRESULT hr;
    BSTR data;

    if (!(data = SysAllocStringLen(NULL, len))) return E_OUTOFMEMORY;
    for (i = 0; i < len; i++) data[i] = (unsigned char)text[i];
    TRACE("%p sends %u characters\n", hs, (unsigned int)strlen(text));
    session = hs->session;
    IRendezvousSession_AddRef(session);
    hr = IRendezvousSession_SendContextData(session, data);
    IRendezvousSession_Release(session);
    SecureZeroMemory(data, len * sizeof(WCHAR));
    SysFreeString(data);
    if (FAILED(hr)) WARN("SendContextData failed: %#lx\n", hr);
    return hr;
}

static void stop_timer(struct handshake *hs)
{
    if (hs->timer && hs->window) KillTimer(hs->window, HANDSHAKE_TIMER);
    hs->timer = FALSE;
}

void handshake_free(struct handshake *hs)
{
    CoTaskMemFree(hs->command);
    hs->command = NULL;
    SecureZeroMemory(hs->secret, sizeof(hs->secret));
    rv_ticket_wipe(&hs->ticket);
}

/* Lets go of the session: our own cleanup, then the owner's documented end
 * (unadvise, release).  The caller holds a reference on the owner. */
void handshake_end(struct handshake *hs)
{
    IRendezvousSession *session = hs->session;

    if (hs->phase == PHASE_ENDED || hs->phase == PHASE_IDLE) return;
    TRACE("%p ends in phase %s\n", hs, phase_name(hs->phase));

    hs->phase = PHASE_ENDED;
    stop_timer(hs);
    hs->timed_out = FALSE;
    if (hs->job)
    {
        backend_cancel(hs->job);
        backend_release(hs->job);
        hs->job = NULL;
    }
    if (hs->done_job)
    {
        /* Finished but not looked at: a share backend it started is stopped. */
        backend_release(hs->done_job);
        hs->done_job = NULL;
    }
    if (hs->share_process.process)
    {
        /* The helper never confirmed: nobody is to see this screen. */
        TRACE("stopping the share backend\n");
        backend_process_stop(&hs->share_process);
    }
    hs->session = NULL;
    if (hs->host)
    {
        IRendezvousSessionHost_Release(hs->host);
        hs->host = NULL;
    }
    handshake_free(hs);
    /* Last: the owner may go with it. */
    hs->ops->end(hs, session);
}

/* Ends the session on our side with Terminate(result), then lets go of it. */
void handshake_terminate(struct handshake *hs, HRESULT result)
{
    IRendezvousSession *session = hs->session;
    HRESULT hr;

    if (hs->phase == PHASE_ENDED || !session) return;
    if (FAILED(result)) WARN("%p terminates in phase %s with %#lx\n", hs, phase_name(hs->phase), result);
    else TRACE("%p terminates with %#lx\n", hs, result);

    IRendezvousSession_AddRef(session);
    /* The IM may fire OnTermination from inside: the sink only queues it. */
    if (FAILED(hr = IRendezvousSession_Terminate(session, result, NULL)))
        WARN("Terminate failed: %#lx\n", hr);
    IRendezvousSession_Release(session);
    handshake_end(hs);
}

static HRESULT random_bytes(void *buffer, ULONG size)
{
    if (rv_random(buffer, size))
    {
        ERR("no random bytes from the system\n");
        return E_FAIL;
    }
    return S_OK;
}

static void start_handshake(struct handshake *hs)
{
    char text[RV_TICKET_BUFFER_SIZE];
    DWORD timeout;
    HRESULT hr;

    hr = backend_get_command(hs->sharer ? BACKEND_SHARE : BACKEND_CONNECT, &hs->command, &hs->command_expand);
    if (hr == S_FALSE)
    {
        WARN("no %s backend configured\n", hs->sharer ? "Share" : "Connect");
        handshake_terminate(hs, RA_E_NO_BACKEND);
        return;
    }
    if (FAILED(hr))
    {
        handshake_terminate(hs, hr);
        return;
    }

    timeout = backend_get_handshake_timeout();
    if (SetTimer(hs->window, HANDSHAKE_TIMER, timeout, NULL)) hs->timer = TRUE;
    else
    {
        ERR("SetTimer failed: %lu\n", GetLastError());
        handshake_terminate(hs, E_FAIL);
        return;
    }

    if (hs->sharer)
    {
        hs->phase = PHASE_WAIT_HELLO;
        return;
    }
    if (FAILED(hr = random_bytes(hs->nonce, sizeof(hs->nonce))))
    {
        handshake_terminate(hs, hr);
        return;
    }
    rv_ticket_hello_format(hs->nonce, text, sizeof(text));
    hs->phase = PHASE_WAIT_TICKET;
    if (FAILED(hr = send_text(hs, text))) handshake_terminate(hs, hr);
}

void handshake_check_state(struct handshake *hs)
{
    RENDEZVOUS_SESSION_STATE state;
    HRESULT hr;

    if (hs->phase == PHASE_ENDED || hs->phase == PHASE_IDLE) return;
    if (FAILED(hr = IRendezvousSession_get_State(hs->session, &state)))
    {
        /* An IM that is gone cannot be told anything. */
        WARN("get_State failed: %#lx\n", hr);
        handshake_end(hs);
        return;
    }
    TRACE("%p: state %d in phase %s\n", hs, state, phase_name(hs->phase));
    if (state == RSS_CANCELLED || state == RSS_DECLINED || state == RSS_TERMINATED)
        handshake_end(hs);
    else if (state == RSS_CONNECTED && hs->phase == PHASE_WAIT_CONNECTED)
        start_handshake(hs);
}

/* The security code of the IM's session as users see it, "123 456", when the
 * session is ours (IRendezvousSessionHost).  S_FALSE for another IM's session,
 * which has no code to show; a failure of our own session's code is an error,
 * so that no question goes out without the code it should carry. */
static HRESULT get_security_code(struct handshake *hs, char code[BACKEND_CODE_SIZE])
{
    BSTR digits = NULL;
    unsigned int i;
    HRESULT hr;

    code[0] = 0;
    if (!hs->host)
    {
        TRACE("%p: not our session: no security code\n", hs);
        return S_FALSE;
    }
    hr = IRendezvousSessionHost_get_SecurityCode(hs->host, &digits);
    if (hr == E_OUTOFMEMORY)
    {
        SysFreeString(digits);
        return hr;
    }
    if (hr != S_OK || SysStringLen(digits) != 6)
    {
        WARN("%p: no usable security code: %#lx\n", hs, hr);
        SysFreeString(digits);
        return S_FALSE;
    }
    for (i = 0; i < 6; i++)
    {
        if (digits[i] < '0' || digits[i] > '9')
        {
            WARN("%p: the security code is not six digits\n", hs);
            SysFreeString(digits);
            return S_FALSE;
        }
        code[i < 3 ? i : i + 1] = (char)digits[i];
    }
    code[3] = ' ';
    code[7] = 0;
    SysFreeString(digits);
    return S_OK;
}

static void start_backend(struct handshake *hs, enum backend_role role)
{
    char code[BACKEND_CODE_SIZE];
    struct backend_request req;
    BOOL have_code;
    HRESULT hr;

    if (FAILED(hr = get_security_code(hs, code)))
    {
        handshake_terminate(hs, hr);
        return;
    }
    have_code = hr == S_OK;

    req.role = role;
    req.command = hs->command;
    req.expand = hs->command_expand;
    req.timeout = backend_get_start_timeout();
    req.user = hs->user;
    req.id = role == BACKEND_SHARE ? hs->id : hs->ticket.id;
    req.secret = role == BACKEND_SHARE ? hs->secret : hs->ticket.secret;
    req.addresses = hs->ticket.addresses;
    req.count = role == BACKEND_SHARE ? 0 : hs->ticket.count;
    req.code = have_code ? code : NULL;
    req.fingerprint = role == BACKEND_CONNECT && hs->ticket.has_fingerprint ? hs->ticket.fingerprint : NULL;
    if (FAILED(hr = backend_start(&req, hs->window, WM_RA_BACKEND, &hs->job)))
    {
        handshake_terminate(hs, hr);
        return;
    }
    /* The job's message must find this object: it keeps it alive. */
    hs->ops->hold(hs);
    hs->phase = role == BACKEND_SHARE ? PHASE_SHARE_STARTING : PHASE_CONNECT_STARTING;
}

void handshake_data(struct handshake *hs, BSTR data)
{
    char text[RV_TICKET_BUFFER_SIZE];
    size_t len;
    HRESULT hr;

    if (hs->phase == PHASE_WAIT_CONNECTED)
    {
        /* The IM may deliver data before it reports the state change. */
        handshake_check_state(hs);
        if (hs->phase == PHASE_WAIT_CONNECTED)
        {
            WARN("context data before the session is connected\n");
            handshake_terminate(hs, RA_E_BAD_MESSAGE);
            return;
        }
    }
    if (hs->phase == PHASE_ENDED) return;

    if (rv_ticket_from_units(data, SysStringLen(data), text, sizeof(text)))
    {
        WARN("refusing %u units of context data in phase %s\n", SysStringLen(data), phase_name(hs->phase));
        handshake_terminate(hs, RA_E_BAD_MESSAGE);
        return;
    }
    len = strlen(text);

    switch (hs->phase)
    {
    case PHASE_WAIT_HELLO:
        if (rv_ticket_hello_parse(text, len, hs->nonce)) break;
        if (FAILED(hr = random_bytes(hs->id, sizeof(hs->id))) ||
            FAILED(hr = random_bytes(hs->secret, sizeof(hs->secret))))
        {
            handshake_terminate(hs, hr);
            return;
        }
        start_backend(hs, BACKEND_SHARE);
        return;

    case PHASE_WAIT_TICKET:
        /* Exactly one ticket, and only one made for our nonce. */
        if (rv_ticket_parse(text, len, hs->nonce, &hs->ticket)) break;
        SecureZeroMemory(text, sizeof(text));
        start_backend(hs, BACKEND_CONNECT);
        return;

    case PHASE_WAIT_ACK:
        if (rv_ticket_ack_parse(text, len, hs->id, NULL)) break;
        /* The helper is in: the screen is shared until Stop, the helper
         * leaving or the end of this (the IM program's) process. */
        backend_process_hand_over(&hs->share_process);
        handshake_terminate(hs, S_OK);
        return;

    default:
        break;
    }
    SecureZeroMemory(text, sizeof(text));
    WARN("refusing context data in phase %s\n", phase_name(hs->phase));
    handshake_terminate(hs, RA_E_BAD_MESSAGE);
}

static void backend_finished(struct handshake *hs, struct backend_job *job)
{
    char text[RV_TICKET_BUFFER_SIZE];
    HRESULT hr = backend_get_result(job);

    TRACE("%p: backend result %#lx in phase %s\n", hs, hr, phase_name(hs->phase));
    if (FAILED(hr))
    {
        handshake_terminate(hs, hr);
        return;
    }

    if (hs->phase == PHASE_SHARE_STARTING)
    {
        struct rv_ticket *ticket = &hs->ticket;

        backend_take_process(job, &hs->share_process);
        memcpy(ticket->id, hs->id, sizeof(ticket->id));
        memcpy(ticket->nonce, hs->nonce, sizeof(ticket->nonce));
        memcpy(ticket->secret, hs->secret, sizeof(ticket->secret));
        ticket->count = backend_get_addresses(job, ticket->addresses);
        ticket->has_fingerprint = backend_get_fingerprint(job, ticket->fingerprint);
        hs->phase = PHASE_WAIT_ACK;
        for (;;)
        {
            if (rv_ticket_format(ticket, text, sizeof(text)))
            {
                WARN("the share backend's addresses make no ticket\n");
                rv_ticket_wipe(ticket);
                handshake_terminate(hs, RA_E_BACKEND_OUTPUT);
                return;
            }
            hr = send_text(hs, text);
            SecureZeroMemory(text, sizeof(text));
            /* An IM that takes less (Messenger: 300 units) gets the first
             * addresses that fit, in the backend's order. */
            if (hr != RA_E_CONTEXT_OVER_LIMIT || ticket->count == 1) break;
            TRACE("%p: the ticket is too long for the IM with %u addresses\n", hs, ticket->count);
            ticket->count--;
        }
        rv_ticket_wipe(ticket);
        if (FAILED(hr)) handshake_terminate(hs, hr);
    }
    else if (hs->phase == PHASE_CONNECT_STARTING)
    {
        rv_ticket_ack_format(hs->ticket.id, text, sizeof(text));
        rv_ticket_wipe(&hs->ticket);
        hs->phase = PHASE_WAIT_END;
        if (FAILED(hr = send_text(hs, text))) handshake_terminate(hs, hr);
    }
}


void handshake_begin(struct handshake *hs, const struct handshake_ops *ops, IRendezvousSession *session,
                     IRendezvousSessionHost *host, HWND window, BOOL sharer, BSTR user)
{
    hs->ops = ops;
    hs->session = session;
    hs->host = host;
    hs->window = window;
    hs->sharer = sharer;
    backend_sanitise_user(user, SysStringLen(user), hs->user);
    hs->phase = PHASE_WAIT_CONNECTED;
}

BOOL handshake_active(const struct handshake *hs)
{
    return hs->phase != PHASE_IDLE && hs->phase != PHASE_ENDED;
}

BOOL handshake_take_backend(struct handshake *hs, struct backend_job *job)
{
    if (hs->job != job) return FALSE;
    hs->job = NULL;
    hs->done_job = job;
    return TRUE;
}

void handshake_timer_fired(struct handshake *hs)
{
    stop_timer(hs);
    hs->timed_out = TRUE;
}

BOOL handshake_run_pending(struct handshake *hs)
{
    struct backend_job *job;

    if (hs->timed_out)
    {
        hs->timed_out = FALSE;
        if (handshake_active(hs))
        {
            WARN("%p: handshake timed out in phase %s\n", hs, phase_name(hs->phase));
            handshake_terminate(hs, RA_E_TIMEOUT);
        }
        return TRUE;
    }
    if (!(job = hs->done_job)) return FALSE;
    hs->done_job = NULL;
    backend_finished(hs, job);
    backend_release(job);
    return TRUE;
}
