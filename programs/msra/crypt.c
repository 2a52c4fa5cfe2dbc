/*
 * msra: the invitation's cryptography, through advapi32's CryptoAPI
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

#include <windows.h>
#include <wincrypt.h>
#include <string.h>

#include "msra.h"

/* A key from CryptDeriveKey over the hash (hash_alg) of the password in UTF-16LE. */
static BOOL derive_key(HCRYPTPROV prov, ALG_ID hash_alg, ALG_ID key_alg, DWORD flags, const WCHAR *password,
                       HCRYPTKEY *key)
{
    HCRYPTHASH hash;
    BOOL ret;

    if (!CryptCreateHash(prov, hash_alg, 0, 0, &hash)) return FALSE;
    ret = CryptHashData(hash, (const BYTE *)password, lstrlenW(password) * sizeof(WCHAR), 0) &&
          CryptDeriveKey(prov, key_alg, hash, flags, key);
    CryptDestroyHash(hash);
    return ret;
}

static BOOL acquire(HCRYPTPROV *prov)
{
    return CryptAcquireContextW(prov, NULL, MS_ENH_RSA_AES_PROV_W, PROV_RSA_AES, CRYPT_VERIFYCONTEXT);
}

enum msra_status msra_decrypt_lhticket(const WCHAR *password, const BYTE *ticket, DWORD size,
                                       struct rv_rai_string2 *out)
{
    enum msra_status status = MSRA_CRYPT_FAILED;
    BYTE plain[RV_RAI_MAX_LHTICKET];
    HCRYPTPROV prov;
    HCRYPTKEY key;
    DWORD length = size;

    if (!size || size > sizeof(plain) || size % 16)
    {
        SetLastError(ERROR_INVALID_DATA);
        return MSRA_CRYPT_FAILED;
    }
    if (!acquire(&prov)) return MSRA_CRYPT_FAILED;
    if (derive_key(prov, CALG_SHA1, CALG_AES_128, 0, password, &key))
    {
        memcpy(plain, ticket, size);
        /* CBC with the provider's default, all-zero IV; the final block's padding is checked. */
        if (!CryptDecrypt(key, 0, TRUE, 0, plain, &length))
            status = GetLastError() == (DWORD)NTE_BAD_DATA ? MSRA_WRONG_PASSWORD : MSRA_CRYPT_FAILED;
        else if (rv_rai_parse_string2_utf16(plain, length, out) != RV_S_OK)
            status = MSRA_WRONG_PASSWORD;
        else
            status = MSRA_OK;
        SecureZeroMemory(plain, sizeof(plain));
        CryptDestroyKey(key);
    }
    CryptReleaseContext(prov, 0);
    return status;
}

enum msra_status msra_encrypt_passstub(const WCHAR *password, const char *passstub, BYTE *out, DWORD *size)
{
    enum msra_status status = MSRA_CRYPT_FAILED;
    size_t count = strlen(passstub), i;
    HCRYPTPROV prov;
    HCRYPTKEY key;
    DWORD length;

    if (!count || count >= RV_RAI_PASSSTUB_BUFFER_SIZE)
    {
        SetLastError(ERROR_INVALID_DATA);
        return MSRA_CRYPT_FAILED;
    }
    length = (DWORD)(4 + 2 * count);
    out[0] = (BYTE)(2 * count);
    out[1] = out[2] = out[3] = 0;
    for (i = 0; i < count; i++)
    {
        out[4 + 2 * i] = (BYTE)passstub[i];
        out[5 + 2 * i] = 0;
    }
    if (!acquire(&prov)) return MSRA_CRYPT_FAILED;
    /* RC4 with a 128-bit key: the provider's default would be shorter. */
    if (derive_key(prov, CALG_MD5, CALG_RC4, 128 << 16, password, &key))
    {
        if (CryptEncrypt(key, 0, TRUE, 0, out, &length, MSRA_PASSSTUB_BLOB_SIZE))
        {
            *size = length;
            status = MSRA_OK;
        }
        CryptDestroyKey(key);
    }
    CryptReleaseContext(prov, 0);
    return status;
}
