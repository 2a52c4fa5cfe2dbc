/*
 * Unit tests: SHA-256 and HMAC-SHA256 test vectors (libsodium, which the core
 * uses for its MACs), constant-time compare
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

#include <string.h>

#include <sodium.h>

#include "rv_private.h"
#include "rvtest.h"

static void to_hex(const uint8_t *bytes, size_t size, char *out)
{
    static const char digits[] = "0123456789abcdef";
    size_t i;

    for (i = 0; i < size; i++)
    {
        out[2 * i] = digits[bytes[i] >> 4];
        out[2 * i + 1] = digits[bytes[i] & 0xf];
    }
    out[2 * size] = 0;
}

static void check_sha256(const char *message, size_t size, const char *expect)
{
    uint8_t digest[RV_SHA256_SIZE];
    char hex[2 * RV_SHA256_SIZE + 1];

    crypto_hash_sha256(digest, (const unsigned char *)message, size);
    to_hex(digest, sizeof(digest), hex);
    ok(!strcmp(hex, expect), "sha256 of %u bytes: got %s, expected %s\n", (unsigned)size, hex, expect);
}

static void test_sha256_vectors(void)
{
    static const char two_blocks[] =
        "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqr"
        "lmnopqrsmnopqrstnopqrstu";
    crypto_hash_sha256_state ctx;
    uint8_t digest[RV_SHA256_SIZE];
    char hex[2 * RV_SHA256_SIZE + 1], block[1001];
    int i;

    /* FIPS 180-4 / NIST example vectors */
    check_sha256("abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    check_sha256("", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    check_sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56,
                 "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    check_sha256(two_blocks, strlen(two_blocks),
                 "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");

    /* One million 'a', fed in uneven pieces. */
    memset(block, 'a', sizeof(block));
    crypto_hash_sha256_init(&ctx);
    for (i = 0; i < 1000; i++)
        crypto_hash_sha256_update(&ctx, (const unsigned char *)block, i % 2 ? 999 : 1001);
    crypto_hash_sha256_final(&ctx, digest);
    to_hex(digest, sizeof(digest), hex);
    ok(!strcmp(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"),
       "million a: got %s\n", hex);
}

static void test_sha256_incremental(void)
{
    uint8_t message[300], whole[RV_SHA256_SIZE], split[RV_SHA256_SIZE];
    crypto_hash_sha256_state ctx;
    size_t size, cut;
    int mismatches = 0;

    for (size = 0; size < sizeof(message); size++) message[size] = (uint8_t)(size * 7 + 3);
    /* Every length around the padding boundaries, split at every point. */
    for (size = 0; size <= 130; size++)
    {
        crypto_hash_sha256(whole, (const unsigned char *)message, size);
        for (cut = 0; cut <= size; cut++)
        {
            crypto_hash_sha256_init(&ctx);
            crypto_hash_sha256_update(&ctx, message, cut);
            crypto_hash_sha256_update(&ctx, message + cut, size - cut);
            crypto_hash_sha256_final(&ctx, split);
            if (memcmp(whole, split, sizeof(whole))) mismatches++;
        }
    }
    ok(!mismatches, "%d incremental mismatches\n", mismatches);
}

/* The one-shot HMAC-SHA256 of any key size, as the core computes its MACs. */
static void hmac_sha256(const uint8_t *key, size_t key_size, const void *data, size_t size,
                        uint8_t mac[RV_SHA256_SIZE])
{
    crypto_auth_hmacsha256_state ctx;

    crypto_auth_hmacsha256_init(&ctx, key, key_size);
    crypto_auth_hmacsha256_update(&ctx, data, size);
    crypto_auth_hmacsha256_final(&ctx, mac);
}

static void check_hmac(const uint8_t *key, size_t key_size, const void *data, size_t size,
                       const char *expect, size_t expect_bytes, int tc)
{
    uint8_t mac[RV_SHA256_SIZE];
    char hex[2 * RV_SHA256_SIZE + 1];

    hmac_sha256(key, key_size, data, size, mac);
    to_hex(mac, expect_bytes, hex);
    ok(!strcmp(hex, expect), "RFC 4231 test case %d: got %s, expected %s\n", tc, hex, expect);
}

static void test_hmac_vectors(void)
{
    uint8_t key[131], data[50];
    crypto_auth_hmacsha256_state ctx;
    uint8_t mac[RV_SHA256_SIZE], mac2[RV_SHA256_SIZE];
    int i;

    memset(key, 0x0b, 20);
    check_hmac(key, 20, "Hi There", 8,
               "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7", 32, 1);
    check_hmac((const uint8_t *)"Jefe", 4, "what do ya want for nothing?", 28,
               "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843", 32, 2);
    memset(key, 0xaa, 20);
    memset(data, 0xdd, 50);
    check_hmac(key, 20, data, 50,
               "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe", 32, 3);
    for (i = 0; i < 25; i++) key[i] = (uint8_t)(i + 1);
    memset(data, 0xcd, 50);
    check_hmac(key, 25, data, 50,
               "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b", 32, 4);
    memset(key, 0x0c, 20);
    check_hmac(key, 20, "Test With Truncation", 20, "a3b6167473100ee06e0c796c2955552b", 16, 5);
    memset(key, 0xaa, 131);
    check_hmac(key, 131, "Test Using Larger Than Block-Size Key - Hash Key First", 54,
               "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54", 32, 6);
    check_hmac(key, 131,
               "This is a test using a larger than block-size key and a larger than block-size "
               "data. The key needs to be hashed before being used by the HMAC algorithm.", 152,
               "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2", 32, 7);

    /* Multi-part input gives the same MAC as one piece. */
    crypto_auth_hmacsha256_init(&ctx, key, 131);
    crypto_auth_hmacsha256_update(&ctx, (const unsigned char *)
                                  "This is a test using a larger than block-size key and a larger", 62);
    crypto_auth_hmacsha256_update(&ctx, (const unsigned char *)
                                  " than block-size data. The key needs to be hashed before being"
                                  " used by the HMAC algorithm.", 90);
    crypto_auth_hmacsha256_final(&ctx, mac);
    hmac_sha256(key, 131,
                "This is a test using a larger than block-size key and a larger than block-size "
                "data. The key needs to be hashed before being used by the HMAC algorithm.", 152,
                mac2);
    ok(!memcmp(mac, mac2, sizeof(mac)), "multi-part HMAC differs\n");
}

static void test_ct_equal(void)
{
    uint8_t a[32], b[32];
    int i, bad = 0;

    memset(a, 0x5a, sizeof(a));
    memcpy(b, a, sizeof(b));
    ok(rv_ct_equal(a, b, sizeof(a)) == 1, "equal buffers not equal\n");
    ok(rv_ct_equal(a, b, 0) == 1, "empty buffers not equal\n");
    for (i = 0; i < 32 * 8; i++)
    {
        b[i / 8] ^= (uint8_t)(1 << (i % 8));
        if (rv_ct_equal(a, b, sizeof(a)) != 0) bad++;
        b[i / 8] ^= (uint8_t)(1 << (i % 8));
    }
    ok(!bad, "%d single-bit differences not detected\n", bad);
}

START_TEST(crypto)
{
    test_sha256_vectors();
    test_sha256_incremental();
    test_hmac_vectors();
    test_ct_equal();
}
