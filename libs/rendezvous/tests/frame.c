/*
 * Unit tests: wire frame header validation and the incremental decoder
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
#include "rvtest.h"

#define MAX_UNITS 300

static int check(uint8_t type, uint32_t length, uint32_t max_units)
{
    uint8_t header[RV_FRAME_HEADER_SIZE], got_type = 0xee;
    uint32_t got_length = 0xdeadbeef;
    rv_result hr;

    rv_frame_write_header(header, type, length);
    hr = rv_frame_check_header(header, max_units, &got_type, &got_length);
    if (hr == RV_S_OK && (got_type != type || got_length != length)) return -1;
    if (hr != RV_S_OK && hr != RV_E_PROTOCOL) return -2;
    return hr == RV_S_OK;
}

static void test_header_bounds(void)
{
    static const struct { uint8_t type; uint32_t size; } fixed[] =
    {
        { RV_FRAME_HELLO, RV_HELLO_SIZE },
        { RV_FRAME_CHALLENGE, RV_CHALLENGE_SIZE },
        { RV_FRAME_RESPONSE, RV_RESPONSE_SIZE },
        { RV_FRAME_CONFIRM, RV_CONFIRM_SIZE },
        { RV_FRAME_SEND_ERROR, RV_SEND_ERROR_SIZE },
        { RV_FRAME_CANCEL, 0 },
    };
    uint8_t header[RV_FRAME_HEADER_SIZE], type;
    uint32_t length;
    unsigned int i, bit;

    for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
    {
        ok(check(fixed[i].type, fixed[i].size, MAX_UNITS) == 1,
           "type %u exact size rejected\n", fixed[i].type);
        ok(check(fixed[i].type, fixed[i].size + 1, MAX_UNITS) == 0,
           "type %u size+1 accepted\n", fixed[i].type);
        if (fixed[i].size)
            ok(check(fixed[i].type, fixed[i].size - 1, MAX_UNITS) == 0,
               "type %u size-1 accepted\n", fixed[i].type);
        ok(check(fixed[i].type, 0xffffffff, MAX_UNITS) == 0, "type %u huge accepted\n", fixed[i].type);
    }

    /* DATA: even, 2 .. 2 * max units */
    ok(check(RV_FRAME_DATA, 0, MAX_UNITS) == 0, "empty data accepted\n");
    ok(check(RV_FRAME_DATA, 1, MAX_UNITS) == 0, "odd data accepted\n");
    ok(check(RV_FRAME_DATA, 2, MAX_UNITS) == 1, "one unit rejected\n");
    ok(check(RV_FRAME_DATA, 3, MAX_UNITS) == 0, "odd data accepted\n");
    ok(check(RV_FRAME_DATA, 2 * MAX_UNITS, MAX_UNITS) == 1, "max units rejected\n");
    ok(check(RV_FRAME_DATA, 2 * MAX_UNITS - 1, MAX_UNITS) == 0, "odd max accepted\n");
    ok(check(RV_FRAME_DATA, 2 * MAX_UNITS + 2, MAX_UNITS) == 0, "max + 1 unit accepted\n");
    ok(check(RV_FRAME_DATA, 0x80000000u, MAX_UNITS) == 0, "2 GiB accepted\n");
    ok(check(RV_FRAME_DATA, 0xfffffffeu, MAX_UNITS) == 0, "4 GiB accepted\n");
    ok(check(RV_FRAME_DATA, 2 * 65536, 65536) == 1, "rendezvous max rejected\n");
    /* Profiles over the hard limit are clamped, never trusted. */
    ok(check(RV_FRAME_DATA, 2 * RV_MAX_CONTEXT_UNITS_LIMIT + 2, 0xffffffffu) == 0, "limit not clamped\n");
    ok(check(RV_FRAME_DATA, 2 * RV_MAX_CONTEXT_UNITS_LIMIT, 0xffffffffu) == 1, "limit rejected\n");

    /* TERMINATE: 4-byte hr + even data up to 2 * max units */
    ok(check(RV_FRAME_TERMINATE, 0, MAX_UNITS) == 0, "empty terminate accepted\n");
    ok(check(RV_FRAME_TERMINATE, 3, MAX_UNITS) == 0, "short terminate accepted\n");
    ok(check(RV_FRAME_TERMINATE, 4, MAX_UNITS) == 1, "terminate without data rejected\n");
    ok(check(RV_FRAME_TERMINATE, 5, MAX_UNITS) == 0, "odd terminate accepted\n");
    ok(check(RV_FRAME_TERMINATE, 6, MAX_UNITS) == 1, "terminate with a unit rejected\n");
    ok(check(RV_FRAME_TERMINATE, 4 + 2 * MAX_UNITS, MAX_UNITS) == 1, "terminate max rejected\n");
    ok(check(RV_FRAME_TERMINATE, 6 + 2 * MAX_UNITS, MAX_UNITS) == 0, "terminate over max accepted\n");
    ok(check(RV_FRAME_TERMINATE, 0xfffffffeu, MAX_UNITS) == 0, "huge terminate accepted\n");

    /* Unknown types */
    ok(check(0, 0, MAX_UNITS) == 0, "type 0 accepted\n");
    ok(check(9, 0, MAX_UNITS) == 0, "type 9 accepted\n");
    ok(check(0xff, 4, MAX_UNITS) == 0, "type 255 accepted\n");

    /* Every reserved bit */
    for (bit = 0; bit < 24; bit++)
    {
        rv_frame_write_header(header, RV_FRAME_CANCEL, 0);
        header[1 + bit / 8] |= (uint8_t)(1 << (bit % 8));
        ok(rv_frame_check_header(header, MAX_UNITS, &type, &length) == RV_E_PROTOCOL,
           "reserved bit %u accepted\n", bit);
    }

    /* Length is little endian */
    rv_frame_write_header(header, RV_FRAME_DATA, 0x0102);
    ok(header[4] == 0x02 && header[5] == 0x01 && !header[6] && !header[7], "length not little endian\n");
}

struct collected
{
    int frames, headers, errors;
    uint8_t types[64];
    uint32_t lengths[64];
    uint8_t *payloads[64];
};

static void free_collected(struct collected *col)
{
    int i;

    for (i = 0; i < col->frames && i < 64; i++) free(col->payloads[i]);
    memset(col, 0, sizeof(*col));
}

/* Feeds data in chunks of `step` bytes, with exact-size heap buffers so ASan sees any overrun. */
static void feed_all(struct rv_decoder *d, const uint8_t *data, size_t size, size_t step,
                     struct collected *col)
{
    uint8_t *current = NULL;
    size_t pos = 0;

    while (pos < size || current)
    {
        size_t chunk = size - pos < step ? size - pos : step;
        enum rv_decode_status status;
        size_t used;
        uint8_t *copy = malloc(chunk ? chunk : 1);

        memcpy(copy, data + pos, chunk);
        used = rv_decoder_feed(d, copy, chunk, &status);
        free(copy);
        pos += used;
        if (status == RV_DECODE_ERROR)
        {
            col->errors++;
            free(current);
            return;
        }
        if (status == RV_DECODE_HEADER)
        {
            col->headers++;
            current = malloc(d->wire ? d->wire : 1);
            rv_decoder_set_buffer(d, current, d->wire);
            continue;
        }
        if (status == RV_DECODE_FRAME)
        {
            if (col->frames < 64)
            {
                col->types[col->frames] = d->type;
                col->lengths[col->frames] = d->length;
                col->payloads[col->frames] = current;
            }
            else free(current);
            col->frames++;
            current = NULL;
            continue;
        }
        if (!chunk) break; /* MORE with no input left */
    }
    free(current);
}

static size_t build_stream(uint8_t *buffer)
{
    size_t n = 0;
    uint32_t i;

    rv_frame_write_header(buffer + n, RV_FRAME_CANCEL, 0);
    n += RV_FRAME_HEADER_SIZE;
    rv_frame_write_header(buffer + n, RV_FRAME_DATA, 6);
    n += RV_FRAME_HEADER_SIZE;
    memcpy(buffer + n, "a\0\0\0b\0", 6);
    n += 6;
    rv_frame_write_header(buffer + n, RV_FRAME_SEND_ERROR, 4);
    n += RV_FRAME_HEADER_SIZE;
    rv_put_u32(buffer + n, 0x8007000e);
    n += 4;
    rv_frame_write_header(buffer + n, RV_FRAME_DATA, 2 * MAX_UNITS);
    n += RV_FRAME_HEADER_SIZE;
    for (i = 0; i < 2 * MAX_UNITS; i++) buffer[n++] = (uint8_t)i;
    rv_frame_write_header(buffer + n, RV_FRAME_TERMINATE, 4);
    n += RV_FRAME_HEADER_SIZE;
    rv_put_u32(buffer + n, 0x80004005);
    n += 4;
    return n;
}

static void test_decoder_stream(void)
{
    uint8_t stream[1024];
    struct rv_decoder d;
    struct collected col;
    size_t size = build_stream(stream), step;
    int bad = 0;

    memset(&col, 0, sizeof(col));
    for (step = 1; step <= size; step = step < 16 ? step + 1 : step * 2)
    {
        rv_decoder_init(&d, MAX_UNITS);
        feed_all(&d, stream, size, step, &col);
        if (col.frames != 5 || col.errors) bad++;
        else if (col.types[0] != RV_FRAME_CANCEL || col.lengths[0] != 0 ||
                 col.types[1] != RV_FRAME_DATA || memcmp(col.payloads[1], "a\0\0\0b\0", 6) ||
                 col.types[2] != RV_FRAME_SEND_ERROR || rv_get_u32(col.payloads[2]) != 0x8007000e ||
                 col.types[3] != RV_FRAME_DATA || col.lengths[3] != 2 * MAX_UNITS ||
                 col.payloads[3][599] != (uint8_t)599 ||
                 col.types[4] != RV_FRAME_TERMINATE || rv_get_u32(col.payloads[4]) != 0x80004005)
            bad++;
        free_collected(&col);
    }
    ok(!bad, "%d chunk sizes decoded the stream wrongly\n", bad);

    /* Truncated anywhere: fewer frames, never an error, never a partial frame reported. */
    bad = 0;
    for (step = 0; step < size; step++)
    {
        rv_decoder_init(&d, MAX_UNITS);
        feed_all(&d, stream, step, 7, &col);
        if (col.errors || col.frames > 4) bad++;
        free_collected(&col);
    }
    ok(!bad, "%d truncations misbehaved\n", bad);
}

/* Sealed payloads: the header's plaintext length, then the chunks and their tags. */
static void test_decoder_sealed(void)
{
    /* A byte short of a chunk, two full chunks, one byte more...; DATA lengths are even. */
    static const uint32_t lengths[] = { 0, 4, 65518, 65520, 131038, 131040, 2 * 100000 };
    static const uint32_t wires[] = { 16, 20, 65534, 65552, 131070, 131088, 200000 + 4 * 16 };
    uint8_t *stream = malloc(RV_FRAME_HEADER_SIZE * 7 + 200064 + 6 * 131088);
    struct rv_decoder d;
    struct collected col;
    size_t size = 0, step;
    unsigned int i;
    int bad = 0;

    for (i = 0; i < sizeof(lengths) / sizeof(lengths[0]); i++)
    {
        ok(rv_sealed_size(lengths[i]) == wires[i], "sealed size of %u: %u\n", lengths[i], rv_sealed_size(lengths[i]));
        rv_frame_write_header(stream + size, i ? RV_FRAME_DATA : RV_FRAME_CANCEL, lengths[i]);
        size += RV_FRAME_HEADER_SIZE;
        memset(stream + size, (int)i, wires[i]);
        size += wires[i];
    }
    for (step = 997; step <= size; step *= 8)
    {
        rv_decoder_init(&d, 100000);
        rv_decoder_set_sealed(&d, 1);
        memset(&col, 0, sizeof(col));
        feed_all(&d, stream, size, step, &col);
        if (col.errors || col.frames != 7) bad++;
        for (i = 0; !bad && i < 7; i++)
            if (col.lengths[i] != lengths[i] || col.payloads[i][wires[i] - 1] != (uint8_t)i) bad++;
        free_collected(&col);
    }
    ok(!bad, "sealed stream decoded wrongly\n");
    free(stream);
}

static void test_decoder_errors(void)
{
    uint8_t bytes[64];
    struct rv_decoder d;
    enum rv_decode_status status;
    size_t used;

    /* Oversized DATA header: error before any buffer is asked for. */
    rv_decoder_init(&d, MAX_UNITS);
    rv_frame_write_header(bytes, RV_FRAME_DATA, 2 * MAX_UNITS + 2);
    used = rv_decoder_feed(&d, bytes, 8, &status);
    ok(status == RV_DECODE_ERROR && used == 8, "oversized: status %d used %u\n", status, (unsigned)used);
    used = rv_decoder_feed(&d, bytes, 8, &status);
    ok(status == RV_DECODE_ERROR && !used, "error is not sticky\n");

    /* Odd length */
    rv_decoder_init(&d, MAX_UNITS);
    rv_frame_write_header(bytes, RV_FRAME_DATA, 5);
    rv_decoder_feed(&d, bytes, 8, &status);
    ok(status == RV_DECODE_ERROR, "odd length accepted\n");

    /* Reserved byte */
    rv_decoder_init(&d, MAX_UNITS);
    rv_frame_write_header(bytes, RV_FRAME_CANCEL, 0);
    bytes[2] = 1;
    rv_decoder_feed(&d, bytes, 8, &status);
    ok(status == RV_DECODE_ERROR, "reserved byte accepted\n");

    /* Header split byte by byte: no status but MORE until the 8th byte. */
    rv_decoder_init(&d, MAX_UNITS);
    rv_frame_write_header(bytes, RV_FRAME_DATA, 4);
    for (used = 0; used < 7; used++)
    {
        rv_decoder_feed(&d, bytes + used, 1, &status);
        if (status != RV_DECODE_MORE) break;
    }
    ok(used == 7, "early status after %u bytes\n", (unsigned)used);
    rv_decoder_feed(&d, bytes + 7, 1, &status);
    ok(status == RV_DECODE_HEADER && d.type == RV_FRAME_DATA && d.length == 4, "header not reported\n");

    /* Length larger than the data so far: MORE, the frame is kept. */
    {
        uint8_t *buffer = malloc(4);

        rv_decoder_set_buffer(&d, buffer, 4);
        used = rv_decoder_feed(&d, (const uint8_t *)"xy", 2, &status);
        ok(status == RV_DECODE_MORE && used == 2, "partial payload: status %d\n", status);
        used = rv_decoder_feed(&d, (const uint8_t *)"zwEXTRA", 7, &status);
        ok(status == RV_DECODE_FRAME && used == 2,
           "payload end: status %d used %u\n", status, (unsigned)used);
        ok(!memcmp(buffer, "xyzw", 4), "payload wrong\n");
        free(buffer);
    }

    /* A buffer smaller than the payload: the rest is dropped, nothing overrun. */
    {
        uint8_t *small = malloc(4), payload[40];

        memset(payload, 0x77, sizeof(payload));
        rv_decoder_init(&d, MAX_UNITS);
        rv_frame_write_header(bytes, RV_FRAME_TERMINATE, 40);
        rv_decoder_feed(&d, bytes, 8, &status);
        rv_decoder_set_buffer(&d, small, 4);
        used = rv_decoder_feed(&d, payload, sizeof(payload), &status);
        ok(status == RV_DECODE_FRAME && used == 40, "capped payload: status %d\n", status);
        free(small);

        /* NULL buffer discards the payload entirely */
        rv_decoder_init(&d, MAX_UNITS);
        rv_frame_write_header(bytes, RV_FRAME_DATA, 40);
        rv_decoder_feed(&d, bytes, 8, &status);
        rv_decoder_set_buffer(&d, NULL, 40);
        used = rv_decoder_feed(&d, payload, sizeof(payload), &status);
        ok(status == RV_DECODE_FRAME && used == 40, "discarded payload: status %d\n", status);
    }

    /* Zero-length frame completes on an empty feed after the buffer is set. */
    rv_decoder_init(&d, MAX_UNITS);
    rv_frame_write_header(bytes, RV_FRAME_CANCEL, 0);
    rv_decoder_feed(&d, bytes, 8, &status);
    ok(status == RV_DECODE_HEADER, "cancel header: %d\n", status);
    used = rv_decoder_feed(&d, bytes, 0, &status);
    ok(status == RV_DECODE_HEADER && !used, "feed before set_buffer: %d\n", status);
    rv_decoder_set_buffer(&d, NULL, 0);
    used = rv_decoder_feed(&d, NULL, 0, &status);
    ok(status == RV_DECODE_FRAME && !used, "empty frame: %d\n", status);
}

static uint32_t rng_state = 12345;

static uint32_t next_random(void)
{
    rng_state = rng_state * 1103515245 + 12345;
    return rng_state >> 8;
}

/* Random streams, mostly plausible headers: the decoder must neither crash nor overrun. */
static void test_decoder_random(void)
{
    uint8_t stream[512];
    struct rv_decoder d;
    struct collected col;
    int round, frames = 0, errors = 0;

    memset(&col, 0, sizeof(col));
    for (round = 0; round < 20000; round++)
    {
        size_t size = next_random() % sizeof(stream), i;

        for (i = 0; i < size; i++) stream[i] = (uint8_t)next_random();
        if (size >= 8 && next_random() % 2)
        {
            stream[0] = (uint8_t)(1 + next_random() % 8);
            stream[1] = stream[2] = stream[3] = 0;
            rv_put_u32(stream + 4, next_random() % 80);
        }
        rv_decoder_init(&d, 1 + next_random() % 200);
        feed_all(&d, stream, size, 1 + next_random() % 40, &col);
        frames += col.frames;
        errors += col.errors;
        free_collected(&col);
    }
    ok(frames > 0 && errors > 0, "random streams: %d frames %d errors\n", frames, errors);
}

START_TEST(frame)
{
    test_header_bounds();
    test_decoder_stream();
    test_decoder_sealed();
    test_decoder_errors();
    test_decoder_random();
}
