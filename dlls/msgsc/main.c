/*
 * msgsc.dll: entry points, class factories, type information, registration
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

#define COBJMACROS

#include <windows.h>
#include <ole2.h>
#include <olectl.h>

#include <initguid.h>
#include "msgsc_private.h"

#include "wine/debug.h"

WINE_DEFAULT_DEBUG_CHANNEL(msgsc);

HINSTANCE msgsc_instance;

/* Type information: MessengerPrivate is TYPELIB resource 1, WineMessengerLib 2. */

static const struct typeinfo_id typeinfo_ids[] =
{
    { &IID_IMsgrSessionManager, 1 },
    { &IID_IMsgrSession, 1 },
    { &DIID_DMsgrSessionEvents, 1 },
    { &IID_IMsgrSessionManagerHost, 2 },
    { &IID_IMsgrSessionHost, 2 },
};
static ITypeInfo *typeinfos[MSGR_LAST_tid];
struct typeinfo_cache msgsc_typeinfo = { &msgsc_instance, typeinfo_ids, typeinfos, MSGR_LAST_tid };

/* IMsgrLock: disabled, as with every service but the .NET Messenger Service. */

static inline struct msgr_lock *impl_from_IMsgrLock(IMsgrLock *iface)
{
    return CONTAINING_RECORD(iface, struct msgr_lock, IMsgrLock_iface);
}

FORWARD_IUNKNOWN_METHODS(lock, IMsgrLock, impl_from_IMsgrLock(iface)->outer)

static HRESULT WINAPI lock_get_Status(IMsgrLock *iface, LockStatus *status)
{
    TRACE("%p, %p.\n", iface, status);

    if (!status) return E_POINTER;
    *status = LOCK_DISABLED;
    return S_OK;
}

static HRESULT WINAPI lock_RequestChallenge(IMsgrLock *iface, LONG cookie)
{
    TRACE("%p, %#lx.\n", iface, cookie);

    return MSGR_E_API_DISABLED;
}

static HRESULT WINAPI lock_SendResponse(IMsgrLock *iface, BSTR app_id, BSTR response, LONG cookie)
{
    TRACE("%p, %s, %s, %#lx.\n", iface, debugstr_w(app_id), debugstr_w(response), cookie);

    return MSGR_E_API_DISABLED;
}

const IMsgrLockVtbl msgr_lock_vtbl =
{
    lock_QueryInterface,
    lock_AddRef,
    lock_Release,
    lock_get_Status,
    lock_RequestChallenge,
    lock_SendResponse,
};

/* Class factories */

static struct class_factory manager_factory = CLASS_FACTORY(msgr_manager_create);
static struct class_factory session_factory = CLASS_FACTORY(msgr_session_create);

static const struct class_entry classes[] =
{
    { &CLSID_MsgrSessionManager, &manager_factory },
    { &CLSID_MsgrSession, &session_factory },
};

static const struct com_module msgsc_module =
{
    &msgsc_instance,
    classes,
    ARRAY_SIZE(classes),
    &msgsc_typeinfo,
    { &LIBID_MessengerPrivate, &LIBID_WineMessengerLib },
    NULL,
};

/***********************************************************************
 *      DllMain
 */
BOOL WINAPI DllMain(HINSTANCE instance, DWORD reason, void *reserved)
{
    TRACE("%p, %lu, %p.\n", instance, reason, reserved);

    return module_dll_main(&msgsc_module, instance, reason, reserved);
}

/***********************************************************************
 *      DllGetClassObject (msgsc.@)
 */
HRESULT WINAPI DllGetClassObject(REFCLSID clsid, REFIID riid, void **obj)
{
    return module_get_class_object(&msgsc_module, clsid, riid, obj);
}

/***********************************************************************
 *      DllCanUnloadNow (msgsc.@)
 */
HRESULT WINAPI DllCanUnloadNow(void)
{
    return module_can_unload_now();
}

/***********************************************************************
 *      DllRegisterServer (msgsc.@)
 */
HRESULT WINAPI DllRegisterServer(void)
{
    TRACE("\n");

    return module_register(&msgsc_module, TRUE);
}

/***********************************************************************
 *      DllUnregisterServer (msgsc.@)
 */
HRESULT WINAPI DllUnregisterServer(void)
{
    TRACE("\n");

    return module_register(&msgsc_module, FALSE);
}
