/*
 * Rendezvous core: wire frame validation and incremental decoder
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

#include "rv_private.h"

enum decoder_state
{
    DEC_HEADER,
    DEC_WANT_BUFFER,
    DEC_PAYLOAD,
    DEC_ERROR,
};

rv_result rv_frame_check_header(const uint8_t header[RV_FRAME_HEADER_SIZE],
                                uint32_t max_context_units, uint8_t *type, uint32_t *length)
{
    uint64_t max_data;
    uint32_t len;

    if (header[1] || header[2] || header[3]) return RV_E_PROTOCOL;
    if (max_context_units > RV_MAX_CONTEXT_UNITS_LIMIT) max_context_units = RV_MAX_CONTEXT_UNITS_LIMIT;
    max_data = 2 * (uint64_t)max_context_units;
    len = rv_get_u32(header + 4);

    switch (header[0])
    {
    case RV_FRAME_HELLO:
        if (len != RV_HELLO_SIZE) return RV_E_PROTOCOL;
        break;
    case RV_FRAME_CHALLENGE:
        if (len != RV_CHALLENGE_SIZE) return RV_E_PROTOCOL;
        break;
    case RV_FRAME_RESPONSE:
        if (len < RV_RESPONSE_SIZE || len > RV_RESPONSE_SIZE + RV_APPDATA_BYTES || (len & 1))
            return RV_E_PROTOCOL;
        break;
    case RV_FRAME_CONFIRM:
        if (len != RV_CONFIRM_SIZE) return RV_E_PROTOCOL;
        break;
    case RV_FRAME_DATA:
        if (len < 2 || len > max_data || (len & 1)) return RV_E_PROTOCOL;
        break;
    case RV_FRAME_SEND_ERROR:
        if (len != RV_SEND_ERROR_SIZE) return RV_E_PROTOCOL;
        break;
    case RV_FRAME_TERMINATE:
        if (len < 4 || len - 4 > max_data || (len & 1)) return RV_E_PROTOCOL;
        break;
    case RV_FRAME_CANCEL:
        if (len && (len < RV_CANCEL_HEADER_SIZE || len > RV_CANCEL_HEADER_SIZE + RV_APPDATA_BYTES ||
                    (len & 1)))
            return RV_E_PROTOCOL;
        break;
    default:
        return RV_E_PROTOCOL;
    }
    *type = header[0];
    *length = len;
    return RV_S_OK;
}

void rv_frame_write_header(uint8_t header[RV_FRAME_HEADER_SIZE], uint8_t type, uint32_t length)
{
    header[0] = type;
    header[1] = header[2] = header[3] = 0;
    rv_put_u32(header + 4, length);
}

void rv_decoder_init(struct rv_decoder *d, uint32_t max_context_units)
{
    memset(d, 0, sizeof(*d));
    d->max_context_units = max_context_units;
    d->state = DEC_HEADER;
}

void rv_decoder_set_buffer(struct rv_decoder *d, uint8_t *buffer, uint32_t capacity)
{
    if (d->state != DEC_WANT_BUFFER) return;
    d->buffer = buffer;
    d->capacity = buffer ? capacity : 0;
    d->got = 0;
    d->state = DEC_PAYLOAD;
}

void rv_decoder_set_sealed(struct rv_decoder *d, int sealed)
{
    d->sealed = sealed ? 1 : 0;
}

size_t rv_decoder_feed(struct rv_decoder *d, const uint8_t *data, size_t size,
                       enum rv_decode_status *status)
{
    size_t n;

    switch (d->state)
    {
    case DEC_HEADER:
        n = RV_FRAME_HEADER_SIZE - d->header_got;
        if (n > size) n = size;
        if (n) memcpy(d->header + d->header_got, data, n);
        d->header_got += (uint32_t)n;
        if (d->header_got < RV_FRAME_HEADER_SIZE)
        {
            *status = RV_DECODE_MORE;
            return n;
        }
        if (rv_frame_check_header(d->header, d->max_context_units, &d->type, &d->length))
        {
            d->state = DEC_ERROR;
            *status = RV_DECODE_ERROR;
            return n;
        }
        d->wire = d->sealed ? rv_sealed_size(d->length) : d->length;
        d->state = DEC_WANT_BUFFER;
        *status = RV_DECODE_HEADER;
        return n;

    case DEC_WANT_BUFFER:
        *status = RV_DECODE_HEADER;
        return 0;

    case DEC_PAYLOAD:
        n = d->wire - d->got;
        if (n > size) n = size;
        if (d->got < d->capacity)
        {
            size_t keep = d->capacity - d->got;

            if (keep > n) keep = n;
            if (keep) memcpy(d->buffer + d->got, data, keep);
        }
        d->got += (uint32_t)n;
        if (d->got < d->wire)
        {
            *status = RV_DECODE_MORE;
            return n;
        }
        /* Complete: type and length stay readable until the next feed. */
        d->state = DEC_HEADER;
        d->header_got = 0;
        d->buffer = NULL;
        d->capacity = 0;
        *status = RV_DECODE_FRAME;
        return n;

    default:
        *status = RV_DECODE_ERROR;
        return 0;
    }
}
