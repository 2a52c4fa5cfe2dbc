/*
 * Rendezvous core: internal declarations (allocator, crypto, wire codec)
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

#ifndef __WINE_RV_PRIVATE_H
#define __WINE_RV_PRIVATE_H

#include "rendezvous.h"
#include "rv_testing.h"

/* Allocation hook (alloc.c) */
void *rv_alloc(size_t size);
void rv_free(void *ptr);
/* Zeroes memory in a way the compiler may not remove. */
void rv_wipe(void *ptr, size_t size);
/* Returns 1 when equal; time depends only on size. */
int rv_ct_equal(const void *a, const void *b, size_t size);

/* HMAC-SHA256 (libsodium's crypto_auth_hmacsha256_*) gives the MACs of the
 * tickets (ticket.c). */
#define RV_SHA256_SIZE 32

/* Wire framing (wire.c); see rendezvous.h for the format. */
#define RV_FRAME_HEADER_SIZE 8

/* The type byte of each frame, numbered from 1 in this order. */
enum rv_frame_type
{
    RV_FRAME_HELLO = 1,
    RV_FRAME_CHALLENGE,
    RV_FRAME_RESPONSE,
    RV_FRAME_CONFIRM,
    RV_FRAME_DATA,
    RV_FRAME_SEND_ERROR,
    RV_FRAME_TERMINATE,
    RV_FRAME_CANCEL,
};

#define RV_HELLO_SIZE      48        /* Noise message 1: e, tag of the empty payload */
#define RV_CHALLENGE_SIZE  48        /* Noise message 2: e, tag of the empty payload */
#define RV_RESPONSE_SIZE   4         /* without application data */
#define RV_CONFIRM_SIZE    0
#define RV_SEND_ERROR_SIZE 4
#define RV_INTENT_ACCEPT   1
#define RV_INTENT_DECLINE  2

#define RV_CANCEL_HEADER_SIZE 4      /* the reason of a CANCEL that has a payload */
#define RV_APPDATA_BYTES   (2 * RV_MAX_APPDATA_UNITS)

/* Largest payload of every frame but DATA and TERMINATE (a RESPONSE with the
 * most application data); those frames are read into a buffer of this size. */
#define RV_SMALL_PAYLOAD_MAX (RV_RESPONSE_SIZE + RV_APPDATA_BYTES)

/*
 * After the handshake every payload is sealed: chunks of at most RV_SEAL_CHUNK
 * plaintext bytes, each followed by its RV_SEAL_TAG-byte tag, one chunk of just
 * a tag for an empty payload (rendezvous.h).  The header keeps the plaintext
 * length, so its bounds stay those of the protocol.
 */
#define RV_SEAL_CHUNK 65519u
#define RV_SEAL_TAG   16u
/* A session ends before either direction uses this many chunks. */
#define RV_CHANNEL_MAX_NONCES (UINT64_C(1) << 62)

static inline uint32_t rv_seal_chunks(uint32_t length)
{
    return length ? (uint32_t)(((uint64_t)length + RV_SEAL_CHUNK - 1) / RV_SEAL_CHUNK) : 1;
}

/* The bytes a sealed payload of `length` plaintext bytes takes on the wire. */
static inline uint32_t rv_sealed_size(uint32_t length)
{
    return length + RV_SEAL_TAG * rv_seal_chunks(length);
}

/*
 * Validates a complete header against the per-type bounds (max_context_units
 * limits DATA and TERMINATE).  Pure function.  On success stores type and length.
 */
rv_result rv_frame_check_header(const uint8_t header[RV_FRAME_HEADER_SIZE],
                                uint32_t max_context_units, uint8_t *type, uint32_t *length);
void rv_frame_write_header(uint8_t header[RV_FRAME_HEADER_SIZE], uint8_t type, uint32_t length);

enum rv_decode_status
{
    RV_DECODE_MORE,     /* all input consumed, frame incomplete */
    RV_DECODE_HEADER,   /* a valid header: call rv_decoder_set_buffer, then feed again */
    RV_DECODE_FRAME,    /* type, length and the payload are complete */
    RV_DECODE_ERROR,    /* protocol error; the decoder stays in error */
};

/*
 * Incremental frame decoder.  It never trusts the peer: the payload length is
 * validated before the caller is asked for a buffer, and nothing is written
 * past the capacity the caller gives (bytes beyond it are counted and dropped).
 */
struct rv_decoder
{
    uint32_t max_context_units;
    uint8_t  header[RV_FRAME_HEADER_SIZE];
    uint32_t header_got;
    uint8_t  state;
    uint8_t  type;
    uint32_t length;     /* of the plaintext payload, as in the header */
    uint32_t wire;       /* bytes of payload on the wire: length, or sealed */
    uint8_t  sealed;
    uint32_t got;
    uint8_t *buffer;
    uint32_t capacity;
};

void rv_decoder_init(struct rv_decoder *d, uint32_t max_context_units);
size_t rv_decoder_feed(struct rv_decoder *d, const uint8_t *data, size_t size,
                       enum rv_decode_status *status);
void rv_decoder_set_buffer(struct rv_decoder *d, uint8_t *buffer, uint32_t capacity);
/* From the next header on, payloads are sealed: `wire` bytes are read. */
void rv_decoder_set_sealed(struct rv_decoder *d, int sealed);

/* Little-endian helpers */
static inline void rv_put_u32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static inline uint32_t rv_get_u32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

/* Numeric address parsing and formatting (invitation.c) */
int rv_parse_ipv4(const char *text, size_t length, uint8_t out[4]);
int rv_parse_ipv6(const char *text, size_t length, uint8_t out[16]);
/* Writes at most 46 bytes including the NUL; returns the length. */
size_t rv_format_ip(uint8_t family, const uint8_t *addr, char *buffer);

#endif /* __WINE_RV_PRIVATE_H */
