/*
 * The peer channel's keys never leave the core
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
 * The DLLs' traces are made of what the core hands them through rendezvous.h;
 * the core itself has no trace channel.  So the Noise secrets can reach a
 * trace only if the core writes them out or hands them over.  A whole session
 * runs here, the core as the inviter and the test as a raw invitee, which
 * knows every secret the two share: the chaining key before the split, the
 * handshake hash and both transport keys (checked to be the core's own), and
 * the PSK.  Neither what the core wrote to standard output and error meanwhile
 * nor anything it handed its owner (events, id, peer address, security code)
 * holds any of them, raw or in hex.
 */

#include <stdio.h>
#include <unistd.h>

#include "testutil.h"
#include "rv_core.h"

struct secret
{
    const char *name;
    uint8_t bytes[RV_NOISE_HASH_SIZE];
    size_t size;
};

enum { SECRET_PSK, SECRET_CK, SECRET_HASH, SECRET_TX, SECRET_RX, SECRET_COUNT };

/* What the core handed its owner, appended as it came. */
static uint8_t handed[65536];
static size_t handed_len;

static void hand(const void *data, size_t size)
{
    if (size > sizeof(handed) - handed_len) size = sizeof(handed) - handed_len;
    memcpy(handed + handed_len, data, size);
    handed_len += size;
}

static int contains(const uint8_t *haystack, size_t len, const void *needle, size_t size)
{
    size_t i;

    for (i = 0; i + size <= len; i++)
        if (!memcmp(haystack + i, needle, size)) return 1;
    return 0;
}

/* Raw, in lower-case hex or in upper-case hex. */
static int holds_secret(const uint8_t *data, size_t len, const struct secret *secret)
{
    char hex[2 * RV_NOISE_HASH_SIZE + 1];
    size_t i;

    if (contains(data, len, secret->bytes, secret->size)) return 1;
    for (i = 0; i < secret->size; i++) sprintf(hex + 2 * i, "%02x", secret->bytes[i]);
    if (contains(data, len, hex, 2 * secret->size)) return 1;
    for (i = 0; i < secret->size; i++) sprintf(hex + 2 * i, "%02X", secret->bytes[i]);
    return contains(data, len, hex, 2 * secret->size);
}

static int is_zero(const uint8_t *data, size_t size)
{
    size_t i;

    for (i = 0; i < size; i++)
        if (data[i]) return 0;
    return 1;
}

struct run
{
    struct secret secrets[SECRET_COUNT];
    int connected, core_keys_match, core_hash_match, data_seen, ended;
};

/* The session, with standard output and error going to out. */
static void run_session(struct run *r)
{
    static const uint16_t to_core[] = { 'h', 'e', 'l', 'l', 'o' }, to_peer[] = { 'w', 'o', 'r', 'l', 'd' };
    uint8_t prologue[30 + RV_SESSION_ID_SIZE], hello[RV_HELLO_SIZE], challenge[RV_CHALLENGE_SIZE];
    uint8_t response[RV_RESPONSE_SIZE] = { RV_INTENT_ACCEPT }, buffer[256], id[RV_SESSION_ID_SIZE];
    char text[RV_INVITATION_BUFFER_SIZE], code[7], address[64];
    struct rv_invitation inv;
    struct raw_channel *ch;
    struct rv_noise hs;
    struct peer a;
    uint32_t got;
    rv_socket s;
    size_t len;
    int i;

    memset(&hs, 0, sizeof(hs));
    peer_create(&a, "inviter", &rv_profile_rendezvous, RV_FLAG_INVITER);
    if (rv_session_invite(a.s, NULL, 0, text, sizeof(text)) || rv_invitation_parse(text, &inv)) goto done;
    r->secrets[SECRET_PSK].size = RV_NOISE_KEY_SIZE;
    memcpy(r->secrets[SECRET_PSK].bytes, inv.secret, RV_NOISE_KEY_SIZE);

    /* The handshake by hand, keeping the chaining key that the split wipes. */
    s = raw_connect(&inv, 2000);
    raw_forget(s);
    raw_prologue(inv.session_id, prologue);
    if (rv_noise_init(&hs, 1, prologue, sizeof(prologue), inv.secret, NULL) ||
        rv_noise_write_message(&hs, NULL, 0, hello, sizeof(hello), &len) ||
        !raw_send_frame(s, RV_FRAME_HELLO, hello, sizeof(hello)) ||
        raw_recv_frame(s, challenge, sizeof(challenge), &got, 5000) != RV_FRAME_CHALLENGE ||
        rv_noise_read_message(&hs, challenge, sizeof(challenge), NULL, 0, &len))
        goto close;
    r->secrets[SECRET_CK].size = RV_NOISE_HASH_SIZE;
    memcpy(r->secrets[SECRET_CK].bytes, hs.ss.ck, RV_NOISE_HASH_SIZE);
    if (!raw_split(s, &hs) || !(ch = raw_channel(s))) goto close;
    r->secrets[SECRET_HASH].size = RV_NOISE_HASH_SIZE;
    memcpy(r->secrets[SECRET_HASH].bytes, ch->hash, RV_NOISE_HASH_SIZE);
    r->secrets[SECRET_TX].size = r->secrets[SECRET_RX].size = RV_NOISE_KEY_SIZE;
    memcpy(r->secrets[SECRET_TX].bytes, ch->tx.k, RV_NOISE_KEY_SIZE);
    memcpy(r->secrets[SECRET_RX].bytes, ch->rx.k, RV_NOISE_KEY_SIZE);
    if (!raw_send_frame(s, RV_FRAME_RESPONSE, response, sizeof(response)) ||
        raw_recv_frame(s, buffer, sizeof(buffer), &got, 5000) != RV_FRAME_CONFIRM)
        goto close;
    r->connected = peer_wait_state(&a, RV_STATE_CONNECTED, 5000);
    if (!r->connected) goto close;

    /* The secrets the test holds are the core's: its keys are ours, crossed over. */
    r->core_keys_match = a.s->active && !memcmp(a.s->active->tx.k, ch->rx.k, RV_NOISE_KEY_SIZE) &&
                         !memcmp(a.s->active->rx.k, ch->tx.k, RV_NOISE_KEY_SIZE);
    r->core_hash_match = a.s->hash_known && !memcmp(a.s->hash, ch->hash, RV_NOISE_HASH_SIZE);

    /* Data both ways, then the core ends the session. */
    raw_send_frame(s, RV_FRAME_DATA, to_core, sizeof(to_core));
    rv_session_send_context_data(a.s, to_peer, sizeof(to_peer) / sizeof(to_peer[0]));
    r->data_seen = raw_recv_frame(s, buffer, sizeof(buffer), &got, 5000) == RV_FRAME_DATA &&
                   got == sizeof(to_peer) && !memcmp(buffer, to_peer, got);
    for (i = 0; i < 100 && !a.data_events; i++) peer_pump(&a, 50);
    if (!rv_session_get_security_code(a.s, code)) hand(code, strlen(code));
    if (!rv_session_get_id(a.s, id)) hand(id, sizeof(id));
    if (!rv_session_get_peer_address(a.s, address, sizeof(address))) hand(address, strlen(address));
    rv_session_terminate(a.s, RV_S_OK, to_peer, sizeof(to_peer) / sizeof(to_peer[0]));
    r->ended = peer_wait_state(&a, RV_STATE_CANCELLED, 5000);
    for (i = 0; i < a.n; i++)
    {
        hand(&a.ev[i].hr, sizeof(a.ev[i].hr));
        if (a.ev[i].units) hand(a.ev[i].units, a.ev[i].count * sizeof(uint16_t));
    }

close:
    rv_noise_clear(&hs);
    raw_forget(s);
    rv_socket_close(s);
done:
    peer_destroy(&a);
}

START_TEST(secrets)
{
    static const char *const names[SECRET_COUNT] = { "PSK", "chaining key", "handshake hash", "key i->r", "key r->i" };
    FILE *out = tmpfile();
    int saved_out, saved_err;
    uint8_t *written;
    struct run r;
    long size;
    int i;

    ok(out != NULL, "no temporary file\n");
    if (!out) return;
    memset(&r, 0, sizeof(r));
    fflush(stdout);
    fflush(stderr);
    saved_out = dup(1);
    saved_err = dup(2);
    dup2(fileno(out), 1);
    dup2(fileno(out), 2);
    run_session(&r);
    fflush(stdout);
    fflush(stderr);
    dup2(saved_out, 1);
    dup2(saved_err, 2);
    close(saved_out);
    close(saved_err);

    size = ftell(out) > 0 ? ftell(out) : 0;
    written = malloc(size + 1);
    rewind(out);
    size = fread(written, 1, size, out);
    fclose(out);
    trace("the core wrote %ld bytes and handed over %lu\n", size, (unsigned long)handed_len);

    ok(r.connected, "the session did not connect\n");
    ok(r.core_keys_match, "the raw peer's keys are not the core's\n");
    ok(r.core_hash_match, "the raw peer's handshake hash is not the core's\n");
    ok(r.data_seen, "the core's data did not arrive\n");
    ok(r.ended, "the session did not end\n");
    ok(handed_len > 0, "the core handed nothing over\n");
    for (i = 0; i < SECRET_COUNT; i++)
    {
        r.secrets[i].name = names[i];
        ok(r.secrets[i].size && !is_zero(r.secrets[i].bytes, r.secrets[i].size), "%s: not known\n", names[i]);
        ok(!holds_secret(written, size, &r.secrets[i]), "%s: in the core's output\n", names[i]);
        ok(!holds_secret(handed, handed_len, &r.secrets[i]), "%s: handed to the owner\n", names[i]);
    }
    free(written);
    ok(wait_live_allocations(0, 2000) == 0, "%ld allocations leaked\n", live_allocations());
}
