/*
 * rendezvoussession.dll: the class object of its proxies and stubs
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

#include "rendezvoussession_private.h"

#ifndef WINE_NO_WINECRT0

#include <initguid.h>

/* The proxy IDL declares the events' dispinterface as an interface: widl names its IID so. */
DEFINE_GUID(IID_DRendezvousSessionEvents, 0x3fa19cf8, 0x64c4, 0x4f53, 0xae, 0x60, 0x63, 0x5b, 0x38, 0x06, 0xec, 0xa6);

/* widl's proxies catch RPC failures with winecrt0's exception frames. */
#define ENTRY_PREFIX rendezvous_proxy_
#define PROXY_DELEGATION
#define PROXY_CLSID_IS { 0x9ba4b1dd, 0x8b0c, 0x48b7, { 0x9e, 0x7c, 0x2f, 0x25, 0x85, 0x7c, 0x8d, 0xf5 } }
#include <rpcproxy.h>

EXTERN_PROXY_FILE(rendezvoussession_proxy)

PROXYFILE_LIST_START
    REFERENCE_PROXY_FILE(rendezvoussession_proxy),
PROXYFILE_LIST_END

DLLDATA_ROUTINES(aProxyFileList, GET_DLL_CLSID)

HRESULT rendezvous_proxy_get_class_object(REFCLSID clsid, REFIID riid, void **obj)
{
    return rendezvous_proxy_DllGetClassObject(clsid, riid, obj);
}

HRESULT rendezvous_proxy_can_unload_now(void)
{
    return rendezvous_proxy_DllCanUnloadNow();
}

#else /* WINE_NO_WINECRT0 */

/* Without winecrt0 (i686 on Debian amd64) the module has no proxies of its own:
 * the registered factory hands out the typelib marshaler's, so that the
 * registration is the same on every architecture. */
HRESULT rendezvous_proxy_get_class_object(REFCLSID clsid, REFIID riid, void **obj)
{
    if (!IsEqualGUID(clsid, &CLSID_RendezvousProxyStub)) return CLASS_E_CLASSNOTAVAILABLE;
    return CoGetClassObject(&CLSID_PSOAInterface, CLSCTX_INPROC_SERVER, NULL, riid, obj);
}

HRESULT rendezvous_proxy_can_unload_now(void)
{
    return S_OK;
}

#endif /* WINE_NO_WINECRT0 */
