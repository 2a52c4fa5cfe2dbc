/*
 * Rendezvous core: Noise_NNpsk0_25519_ChaChaPoly_BLAKE2b (noise.c)
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

#ifndef __WINE_RV_NOISE_H
#define __WINE_RV_NOISE_H

/*
 * One protocol of the Noise Protocol Framework (revision 34), exactly:
 *
 *   Noise_NNpsk0_25519_ChaChaPoly_BLAKE2b
 *     -> psk, e
 *     <- e, ee
 *
 * Both peers share a 32-byte pre-shared key; each brings a fresh ephemeral
 * X25519 key.  After the two handshake messages rv_noise_split() gives one
 * cipher state per direction.  All primitives come from libsodium.
 *
 * Every function returns RV_S_OK or an error: RV_E_INVALIDARG for bad
 * arguments or sizes, RV_E_INVALID_STATE when called out of turn (or after a
 * failure, which leaves a handshake unusable), RV_E_ACCESS_DENIED when a
 * message does not authenticate (wrong PSK, tampered, replayed or reordered),
 * RV_E_FAIL when a cipher's nonce is exhausted or a DH result is all-zero.
 */

#include "rendezvous.h"

#define RV_NOISE_PROTOCOL_NAME  "Noise_NNpsk0_25519_ChaChaPoly_BLAKE2b"
#define RV_NOISE_KEY_SIZE       32      /* cipher keys, PSK, X25519 keys */
#define RV_NOISE_HASH_SIZE      64      /* BLAKE2b: HASHLEN */
#define RV_NOISE_TAG_SIZE       16
#define RV_NOISE_MAX_MESSAGE    65535   /* any Noise message, handshake or transport */
/* The largest payload of a handshake message (32-byte e, 16-byte tag). */
#define RV_NOISE_MAX_HANDSHAKE_PAYLOAD (RV_NOISE_MAX_MESSAGE - RV_NOISE_KEY_SIZE - RV_NOISE_TAG_SIZE)
/* The largest plaintext of a transport message. */
#define RV_NOISE_MAX_PLAINTEXT  (RV_NOISE_MAX_MESSAGE - RV_NOISE_TAG_SIZE)
#define RV_NOISE_MAX_NONCE      UINT64_C(0xffffffffffffffff)   /* reserved: never used */
#define RV_SECURITY_CODE_DIGITS 6

/* CipherState: k, n.  Opaque; wiped by rv_noise_cipher_clear(). */
struct rv_noise_cipher
{
    uint8_t  k[RV_NOISE_KEY_SIZE];
    uint64_t n;
    int      has_key;
};

/* SymmetricState: ck, h and a CipherState. */
struct rv_noise_symmetric
{
    struct rv_noise_cipher cs;
    uint8_t ck[RV_NOISE_HASH_SIZE];
    uint8_t h[RV_NOISE_HASH_SIZE];
};

/* HandshakeState for NNpsk0. */
struct rv_noise
{
    struct rv_noise_symmetric ss;
    uint8_t e_priv[RV_NOISE_KEY_SIZE];
    uint8_t e_pub[RV_NOISE_KEY_SIZE];
    uint8_t re[RV_NOISE_KEY_SIZE];
    uint8_t psk[RV_NOISE_KEY_SIZE];
    int initiator;
    int fixed_e;        /* e_priv was given (test vectors) */
    int step;           /* messages processed: 0, 1, 2 (done) */
    int failed;
    int split;
};

/*
 * Initialises a handshake.  prologue may be NULL when prologue_len is 0
 * (at most RV_NOISE_MAX_MESSAGE bytes).  ephemeral, when not NULL, is the
 * X25519 private key to use instead of a random one: for test vectors only.
 */
rv_result rv_noise_init(struct rv_noise *state, int initiator, const void *prologue,
                        size_t prologue_len, const uint8_t psk[RV_NOISE_KEY_SIZE],
                        const uint8_t *ephemeral);
/* Writes the next handshake message when it is this side's turn. */
rv_result rv_noise_write_message(struct rv_noise *state, const void *payload, size_t len,
                                 uint8_t *out, size_t out_cap, size_t *out_len);
/* Reads the peer's handshake message; payload gets at most len - 48 bytes. */
rv_result rv_noise_read_message(struct rv_noise *state, const uint8_t *message, size_t len,
                                uint8_t *payload, size_t payload_cap, size_t *payload_len);
/* 1 once both handshake messages went through. */
int rv_noise_handshake_done(const struct rv_noise *state);
/* After the handshake: h, the same on both sides (channel binding). */
rv_result rv_noise_handshake_hash(const struct rv_noise *state, uint8_t hash[RV_NOISE_HASH_SIZE]);
/*
 * After the handshake: the cipher states for this side's sending and
 * receiving directions.  Once only; the ephemeral key and the chaining key
 * are wiped, the handshake hash is kept.
 */
rv_result rv_noise_split(struct rv_noise *state, struct rv_noise_cipher *send,
                         struct rv_noise_cipher *recv);
/* Wipes every secret of a handshake. */
void rv_noise_clear(struct rv_noise *state);

/*
 * Transport messages: out gets len + RV_NOISE_TAG_SIZE bytes; len is at most
 * RV_NOISE_MAX_PLAINTEXT.  Each call uses the next nonce; a message that does
 * not decrypt leaves the nonce where it was.  ad may be NULL when ad_len is 0.
 */
rv_result rv_noise_encrypt(struct rv_noise_cipher *cs, const void *ad, size_t ad_len,
                           const void *plaintext, size_t len, uint8_t *out, size_t out_cap,
                           size_t *out_len);
rv_result rv_noise_decrypt(struct rv_noise_cipher *cs, const void *ad, size_t ad_len,
                           const uint8_t *ciphertext, size_t len, uint8_t *out, size_t out_cap,
                           size_t *out_len);
/* SetNonce() of the specification; for tests (nonce exhaustion). */
void rv_noise_cipher_set_nonce(struct rv_noise_cipher *cs, uint64_t n);
void rv_noise_cipher_clear(struct rv_noise_cipher *cs);

/*
 * The short code both users compare to detect a man in the middle: six
 * decimal digits and a NUL, from a keyed BLAKE2b of the handshake hash.
 */
rv_result rv_security_code(const uint8_t hash[RV_NOISE_HASH_SIZE],
                           char code[RV_SECURITY_CODE_DIGITS + 1]);

#endif  /* __WINE_RV_NOISE_H */
