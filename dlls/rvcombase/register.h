/*
 * DLL registration shared by rendezvoussession.dll and msgsc.dll
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

#ifndef __RENDEZVOUS_REGISTER_H
#define __RENDEZVOUS_REGISTER_H

/* winecrt0's: run every WINE_REGISTRY resource of the calling module (widl's
 * scripts, with the typelib's, and .rgs files) through ATL's registrar.  Wine's
 * rpcproxy.h declares them; mingw's does not. */
HRESULT __cdecl __wine_register_resources(void);
HRESULT __cdecl __wine_unregister_resources(void);

/* Deletes HKCR\Typelib\{libid} if unregistering left it empty. */
void remove_empty_typelib_key(const GUID *libid);

#endif /* __RENDEZVOUS_REGISTER_H */
