/*
 * Rendezvous core: the Noise protocol Noise_NNpsk0_25519_ChaChaPoly_BLAKE2b
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


/*
 * The Noise Protocol Framework, revision 34 (noiseprotocol.org), for the one
 * protocol the secure peer channel uses; section numbers are the spec's.
 * Every primitive is libsodium's: X25519 (crypto_scalarmult_curve25519),
 * ChaCha20-Poly1305 in its IETF form, BLAKE2b (crypto_generichash_blake2b).
 * libsodium has no HMAC-BLAKE2b, so HMAC (RFC 2104), which the spec's HKDF
 * needs, is built here on BLAKE2b as section 4.3 describes.
 */

#include <string.h>

#include <sodium.h>

#include "rv_noise.h"

#define HASHLEN RV_NOISE_HASH_SIZE
#define BLOCKLEN 128            /* BLAKE2b */
#define DHLEN 32
#define KEYLEN RV_NOISE_KEY_SIZE

/* Keys the security code's BLAKE2b; 16 to 64 bytes. */
static const char security_code_label[] = "wine-rendezvous noise security code v1";

static int sodium_ready(void)
{
    /* Thread-safe and idempotent: 0 the first time, 1 after, -1 on failure. */
    return sodium_init() >= 0;
}

/* HMAC-HASH(key, data1 || data2) with HASH = BLAKE2b-512 (RFC 2104). */
static void hmac(const uint8_t *key, size_t key_len, const uint8_t *data1, size_t len1,
                 const uint8_t *data2, size_t len2, uint8_t out[HASHLEN])
{
    crypto_generichash_blake2b_state st;
    uint8_t block[BLOCKLEN], inner[HASHLEN];
    size_t i;

    memset(block, 0, sizeof(block));
    if (key_len > BLOCKLEN)
        crypto_generichash_blake2b(block, HASHLEN, key, key_len, NULL, 0);
    else if (key_len)
        memcpy(block, key, key_len);

    for (i = 0; i < BLOCKLEN; i++) block[i] ^= 0x36;
    crypto_generichash_blake2b_init(&st, NULL, 0, HASHLEN);
    crypto_generichash_blake2b_update(&st, block, BLOCKLEN);
    if (len1) crypto_generichash_blake2b_update(&st, data1, len1);
    if (len2) crypto_generichash_blake2b_update(&st, data2, len2);
    crypto_generichash_blake2b_final(&st, inner, HASHLEN);

    for (i = 0; i < BLOCKLEN; i++) block[i] ^= 0x36 ^ 0x5c;
    crypto_generichash_blake2b_init(&st, NULL, 0, HASHLEN);
    crypto_generichash_blake2b_update(&st, block, BLOCKLEN);
    crypto_generichash_blake2b_update(&st, inner, HASHLEN);
    crypto_generichash_blake2b_final(&st, out, HASHLEN);

    sodium_memzero(block, sizeof(block));
    sodium_memzero(inner, sizeof(inner));
    sodium_memzero(&st, sizeof(st));
}

/* HKDF(chaining_key, input_key_material, 2 or 3) of section 4.3. */
static void hkdf(const uint8_t ck[HASHLEN], const uint8_t *ikm, size_t ikm_len,
                 uint8_t out1[HASHLEN], uint8_t out2[HASHLEN], uint8_t *out3)
{
    static const uint8_t one = 1, two = 2, three = 3;
    uint8_t temp_key[HASHLEN], o1[HASHLEN], o2[HASHLEN];

    hmac(ck, HASHLEN, ikm, ikm_len, NULL, 0, temp_key);
    hmac(temp_key, HASHLEN, &one, 1, NULL, 0, o1);
    hmac(temp_key, HASHLEN, o1, HASHLEN, &two, 1, o2);
    if (out3) hmac(temp_key, HASHLEN, o2, HASHLEN, &three, 1, out3);
    memcpy(out1, o1, HASHLEN);
    memcpy(out2, o2, HASHLEN);
    sodium_memzero(temp_key, sizeof(temp_key));
    sodium_memzero(o1, sizeof(o1));
    sodium_memzero(o2, sizeof(o2));
}

/* CipherState (section 5.1) */

static void cipher_init_key(struct rv_noise_cipher *cs, const uint8_t *key)
{
    memcpy(cs->k, key, KEYLEN);     /* a 64-byte HKDF output is truncated */
    cs->n = 0;
    cs->has_key = 1;
}

static void make_nonce(uint64_t n, uint8_t nonce[crypto_aead_chacha20poly1305_ietf_NPUBBYTES])
{
    int i;

    /* 32 bits of zeros, then n little-endian. */
    memset(nonce, 0, 4);
    for (i = 0; i < 8; i++) nonce[4 + i] = (uint8_t)(n >> (8 * i));
}

/* The nonce of the next message under the key. */
static rv_result cipher_nonce(const struct rv_noise_cipher *cs, uint8_t *nonce)
{
    if (!cs->has_key) return RV_E_INVALID_STATE;     /* never so in NNpsk0 */
    if (cs->n == RV_NOISE_MAX_NONCE) return RV_E_FAIL;
    make_nonce(cs->n, nonce);
    return RV_S_OK;
}

/* out gets len + 16 bytes; out may be plaintext. */
static rv_result cipher_encrypt_ad(struct rv_noise_cipher *cs, const uint8_t *ad, size_t ad_len,
                                   const uint8_t *plaintext, size_t len, uint8_t *out)
{
    uint8_t nonce[crypto_aead_chacha20poly1305_ietf_NPUBBYTES];
    rv_result hr;

    if ((hr = cipher_nonce(cs, nonce))) return hr;
    /* It always succeeds (sizes past its limit abort, and ours are bounded). */
    crypto_aead_chacha20poly1305_ietf_encrypt(out, NULL, plaintext, len, ad, ad_len, NULL, nonce, cs->k);
    cs->n++;
    return RV_S_OK;
}

/* out gets len - 16 bytes; len >= 16.  The nonce moves only on success. */
static rv_result cipher_decrypt_ad(struct rv_noise_cipher *cs, const uint8_t *ad, size_t ad_len,
                                   const uint8_t *ciphertext, size_t len, uint8_t *out)
{
    uint8_t nonce[crypto_aead_chacha20poly1305_ietf_NPUBBYTES];
    unsigned long long mlen;
    rv_result hr;

    if ((hr = cipher_nonce(cs, nonce))) return hr;
    if (len < RV_NOISE_TAG_SIZE) return RV_E_ACCESS_DENIED;
    if (crypto_aead_chacha20poly1305_ietf_decrypt(out, &mlen, NULL, ciphertext, len, ad, ad_len,
                                                  nonce, cs->k))
        return RV_E_ACCESS_DENIED;
    cs->n++;
    return RV_S_OK;
}

/* SymmetricState (section 5.2) */

static void mix_hash(struct rv_noise_symmetric *ss, const uint8_t *data, size_t len)
{
    crypto_generichash_blake2b_state st;

    crypto_generichash_blake2b_init(&st, NULL, 0, HASHLEN);
    crypto_generichash_blake2b_update(&st, ss->h, HASHLEN);
    if (len) crypto_generichash_blake2b_update(&st, data, len);
    crypto_generichash_blake2b_final(&st, ss->h, HASHLEN);
    sodium_memzero(&st, sizeof(st));
}

static void mix_key(struct rv_noise_symmetric *ss, const uint8_t *ikm, size_t len)
{
    uint8_t temp_k[HASHLEN];

    hkdf(ss->ck, ikm, len, ss->ck, temp_k, NULL);
    cipher_init_key(&ss->cs, temp_k);
    sodium_memzero(temp_k, sizeof(temp_k));
}

static void mix_key_and_hash(struct rv_noise_symmetric *ss, const uint8_t *ikm, size_t len)
{
    uint8_t temp_h[HASHLEN], temp_k[HASHLEN];

    hkdf(ss->ck, ikm, len, ss->ck, temp_h, temp_k);
    mix_hash(ss, temp_h, HASHLEN);
    cipher_init_key(&ss->cs, temp_k);
    sodium_memzero(temp_h, sizeof(temp_h));
    sodium_memzero(temp_k, sizeof(temp_k));
}

/* out gets len + 16 bytes. */
static rv_result encrypt_and_hash(struct rv_noise_symmetric *ss, const uint8_t *plaintext,
                                  size_t len, uint8_t *out)
{
    rv_result hr;

    if ((hr = cipher_encrypt_ad(&ss->cs, ss->h, HASHLEN, plaintext, len, out))) return hr;
    mix_hash(ss, out, len + RV_NOISE_TAG_SIZE);
    return RV_S_OK;
}

/* out gets len - 16 bytes; it may be ciphertext. */
static rv_result decrypt_and_hash(struct rv_noise_symmetric *ss, const uint8_t *ciphertext,
                                  size_t len, uint8_t *out)
{
    struct rv_noise_symmetric next = *ss;
    rv_result hr;

    /* The new h covers the ciphertext, which decrypting in place would lose. */
    mix_hash(&next, ciphertext, len);
    if (!(hr = cipher_decrypt_ad(&ss->cs, ss->h, HASHLEN, ciphertext, len, out)))
        memcpy(ss->h, next.h, HASHLEN);
    sodium_memzero(&next, sizeof(next));
    return hr;
}

/* HandshakeState (section 5.3) for NNpsk0 */

static void fail(struct rv_noise *state)
{
    int initiator = state->initiator;

    sodium_memzero(state, sizeof(*state));
    state->initiator = initiator;
    state->failed = 1;
}

rv_result rv_noise_init(struct rv_noise *state, int initiator, const void *prologue,
                        size_t prologue_len, const uint8_t psk[RV_NOISE_KEY_SIZE],
                        const uint8_t *ephemeral)
{
    if (!state) return RV_E_POINTER;
    sodium_memzero(state, sizeof(*state));
    if (!psk || (!prologue && prologue_len) || prologue_len > RV_NOISE_MAX_MESSAGE)
    {
        state->failed = 1;
        return RV_E_INVALIDARG;
    }
    if (!sodium_ready())
    {
        state->failed = 1;
        return RV_E_FAIL;
    }
    state->initiator = !!initiator;

    /* InitializeSymmetric: the name is shorter than HASHLEN, so h is it padded. */
    memcpy(state->ss.h, RV_NOISE_PROTOCOL_NAME, sizeof(RV_NOISE_PROTOCOL_NAME) - 1);
    memcpy(state->ss.ck, state->ss.h, HASHLEN);
    mix_hash(&state->ss, prologue, prologue_len);
    memcpy(state->psk, psk, KEYLEN);
    if (ephemeral)
    {
        memcpy(state->e_priv, ephemeral, DHLEN);
        crypto_scalarmult_curve25519_base(state->e_pub, state->e_priv);
        state->fixed_e = 1;
    }
    return RV_S_OK;
}

/* Token "e" when writing: GENERATE_KEYPAIR(), then as when reading. */
static void write_e(struct rv_noise *state, uint8_t *out)
{
    if (!state->fixed_e)
    {
        randombytes_buf(state->e_priv, DHLEN);
        crypto_scalarmult_curve25519_base(state->e_pub, state->e_priv);
    }
    memcpy(out, state->e_pub, DHLEN);
    mix_hash(&state->ss, state->e_pub, DHLEN);
    mix_key(&state->ss, state->e_pub, DHLEN);   /* a psk pattern (section 9.2) */
}

static void read_e(struct rv_noise *state, const uint8_t *in)
{
    memcpy(state->re, in, DHLEN);
    mix_hash(&state->ss, state->re, DHLEN);
    mix_key(&state->ss, state->re, DHLEN);
}

/* Token "ee": MixKey(DH(e, re)); an all-zero result (a low-order re) is refused. */
static rv_result token_ee(struct rv_noise *state)
{
    uint8_t shared[DHLEN];

    if (crypto_scalarmult_curve25519(shared, state->e_priv, state->re))
    {
        sodium_memzero(shared, sizeof(shared));
        return RV_E_FAIL;
    }
    mix_key(&state->ss, shared, DHLEN);
    sodium_memzero(shared, sizeof(shared));
    return RV_S_OK;
}

/* The tokens of a handshake message: "-> psk, e" for the first, "<- e, ee"
 * for the second; e is written to e_out, or read from e_in. */
static rv_result message_tokens(struct rv_noise *state, int first, const uint8_t *e_in, uint8_t *e_out)
{
    if (first) mix_key_and_hash(&state->ss, state->psk, KEYLEN);
    if (e_out) write_e(state, e_out);
    else if (e_in) read_e(state, e_in);
    return first ? RV_S_OK : token_ee(state);
}

rv_result rv_noise_write_message(struct rv_noise *state, const void *payload, size_t len,
                                 uint8_t *out, size_t out_cap, size_t *out_len)
{
    rv_result hr;

    if (out_len) *out_len = 0;
    if (!state || !out || !out_len || (!payload && len)) return RV_E_POINTER;
    if (state->failed || state->step != (state->initiator ? 0 : 1)) return RV_E_INVALID_STATE;
    if (len > RV_NOISE_MAX_HANDSHAKE_PAYLOAD || out_cap < DHLEN + len + RV_NOISE_TAG_SIZE)
        return RV_E_INVALIDARG;

    hr = message_tokens(state, state->initiator, NULL, out);
    if (!hr) hr = encrypt_and_hash(&state->ss, payload, len, out + DHLEN);
    if (hr)
    {
        sodium_memzero(out, DHLEN + len + RV_NOISE_TAG_SIZE);     /* out_cap was checked */
        fail(state);
        return hr;
    }
    *out_len = DHLEN + len + RV_NOISE_TAG_SIZE;
    state->step++;
    return RV_S_OK;
}

rv_result rv_noise_read_message(struct rv_noise *state, const uint8_t *message, size_t len,
                                uint8_t *payload, size_t payload_cap, size_t *payload_len)
{
    rv_result hr;

    if (payload_len) *payload_len = 0;
    if (!state || !message || !payload_len) return RV_E_POINTER;
    if (state->failed || state->step != (state->initiator ? 1 : 0)) return RV_E_INVALID_STATE;
    if (len > RV_NOISE_MAX_MESSAGE) return RV_E_INVALIDARG;
    if (len < DHLEN + RV_NOISE_TAG_SIZE)
    {
        /* Too short to be the peer's message: this handshake is over. */
        fail(state);
        return RV_E_ACCESS_DENIED;
    }
    if (payload_cap < len - DHLEN - RV_NOISE_TAG_SIZE || (!payload && len > DHLEN + RV_NOISE_TAG_SIZE))
        return RV_E_INVALIDARG;

    hr = message_tokens(state, !state->initiator, message, NULL);
    if (!hr)
    {
        uint8_t empty;

        hr = decrypt_and_hash(&state->ss, message + DHLEN, len - DHLEN,
                              payload ? payload : &empty);
    }
    if (hr)
    {
        fail(state);
        return hr;
    }
    *payload_len = len - DHLEN - RV_NOISE_TAG_SIZE;
    state->step++;
    return RV_S_OK;
}

int rv_noise_handshake_done(const struct rv_noise *state)
{
    return state && !state->failed && state->step == 2;
}

rv_result rv_noise_handshake_hash(const struct rv_noise *state, uint8_t hash[RV_NOISE_HASH_SIZE])
{
    if (!state || !hash) return RV_E_POINTER;
    if (!rv_noise_handshake_done(state)) return RV_E_INVALID_STATE;
    memcpy(hash, state->ss.h, HASHLEN);
    return RV_S_OK;
}

rv_result rv_noise_split(struct rv_noise *state, struct rv_noise_cipher *send,
                         struct rv_noise_cipher *recv)
{
    uint8_t k1[HASHLEN], k2[HASHLEN];

    if (!state || !send || !recv || send == recv) return RV_E_POINTER;
    if (!rv_noise_handshake_done(state) || state->split) return RV_E_INVALID_STATE;

    hkdf(state->ss.ck, NULL, 0, k1, k2, NULL);
    /* The initiator sends with the first, the responder with the second. */
    cipher_init_key(send, state->initiator ? k1 : k2);
    cipher_init_key(recv, state->initiator ? k2 : k1);
    sodium_memzero(k1, sizeof(k1));
    sodium_memzero(k2, sizeof(k2));

    /* Only h stays: nothing else is needed once the channel is up. */
    sodium_memzero(&state->ss.cs, sizeof(state->ss.cs));
    sodium_memzero(state->ss.ck, sizeof(state->ss.ck));
    sodium_memzero(state->e_priv, sizeof(state->e_priv));
    sodium_memzero(state->psk, sizeof(state->psk));
    state->split = 1;
    return RV_S_OK;
}

void rv_noise_clear(struct rv_noise *state)
{
    if (state) sodium_memzero(state, sizeof(*state));
}

/* Transport messages */

rv_result rv_noise_encrypt(struct rv_noise_cipher *cs, const void *ad, size_t ad_len,
                           const void *plaintext, size_t len, uint8_t *out, size_t out_cap,
                           size_t *out_len)
{
    rv_result hr;

    if (out_len) *out_len = 0;
    if (!cs || !out || !out_len || (!plaintext && len) || (!ad && ad_len)) return RV_E_POINTER;
    if (len > RV_NOISE_MAX_PLAINTEXT || out_cap < len + RV_NOISE_TAG_SIZE ||
        ad_len > RV_NOISE_MAX_MESSAGE)
        return RV_E_INVALIDARG;
    if ((hr = cipher_encrypt_ad(cs, ad, ad_len, plaintext, len, out))) return hr;
    *out_len = len + RV_NOISE_TAG_SIZE;
    return RV_S_OK;
}

rv_result rv_noise_decrypt(struct rv_noise_cipher *cs, const void *ad, size_t ad_len,
                           const uint8_t *ciphertext, size_t len, uint8_t *out, size_t out_cap,
                           size_t *out_len)
{
    uint8_t empty;
    rv_result hr;

    if (out_len) *out_len = 0;
    if (!cs || !ciphertext || !out_len || (!ad && ad_len)) return RV_E_POINTER;
    if (len > RV_NOISE_MAX_MESSAGE || ad_len > RV_NOISE_MAX_MESSAGE) return RV_E_INVALIDARG;
    if (len < RV_NOISE_TAG_SIZE) return RV_E_ACCESS_DENIED;
    if (out_cap < len - RV_NOISE_TAG_SIZE || (!out && len > RV_NOISE_TAG_SIZE))
        return RV_E_INVALIDARG;
    if ((hr = cipher_decrypt_ad(cs, ad, ad_len, ciphertext, len, out ? out : &empty))) return hr;
    *out_len = len - RV_NOISE_TAG_SIZE;
    return RV_S_OK;
}

void rv_noise_cipher_set_nonce(struct rv_noise_cipher *cs, uint64_t n)
{
    if (cs) cs->n = n;
}

void rv_noise_cipher_clear(struct rv_noise_cipher *cs)
{
    if (cs) sodium_memzero(cs, sizeof(*cs));
}

rv_result rv_security_code(const uint8_t hash[RV_NOISE_HASH_SIZE],
                           char code[RV_SECURITY_CODE_DIGITS + 1])
{
    uint8_t digest[8];
    uint64_t value = 0;
    int i;

    if (!hash || !code) return RV_E_POINTER;
    if (!sodium_ready()) return RV_E_FAIL;
    if (crypto_generichash_blake2b(digest, sizeof(digest), hash, HASHLEN,
                                   (const uint8_t *)security_code_label,
                                   sizeof(security_code_label) - 1))
        return RV_E_FAIL;
    for (i = 0; i < 8; i++) value |= (uint64_t)digest[i] << (8 * i);
    /* 2^64 mod 10^6 is negligible next to 2^64: no visible bias. */
    value %= 1000000;
    for (i = RV_SECURITY_CODE_DIGITS - 1; i >= 0; i--)
    {
        code[i] = (char)('0' + value % 10);
        value /= 10;
    }
    code[RV_SECURITY_CODE_DIGITS] = 0;
    sodium_memzero(digest, sizeof(digest));
    return RV_S_OK;
}
