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

/* Type information */

static const struct typeinfo_id typeinfo_ids[] =
{
    { &IID_IMsgrSessionManager, 1 },
    { &IID_IMsgrSession, 1 },
    { &DIID_DMsgrSessionEvents, 1 },
    { &IID_IMsgrSessionManagerHost, 2 },
    { &IID_IMsgrSessionHost, 2 },
};
static ITypeInfo *typeinfos[MSGR_LAST_tid];
static struct typeinfo_cache typeinfo_cache = { &msgsc_instance, typeinfo_ids, typeinfos };

HRESULT msgr_get_typeinfo(enum msgr_tid tid, ITypeInfo **ret)
{
    return typeinfo_cache_get(&typeinfo_cache, tid, ret);
}

HRESULT msgr_get_type_info(enum msgr_tid tid, UINT index, ITypeInfo **info)
{
    if (!info) return E_POINTER;
    *info = NULL;
    if (index) return DISP_E_BADINDEX;
    return msgr_get_typeinfo(tid, info);
}

HRESULT msgr_get_ids_of_names(enum msgr_tid tid, REFIID riid, LPOLESTR *names, UINT count, DISPID *ids)
{
    ITypeInfo *info;
    HRESULT hr;

    if (!IsEqualGUID(riid, &IID_NULL)) return DISP_E_UNKNOWNINTERFACE;
    if (!names || !ids) return E_POINTER;
    if (FAILED(hr = msgr_get_typeinfo(tid, &info))) return hr;
    hr = ITypeInfo_GetIDsOfNames(info, names, count, ids);
    ITypeInfo_Release(info);
    return hr;
}

HRESULT msgr_invoke(enum msgr_tid tid, void *iface, DISPID id, REFIID riid, WORD flags, DISPPARAMS *params,
                    VARIANT *result, EXCEPINFO *excepinfo, UINT *argerr)
{
    ITypeInfo *info;
    HRESULT hr;

    if (!IsEqualGUID(riid, &IID_NULL)) return DISP_E_UNKNOWNINTERFACE;
    if (FAILED(hr = msgr_get_typeinfo(tid, &info))) return hr;
    hr = ITypeInfo_Invoke(info, iface, id, flags, params, result, excepinfo, argerr);
    ITypeInfo_Release(info);
    return hr;
}

/* IMsgrLock: disabled, as with every service but the .NET Messenger Service. */

static inline struct msgr_lock *impl_from_IMsgrLock(IMsgrLock *iface)
{
    return CONTAINING_RECORD(iface, struct msgr_lock, IMsgrLock_iface);
}

static HRESULT WINAPI lock_QueryInterface(IMsgrLock *iface, REFIID riid, void **obj)
{
    return IUnknown_QueryInterface(impl_from_IMsgrLock(iface)->outer, riid, obj);
}

static ULONG WINAPI lock_AddRef(IMsgrLock *iface)
{
    return IUnknown_AddRef(impl_from_IMsgrLock(iface)->outer);
}

static ULONG WINAPI lock_Release(IMsgrLock *iface)
{
    return IUnknown_Release(impl_from_IMsgrLock(iface)->outer);
}

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

/***********************************************************************
 *      DllMain
 */
BOOL WINAPI DllMain(HINSTANCE instance, DWORD reason, void *reserved)
{
    TRACE("%p, %lu, %p.\n", instance, reason, reserved);

    switch (reason)
    {
    case DLL_PROCESS_ATTACH:
        msgsc_instance = instance;
        DisableThreadLibraryCalls(instance);
        module_use_task_allocator();
        break;
    case DLL_PROCESS_DETACH:
        /* At process exit the other threads, the core's I/O thread among them, are gone:
         * what sessions accepted still goes out, bounded, before the sockets close. */
        if (reserved)
        {
            rv_process_exit(RV_EXIT_TIMEOUT_MS);
            break;
        }
        wake_unregister_class();
        typeinfo_cache_release(&typeinfo_cache, ARRAY_SIZE(typeinfos));
        break;
    }
    return TRUE;
}

/***********************************************************************
 *      DllGetClassObject (msgsc.@)
 */
HRESULT WINAPI DllGetClassObject(REFCLSID clsid, REFIID riid, void **obj)
{
    return module_get_class_object(classes, ARRAY_SIZE(classes), clsid, riid, obj);
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

    return register_resources(msgsc_instance, TRUE);
}

/***********************************************************************
 *      DllUnregisterServer (msgsc.@)
 */
HRESULT WINAPI DllUnregisterServer(void)
{
    HRESULT hr;

    TRACE("\n");

    hr = register_resources(msgsc_instance, FALSE);
    remove_empty_typelib_key(&LIBID_MessengerPrivate);
    remove_empty_typelib_key(&LIBID_WineMessengerLib);
    return hr;
}
