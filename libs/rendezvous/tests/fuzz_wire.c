/*
 * libFuzzer harness for the pure parsers: frame decoder and invitation text
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

#include <stdlib.h>
#include <string.h>

#include "rv_private.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_invitation(const uint8_t *data, size_t size)
{
    struct rv_invitation inv, again;
    char text[RV_INVITATION_BUFFER_SIZE], *copy;

    /* An exact-size copy, so that any read past the end is caught. */
    copy = malloc(size ? size : 1);
    if (size) memcpy(copy, data, size);
    if (rv_invitation_parse_bytes(copy, size, &inv) == RV_S_OK)
    {
        if (rv_invitation_format(&inv, text, sizeof(text)) || rv_invitation_parse(text, &again) ||
            memcmp(&inv, &again, sizeof(inv)))
            abort();
    }
    free(copy);
}

static void fuzz_decoder(const uint8_t *data, size_t size)
{
    struct rv_decoder d;
    uint8_t *payload = NULL;
    size_t step, pos = 0;
    uint32_t capacity = 0;
    int shrink;

    if (size < 3) return;
    rv_decoder_init(&d, 1 + data[0] * 3u);
    step = 1 + data[1] % 64;
    shrink = data[2] & 1;
    /* Sealed payloads: the decoder reads the tags too. */
    rv_decoder_set_sealed(&d, data[2] & 2);
    data += 3;
    size -= 3;
    while (pos <= size)
    {
        enum rv_decode_status status;
        size_t chunk = size - pos < step ? size - pos : step, used;

        used = rv_decoder_feed(&d, data + pos, chunk, &status);
        if (used > chunk) abort();
        pos += used;
        if (status == RV_DECODE_ERROR) break;
        if (status == RV_DECODE_HEADER)
        {
            if (d.length > 2 * (1 + 255 * 3u) + 64) abort(); /* bounds were not applied */
            if (d.wire != (d.sealed ? rv_sealed_size(d.length) : d.length)) abort();
            capacity = shrink ? d.wire / 2 : d.wire;
            free(payload);
            payload = malloc(capacity ? capacity : 1);
            rv_decoder_set_buffer(&d, payload, capacity);
            continue;
        }
        if (status == RV_DECODE_FRAME)
        {
            free(payload);
            payload = NULL;
            continue;
        }
        if (!chunk) break;
    }
    free(payload);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!size) return 0;
    if (data[0] & 1) fuzz_invitation(data + 1, size - 1);
    else fuzz_decoder(data + 1, size - 1);
    return 0;
}
