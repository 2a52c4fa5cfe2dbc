/*
 * rendezvoussession.dll: entry points, class factories, registration
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
#include "rendezvoussession_private.h"

#include "wine/debug.h"

WINE_DEFAULT_DEBUG_CHANNEL(rendezvous);

HINSTANCE rendezvous_instance;

/* Type information: two libraries, both embedded: RendezvousSessionLib (the
 * SDK's) is TYPELIB resource 1, our WineRendezvousLib resource 2. */
static const struct typeinfo_id typeinfo_ids[] =
{
    { &IID_IRendezvousSessionHost, 2 },
    { &DIID_DRendezvousSessionEvents, 1 },
};
static ITypeInfo *typeinfos[LAST_tid];
struct typeinfo_cache rendezvous_typeinfo = { &rendezvous_instance, typeinfo_ids, typeinfos, LAST_tid };

/* Class factories */

static struct class_factory session_factory = CLASS_FACTORY(rendezvous_session_create);
static struct class_factory ask_factory = CLASS_FACTORY(rendezvous_application_create_ask);
static struct class_factory offer_factory = CLASS_FACTORY(rendezvous_application_create_offer);

/* Every class this DLL serves; raserver.exe serves the Remote Assistance ones out of process. */
static const struct class_entry classes[] =
{
    { &CLSID_RendezvousSession, &session_factory },
    /* Remote Assistance: the documented class, and the two that Windows names
     * in HKLM\SOFTWARE\Microsoft\RendezvousApps. */
    { &CLSID_RendezvousApplication, &ask_factory },
    { &CLSID_RemoteAssistanceAsk, &ask_factory },
    { &CLSID_RemoteAssistanceOffer, &offer_factory },
};

static const struct com_module rendezvous_module =
{
    &rendezvous_instance,
    classes,
    ARRAY_SIZE(classes),
    &rendezvous_typeinfo,
    { &LIBID_RendezvousSessionLib, &LIBID_WineRendezvousLib },
    rendezvous_application_unregister_class,
};

/***********************************************************************
 *      DllMain
 */
BOOL WINAPI DllMain(HINSTANCE instance, DWORD reason, void *reserved)
{
    TRACE("%p, %lu, %p.\n", instance, reason, reserved);

    return module_dll_main(&rendezvous_module, instance, reason, reserved);
}

/***********************************************************************
 *      DllGetClassObject (rendezvoussession.@)
 */
HRESULT WINAPI DllGetClassObject(REFCLSID clsid, REFIID riid, void **obj)
{
    HRESULT hr = module_get_class_object(&rendezvous_module, clsid, riid, obj);

    if (hr == CLASS_E_CLASSNOTAVAILABLE) hr = rendezvous_proxy_get_class_object(clsid, riid, obj);
    return hr;
}

/***********************************************************************
 *      DllCanUnloadNow (rendezvoussession.@)
 */
HRESULT WINAPI DllCanUnloadNow(void)
{
    if (rendezvous_proxy_can_unload_now() != S_OK) return S_FALSE;
    return __wine_rendezvous_idle();
}

/***********************************************************************
 *      __wine_rendezvous_idle (rendezvoussession.@)
 *
 * DllCanUnloadNow without the module's proxies and stubs: S_OK once no object
 * is left and no screen is shared.  raserver.exe keeps stubs of the interfaces
 * it serves for its whole life (docs/behaviour.md), so this is how it knows
 * that it is idle.
 */
HRESULT WINAPI __wine_rendezvous_idle(void)
{
    /* Unloading would not stop them, but the DLL keeps their handles. */
    if (backend_shares_running()) return S_FALSE;
    return module_can_unload_now();
}

/***********************************************************************
 *      DllRegisterServer (rendezvoussession.@)
 */
HRESULT WINAPI DllRegisterServer(void)
{
    TRACE("\n");

    return module_register(&rendezvous_module, TRUE);
}

/***********************************************************************
 *      DllUnregisterServer (rendezvoussession.@)
 */
HRESULT WINAPI DllUnregisterServer(void)
{
    TRACE("\n");

    return module_register(&rendezvous_module, FALSE);
}
