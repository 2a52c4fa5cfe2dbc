/*
 * msgsc.dll private definitions
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

#ifndef __MSGSC_PRIVATE_H
#define __MSGSC_PRIVATE_H

#include "rendezvoussession.h"
#include "rvcombase.h"
#include "msgrpriv.h"
#include "winemsgr.h"
#include "rendezvous.h"

extern HINSTANCE msgsc_instance;

/* Type information: MessengerPrivate is TYPELIB resource 1, WineMessengerLib 2. */
enum msgr_tid
{
    IMsgrSessionManager_tid,
    IMsgrSession_tid,
    DMsgrSessionEvents_tid,
    IMsgrSessionManagerHost_tid,
    IMsgrSessionHost_tid,
    MSGR_LAST_tid
};

/* Indexed by enum msgr_tid, for the dispatch_* helpers. */
extern struct typeinfo_cache msgsc_typeinfo;

/* Documented limits, in UTF-16 units. */
#define MSGR_GUID_LENGTH        38      /* "{XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}" */
#define MSGR_MAX_GUID           39
#define MSGR_MAX_APP_NAME       256
#define MSGR_MAX_APP_URL        256
#define MSGR_MAX_APP_PATH       260
#define MSGR_MAX_LOCAL_ADDRESS  30
/* Application data of Invite, Accept, Decline and Cancel: 512 bytes, the
 * core's limit for the data it carries in its answers. */
#define MSGR_MAX_APPDATA_UNITS  RV_MAX_APPDATA_UNITS

/* HKLM, where RegisterApplication writes. */
#define MSGR_APPS_KEY L"Software\\Microsoft\\MessengerService\\SessionManager\\Apps"

/* Registered applications (apps.c) */

/* S_OK for a GUID in the documented form, E_OUTOFMEMORY over MSGR_MAX_GUID
 * characters, E_INVALIDARG for anything else. */
HRESULT msgr_check_app_guid(const WCHAR *guid, UINT length);
/* S_OK with its name, URL and path (each may be NULL to skip), S_FALSE when
 * the application is not registered. */
HRESULT msgr_lookup_app(const WCHAR *guid, BSTR *name, BSTR *url, BSTR *path);
/* MSGR_APPS_KEY\guid, for a guid msgr_check_app_guid accepts. */
void msgr_app_key_name(const WCHAR *guid, WCHAR *name);

/* Invitations carried by the IM program (invitation.c) */

struct msgr_invitation
{
    WCHAR app[MSGR_GUID_LENGTH + 1];
    BSTR name;
    BSTR url;
    BSTR appdata;
    char core[RV_INVITATION_BUFFER_SIZE];
};

#define MSGR_INVITATION_MAX_LENGTH 4096

HRESULT msgr_invitation_format(const WCHAR *app, const WCHAR *name, UINT name_len, const WCHAR *url,
                               UINT url_len, const WCHAR *appdata, UINT appdata_len, const char *core,
                               BSTR *out);
/* E_INVALIDARG for anything but a well-formed invitation. */
HRESULT msgr_invitation_parse(const WCHAR *text, UINT length, struct msgr_invitation *out);
void msgr_invitation_clear(struct msgr_invitation *inv);

/* MsgrSession (session.c) */

HRESULT msgr_session_create(REFIID riid, void **obj);
/* The invitee's session for a received invitation, and its application data. */
HRESULT msgr_session_create_invitee(const WCHAR *text, UINT length, IDispatch **session, BSTR *appdata);
void msgr_session_set_handled(IDispatch *session, VARIANT_BOOL handled);
/* The session whose application Launch started as process pid. */
HRESULT msgr_session_get_launching(DWORD pid, IDispatch **session);

/* MsgrSessionManager (manager.c) */

HRESULT msgr_manager_create(REFIID riid, void **obj);

/* IMsgrLock, the same on every object that has it: the Lock and Key API
 * belongs to the .NET Messenger Service, so here it is always disabled. */
extern const IMsgrLockVtbl msgr_lock_vtbl;
struct msgr_lock
{
    IMsgrLock IMsgrLock_iface;
    IUnknown *outer;
};

/* The legacy bridge (bridge.c) */

HRESULT msgr_bridge_create(IDispatch *session, BSTR remote_user, IUnknown **ret);

#endif /* __MSGSC_PRIVATE_H */
