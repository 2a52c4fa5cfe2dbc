/*
 * A Unix script beside a Windows program, fed over a loopback socket
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

#ifndef __RENDEZVOUS_UNIX_SCRIPT_H
#define __RENDEZVOUS_UNIX_SCRIPT_H

#include <winsock2.h>
#include <windows.h>

/* The Unix path of a Windows path (HeapFree it); NULL outside Wine. */
char *unix_file_name(const WCHAR *path);
/* The Unix path of the file NAME beside this program; NULL if it is missing. */
char *unix_script_beside(const WCHAR *name);
/* Two connected loopback sockets: one for us, one for the script. */
BOOL unix_script_socket_pair(SOCKET *ours, SOCKET *theirs);
BOOL unix_script_send(SOCKET s, const char *data, size_t size);
/* The script's next line (LF dropped; what does not fit in SIZE - 1 bytes is
 * dropped too); FALSE once it has ended. */
BOOL unix_script_read_line(SOCKET s, char *line, size_t size);
/* Runs "/bin/bash SCRIPT ARGS" with THEIRS as its standard input and output,
 * and closes THEIRS; 0 or the error of CreateProcess. */
DWORD unix_script_start(const char *script, const char *args, SOCKET theirs);

#endif /* __RENDEZVOUS_UNIX_SCRIPT_H */
