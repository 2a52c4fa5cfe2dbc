/*
 * Rendezvous core: SHA-256 (FIPS 180-4) and HMAC-SHA256 (RFC 2104)
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

static const uint32_t round_constants[64] =
{
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static inline uint32_t ror32(uint32_t x, unsigned int n)
{
    return (x >> n) | (x << (32 - n));
}

static void sha256_block(struct rv_sha256 *ctx, const uint8_t *p)
{
    uint32_t w[64], a, b, c, d, e, f, g, h, t1, t2;
    unsigned int i;

    for (i = 0; i < 16; i++)
        w[i] = ((uint32_t)p[4 * i] << 24) | ((uint32_t)p[4 * i + 1] << 16)
             | ((uint32_t)p[4 * i + 2] << 8) | (uint32_t)p[4 * i + 3];
    for (i = 16; i < 64; i++)
    {
        uint32_t s0 = ror32(w[i - 15], 7) ^ ror32(w[i - 15], 18) ^ (w[i - 15] >> 3);
        uint32_t s1 = ror32(w[i - 2], 17) ^ ror32(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }

    a = ctx->h[0]; b = ctx->h[1]; c = ctx->h[2]; d = ctx->h[3];
    e = ctx->h[4]; f = ctx->h[5]; g = ctx->h[6]; h = ctx->h[7];
    for (i = 0; i < 64; i++)
    {
        t1 = h + (ror32(e, 6) ^ ror32(e, 11) ^ ror32(e, 25)) + ((e & f) ^ (~e & g))
           + round_constants[i] + w[i];
        t2 = (ror32(a, 2) ^ ror32(a, 13) ^ ror32(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
        h = g; g = f; f = e; e = d + t1;
        d = c; c = b; b = a; a = t1 + t2;
    }
    ctx->h[0] += a; ctx->h[1] += b; ctx->h[2] += c; ctx->h[3] += d;
    ctx->h[4] += e; ctx->h[5] += f; ctx->h[6] += g; ctx->h[7] += h;
    rv_wipe(w, sizeof(w));
}

void rv_sha256_init(struct rv_sha256 *ctx)
{
    static const uint32_t initial[8] =
    {
        0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
    };

    memcpy(ctx->h, initial, sizeof(initial));
    ctx->total = 0;
    ctx->used = 0;
}

void rv_sha256_update(struct rv_sha256 *ctx, const void *data, size_t size)
{
    const uint8_t *p = data;

    ctx->total += size;
    if (ctx->used)
    {
        size_t n = RV_SHA256_BLOCK - ctx->used;

        if (n > size) n = size;
        memcpy(ctx->block + ctx->used, p, n);
        ctx->used += (uint32_t)n;
        p += n;
        size -= n;
        if (ctx->used < RV_SHA256_BLOCK) return;
        sha256_block(ctx, ctx->block);
        ctx->used = 0;
    }
    while (size >= RV_SHA256_BLOCK)
    {
        sha256_block(ctx, p);
        p += RV_SHA256_BLOCK;
        size -= RV_SHA256_BLOCK;
    }
    if (size)
    {
        memcpy(ctx->block, p, size);
        ctx->used = (uint32_t)size;
    }
}

void rv_sha256_final(struct rv_sha256 *ctx, uint8_t digest[RV_SHA256_SIZE])
{
    uint64_t bits = ctx->total * 8;
    unsigned int i;

    ctx->block[ctx->used++] = 0x80;
    if (ctx->used > RV_SHA256_BLOCK - 8)
    {
        memset(ctx->block + ctx->used, 0, RV_SHA256_BLOCK - ctx->used);
        sha256_block(ctx, ctx->block);
        ctx->used = 0;
    }
    memset(ctx->block + ctx->used, 0, RV_SHA256_BLOCK - 8 - ctx->used);
    for (i = 0; i < 8; i++) ctx->block[RV_SHA256_BLOCK - 1 - i] = (uint8_t)(bits >> (8 * i));
    sha256_block(ctx, ctx->block);

    for (i = 0; i < 8; i++)
    {
        digest[4 * i] = (uint8_t)(ctx->h[i] >> 24);
        digest[4 * i + 1] = (uint8_t)(ctx->h[i] >> 16);
        digest[4 * i + 2] = (uint8_t)(ctx->h[i] >> 8);
        digest[4 * i + 3] = (uint8_t)ctx->h[i];
    }
    rv_wipe(ctx, sizeof(*ctx));
}

void rv_sha256(const void *data, size_t size, uint8_t digest[RV_SHA256_SIZE])
{
    struct rv_sha256 ctx;

    rv_sha256_init(&ctx);
    rv_sha256_update(&ctx, data, size);
    rv_sha256_final(&ctx, digest);
}

void rv_hmac_init(struct rv_hmac *ctx, const void *key, size_t key_size)
{
    uint8_t pad[RV_SHA256_BLOCK];
    unsigned int i;

    memset(pad, 0, sizeof(pad));
    /* Keys longer than a block are hashed first (RFC 2104). */
    if (key_size > RV_SHA256_BLOCK) rv_sha256(key, key_size, pad);
    else if (key_size) memcpy(pad, key, key_size);

    for (i = 0; i < RV_SHA256_BLOCK; i++) pad[i] ^= 0x36;
    rv_sha256_init(&ctx->inner);
    rv_sha256_update(&ctx->inner, pad, sizeof(pad));
    for (i = 0; i < RV_SHA256_BLOCK; i++) pad[i] ^= 0x36 ^ 0x5c;
    rv_sha256_init(&ctx->outer);
    rv_sha256_update(&ctx->outer, pad, sizeof(pad));
    rv_wipe(pad, sizeof(pad));
}

void rv_hmac_update(struct rv_hmac *ctx, const void *data, size_t size)
{
    rv_sha256_update(&ctx->inner, data, size);
}

void rv_hmac_final(struct rv_hmac *ctx, uint8_t mac[RV_SHA256_SIZE])
{
    uint8_t inner[RV_SHA256_SIZE];

    rv_sha256_final(&ctx->inner, inner);
    rv_sha256_update(&ctx->outer, inner, sizeof(inner));
    rv_sha256_final(&ctx->outer, mac);
    rv_wipe(inner, sizeof(inner));
}

void rv_hmac_sha256(const void *key, size_t key_size, const void *data, size_t size,
                    uint8_t mac[RV_SHA256_SIZE])
{
    struct rv_hmac ctx;

    rv_hmac_init(&ctx, key, key_size);
    rv_hmac_update(&ctx, data, size);
    rv_hmac_final(&ctx, mac);
}
