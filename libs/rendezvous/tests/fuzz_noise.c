/*
 * libFuzzer harness: Noise handshake and transport messages from a peer
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
 * The first byte picks what reads the rest, as a peer's bytes:
 *   0  the responder, the first handshake message (-> psk, e)
 *   1  the initiator, after writing its first message, the second (<- e, ee)
 *   2  the responder's receiving cipher, after a whole handshake, a transport
 *      message; a second one follows when the first byte is >= 128 and the
 *      input holds a 2-byte big-endian length for the first
 * Both sides use cacophony's Noise_NNpsk0_25519_ChaChaPoly_BLAKE2b vector
 * (prologue, PSK, fixed ephemerals), so the seeds in tests/corpus/noise are
 * that vector's messages and reach past the authentication checks.
 */

#include <stdlib.h>
#include <string.h>

#include "rv_noise.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t prologue[] = "John Galt";
static const uint8_t psk[32] = "This is my Austrian perspective!";
static const uint8_t init_e[32] =
{
    0x89, 0x3e, 0x28, 0xb9, 0xdc, 0x6c, 0xa8, 0xd6, 0x11, 0xab, 0x66, 0x47, 0x54, 0xb8, 0xce, 0xb7,
    0xba, 0xc5, 0x11, 0x73, 0x49, 0xa4, 0x43, 0x9a, 0x6b, 0x05, 0x69, 0xda, 0x97, 0x7c, 0x46, 0x4a,
};
static const uint8_t resp_e[32] =
{
    0xbb, 0xdb, 0x4c, 0xdb, 0xd3, 0x09, 0xf1, 0xa1, 0xf2, 0xe1, 0x45, 0x69, 0x67, 0xfe, 0x28, 0x8c,
    0xad, 0xd6, 0xf7, 0x12, 0xd6, 0x5d, 0xc7, 0xb7, 0x79, 0x3d, 0x5e, 0x63, 0xda, 0x6b, 0x37, 0x5b,
};

/* An exact-size copy, so that AddressSanitizer catches any read past the end. */
static uint8_t *copy_of(const uint8_t *data, size_t size)
{
    uint8_t *copy = malloc(size ? size : 1);
    if (size) memcpy(copy, data, size);
    return copy;
}

/* Reads a handshake message into an exact-size payload buffer. */
static rv_result read_exact(struct rv_noise *state, const uint8_t *data, size_t size)
{
    size_t cap = size >= 48 ? size - 48 : 0, len = 12345;
    uint8_t *message = copy_of(data, size), *payload = malloc(cap ? cap : 1);
    rv_result hr;

    hr = rv_noise_read_message(state, message, size, cap ? payload : NULL, cap, &len);
    if (hr == RV_S_OK && len != cap) abort();
    if (hr != RV_S_OK && (len || rv_noise_handshake_done(state))) abort();
    free(message);
    free(payload);
    return hr;
}

static void decrypt_exact(struct rv_noise_cipher *cs, const uint8_t *data, size_t size)
{
    size_t cap = size >= 16 ? size - 16 : 0, len = 12345;
    uint8_t *message = copy_of(data, size), *out = malloc(cap ? cap : 1);
    uint64_t n = cs->n;
    rv_result hr;

    hr = rv_noise_decrypt(cs, NULL, 0, message, size, cap ? out : NULL, cap, &len);
    if (hr == RV_S_OK && (len != cap || cs->n != n + 1)) abort();
    if (hr != RV_S_OK && (len || cs->n != n)) abort();
    free(message);
    free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct rv_noise init, resp;
    struct rv_noise_cipher i_send, i_recv, r_send, r_recv;
    uint8_t m1[64], m2[64], payload[16];
    size_t len1, len2, plen;
    uint8_t mode;

    if (size < 1 || size > RV_NOISE_MAX_MESSAGE + 3) return 0;
    mode = data[0];
    data++;
    size--;
    if (rv_noise_init(&init, 1, prologue, sizeof(prologue) - 1, psk, init_e) ||
        rv_noise_init(&resp, 0, prologue, sizeof(prologue) - 1, psk, resp_e))
        abort();

    switch (mode % 3)
    {
    case 0:
        if (read_exact(&resp, data, size) == RV_S_OK &&
            rv_noise_write_message(&resp, NULL, 0, m2, sizeof(m2), &len2))
            abort();
        break;
    case 1:
        if (rv_noise_write_message(&init, NULL, 0, m1, sizeof(m1), &len1)) abort();
        if (read_exact(&init, data, size) == RV_S_OK &&
            (!rv_noise_handshake_done(&init) || rv_noise_split(&init, &i_send, &i_recv)))
            abort();
        break;
    case 2:
        if (rv_noise_write_message(&init, NULL, 0, m1, sizeof(m1), &len1) ||
            rv_noise_read_message(&resp, m1, len1, payload, sizeof(payload), &plen) ||
            rv_noise_write_message(&resp, NULL, 0, m2, sizeof(m2), &len2) ||
            rv_noise_read_message(&init, m2, len2, payload, sizeof(payload), &plen) ||
            rv_noise_split(&init, &i_send, &i_recv) || rv_noise_split(&resp, &r_send, &r_recv))
            abort();
        if (mode >= 128 && size >= 2 && (size_t)(data[0] << 8 | data[1]) <= size - 2)
        {
            size_t first = (size_t)(data[0] << 8 | data[1]);

            decrypt_exact(&r_recv, data + 2, first);
            decrypt_exact(&r_recv, data + 2 + first, size - 2 - first);
        }
        else
            decrypt_exact(&r_recv, data, size);
        break;
    }
    rv_noise_clear(&init);
    rv_noise_clear(&resp);
    return 0;
}
