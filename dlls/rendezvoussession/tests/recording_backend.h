/*
 * Test helper: a Remote Assistance backend that records its standard input
 * (shared by the consent and traces units)
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

#ifndef __RECORDING_BACKEND_TEST_H
#define __RECORDING_BACKEND_TEST_H

/* Run as a backend of ROLE ("share" or "connect"): writes each line of its
 * input to RECORD as it came, up to END, then says it is ready (a share
 * backend with an address) and exits. */
static void recording_backend(const char *role, const char *record)
{
    char line[512];
    FILE *f;
    int i;

    if (!(f = fopen(record, "w"))) ExitProcess(3);
    for (i = 0; i < 64 && fgets(line, sizeof(line), stdin); i++)
    {
        fputs(line, f);
        if (!strncmp(line, "END", 3)) break;
    }
    fclose(f);
    if (!strcmp(role, "share")) printf("ADDRESS 127.0.0.1 PORT 5900\n");
    printf("READY\n");
    fflush(stdout);
    ExitProcess(0);
}

#endif /* __RECORDING_BACKEND_TEST_H */
