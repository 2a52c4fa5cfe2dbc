/*
 * Rendezvous core: the peer channel, a Noise NNpsk0 handshake and sealed frames
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

#include "rv_core.h"

/* Another version or session makes the first message fail. */
static const char prologue_label[] = "wine-rendezvous peer channel 2";

/* The chunks of rv_private.h are Noise transport messages. */
typedef char rv_seal_chunk_is_noise[RV_SEAL_CHUNK == RV_NOISE_MAX_PLAINTEXT &&
                                    RV_SEAL_TAG == RV_NOISE_TAG_SIZE ? 1 : -1];

static uint32_t chunk_length(uint32_t length, uint32_t i)
{
    uint32_t left = length - i * RV_SEAL_CHUNK;

    return left < RV_SEAL_CHUNK ? left : RV_SEAL_CHUNK;
}

/* Far below the nonce Noise reserves, so a session ends before any wrap. */
static int nonces_left(const struct rv_noise_cipher *cs, uint32_t chunks)
{
    return cs->n <= RV_CHANNEL_MAX_NONCES - chunks;
}

static rv_result channel_init(struct rv_conn *c, int initiator, const uint8_t *secret, const uint8_t *sid)
{
    uint8_t prologue[sizeof(prologue_label) - 1 + RV_SESSION_ID_SIZE];

    memcpy(prologue, prologue_label, sizeof(prologue_label) - 1);
    memcpy(prologue + sizeof(prologue_label) - 1, sid, RV_SESSION_ID_SIZE);
    return rv_noise_init(&c->noise, initiator, prologue, sizeof(prologue), secret, NULL);
}

/* Both handshake messages went through: one cipher per direction from here on. */
static rv_result channel_split(struct rv_conn *c)
{
    rv_result hr;

    if (!(hr = rv_noise_handshake_hash(&c->noise, c->hash)))
        hr = rv_noise_split(&c->noise, &c->tx, &c->rx);
    rv_noise_clear(&c->noise);
    if (hr) return hr;
    c->sealed = 1;
    rv_decoder_set_sealed(&c->dec, 1);
    return RV_S_OK;
}

rv_result channel_start(struct rv_conn *c, const uint8_t *secret, const uint8_t *sid)
{
    uint8_t msg[RV_HELLO_SIZE];
    size_t len;
    rv_result hr;

    if (!(hr = channel_init(c, 1, secret, sid)) &&
        !(hr = rv_noise_write_message(&c->noise, NULL, 0, msg, sizeof(msg), &len)))
    {
        channel_set_ctl(c, RV_FRAME_HELLO, msg, (uint32_t)len);
        return RV_S_OK;
    }
    rv_noise_clear(&c->noise);
    return hr;
}

rv_result channel_on_hello(struct rv_conn *c, const uint8_t *secret, const uint8_t *sid)
{
    uint8_t msg[RV_CHALLENGE_SIZE];
    size_t len;
    rv_result hr;

    if ((hr = channel_init(c, 0, secret, sid)) ||
        (hr = rv_noise_read_message(&c->noise, c->small, RV_HELLO_SIZE, NULL, 0, &len)) ||
        (hr = rv_noise_write_message(&c->noise, NULL, 0, msg, sizeof(msg), &len)))
    {
        rv_noise_clear(&c->noise);
        return hr;
    }
    /* CHALLENGE goes in clear, everything after it sealed. */
    channel_set_ctl(c, RV_FRAME_CHALLENGE, msg, (uint32_t)len);
    return channel_split(c);
}

rv_result channel_on_challenge(struct rv_conn *c)
{
    size_t len;
    rv_result hr;

    if ((hr = rv_noise_read_message(&c->noise, c->small, RV_CHALLENGE_SIZE, NULL, 0, &len)))
    {
        rv_noise_clear(&c->noise);
        return hr;
    }
    return channel_split(c);
}

/* Spreads the chunks to their places on the wire, the last first, so none is overwritten. */
static void seal_spread(uint8_t *frame)
{
    uint32_t length = rv_get_u32(frame + 4), i;
    uint8_t *payload = frame + RV_FRAME_HEADER_SIZE;

    for (i = rv_seal_chunks(length); i-- > 1;)
        memmove(payload + (size_t)i * (RV_SEAL_CHUNK + RV_SEAL_TAG), payload + (size_t)i * RV_SEAL_CHUNK,
                chunk_length(length, i));
}

/* Seals chunk i of a spread frame in place, with the next nonce. */
static rv_result seal_chunk(struct rv_conn *c, uint8_t *frame, uint32_t i)
{
    uint32_t n = chunk_length(rv_get_u32(frame + 4), i);
    uint8_t *chunk = frame + RV_FRAME_HEADER_SIZE + (size_t)i * (RV_SEAL_CHUNK + RV_SEAL_TAG);
    size_t out;

    /* The clear header is the associated data of every chunk. */
    if (rv_noise_encrypt(&c->tx, frame, RV_FRAME_HEADER_SIZE, chunk, n, chunk, n + RV_SEAL_TAG, &out))
        return RV_E_PROTOCOL;
    return RV_S_OK;
}

/* Seals c->ctl in place; on failure seal_failed makes the next write fail the connection. */
static void seal_ctl(struct rv_conn *c)
{
    uint32_t length = rv_get_u32(c->ctl + 4);

    /* Small: one chunk, nothing to spread. */
    if (!c->sealed || !nonces_left(&c->tx, 1) || seal_chunk(c, c->ctl, 0))
    {
        c->ctl_len = 0;
        c->seal_failed = 1;
        return;
    }
    c->ctl_len = (uint16_t)(RV_FRAME_HEADER_SIZE + rv_sealed_size(length));
}

void channel_set_ctl(struct rv_conn *c, uint8_t type, const uint8_t *payload, uint32_t size)
{
    rv_frame_write_header(c->ctl, type, size);
    if (size) memcpy(c->ctl + RV_FRAME_HEADER_SIZE, payload, size);
    c->ctl_len = (uint16_t)(RV_FRAME_HEADER_SIZE + size);
    c->ctl_sent = 0;
    if (c->sealed) seal_ctl(c);
}

/* Opens chunk i of the frame being read in place, its plaintext moved to its final place. */
static rv_result open_chunk(struct rv_conn *c, uint8_t *payload, uint32_t i)
{
    uint32_t length = c->dec.length, n = chunk_length(length, i);
    uint8_t header[RV_FRAME_HEADER_SIZE], *chunk = payload + (size_t)i * (RV_SEAL_CHUNK + RV_SEAL_TAG);
    size_t out;

    /* The decoder checked the header: reserved bytes are zero, so this is the one received. */
    rv_frame_write_header(header, c->dec.type, length);
    if (rv_noise_decrypt(&c->rx, header, sizeof(header), chunk, n + RV_SEAL_TAG, chunk, n, &out))
        return RV_E_PROTOCOL;
    /* Chunks open in order: this overwrites only chunks already opened. */
    if (i) memmove(payload + (size_t)i * RV_SEAL_CHUNK, chunk, n);
    return RV_S_OK;
}


rv_result channel_seal_out(struct rv_conn *c, struct rv_out *o)
{
    uint32_t chunks = rv_seal_chunks(rv_get_u32(o->bytes + 4));

    if (o->sealed) return RV_S_OK;
    if (!c->sealed) return RV_E_INVALID_STATE;
    if (!nonces_left(&c->tx, chunks)) return RV_E_PROTOCOL;
    /* Whole, in one go: under Wine a send or a read per chunk costs more than the overlap gains. */
    seal_spread(o->bytes);
    for (; o->sealed < chunks; o->sealed++)
        if (seal_chunk(c, o->bytes, o->sealed)) return RV_E_PROTOCOL;
    return RV_S_OK;
}

/* Chunks that came whole are opened at once, while the rest is on its way. */
rv_result channel_open_arrived(struct rv_conn *c)
{
    uint32_t chunks = rv_seal_chunks(c->dec.length), whole = c->dec.got / (RV_SEAL_CHUNK + RV_SEAL_TAG);
    rv_result hr;

    if (!c->rx_buf || !c->dec.sealed || !c->sealed || c->phase != PHASE_ESTABLISHED || c->detached) return RV_S_OK;
    if (whole >= chunks) whole = chunks - 1;     /* the last one with the frame */
    if (!c->rx_opened && whole && !nonces_left(&c->rx, chunks)) return RV_E_PROTOCOL;
    for (; c->rx_opened < whole; c->rx_opened++)
        if ((hr = open_chunk(c, c->rx_buf, c->rx_opened))) return hr;
    return RV_S_OK;
}

rv_result channel_open_frame(struct rv_conn *c)
{
    uint8_t *buffer = c->rx_buf;
    uint32_t chunks = rv_seal_chunks(c->dec.length), opened = c->rx_opened;
    rv_result hr;

    c->rx_buf = NULL;
    c->rx_opened = 0;
    /* Frames in clear, and those nobody acts on. */
    if (!c->dec.sealed || c->phase == PHASE_CLOSING || (c->phase == PHASE_ESTABLISHED && c->detached))
        return RV_S_OK;
    if (!c->sealed || !nonces_left(&c->rx, chunks - opened)) return RV_E_PROTOCOL;
    if (!buffer)
    {
        /* Without the memory to store it, a big DATA frame is passed over unopened: SEND_ERROR follows. */
        if (c->dec.type != RV_FRAME_DATA) return RV_E_OUTOFMEMORY;
        rv_noise_cipher_set_nonce(&c->rx, c->rx.n + chunks);
        return RV_S_OK;
    }
    for (; opened < chunks; opened++)
        if ((hr = open_chunk(c, buffer, opened))) return hr;
    return RV_S_OK;
}

void channel_established(struct rv_conn *c)
{
    struct rv_session *s = c->session;

    memcpy(s->hash, c->hash, sizeof(s->hash));
    s->hash_known = 1;
}

void channel_clear(struct rv_conn *c)
{
    rv_noise_clear(&c->noise);
    rv_noise_cipher_clear(&c->tx);
    rv_noise_cipher_clear(&c->rx);
    rv_wipe(c->hash, sizeof(c->hash));
    c->sealed = 0;
}

rv_result rv_session_get_security_code(struct rv_session *s, char code[RV_SECURITY_CODE_DIGITS + 1])
{
    rv_result hr;

    if (!s || !code) return RV_E_POINTER;
    code[0] = 0;
    rv_mutex_lock(&core.lock);
    if (s->closing || !s->hash_known) hr = RV_E_INVALID_STATE;
    else hr = rv_security_code(s->hash, code);
    rv_mutex_unlock(&core.lock);
    return hr;
}
