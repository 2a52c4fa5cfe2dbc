/*
 * msra tests: the CryptoAPI recipe of [MS-RAI] against the published vectors
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

#include "wine/test.h"
#include "rai_vectors.h"

static const char lhticket_hex[] = TYPE2_LHTICKET;
static const char string2[] = TYPE2_STRING2 "\r\n";

static DWORD from_hex(const char *hex, BYTE *out, DWORD size)
{
    DWORD n = (DWORD)strlen(hex) / 2, i;
    unsigned int byte;

    ok(n <= size, "%lu bytes do not fit\n", n);
    for (i = 0; i < n && i < size; i++)
    {
        sscanf(hex + 2 * i, "%2x", &byte);
        out[i] = (BYTE)byte;
    }
    return n;
}

/* A key from CryptDeriveKey over a hash of the password in UTF-16LE. */
static HCRYPTKEY password_key(HCRYPTPROV prov, ALG_ID hash_alg, ALG_ID key_alg, DWORD flags, const char *password)
{
    WCHAR wide[64];
    HCRYPTHASH hash;
    HCRYPTKEY key = 0;
    BOOL ret;

    MultiByteToWideChar(CP_ACP, 0, password, -1, wide, ARRAYSIZE(wide));
    ret = CryptCreateHash(prov, hash_alg, 0, 0, &hash);
    ok(ret, "CryptCreateHash failed: %#lx\n", GetLastError());
    ret = CryptHashData(hash, (const BYTE *)wide, lstrlenW(wide) * sizeof(WCHAR), 0);
    ok(ret, "CryptHashData failed: %#lx\n", GetLastError());
    ret = CryptDeriveKey(prov, key_alg, hash, flags, &key);
    ok(ret, "CryptDeriveKey failed: %#lx\n", GetLastError());
    CryptDestroyHash(hash);
    return key;
}

/* The helper's proof ([MS-RAI] 6): the PassStub, after its length, under RC4
 * with a 128-bit key from the MD5 of the password. */
static void test_passstub(HCRYPTPROV prov)
{
    static const char passstub[] = "RT=0PvIndan52*";
    BYTE blob[64];
    DWORD size, i;
    HCRYPTKEY key;
    BOOL ret;

    size = 4 + 2 * (DWORD)strlen(passstub);
    memset(blob, 0, sizeof(blob));
    blob[0] = (BYTE)(size - 4);
    for (i = 0; passstub[i]; i++) blob[4 + 2 * i] = (BYTE)passstub[i];
    key = password_key(prov, CALG_MD5, CALG_RC4, 128 << 16, TYPE1_PASSWORD);
    ret = CryptEncrypt(key, 0, TRUE, 0, blob, &size, sizeof(blob));
    ok(ret, "CryptEncrypt failed: %#lx\n", GetLastError());
    ok(size == sizeof(type1_encrypted_passstub), "size %lu\n", size);
    ok(!memcmp(blob, type1_encrypted_passstub, sizeof(type1_encrypted_passstub)), "not the vector's blob\n");
    CryptDestroyKey(key);
}

/* LHTICKET: AES-128 in CBC mode with a zero IV, the key from CryptDeriveKey
 * over the SHA-1 of the password; UTF-16LE inside, padded to whole blocks. */
static void test_lhticket(HCRYPTPROV prov)
{
    BYTE data[1024];
    DWORD size, i;
    HCRYPTKEY key;
    BOOL ret, same;

    size = from_hex(lhticket_hex, data, sizeof(data));
    ok(size == 608, "size %lu\n", size);
    key = password_key(prov, CALG_SHA1, CALG_AES_128, 0, TYPE2_PASSWORD);
    ret = CryptDecrypt(key, 0, TRUE, 0, data, &size);
    ok(ret, "CryptDecrypt failed: %#lx\n", GetLastError());
    ok(size == 2 * strlen(string2), "decrypted %lu bytes\n", size);
    same = size == 2 * strlen(string2);
    for (i = 0; same && i < size / 2; i++) same = data[2 * i] == (BYTE)string2[i] && !data[2 * i + 1];
    ok(same, "not the vector's connection string 2\n");
    CryptDestroyKey(key);

    /* Another password: the padding does not check out, or the text is not the one. */
    size = from_hex(lhticket_hex, data, sizeof(data));
    key = password_key(prov, CALG_SHA1, CALG_AES_128, 0, TYPE1_PASSWORD);
    SetLastError(0xdeadbeef);
    ret = CryptDecrypt(key, 0, TRUE, 0, data, &size);
    ok(!ret ? GetLastError() == (DWORD)NTE_BAD_DATA : memcmp(data, "<\0E\0>\0", 6) != 0,
       "decrypted with the wrong password: %d %#lx\n", ret, GetLastError());
    CryptDestroyKey(key);
}

START_TEST(crypt)
{
    HCRYPTPROV prov;
    BOOL ret;

    ret = CryptAcquireContextW(&prov, NULL, MS_ENH_RSA_AES_PROV_W, PROV_RSA_AES, CRYPT_VERIFYCONTEXT);
    ok(ret, "CryptAcquireContext failed: %#lx\n", GetLastError());
    if (!ret) return;
    test_passstub(prov);
    test_lhticket(prov);
    CryptReleaseContext(prov, 0);
}
