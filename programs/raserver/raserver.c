/*
 * raserver: the LocalServer32 host of the Remote Assistance classes
 *
 *   raserver -Embedding     serve (COM starts it so); exits once idle
 *   raserver /RegServer     write LocalServer32 of the classes with this path
 *   raserver /UnregServer   remove it again
 *
 * The classes themselves are rendezvoussession.dll's: the server loads the DLL
 * that registered them (their InprocServer32), registers its class objects
 * with COM and runs a message loop until no object and no lock is left.
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

#include <stdio.h>
#include <windows.h>
#include <ole2.h>
#include <shellapi.h>
#include <ocidl.h>

#include <initguid.h>
#include "rendezvoussession.h"

#include "wine/debug.h"

WINE_DEFAULT_DEBUG_CHANNEL(raserver);

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

DEFINE_GUID(CLSID_RemoteAssistanceAsk, 0xc0b3c446, 0x3032, 0x4016, 0x92, 0x6f, 0x9b, 0xae, 0x48, 0xbe, 0xbf, 0xbe);
DEFINE_GUID(CLSID_RemoteAssistanceOffer, 0x49010c18, 0xb110, 0x421a, 0x90, 0x47, 0xad, 0xca, 0x42, 0x1c, 0xbc, 0x40);

static const CLSID *const classes[] =
{
    &CLSID_RendezvousApplication,
    &CLSID_RemoteAssistanceAsk,
    &CLSID_RemoteAssistanceOffer,
};

/* How often the server looks at the DLL's object count. */
#define IDLE_POLL_MS 100
/* Idle this long after its last object, the server stops taking new clients...
 * Long, because under Wine 8 a client whose activation reaches the server just
 * as it revokes gets E_FAIL (combase's QueryService finds no class any more)
 * instead of a new server: a client that comes back within this time is served. */
#define LINGER_MS 5000
/* ...and exits after this long more without an object. */
#define DRAIN_MS 500
/* Started, and no object ever came. */
#define FIRST_OBJECT_MS 30000

#define CLASSES_KEY L"Software\\Classes\\CLSID\\"

static HRESULT (WINAPI *pDllGetClassObject)(REFCLSID, REFIID, void **);
/* DllCanUnloadNow without the module's proxies and stubs, which the kept stubs below hold. */
static HRESULT (WINAPI *p__wine_rendezvous_idle)(void);

/* Wine 8's rpcrt4 races: RpcServerUnregisterIf looks at an interface's running
 * calls without the lock that a call that has just answered takes to leave
 * (dlls/rpcrt4/rpc_server.c), so when a client's Release takes the last stub of
 * an interface right after a call to it returned, this server's thread can
 * wait forever.  The server keeps one stub of each interface it serves for its
 * whole life, so that none is unregistered while clients call.  The object
 * behind them is handed to nobody: an event sink that handles no event and a
 * Remote Assistance that takes no session. */
static HRESULT WINAPI placeholder_QueryInterface(IDispatch *iface, REFIID riid, void **obj);
static ULONG WINAPI placeholder_AddRef(IDispatch *iface) { return 2; }
static ULONG WINAPI placeholder_Release(IDispatch *iface) { return 1; }

static HRESULT WINAPI placeholder_GetTypeInfoCount(IDispatch *iface, UINT *count)
{
    *count = 0;
    return S_OK;
}

static HRESULT WINAPI placeholder_GetTypeInfo(IDispatch *iface, UINT index, LCID lcid, ITypeInfo **info)
{
    *info = NULL;
    return DISP_E_BADINDEX;
}

static HRESULT WINAPI placeholder_GetIDsOfNames(IDispatch *iface, REFIID riid, LPOLESTR *names, UINT count,
                                                LCID lcid, DISPID *ids)
{
    UINT i;

    for (i = 0; i < count; i++) ids[i] = DISPID_UNKNOWN;
    return DISP_E_UNKNOWNNAME;
}

static HRESULT WINAPI placeholder_Invoke(IDispatch *iface, DISPID id, REFIID riid, LCID lcid, WORD flags,
                                         DISPPARAMS *params, VARIANT *result, EXCEPINFO *excep, UINT *arg_err)
{
    return DISP_E_MEMBERNOTFOUND;
}

static const IDispatchVtbl placeholder_dispatch_vtbl =
{
    placeholder_QueryInterface, placeholder_AddRef, placeholder_Release, placeholder_GetTypeInfoCount,
    placeholder_GetTypeInfo, placeholder_GetIDsOfNames, placeholder_Invoke,
};

static IDispatch placeholder_dispatch = { &placeholder_dispatch_vtbl };

static HRESULT WINAPI placeholder_app_QueryInterface(IRendezvousApplication *iface, REFIID riid, void **obj)
{
    return placeholder_QueryInterface(&placeholder_dispatch, riid, obj);
}

static ULONG WINAPI placeholder_app_AddRef(IRendezvousApplication *iface) { return 2; }
static ULONG WINAPI placeholder_app_Release(IRendezvousApplication *iface) { return 1; }

static HRESULT WINAPI placeholder_app_SetRendezvousSession(IRendezvousApplication *iface, IUnknown *session)
{
    /* Nobody holds this object: no session comes here. */
    return CO_E_OBJNOTCONNECTED;
}

static const IRendezvousApplicationVtbl placeholder_app_vtbl =
{
    placeholder_app_QueryInterface, placeholder_app_AddRef, placeholder_app_Release,
    placeholder_app_SetRendezvousSession,
};

static IRendezvousApplication placeholder_app = { &placeholder_app_vtbl };

static HRESULT WINAPI placeholder_QueryInterface(IDispatch *iface, REFIID riid, void **obj)
{
    if (IsEqualGUID(riid, &IID_IUnknown) || IsEqualGUID(riid, &IID_IDispatch) ||
        IsEqualGUID(riid, &DIID_DRendezvousSessionEvents))
        *obj = &placeholder_dispatch;
    else if (IsEqualGUID(riid, &IID_IRendezvousApplication))
        *obj = &placeholder_app;
    else
    {
        *obj = NULL;
        return E_NOINTERFACE;
    }
    return S_OK;
}

static const IID *const served_interfaces[] =
{
    &IID_IUnknown, &IID_IDispatch, &DIID_DRendezvousSessionEvents, &IID_IRendezvousApplication,
};

static IStream *kept_stubs[ARRAY_SIZE(served_interfaces)];

static void keep_stubs(void)
{
    unsigned int i;
    HRESULT hr;

    for (i = 0; i < ARRAY_SIZE(served_interfaces); i++)
    {
        if (FAILED(hr = CreateStreamOnHGlobal(NULL, TRUE, &kept_stubs[i])) ||
            FAILED(hr = CoMarshalInterface(kept_stubs[i], served_interfaces[i], (IUnknown *)&placeholder_dispatch,
                                           MSHCTX_LOCAL, NULL, MSHLFLAGS_TABLESTRONG)))
            WARN("cannot keep a stub of %s: %#lx\n", debugstr_guid(served_interfaces[i]), hr);
    }
}

static void release_kept_stubs(void)
{
    unsigned int i;

    /* Disconnecting unregisters without waiting. */
    CoDisconnectObject((IUnknown *)&placeholder_dispatch, 0);
    for (i = 0; i < ARRAY_SIZE(kept_stubs); i++)
    {
        if (kept_stubs[i]) IStream_Release(kept_stubs[i]);
        kept_stubs[i] = NULL;
    }
}

static void clsid_key(WCHAR *buffer, const CLSID *clsid, const WCHAR *suffix)
{
    lstrcpyW(buffer, CLASSES_KEY);
    StringFromGUID2(clsid, buffer + lstrlenW(buffer), 39);
    lstrcatW(buffer, suffix);
}

static int register_server(void)
{
    WCHAR path[MAX_PATH + 2], key[128];
    unsigned int i;
    DWORD len;
    HKEY hkey;
    LSTATUS status;

    /* Quoted: the path may hold spaces, and COM appends " -Embedding". */
    path[0] = '"';
    len = GetModuleFileNameW(NULL, path + 1, MAX_PATH - 2);
    if (!len || len >= MAX_PATH - 2) return 1;
    lstrcatW(path, L"\"");

    for (i = 0; i < ARRAY_SIZE(classes); i++)
    {
        clsid_key(key, classes[i], L"\\LocalServer32");
        if ((status = RegCreateKeyExW(HKEY_LOCAL_MACHINE, key, 0, NULL, 0, KEY_SET_VALUE, NULL, &hkey, NULL)))
        {
            ERR("cannot create %s: %ld\n", debugstr_w(key), status);
            return 1;
        }
        status = RegSetValueExW(hkey, NULL, 0, REG_SZ, (const BYTE *)path, (lstrlenW(path) + 1) * sizeof(WCHAR));
        RegCloseKey(hkey);
        if (status)
        {
            ERR("cannot set %s: %ld\n", debugstr_w(key), status);
            return 1;
        }
    }
    return 0;
}

static int unregister_server(void)
{
    WCHAR key[128];
    unsigned int i;
    LSTATUS status;
    int ret = 0;

    for (i = 0; i < ARRAY_SIZE(classes); i++)
    {
        clsid_key(key, classes[i], L"\\LocalServer32");
        status = RegDeleteKeyW(HKEY_LOCAL_MACHINE, key);
        if (status && status != ERROR_FILE_NOT_FOUND)
        {
            ERR("cannot delete %s: %ld\n", debugstr_w(key), status);
            ret = 1;
        }
        /* The class key goes too once nothing else (the DLL's InprocServer32) is in it. */
        clsid_key(key, classes[i], L"");
        RegDeleteKeyW(HKEY_LOCAL_MACHINE, key);
    }
    return ret;
}

/* The DLL that registered the classes, else the usual search. */
static HMODULE load_classes_dll(void)
{
    WCHAR key[128], path[MAX_PATH];
    DWORD size = sizeof(path), type;
    HMODULE module = NULL;
    HKEY hkey;

    lstrcpyW(key, L"CLSID\\");
    StringFromGUID2(&CLSID_RendezvousApplication, key + lstrlenW(key), 39);
    lstrcatW(key, L"\\InprocServer32");
    if (!RegOpenKeyExW(HKEY_CLASSES_ROOT, key, 0, KEY_QUERY_VALUE, &hkey))
    {
        if (!RegQueryValueExW(hkey, NULL, NULL, &type, (BYTE *)path, &size) && type == REG_SZ &&
            size >= sizeof(WCHAR) && size < sizeof(path))
        {
            path[size / sizeof(WCHAR)] = 0;
            TRACE("loading %s\n", debugstr_w(path));
            module = LoadLibraryW(path);
        }
        RegCloseKey(hkey);
    }
    if (!module) module = LoadLibraryW(L"rendezvoussession.dll");
    return module;
}

static BOOL busy(void)
{
    return p__wine_rendezvous_idle() != S_OK;
}

/* Runs messages until the server has been idle long enough, or is told to quit. */
static void serve(DWORD *cookies)
{
    DWORD start = GetTickCount(), idle_since = 0, now;
    BOOL served = FALSE, revoked = FALSE;
    unsigned int i;
    MSG msg;

    SetTimer(NULL, 0, IDLE_POLL_MS, NULL);
    while (GetMessageW(&msg, NULL, 0, 0) > 0)
    {
        if (msg.message != WM_TIMER || msg.hwnd)
        {
            TranslateMessage(&msg);
            DispatchMessageW(&msg);
            continue;
        }
        now = GetTickCount();
        if (busy())
        {
            served = TRUE;
            idle_since = 0;
            continue;
        }
        if (!idle_since) idle_since = now;

        if (!revoked && ((served && now - idle_since >= LINGER_MS) ||
                         (!served && now - start >= FIRST_OBJECT_MS)))
        {
            /* New clients start a new server from now on; those that already
             * hold a class object are still served until idle again. */
            TRACE("idle: revoking the class objects\n");
            for (i = 0; i < ARRAY_SIZE(classes); i++)
                if (cookies[i]) CoRevokeClassObject(cookies[i]);
            revoked = TRUE;
            idle_since = now;
            continue;
        }
        if (revoked && now - idle_since >= DRAIN_MS) break;
    }
}

static int run_server(void)
{
    DWORD cookies[ARRAY_SIZE(classes)] = {0};
    HMODULE module;
    unsigned int i;
    HRESULT hr;
    int ret = 0;

    if (FAILED(hr = CoInitializeEx(NULL, COINIT_APARTMENTTHREADED)))
    {
        ERR("CoInitializeEx failed: %#lx\n", hr);
        return 1;
    }
    if (!(module = load_classes_dll()))
    {
        ERR("rendezvoussession.dll not found: %lu\n", GetLastError());
        CoUninitialize();
        return 1;
    }
    pDllGetClassObject = (void *)GetProcAddress(module, "DllGetClassObject");
    p__wine_rendezvous_idle = (void *)GetProcAddress(module, "__wine_rendezvous_idle");
    if (!pDllGetClassObject || !p__wine_rendezvous_idle)
    {
        ERR("rendezvoussession.dll lacks its entry points\n");
        CoUninitialize();
        return 1;
    }

    for (i = 0; i < ARRAY_SIZE(classes); i++)
    {
        IUnknown *factory;

        if (FAILED(hr = pDllGetClassObject(classes[i], &IID_IUnknown, (void **)&factory)))
        {
            ERR("no class object for %s: %#lx\n", debugstr_guid(classes[i]), hr);
            ret = 1;
            break;
        }
        hr = CoRegisterClassObject(classes[i], factory, CLSCTX_LOCAL_SERVER, REGCLS_MULTIPLEUSE, &cookies[i]);
        IUnknown_Release(factory);
        if (FAILED(hr))
        {
            ERR("CoRegisterClassObject(%s) failed: %#lx\n", debugstr_guid(classes[i]), hr);
            cookies[i] = 0;
            ret = 1;
            break;
        }
    }
    if (!ret)
    {
        keep_stubs();
        serve(cookies);
    }

    for (i = 0; i < ARRAY_SIZE(classes); i++)
        if (cookies[i]) CoRevokeClassObject(cookies[i]);
    release_kept_stubs();
    TRACE("exiting\n");
    CoUninitialize();
    /* The DLL stays loaded: its threads and windows end with the process. */
    return ret;
}

static BOOL is_switch(const WCHAR *arg, const WCHAR *name)
{
    return (arg[0] == '-' || arg[0] == '/') && !lstrcmpiW(arg + 1, name);
}

int WINAPI WinMain(HINSTANCE instance, HINSTANCE previous, LPSTR cmdline, int show)
{
    WCHAR **argv;
    int argc, ret;

    if (!(argv = CommandLineToArgvW(GetCommandLineW(), &argc))) return 1;
    if (argc == 2 && is_switch(argv[1], L"RegServer")) ret = register_server();
    else if (argc == 2 && is_switch(argv[1], L"UnregServer")) ret = unregister_server();
    else if (argc == 1 || (argc == 2 && is_switch(argv[1], L"Embedding"))) ret = run_server();
    else
    {
        fputs("usage: raserver [-Embedding | /RegServer | /UnregServer]\n", stderr);
        ret = 2;
    }
    LocalFree(argv);
    return ret;
}
