/*
 * msra: Windows Remote Assistance invitations for the helper
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

#ifndef __WINE_MSRA_H
#define __WINE_MSRA_H

#include <windows.h>

#include "rv_rai.h"

/* The encrypted PassStub: a 4-byte length and the PassStub in UTF-16LE. */
#define MSRA_PASSSTUB_BLOB_SIZE (4 + 2 * (RV_RAI_PASSSTUB_BUFFER_SIZE - 1))

/* Why an invitation could not be opened. */
enum msra_status
{
    MSRA_OK,
    MSRA_WRONG_PASSWORD,    /* LHTICKET does not decrypt to a connection string 2 */
    MSRA_CRYPT_FAILED,      /* the CryptoAPI refused (GetLastError says why) */
};

/*
 * Decrypts LHTICKET with the password ([MS-RAI]: AES-128 in CBC mode, the
 * key from CryptDeriveKey over the SHA-1 of the password in UTF-16LE) and
 * parses the connection string 2 it holds.
 */
enum msra_status msra_decrypt_lhticket(const WCHAR *password, const BYTE *ticket, DWORD size,
                                       struct rv_rai_string2 *out);

/*
 * Encrypts the PassStub as the helper sends it to the novice: RC4 with a
 * 128-bit key from CryptDeriveKey over the MD5 of the password in UTF-16LE,
 * over the PassStub's length in bytes (4 bytes, little-endian) and the
 * PassStub in UTF-16LE.  Writes *size bytes (at most MSRA_PASSSTUB_BLOB_SIZE).
 */
enum msra_status msra_encrypt_passstub(const WCHAR *password, const char *passstub, BYTE *out, DWORD *size);

#endif /* __WINE_MSRA_H */
