/*
 * Unit tests: Noise_NNpsk0_25519_ChaChaPoly_BLAKE2b (noise.c)
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

#include "rv_noise.h"
#include "rvtest.h"

static size_t from_hex(const char *hex, uint8_t *out, size_t cap)
{
    size_t n = strlen(hex) / 2, i;

    if (n > cap) abort();
    for (i = 0; i < n; i++)
    {
        unsigned int v;
        if (sscanf(hex + 2 * i, "%2x", &v) != 1) abort();
        out[i] = (uint8_t)v;
    }
    return n;
}

/*
 * The vector for Noise_NNpsk0_25519_ChaChaPoly_BLAKE2b from cacophony's
 * vectors/cacophony.txt (github.com/haskell-cryptography/cacophony, the file
 * mcginty/snow also ships as tests/vectors/cacophony.txt).  The initiator and
 * the responder have the same prologue and PSK; the ephemerals are private
 * keys.  Messages alternate from the initiator: two handshake messages, then
 * transport messages.
 */
static const char vec_prologue[] = "4a6f686e2047616c74";
static const char vec_psk[] = "54686973206973206d7920417573747269616e20706572737065637469766521";
static const char vec_init_ephemeral[] =
    "893e28b9dc6ca8d611ab664754b8ceb7bac5117349a4439a6b0569da977c464a";
static const char vec_resp_ephemeral[] =
    "bbdb4cdbd309f1a1f2e1456967fe288cadd6f712d65dc7b7793d5e63da6b375b";
static const char vec_handshake_hash[] =
    "ed5e9692d0ab507b6c2beec3f584fd5b127817a9d20b26cd50aa72c507260fa3"
    "1aa7d88dd3723316338af37ce0b4cfb2923aeb848bbf2b934911306f01ffc963";
static const struct { const char *payload, *ciphertext; } vec_messages[] =
{
    { "4c756477696720766f6e204d69736573",
      "ca35def5ae56cec33dc2036731ab14896bc4c75dbb07a61f879f8e3afa4c7944"
      "ed63df2f5a12aee1185ee9c50305f2ecf12421dcb53c047a63b784cf7c54a105" },
    { "4d757272617920526f746862617264",
      "95ebc60d2b1fa672c1f46a8aa265ef51bfe38e7ccb39ec5be34069f144808843"
      "0e0fe7d5c0c9b92f7478716c8852f1b4f389edb75e3ebe546fafafd5b6f0f7" },
    { "462e20412e20486179656b",
      "0fe04b26dcfbb69f8a6a94c61f1a26ef88769218d32f5d17c068a6" },
    { "4361726c204d656e676572",
      "2239e0c540c01f09eb1f4cc5258fd5acfefff18a5a3773f21b7bfe" },
    { "4a65616e2d426170746973746520536179",
      "f216cb03d30fb8af1e561fe02a07552d09b416e27a75e62c77d193718b0bdaae9f" },
    { "457567656e2042f6686d20766f6e2042617765726b",
      "6e8baf98b944184dd7dc5ef14d8108cbeca626de118a5460f3308e294d61e17238bce29bd9" },
};

static void test_cacophony_vector(void)
{
    uint8_t prologue[16], psk[32], ei[32], er[32], hash[64], hi[64], hr_[64];
    uint8_t payload[64], expect[128], out[128], got[128];
    size_t prologue_len, payload_len, expect_len, out_len, got_len;
    struct rv_noise_cipher i_send, i_recv, r_send, r_recv;
    struct rv_noise init, resp;
    unsigned int m;
    rv_result hr;

    prologue_len = from_hex(vec_prologue, prologue, sizeof(prologue));
    from_hex(vec_psk, psk, sizeof(psk));
    from_hex(vec_init_ephemeral, ei, sizeof(ei));
    from_hex(vec_resp_ephemeral, er, sizeof(er));
    from_hex(vec_handshake_hash, hash, sizeof(hash));

    hr = rv_noise_init(&init, 1, prologue, prologue_len, psk, ei);
    ok(hr == RV_S_OK, "init: %#x\n", (unsigned)hr);
    hr = rv_noise_init(&resp, 0, prologue, prologue_len, psk, er);
    ok(hr == RV_S_OK, "init: %#x\n", (unsigned)hr);

    for (m = 0; m < sizeof(vec_messages) / sizeof(vec_messages[0]); m++)
    {
        int from_init = !(m % 2);

        payload_len = from_hex(vec_messages[m].payload, payload, sizeof(payload));
        expect_len = from_hex(vec_messages[m].ciphertext, expect, sizeof(expect));
        if (m < 2)
        {
            hr = rv_noise_write_message(from_init ? &init : &resp, payload, payload_len, out,
                                        sizeof(out), &out_len);
            ok(hr == RV_S_OK, "message %u: write %#x\n", m, (unsigned)hr);
            ok(out_len == expect_len && !memcmp(out, expect, expect_len),
               "message %u: ciphertext differs from the vector\n", m);
            hr = rv_noise_read_message(from_init ? &resp : &init, out, out_len, got,
                                       sizeof(got), &got_len);
            ok(hr == RV_S_OK, "message %u: read %#x\n", m, (unsigned)hr);
            if (m == 1)
            {
                ok(rv_noise_handshake_done(&init) && rv_noise_handshake_done(&resp),
                   "handshake not done\n");
                ok(!rv_noise_handshake_hash(&init, hi) && !rv_noise_handshake_hash(&resp, hr_),
                   "no handshake hash\n");
                ok(!memcmp(hi, hash, 64), "initiator's handshake hash differs from the vector\n");
                ok(!memcmp(hr_, hash, 64), "responder's handshake hash differs from the vector\n");
                ok(!rv_noise_split(&init, &i_send, &i_recv), "split failed\n");
                ok(!rv_noise_split(&resp, &r_send, &r_recv), "split failed\n");
            }
        }
        else
        {
            hr = rv_noise_encrypt(from_init ? &i_send : &r_send, NULL, 0, payload, payload_len,
                                  out, sizeof(out), &out_len);
            ok(hr == RV_S_OK, "message %u: encrypt %#x\n", m, (unsigned)hr);
            ok(out_len == expect_len && !memcmp(out, expect, expect_len),
               "message %u: ciphertext differs from the vector\n", m);
            hr = rv_noise_decrypt(from_init ? &r_recv : &i_recv, NULL, 0, out, out_len, got,
                                  sizeof(got), &got_len);
            ok(hr == RV_S_OK, "message %u: decrypt %#x\n", m, (unsigned)hr);
        }
        ok(got_len == payload_len && !memcmp(got, payload, payload_len),
           "message %u: payload differs\n", m);
    }
    rv_noise_clear(&init);
    rv_noise_clear(&resp);
    rv_noise_cipher_clear(&i_send);
    rv_noise_cipher_clear(&i_recv);
    rv_noise_cipher_clear(&r_send);
    rv_noise_cipher_clear(&r_recv);
}

/* A handshake with random ephemerals; returns 1 when both sides got through. */
static int handshake(struct rv_noise *init, struct rv_noise *resp, const uint8_t *psk_i,
                     const uint8_t *psk_r, rv_result *read_hr)
{
    uint8_t m1[128], m2[128], payload[64];
    size_t len, plen;
    rv_result hr;

    if (rv_noise_init(init, 1, "rv", 2, psk_i, NULL) || rv_noise_init(resp, 0, "rv", 2, psk_r, NULL))
        return 0;
    if (rv_noise_write_message(init, "hello", 5, m1, sizeof(m1), &len)) return 0;
    if ((hr = rv_noise_read_message(resp, m1, len, payload, sizeof(payload), &plen)))
    {
        if (read_hr) *read_hr = hr;
        return 0;
    }
    if (plen != 5 || memcmp(payload, "hello", 5)) return 0;
    if (rv_noise_write_message(resp, NULL, 0, m2, sizeof(m2), &len)) return 0;
    if ((hr = rv_noise_read_message(init, m2, len, payload, sizeof(payload), &plen)))
    {
        if (read_hr) *read_hr = hr;
        return 0;
    }
    return plen == 0;
}

static void test_roundtrip(void)
{
    static uint8_t big[RV_NOISE_MAX_MESSAGE], sealed[RV_NOISE_MAX_MESSAGE], opened[RV_NOISE_MAX_MESSAGE];
    uint8_t psk[32];
    struct rv_noise_cipher i_send, i_recv, r_send, r_recv;
    struct rv_noise init, resp;
    size_t len, olen;
    rv_result hr;
    int i, bad = 0;

    randombytes_buf(psk, sizeof(psk));
    ok(handshake(&init, &resp, psk, psk, NULL), "handshake failed\n");
    ok(rv_noise_split(&init, &i_send, &i_recv) == RV_S_OK, "split failed\n");
    ok(rv_noise_split(&resp, &r_send, &r_recv) == RV_S_OK, "split failed\n");
    ok(rv_noise_split(&resp, &r_send, &r_recv) == RV_E_INVALID_STATE, "second split allowed\n");
    ok(!sodium_memcmp(i_send.k, r_recv.k, 32) && !sodium_memcmp(r_send.k, i_recv.k, 32),
       "directions do not match\n");
    ok(sodium_memcmp(i_send.k, i_recv.k, 32) != 0, "both directions have the same key\n");

    for (i = 0; i < 100; i++)
    {
        char msg[32];
        int n = sprintf(msg, "message %d", i);
        struct rv_noise_cipher *s = i % 3 ? &i_send : &r_send, *r = i % 3 ? &r_recv : &i_recv;

        if (rv_noise_encrypt(s, "ad", 2, msg, n, sealed, sizeof(sealed), &len) ||
            rv_noise_decrypt(r, "ad", 2, sealed, len, opened, sizeof(opened), &olen) ||
            olen != (size_t)n || memcmp(opened, msg, n))
            bad++;
    }
    ok(!bad, "%d messages did not go through\n", bad);

    /* The largest message, and one byte more. */
    memset(big, 0xa5, sizeof(big));
    hr = rv_noise_encrypt(&i_send, NULL, 0, big, RV_NOISE_MAX_PLAINTEXT, sealed, sizeof(sealed),
                          &len);
    ok(hr == RV_S_OK && len == RV_NOISE_MAX_MESSAGE, "largest message: %#x, %u\n", (unsigned)hr,
       (unsigned)len);
    hr = rv_noise_decrypt(&r_recv, NULL, 0, sealed, len, opened, sizeof(opened), &olen);
    ok(hr == RV_S_OK && olen == RV_NOISE_MAX_PLAINTEXT && !memcmp(opened, big, olen),
       "largest message: %#x\n", (unsigned)hr);
    hr = rv_noise_encrypt(&i_send, NULL, 0, big, RV_NOISE_MAX_PLAINTEXT + 1, sealed,
                          sizeof(sealed), &len);
    ok(hr == RV_E_INVALIDARG, "oversized message: %#x\n", (unsigned)hr);
    hr = rv_noise_encrypt(&i_send, NULL, 0, big, 10, sealed, 25, &len);
    ok(hr == RV_E_INVALIDARG, "too small an output: %#x\n", (unsigned)hr);

    /* Handshake messages out of turn. */
    hr = rv_noise_write_message(&init, NULL, 0, sealed, sizeof(sealed), &len);
    ok(hr == RV_E_INVALID_STATE, "write after the handshake: %#x\n", (unsigned)hr);

    rv_noise_clear(&init);
    rv_noise_clear(&resp);
    rv_noise_cipher_clear(&i_send);
    rv_noise_cipher_clear(&i_recv);
    rv_noise_cipher_clear(&r_send);
    rv_noise_cipher_clear(&r_recv);
}

static void test_turns(void)
{
    uint8_t psk[32] = { 1 }, buf[128], payload[64];
    struct rv_noise init, resp;
    size_t len, plen;
    rv_result hr;

    rv_noise_init(&init, 1, NULL, 0, psk, NULL);
    rv_noise_init(&resp, 0, NULL, 0, psk, NULL);
    hr = rv_noise_write_message(&resp, NULL, 0, buf, sizeof(buf), &len);
    ok(hr == RV_E_INVALID_STATE, "responder wrote first: %#x\n", (unsigned)hr);
    hr = rv_noise_read_message(&init, buf, 48, payload, sizeof(payload), &plen);
    ok(hr == RV_E_INVALID_STATE, "initiator read first: %#x\n", (unsigned)hr);
    hr = rv_noise_write_message(&init, NULL, 0, buf, 47, &len);
    ok(hr == RV_E_INVALIDARG, "too small an output: %#x\n", (unsigned)hr);
    hr = rv_noise_write_message(&init, NULL, RV_NOISE_MAX_HANDSHAKE_PAYLOAD + 1, buf, sizeof(buf), &len);
    ok(hr == RV_E_POINTER, "NULL payload: %#x\n", (unsigned)hr);
    hr = rv_noise_write_message(&init, NULL, 0, buf, sizeof(buf), &len);
    ok(hr == RV_S_OK && len == 48, "write: %#x, %u\n", (unsigned)hr, (unsigned)len);
    hr = rv_noise_read_message(&resp, buf, 47, payload, sizeof(payload), &plen);
    ok(hr == RV_E_ACCESS_DENIED, "short message: %#x\n", (unsigned)hr);
    hr = rv_noise_read_message(&resp, buf, 48, payload, sizeof(payload), &plen);
    ok(hr == RV_E_INVALID_STATE, "read after a failure: %#x\n", (unsigned)hr);
    ok(!rv_noise_handshake_done(&resp), "failed handshake done\n");
    ok(rv_noise_handshake_hash(&resp, payload) == RV_E_INVALID_STATE, "hash of a failed handshake\n");
    hr = rv_noise_init(&resp, 0, NULL, 1, psk, NULL);
    ok(hr == RV_E_INVALIDARG, "NULL prologue: %#x\n", (unsigned)hr);
    rv_noise_clear(&init);
    rv_noise_clear(&resp);
}

static void test_wrong_psk(void)
{
    uint8_t psk[32], other[32];
    struct rv_noise init, resp;
    rv_result hr = RV_S_OK;

    randombytes_buf(psk, sizeof(psk));
    memcpy(other, psk, sizeof(other));
    other[31] ^= 0x80;
    ok(!handshake(&init, &resp, psk, other, &hr), "handshake with different PSKs succeeded\n");
    ok(hr == RV_E_ACCESS_DENIED, "wrong PSK: %#x\n", (unsigned)hr);
    ok(resp.step == 0 && resp.failed, "the responder did not stop at the first message\n");
    rv_noise_clear(&init);
    rv_noise_clear(&resp);
}

static void test_tampered(void)
{
    uint8_t psk[32], m1[128], m2[128], payload[64];
    struct rv_noise_cipher i_send, i_recv, r_send, r_recv;
    struct rv_noise init, resp;
    size_t len1, len, plen, i;
    int accepted = 0;

    randombytes_buf(psk, sizeof(psk));
    /* Every bit of the first message. */
    for (i = 0; i < 8 * (32 + 5 + 16); i++)
    {
        rv_noise_init(&init, 1, NULL, 0, psk, NULL);
        rv_noise_init(&resp, 0, NULL, 0, psk, NULL);
        rv_noise_write_message(&init, "hello", 5, m1, sizeof(m1), &len1);
        m1[i / 8] ^= (uint8_t)(1 << (i % 8));
        if (!rv_noise_read_message(&resp, m1, len1, payload, sizeof(payload), &plen)) accepted++;
    }
    ok(!accepted, "%d tampered first messages accepted\n", accepted);

    /* A byte of the second message. */
    rv_noise_init(&init, 1, NULL, 0, psk, NULL);
    rv_noise_init(&resp, 0, NULL, 0, psk, NULL);
    rv_noise_write_message(&init, NULL, 0, m1, sizeof(m1), &len1);
    rv_noise_read_message(&resp, m1, len1, payload, sizeof(payload), &plen);
    rv_noise_write_message(&resp, "x", 1, m2, sizeof(m2), &len);
    m2[40] ^= 1;
    ok(rv_noise_read_message(&init, m2, len, payload, sizeof(payload), &plen) == RV_E_ACCESS_DENIED,
       "tampered second message accepted\n");

    /* A byte of a transport message, and of its associated data. */
    ok(handshake(&init, &resp, psk, psk, NULL), "handshake failed\n");
    rv_noise_split(&init, &i_send, &i_recv);
    rv_noise_split(&resp, &r_send, &r_recv);
    rv_noise_encrypt(&i_send, "ad", 2, "secret", 6, m1, sizeof(m1), &len);
    m1[3] ^= 4;
    ok(rv_noise_decrypt(&r_recv, "ad", 2, m1, len, m2, sizeof(m2), &plen) == RV_E_ACCESS_DENIED,
       "tampered transport message accepted\n");
    m1[3] ^= 4;
    ok(rv_noise_decrypt(&r_recv, "aD", 2, m1, len, m2, sizeof(m2), &plen) == RV_E_ACCESS_DENIED,
       "other associated data accepted\n");
    ok(rv_noise_decrypt(&r_recv, "ad", 2, m1, len - 1, m2, sizeof(m2), &plen) == RV_E_ACCESS_DENIED,
       "truncated transport message accepted\n");
    ok(rv_noise_decrypt(&r_recv, "ad", 2, m1, 15, m2, sizeof(m2), &plen) == RV_E_ACCESS_DENIED,
       "message shorter than a tag accepted\n");
    ok(rv_noise_decrypt(&r_recv, "ad", 2, m1, len, m2, sizeof(m2), &plen) == RV_S_OK &&
       plen == 6 && !memcmp(m2, "secret", 6), "the intact message after failures: nonce moved\n");

    rv_noise_clear(&init);
    rv_noise_clear(&resp);
    rv_noise_cipher_clear(&i_send);
    rv_noise_cipher_clear(&i_recv);
    rv_noise_cipher_clear(&r_send);
    rv_noise_cipher_clear(&r_recv);
}

static void test_replay_reorder(void)
{
    uint8_t psk[32], a[64], b[64], out[64];
    struct rv_noise_cipher i_send, i_recv, r_send, r_recv;
    struct rv_noise init, resp;
    size_t alen, blen, olen;

    randombytes_buf(psk, sizeof(psk));
    ok(handshake(&init, &resp, psk, psk, NULL), "handshake failed\n");
    rv_noise_split(&init, &i_send, &i_recv);
    rv_noise_split(&resp, &r_send, &r_recv);
    rv_noise_encrypt(&i_send, NULL, 0, "first", 5, a, sizeof(a), &alen);
    rv_noise_encrypt(&i_send, NULL, 0, "second", 6, b, sizeof(b), &blen);

    ok(rv_noise_decrypt(&r_recv, NULL, 0, b, blen, out, sizeof(out), &olen) == RV_E_ACCESS_DENIED,
       "out-of-order message accepted\n");
    ok(rv_noise_decrypt(&r_recv, NULL, 0, a, alen, out, sizeof(out), &olen) == RV_S_OK,
       "first message refused\n");
    ok(rv_noise_decrypt(&r_recv, NULL, 0, a, alen, out, sizeof(out), &olen) == RV_E_ACCESS_DENIED,
       "replayed message accepted\n");
    ok(rv_noise_decrypt(&r_recv, NULL, 0, b, blen, out, sizeof(out), &olen) == RV_S_OK,
       "second message refused\n");
    /* A message of the other direction is not one of this. */
    rv_noise_encrypt(&r_send, NULL, 0, "third", 5, a, sizeof(a), &alen);
    ok(rv_noise_decrypt(&r_recv, NULL, 0, a, alen, out, sizeof(out), &olen) == RV_E_ACCESS_DENIED,
       "reflected message accepted\n");

    rv_noise_clear(&init);
    rv_noise_clear(&resp);
    rv_noise_cipher_clear(&i_send);
    rv_noise_cipher_clear(&i_recv);
    rv_noise_cipher_clear(&r_send);
    rv_noise_cipher_clear(&r_recv);
}

static void test_nonce_exhaustion(void)
{
    uint8_t psk[32], sealed[64], out[64];
    struct rv_noise_cipher i_send, i_recv, r_send, r_recv;
    struct rv_noise init, resp;
    size_t len, olen;
    rv_result hr;

    randombytes_buf(psk, sizeof(psk));
    ok(handshake(&init, &resp, psk, psk, NULL), "handshake failed\n");
    rv_noise_split(&init, &i_send, &i_recv);
    rv_noise_split(&resp, &r_send, &r_recv);

    /* The last usable nonce is 2^64 - 2. */
    rv_noise_cipher_set_nonce(&i_send, RV_NOISE_MAX_NONCE - 1);
    rv_noise_cipher_set_nonce(&r_recv, RV_NOISE_MAX_NONCE - 1);
    hr = rv_noise_encrypt(&i_send, NULL, 0, "last", 4, sealed, sizeof(sealed), &len);
    ok(hr == RV_S_OK, "nonce 2^64-2 refused: %#x\n", (unsigned)hr);
    hr = rv_noise_decrypt(&r_recv, NULL, 0, sealed, len, out, sizeof(out), &olen);
    ok(hr == RV_S_OK && olen == 4 && !memcmp(out, "last", 4), "nonce 2^64-2: %#x\n", (unsigned)hr);
    ok(i_send.n == RV_NOISE_MAX_NONCE, "nonce %llx\n", (unsigned long long)i_send.n);

    hr = rv_noise_encrypt(&i_send, NULL, 0, "more", 4, sealed, sizeof(sealed), &len);
    ok(hr == RV_E_FAIL && len == 0, "nonce 2^64-1 used to encrypt: %#x\n", (unsigned)hr);
    ok(i_send.n == RV_NOISE_MAX_NONCE, "nonce moved past 2^64-1\n");
    hr = rv_noise_decrypt(&r_recv, NULL, 0, sealed, 20, out, sizeof(out), &olen);
    ok(hr == RV_E_FAIL, "nonce 2^64-1 used to decrypt: %#x\n", (unsigned)hr);

    rv_noise_clear(&init);
    rv_noise_clear(&resp);
    rv_noise_cipher_clear(&i_send);
    rv_noise_cipher_clear(&i_recv);
    rv_noise_cipher_clear(&r_send);
    rv_noise_cipher_clear(&r_recv);
}

/* Low-order points give an all-zero DH result, which is refused. */
static void test_low_order_ephemeral(void)
{
    uint8_t psk[32] = { 7 }, m1[64], m2[64], payload[16];
    struct rv_noise init, resp;
    size_t len, plen;
    rv_result hr;

    rv_noise_init(&init, 1, NULL, 0, psk, NULL);
    rv_noise_init(&resp, 0, NULL, 0, psk, NULL);
    rv_noise_write_message(&init, NULL, 0, m1, sizeof(m1), &len);
    /* The responder's e replaced by 0 (a low-order point): DH gives zero. */
    rv_noise_read_message(&resp, m1, len, payload, sizeof(payload), &plen);
    rv_noise_write_message(&resp, NULL, 0, m2, sizeof(m2), &len);
    memset(m2, 0, 32);
    hr = rv_noise_read_message(&init, m2, len, payload, sizeof(payload), &plen);
    ok(hr == RV_E_FAIL, "all-zero DH accepted: %#x\n", (unsigned)hr);
    ok(!rv_noise_handshake_done(&init), "handshake done\n");
    rv_noise_clear(&init);
    rv_noise_clear(&resp);
}

static void test_security_code(void)
{
    uint8_t psk[32], hi[64], hr_[64], m1[128], m2[128], payload[16];
    char ci[8], cr[8], ca[8], cb[8];
    struct rv_noise a, b, m_resp, m_init;
    size_t len, plen;
    int i, digits = 1;

    randombytes_buf(psk, sizeof(psk));
    ok(handshake(&a, &b, psk, psk, NULL), "handshake failed\n");
    rv_noise_handshake_hash(&a, hi);
    rv_noise_handshake_hash(&b, hr_);
    ok(!sodium_memcmp(hi, hr_, 64), "handshake hashes differ\n");
    ok(!rv_security_code(hi, ci) && !rv_security_code(hr_, cr), "no security code\n");
    ok(!strcmp(ci, cr), "security codes differ: %s, %s\n", ci, cr);
    for (i = 0; i < 6; i++) digits &= ci[i] >= '0' && ci[i] <= '9';
    ok(strlen(ci) == 6 && digits, "security code %s\n", ci);

    /* A man in the middle who knows the PSK runs one handshake with each side,
     * with an ephemeral of his own in each: the two codes do not match. */
    rv_noise_init(&a, 1, "rv", 2, psk, NULL);
    rv_noise_init(&b, 0, "rv", 2, psk, NULL);
    rv_noise_init(&m_resp, 0, "rv", 2, psk, NULL);
    rv_noise_init(&m_init, 1, "rv", 2, psk, NULL);
    rv_noise_write_message(&a, NULL, 0, m1, sizeof(m1), &len);
    ok(!rv_noise_read_message(&m_resp, m1, len, payload, sizeof(payload), &plen), "mitm read\n");
    rv_noise_write_message(&m_init, NULL, 0, m1, sizeof(m1), &len);
    ok(!rv_noise_read_message(&b, m1, len, payload, sizeof(payload), &plen), "b read\n");
    rv_noise_write_message(&b, NULL, 0, m2, sizeof(m2), &len);
    ok(!rv_noise_read_message(&m_init, m2, len, payload, sizeof(payload), &plen), "mitm read\n");
    rv_noise_write_message(&m_resp, NULL, 0, m2, sizeof(m2), &len);
    ok(!rv_noise_read_message(&a, m2, len, payload, sizeof(payload), &plen), "a read\n");
    rv_noise_handshake_hash(&a, hi);
    rv_noise_handshake_hash(&b, hr_);
    rv_security_code(hi, ca);
    rv_security_code(hr_, cb);
    ok(strcmp(ca, cb) != 0, "the man in the middle got equal codes: %s\n", ca);

    /* The code is a function of the hash alone. */
    memset(hi, 0, sizeof(hi));
    rv_security_code(hi, ca);
    rv_security_code(hi, cb);
    ok(!strcmp(ca, cb), "codes of one hash differ\n");
    ok(rv_security_code(NULL, ca) == RV_E_POINTER, "NULL hash\n");

    rv_noise_clear(&a);
    rv_noise_clear(&b);
    rv_noise_clear(&m_resp);
    rv_noise_clear(&m_init);
}

START_TEST(noise)
{
    test_cacophony_vector();
    test_roundtrip();
    test_turns();
    test_wrong_psk();
    test_tampered();
    test_replay_reorder();
    test_nonce_exhaustion();
    test_low_order_ephemeral();
    test_security_code();
}
