/*
 * MsgrSessionManager: sessions, registered applications, invitations
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

#include "msgsc_private.h"

#include "wine/debug.h"

WINE_DEFAULT_DEBUG_CHANNEL(msgsc);

static BOOL has_nul(const WCHAR *str, UINT length)
{
    UINT i;

    for (i = 0; i < length; i++)
        if (!str[i]) return TRUE;
    return FALSE;
}

/* "X:\..." or "\\server\...", possibly quoted and followed by arguments. */
static BOOL is_absolute_path(const WCHAR *path)
{
    if (*path == '"') path++;
    if (((path[0] >= 'A' && path[0] <= 'Z') || (path[0] >= 'a' && path[0] <= 'z')) && path[1] == ':' &&
        path[2] == '\\')
        return TRUE;
    return path[0] == '\\' && path[1] == '\\' && path[2] && path[2] != '\\';
}

/* The applications collection: a snapshot of the registered GUIDs. */

#define MAX_LISTED_APPS 4096

struct app_list
{
    IDispatch IDispatch_iface;
    struct com_object object;
    UINT count;
    BSTR guids[1];
};

static inline struct app_list *impl_from_app_list(IDispatch *iface)
{
    return CONTAINING_RECORD(iface, struct app_list, IDispatch_iface);
}

static const struct object_interface app_list_interfaces[] =
{
    { &IID_IDispatch, offsetof(struct app_list, IDispatch_iface) },
    { NULL }
};

FORWARD_IUNKNOWN_METHODS(app_list, IDispatch, &impl_from_app_list(iface)->object.IUnknown_iface)

static HRESULT WINAPI app_list_GetTypeInfoCount(IDispatch *iface, UINT *count)
{
    TRACE("%p, %p.\n", iface, count);

    if (!count) return E_POINTER;
    /* No type library describes it. */
    *count = 0;
    return S_OK;
}

static HRESULT WINAPI app_list_GetTypeInfo(IDispatch *iface, UINT index, LCID lcid, ITypeInfo **info)
{
    TRACE("%p, %u, %#lx, %p.\n", iface, index, lcid, info);

    if (!info) return E_POINTER;
    *info = NULL;
    return DISP_E_BADINDEX;
}

#define DISPID_APPS_COUNT 1

static HRESULT WINAPI app_list_GetIDsOfNames(IDispatch *iface, REFIID riid, LPOLESTR *names, UINT count,
                                             LCID lcid, DISPID *ids)
{
    HRESULT hr = S_OK;
    UINT i;

    TRACE("%p, %s, %p, %u, %#lx, %p.\n", iface, debugstr_guid(riid), names, count, lcid, ids);

    if (!IsEqualGUID(riid, &IID_NULL)) return DISP_E_UNKNOWNINTERFACE;
    if (!names || !ids || !count) return E_INVALIDARG;
    if (!lstrcmpiW(names[0], L"Count")) ids[0] = DISPID_APPS_COUNT;
    else if (!lstrcmpiW(names[0], L"Item")) ids[0] = DISPID_VALUE;
    else
    {
        ids[0] = DISPID_UNKNOWN;
        hr = DISP_E_UNKNOWNNAME;
    }
    for (i = 1; i < count; i++)
    {
        ids[i] = DISPID_UNKNOWN;
        hr = DISP_E_UNKNOWNNAME;
    }
    return hr;
}

static HRESULT WINAPI app_list_Invoke(IDispatch *iface, DISPID id, REFIID riid, LCID lcid, WORD flags,
                                      DISPPARAMS *params, VARIANT *result, EXCEPINFO *excepinfo, UINT *argerr)
{
    struct app_list *list = impl_from_app_list(iface);
    VARIANT index;
    HRESULT hr;

    TRACE("%p, %ld, %s, %#lx, %#x, %p, %p, %p, %p.\n", iface, id, debugstr_guid(riid), lcid, flags, params,
          result, excepinfo, argerr);

    if (!IsEqualGUID(riid, &IID_NULL)) return DISP_E_UNKNOWNINTERFACE;
    if (!params) return E_INVALIDARG;
    if (params->cNamedArgs) return DISP_E_NONAMEDARGS;
    switch (id)
    {
    case DISPID_APPS_COUNT:
        if (!(flags & DISPATCH_PROPERTYGET)) return DISP_E_MEMBERNOTFOUND;
        if (params->cArgs) return DISP_E_BADPARAMCOUNT;
        if (!result) return E_INVALIDARG;
        V_VT(result) = VT_I4;
        V_I4(result) = list->count;
        return S_OK;

    case DISPID_VALUE:
        if (!(flags & (DISPATCH_PROPERTYGET | DISPATCH_METHOD))) return DISP_E_MEMBERNOTFOUND;
        if (params->cArgs != 1) return DISP_E_BADPARAMCOUNT;
        if (!result) return E_INVALIDARG;
        VariantInit(&index);
        if (FAILED(hr = VariantChangeType(&index, &params->rgvarg[0], 0, VT_I4)))
        {
            if (argerr) *argerr = 0;
            return hr == E_OUTOFMEMORY ? hr : DISP_E_TYPEMISMATCH;
        }
        if (V_I4(&index) < 0 || (UINT)V_I4(&index) >= list->count) return DISP_E_BADINDEX;
        V_VT(result) = VT_BSTR;
        if (!(V_BSTR(result) = SysAllocString(list->guids[V_I4(&index)])))
        {
            V_VT(result) = VT_EMPTY;
            return E_OUTOFMEMORY;
        }
        return S_OK;
    }
    return DISP_E_MEMBERNOTFOUND;
}

static const IDispatchVtbl app_list_vtbl =
{
    app_list_QueryInterface,
    app_list_AddRef,
    app_list_Release,
    app_list_GetTypeInfoCount,
    app_list_GetTypeInfo,
    app_list_GetIDsOfNames,
    app_list_Invoke,
};

static void app_list_final_release(struct com_object *object)
{
    struct app_list *list = CONTAINING_RECORD(object, struct app_list, object);
    UINT i;

    for (i = 0; i < list->count; i++) SysFreeString(list->guids[i]);
    CoTaskMemFree(list);
    unlock_module();
}

static HRESULT create_app_list(IDispatch **ret)
{
    WCHAR name[MSGR_MAX_GUID + 2];
    struct app_list *list;
    DWORD subkeys = 0, len, i;
    HRESULT hr = S_OK;
    HKEY key = NULL;

    if (!RegOpenKeyExW(HKEY_LOCAL_MACHINE, MSGR_APPS_KEY, 0, KEY_READ, &key) &&
        RegQueryInfoKeyW(key, NULL, NULL, NULL, &subkeys, NULL, NULL, NULL, NULL, NULL, NULL, NULL))
        subkeys = 0;
    if (subkeys > MAX_LISTED_APPS) subkeys = MAX_LISTED_APPS;
    if (!(list = CoTaskMemAlloc(FIELD_OFFSET(struct app_list, guids[subkeys ? subkeys : 1]))))
    {
        if (key) RegCloseKey(key);
        return E_OUTOFMEMORY;
    }
    list->IDispatch_iface.lpVtbl = &app_list_vtbl;
    com_object_init(&list->object, list, app_list_interfaces, app_list_final_release);
    list->count = 0;
    lock_module();
    for (i = 0; key && list->count < subkeys; i++)
    {
        len = ARRAY_SIZE(name);
        if (RegEnumKeyExW(key, i, name, &len, NULL, NULL, NULL, NULL)) break;
        /* Only what RegisterApplication would have written. */
        if (msgr_check_app_guid(name, len) != S_OK) continue;
        if (!(list->guids[list->count] = SysAllocString(name)))
        {
            hr = E_OUTOFMEMORY;
            break;
        }
        list->count++;
    }
    if (key) RegCloseKey(key);
    if (FAILED(hr))
    {
        IDispatch_Release(&list->IDispatch_iface);
        return hr;
    }
    *ret = &list->IDispatch_iface;
    return S_OK;
}

/* MsgrSessionManager */

struct manager
{
    IMsgrSessionManager IMsgrSessionManager_iface;
    IMsgrSessionManagerHost IMsgrSessionManagerHost_iface;
    struct msgr_lock lock;
    struct event_source events;     /* the container and its one point */
    struct com_object object;
};

static inline struct manager *impl_from_IMsgrSessionManager(IMsgrSessionManager *iface)
{
    return CONTAINING_RECORD(iface, struct manager, IMsgrSessionManager_iface);
}

static inline struct manager *impl_from_IMsgrSessionManagerHost(IMsgrSessionManagerHost *iface)
{
    return CONTAINING_RECORD(iface, struct manager, IMsgrSessionManagerHost_iface);
}

static void fire_guid_event(struct manager *manager, DISPID dispid, const WCHAR *guid)
{
    VARIANT arg;

    V_VT(&arg) = VT_BSTR;
    if (!(V_BSTR(&arg) = SysAllocString(guid)))
    {
        ERR("cannot fire event %ld\n", dispid);
        return;
    }
    IMsgrSessionManager_AddRef(&manager->IMsgrSessionManager_iface);
    event_source_fire(&manager->events, dispid, &arg, 1);
    IMsgrSessionManager_Release(&manager->IMsgrSessionManager_iface);
    SysFreeString(V_BSTR(&arg));
}

static const struct object_interface manager_interfaces[] =
{
    { &IID_IMsgrSessionManager, offsetof(struct manager, IMsgrSessionManager_iface) },
    { &IID_IDispatch, offsetof(struct manager, IMsgrSessionManager_iface) },
    { &IID_IMsgrSessionManagerHost, offsetof(struct manager, IMsgrSessionManagerHost_iface) },
    { &IID_IConnectionPointContainer, offsetof(struct manager, events.IConnectionPointContainer_iface) },
    { &IID_IMsgrLock, offsetof(struct manager, lock.IMsgrLock_iface) },
    { NULL }
};

FORWARD_IUNKNOWN_METHODS(manager, IMsgrSessionManager, &impl_from_IMsgrSessionManager(iface)->object.IUnknown_iface)

static void manager_final_release(struct com_object *object)
{
    struct manager *manager = CONTAINING_RECORD(object, struct manager, object);

    connection_point_destroy(&manager->events.point);
    CoTaskMemFree(manager);
    unlock_module();
}

DUAL_DISPATCH_METHODS(manager, IMsgrSessionManager, &msgsc_typeinfo, IMsgrSessionManager_tid)

static HRESULT WINAPI manager_CreateSession(IMsgrSessionManager *iface, IDispatch **session)
{
    TRACE("%p, %p.\n", iface, session);

    if (!session) return E_INVALIDARG;
    *session = NULL;
    return msgr_session_create(&IID_IDispatch, (void **)session);
}

static HRESULT WINAPI manager_GetLaunchingSession(IMsgrSessionManager *iface, LONG pid, IDispatch **session)
{
    TRACE("%p, %ld, %p.\n", iface, pid, session);

    if (!session) return E_INVALIDARG;
    *session = NULL;
    if (pid <= 0) return E_INVALIDARG;
    return msgr_session_get_launching(pid, session);
}

static HRESULT WINAPI manager_RegisterApplication(IMsgrSessionManager *iface, BSTR guid, BSTR name, BSTR url,
                                                  BSTR path, LONG flags)
{
    struct manager *manager = impl_from_IMsgrSessionManager(iface);
    WCHAR key_name[ARRAY_SIZE(MSGR_APPS_KEY) + MSGR_GUID_LENGTH + 1];
    UINT name_len = SysStringLen(name), url_len = SysStringLen(url), path_len = SysStringLen(path);
    DWORD disposition;
    LONG ret;
    HKEY key;

    TRACE("%p, %s, %s, %s, %s, %#lx.\n", manager, debugstr_w(guid), debugstr_w(name), debugstr_w(url),
          debugstr_w(path), flags);

    if (flags) return E_INVALIDARG;
    if (msgr_check_app_guid(guid, SysStringLen(guid)) != S_OK) return E_INVALIDARG;
    if (!name_len || name_len > MSGR_MAX_APP_NAME || has_nul(name, name_len)) return E_INVALIDARG;
    if (url_len > MSGR_MAX_APP_URL || has_nul(url, url_len)) return E_INVALIDARG;
    if (!path_len || path_len > MSGR_MAX_APP_PATH || has_nul(path, path_len)) return E_INVALIDARG;
    if (!is_absolute_path(path))
    {
        WARN("%s is no absolute path\n", debugstr_w(path));
        return E_FAIL;
    }

    msgr_app_key_name(guid, key_name);
    ret = RegCreateKeyExW(HKEY_LOCAL_MACHINE, key_name, 0, NULL, REG_OPTION_NON_VOLATILE, KEY_WRITE, NULL,
                          &key, &disposition);
    if (ret)
    {
        WARN("cannot create %s: %ld\n", debugstr_w(key_name), ret);
        return REGDB_E_WRITEREGDB;
    }
    if (disposition == REG_OPENED_EXISTING_KEY)
    {
        RegCloseKey(key);
        return SR_APP_ALREADY_REGISTERED;
    }
    if ((ret = RegSetValueExW(key, L"Name", 0, REG_SZ, (const BYTE *)name, (name_len + 1) * sizeof(WCHAR))) ||
        (ret = RegSetValueExW(key, L"URL", 0, REG_SZ, (const BYTE *)(url ? url : L""),
                              (url_len + 1) * sizeof(WCHAR))) ||
        (ret = RegSetValueExW(key, L"Path", 0, REG_SZ, (const BYTE *)path, (path_len + 1) * sizeof(WCHAR))))
    {
        WARN("cannot write %s: %ld\n", debugstr_w(key_name), ret);
        RegCloseKey(key);
        RegDeleteKeyW(HKEY_LOCAL_MACHINE, key_name);
        return REGDB_E_WRITEREGDB;
    }
    RegCloseKey(key);

    fire_guid_event(manager, DISPID_ONAPPREGISTERED, guid);
    return S_OK;
}

static HRESULT WINAPI manager_UnRegisterApplication(IMsgrSessionManager *iface, BSTR guid)
{
    struct manager *manager = impl_from_IMsgrSessionManager(iface);
    WCHAR key_name[ARRAY_SIZE(MSGR_APPS_KEY) + MSGR_GUID_LENGTH + 1];
    LONG ret;
    HKEY key;

    TRACE("%p, %s.\n", manager, debugstr_w(guid));

    if (msgr_check_app_guid(guid, SysStringLen(guid)) != S_OK) return E_INVALIDARG;
    msgr_app_key_name(guid, key_name);
    if (RegOpenKeyExW(HKEY_LOCAL_MACHINE, key_name, 0, KEY_READ, &key)) return SR_APP_NOT_REGISTERED;
    RegCloseKey(key);
    /* The application's key and its values; a key someone put below it stays, and so does this one. */
    if ((ret = RegDeleteKeyW(HKEY_LOCAL_MACHINE, key_name)))
    {
        WARN("cannot delete %s: %ld\n", debugstr_w(key_name), ret);
        return REGDB_E_WRITEREGDB;
    }

    fire_guid_event(manager, DISPID_ONAPPUNREGISTERED, guid);
    return S_OK;
}

static HRESULT WINAPI manager_get_Applications(IMsgrSessionManager *iface, IDispatch **apps)
{
    TRACE("%p, %p.\n", iface, apps);

    if (!apps) return E_INVALIDARG;
    *apps = NULL;
    return create_app_list(apps);
}

static const IMsgrSessionManagerVtbl manager_vtbl =
{
    manager_QueryInterface,
    manager_AddRef,
    manager_Release,
    manager_GetTypeInfoCount,
    manager_GetTypeInfo,
    manager_GetIDsOfNames,
    manager_Invoke,
    manager_CreateSession,
    manager_GetLaunchingSession,
    manager_RegisterApplication,
    manager_UnRegisterApplication,
    manager_get_Applications,
};

/* IMsgrSessionManagerHost */

FORWARD_IUNKNOWN_METHODS(host, IMsgrSessionManagerHost,
                         (IUnknown *)&impl_from_IMsgrSessionManagerHost(iface)->IMsgrSessionManager_iface)

DUAL_DISPATCH_METHODS(host, IMsgrSessionManagerHost, &msgsc_typeinfo, IMsgrSessionManagerHost_tid)

static HRESULT WINAPI host_ReceiveInvitation(IMsgrSessionManagerHost *iface, BSTR invitation, IDispatch **ret)
{
    struct manager *manager = impl_from_IMsgrSessionManagerHost(iface);
    VARIANT_BOOL handled = VARIANT_FALSE;
    IDispatch *session;
    VARIANT args[3];
    BSTR appdata;
    HRESULT hr;

    TRACE("%p, %s, %p.\n", manager, debugstr_wn(invitation, 16), ret);

    if (!ret) return E_POINTER;
    *ret = NULL;
    if (FAILED(hr = msgr_session_create_invitee(invitation, SysStringLen(invitation), &session, &appdata)))
        return hr;

    /* OnInvitation(pSession, bstrAppData, pfHandled), rgvarg in reverse. */
    V_VT(&args[2]) = VT_DISPATCH;
    V_DISPATCH(&args[2]) = session;
    V_VT(&args[1]) = VT_BSTR;
    V_BSTR(&args[1]) = appdata;
    V_VT(&args[0]) = VT_BOOL | VT_BYREF;
    V_BOOLREF(&args[0]) = &handled;
    IMsgrSessionManager_AddRef(&manager->IMsgrSessionManager_iface);
    event_source_fire(&manager->events, DISPID_ONINVITATION, args, 3);
    IMsgrSessionManager_Release(&manager->IMsgrSessionManager_iface);
    SysFreeString(appdata);

    msgr_session_set_handled(session, handled ? VARIANT_TRUE : VARIANT_FALSE);
    *ret = session;
    return S_OK;
}

static HRESULT WINAPI host_CreateRendezvousSession(IMsgrSessionManagerHost *iface, IDispatch *session,
                                                   BSTR remote_user, IUnknown **ret)
{
    TRACE("%p, %p, %s, %p.\n", iface, session, debugstr_w(remote_user), ret);

    if (!ret) return E_POINTER;
    *ret = NULL;
    if (!session) return E_INVALIDARG;
    return msgr_bridge_create(session, remote_user, ret);
}

static const IMsgrSessionManagerHostVtbl host_vtbl =
{
    host_QueryInterface,
    host_AddRef,
    host_Release,
    host_GetTypeInfoCount,
    host_GetTypeInfo,
    host_GetIDsOfNames,
    host_Invoke,
    host_ReceiveInvitation,
    host_CreateRendezvousSession,
};

HRESULT msgr_manager_create(REFIID riid, void **obj)
{
    struct manager *manager;
    HRESULT hr;

    TRACE("%s, %p.\n", debugstr_guid(riid), obj);

    if (!(manager = CoTaskMemAlloc(sizeof(*manager)))) return E_OUTOFMEMORY;
    memset(manager, 0, sizeof(*manager));
    manager->IMsgrSessionManager_iface.lpVtbl = &manager_vtbl;
    manager->IMsgrSessionManagerHost_iface.lpVtbl = &host_vtbl;
    manager->lock.IMsgrLock_iface.lpVtbl = &msgr_lock_vtbl;
    manager->lock.outer = &manager->object.IUnknown_iface;
    com_object_init(&manager->object, manager, manager_interfaces, manager_final_release);
    event_source_init(&manager->events, (IUnknown *)&manager->IMsgrSessionManager_iface,
                      &DIID_DMsgrSessionManagerEvents);
    lock_module();

    hr = IMsgrSessionManager_QueryInterface(&manager->IMsgrSessionManager_iface, riid, obj);
    IMsgrSessionManager_Release(&manager->IMsgrSessionManager_iface);
    return hr;
}
