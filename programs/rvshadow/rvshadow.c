/*
 * rvshadow: the sharer's screen server of the built-in FreeRDP backend
 *
 * What freerdp-shadow-cli does (the same options, FreeRDP's own parser), with
 * three differences, each of which freerdp-shadow-cli cannot give:
 *
 * - Input from the helper reaches this display only while the novice allows
 *   it.  The X11 subsystem's input callbacks are wrapped: whatever the client
 *   asks over ENCOMSP and whatever FreeRDP's own mayInteract says, an event
 *   goes on to XTest only while the novice's "Allow control" holds.
 * - One authenticated client: the subsystem's ClientConnect, called after NLA
 *   once the connection sequence is done, admits the first one and refuses any
 *   other; its ClientDisconnect ends the server (the helper left).
 * - A small always-on-top window on this display says who is watching, shows
 *   the security code and has "Allow control" / "Take back control" and
 *   "Stop".  Stop, closing the window, SIGTERM or the helper leaving end the
 *   server at once.
 *
 *   rvshadow --events=FILE [freerdp-shadow-cli options]
 *
 * RVSHADOW_USER and RVSHADOW_CODE (environment) are the remote user's name and
 * the security code, shown in the window.  FILE gets one line per event:
 * LISTENING, CONNECTED user, REFUSED user, CONTROL on|off, INPUT received
 * passed dropped, DISCONNECTED, STOPPED why.
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

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <X11/Xlib.h>
#include <X11/Xatom.h>
#include <X11/Xutil.h>

#include <freerdp/freerdp.h>
#include <freerdp/input.h>
#include <freerdp/version.h>
#include <freerdp/server/shadow.h>

/* What this program assumes of FreeRDP is the 2.x shadow API: the subsystem's
 * callback table of freerdp/server/shadow.h, and input that reaches the screen
 * through its five input callbacks only.  Another major version is another
 * program; tools/e2e-freerdp checks the behaviour. */
#if FREERDP_VERSION_MAJOR != 2
#error "rvshadow is written for FreeRDP 2's shadow server API"
#endif

static rdpShadowServer *server;
static FILE *events;
static const char *user_name, *security_code;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static rdpShadowClient *helper;      /* the one authenticated client, under lock */
static int consent;                  /* the novice allows control, under lock */
static unsigned long received, passed, dropped;   /* under lock */
static volatile sig_atomic_t stop_signal;
static const char *volatile stop_why;
static int wake_pipe[2] = { -1, -1 };

static struct
{
    pfnShadowSynchronizeEvent SynchronizeEvent;
    pfnShadowKeyboardEvent KeyboardEvent;
    pfnShadowUnicodeKeyboardEvent UnicodeKeyboardEvent;
    pfnShadowMouseEvent MouseEvent;
    pfnShadowExtendedMouseEvent ExtendedMouseEvent;
    pfnShadowClientConnect ClientConnect;
    pfnShadowClientDisconnect ClientDisconnect;
} subsystem_orig;

static struct
{
    pSynchronizeEvent SynchronizeEvent;
    pKeyboardEvent KeyboardEvent;
    pUnicodeKeyboardEvent UnicodeKeyboardEvent;
    pMouseEvent MouseEvent;
    pExtendedMouseEvent ExtendedMouseEvent;
    pFocusInEvent FocusInEvent;
    pKeyboardPauseEvent KeyboardPauseEvent;
} input_orig;

static void note(const char *format, ...)
{
    va_list args;

    if (!events) return;
    flockfile(events);
    va_start(args, format);
    vfprintf(events, format, args);
    va_end(args);
    fputc('\n', events);
    fflush(events);
    funlockfile(events);
}

static void wake(void)
{
    char c = 0;
    if (wake_pipe[1] >= 0 && write(wake_pipe[1], &c, 1) < 0 && errno != EAGAIN)
        fprintf(stderr, "rvshadow: cannot wake the window: %s\n", strerror(errno));
}

static void request_stop(const char *why)
{
    if (!stop_why) stop_why = why;
    stop_signal = 1;
    wake();
}

static void on_signal(int sig)
{
    (void)sig;
    stop_signal = 1;
}

/* The gate: true when an event of CLIENT may reach the display. */
static BOOL may_pass(rdpShadowClient *client)
{
    BOOL ok;

    pthread_mutex_lock(&lock);
    ok = consent && client == helper;
    if (ok) passed++;
    else dropped++;
    pthread_mutex_unlock(&lock);
    return ok;
}

static BOOL gate_synchronize(rdpShadowSubsystem *s, rdpShadowClient *c, UINT32 flags)
{
    /* An input the novice has not allowed is dropped, the connection goes on. */
    if (!may_pass(c)) return TRUE;
    return subsystem_orig.SynchronizeEvent(s, c, flags);
}

static BOOL gate_keyboard(rdpShadowSubsystem *s, rdpShadowClient *c, UINT16 flags, UINT16 code)
{
    if (!may_pass(c)) return TRUE;
    return subsystem_orig.KeyboardEvent(s, c, flags, code);
}

static BOOL gate_unicode(rdpShadowSubsystem *s, rdpShadowClient *c, UINT16 flags, UINT16 code)
{
    if (!may_pass(c)) return TRUE;
    return subsystem_orig.UnicodeKeyboardEvent(s, c, flags, code);
}

static BOOL gate_mouse(rdpShadowSubsystem *s, rdpShadowClient *c, UINT16 flags, UINT16 x, UINT16 y)
{
    if (!may_pass(c)) return TRUE;
    return subsystem_orig.MouseEvent(s, c, flags, x, y);
}

static BOOL gate_extended_mouse(rdpShadowSubsystem *s, rdpShadowClient *c, UINT16 flags, UINT16 x, UINT16 y)
{
    if (!may_pass(c)) return TRUE;
    return subsystem_orig.ExtendedMouseEvent(s, c, flags, x, y);
}

/* The client's input as it arrives, before FreeRDP's own mayInteract check:
 * counted only, so that a test can tell "sent and held back" from "never sent". */
static void count_received(void)
{
    pthread_mutex_lock(&lock);
    received++;
    pthread_mutex_unlock(&lock);
}

static BOOL count_synchronize(rdpInput *input, UINT32 flags)
{
    count_received();
    return input_orig.SynchronizeEvent ? input_orig.SynchronizeEvent(input, flags) : TRUE;
}

static BOOL count_keyboard(rdpInput *input, UINT16 flags, UINT16 code)
{
    count_received();
    return input_orig.KeyboardEvent ? input_orig.KeyboardEvent(input, flags, code) : TRUE;
}

static BOOL count_unicode(rdpInput *input, UINT16 flags, UINT16 code)
{
    count_received();
    return input_orig.UnicodeKeyboardEvent ? input_orig.UnicodeKeyboardEvent(input, flags, code) : TRUE;
}

static BOOL count_mouse(rdpInput *input, UINT16 flags, UINT16 x, UINT16 y)
{
    count_received();
    return input_orig.MouseEvent ? input_orig.MouseEvent(input, flags, x, y) : TRUE;
}

static BOOL count_extended_mouse(rdpInput *input, UINT16 flags, UINT16 x, UINT16 y)
{
    count_received();
    return input_orig.ExtendedMouseEvent ? input_orig.ExtendedMouseEvent(input, flags, x, y) : TRUE;
}

static BOOL count_focus_in(rdpInput *input, UINT16 toggle_states)
{
    count_received();
    return input_orig.FocusInEvent ? input_orig.FocusInEvent(input, toggle_states) : TRUE;
}

static BOOL count_pause(rdpInput *input)
{
    count_received();
    return input_orig.KeyboardPauseEvent ? input_orig.KeyboardPauseEvent(input) : TRUE;
}

/* Who logged on: the account NLA checked, for the events file. */
static const char *peer_user(rdpShadowClient *client)
{
    rdpSettings *settings = client->context.settings;
    return settings && settings->Username && settings->Username[0] ? settings->Username : "?";
}

/* Called by FreeRDP once a client has authenticated and connected. */
static BOOL on_connect(rdpShadowSubsystem *subsystem, rdpShadowClient *client)
{
    rdpInput *input = client->context.input;

    pthread_mutex_lock(&lock);
    if (helper || stop_signal)
    {
        pthread_mutex_unlock(&lock);
        note("REFUSED %s", peer_user(client));
        return FALSE;
    }
    helper = client;
    consent = 0;
    if (input)
    {
        input_orig.SynchronizeEvent = input->SynchronizeEvent;
        input_orig.KeyboardEvent = input->KeyboardEvent;
        input_orig.UnicodeKeyboardEvent = input->UnicodeKeyboardEvent;
        input_orig.MouseEvent = input->MouseEvent;
        input_orig.ExtendedMouseEvent = input->ExtendedMouseEvent;
        input_orig.FocusInEvent = input->FocusInEvent;
        input_orig.KeyboardPauseEvent = input->KeyboardPauseEvent;
        input->SynchronizeEvent = count_synchronize;
        input->KeyboardEvent = count_keyboard;
        input->UnicodeKeyboardEvent = count_unicode;
        input->MouseEvent = count_mouse;
        input->ExtendedMouseEvent = count_extended_mouse;
        input->FocusInEvent = count_focus_in;
        input->KeyboardPauseEvent = count_pause;
    }
    pthread_mutex_unlock(&lock);
    if (subsystem_orig.ClientConnect && !subsystem_orig.ClientConnect(subsystem, client))
    {
        pthread_mutex_lock(&lock);
        helper = NULL;
        pthread_mutex_unlock(&lock);
        note("REFUSED %s", peer_user(client));
        return FALSE;
    }
    note("CONNECTED %s", peer_user(client));
    wake();
    return TRUE;
}

static void on_disconnect(rdpShadowSubsystem *subsystem, rdpShadowClient *client)
{
    BOOL was_helper;

    if (subsystem_orig.ClientDisconnect) subsystem_orig.ClientDisconnect(subsystem, client);
    pthread_mutex_lock(&lock);
    was_helper = client == helper;
    if (was_helper)
    {
        helper = NULL;
        consent = 0;
    }
    pthread_mutex_unlock(&lock);
    if (!was_helper) return;
    note("DISCONNECTED");
    /* Presence is the authenticated client: without it nothing is shared. */
    request_stop("the helper left");
}

static void set_consent(int allow)
{
    int changed = 0;

    pthread_mutex_lock(&lock);
    if (helper && consent != allow)
    {
        consent = allow;
        /* FreeRDP's own flag follows the novice too (the backend starts the
         * server with -may-interact): the gate above holds even when an ENCOMSP
         * request has turned that flag on. */
        helper->mayInteract = allow ? TRUE : FALSE;
        changed = 1;
    }
    pthread_mutex_unlock(&lock);
    if (changed) note("CONTROL %s", allow ? "on" : "off");
}

/* The novice's window. */
struct window
{
    Display *display;
    Window window;
    GC gc;
    XFontStruct *font;
    Atom delete_window;
    unsigned long background, foreground, button, button_text;
    int width, height;
};

#define BUTTON_Y 96
#define BUTTON_H 28
#define CONTROL_X 12
#define CONTROL_W 170
#define STOP_X 300
#define STOP_W 90

static void draw_button(struct window *w, int x, int width, const char *label)
{
    int text_width = XTextWidth(w->font, label, strlen(label));

    XSetForeground(w->display, w->gc, w->button);
    XFillRectangle(w->display, w->window, w->gc, x, BUTTON_Y, width, BUTTON_H);
    XSetForeground(w->display, w->gc, w->button_text);
    XDrawString(w->display, w->window, w->gc, x + (width - text_width) / 2,
                BUTTON_Y + (BUTTON_H + w->font->ascent - w->font->descent) / 2, label, strlen(label));
}

static void draw(struct window *w)
{
    char line[3][160], title[400];
    int connected, allowed, i, step = w->font->ascent + w->font->descent + 6;

    pthread_mutex_lock(&lock);
    connected = helper != NULL;
    allowed = consent;
    pthread_mutex_unlock(&lock);

    if (connected) snprintf(line[0], sizeof(line[0]), "%.100s is watching your screen.", user_name);
    else snprintf(line[0], sizeof(line[0]), "Waiting for %.100s to connect...", user_name);
    if (security_code[0]) snprintf(line[1], sizeof(line[1]), "Security code: %.20s", security_code);
    else line[1][0] = 0;
    snprintf(line[2], sizeof(line[2]), "%s", allowed ? "Control: the helper may use your mouse and keyboard."
             : "Control: no, the helper can only watch.");

    /* The title says it too, for a task bar (and for tests, which cannot read pixels). */
    snprintf(title, sizeof(title), "Remote Assistance: %s%s%s", line[0], line[1][0] ? " " : "", line[1]);
    XStoreName(w->display, w->window, title);

    XSetForeground(w->display, w->gc, w->background);
    XFillRectangle(w->display, w->window, w->gc, 0, 0, w->width, w->height);
    XSetForeground(w->display, w->gc, w->foreground);
    for (i = 0; i < 3; i++)
        XDrawString(w->display, w->window, w->gc, 12, 10 + w->font->ascent + i * step, line[i], strlen(line[i]));
    if (connected) draw_button(w, CONTROL_X, CONTROL_W, allowed ? "Take back control" : "Allow control");
    draw_button(w, STOP_X, STOP_W, "Stop");
    XFlush(w->display);
}

static int open_window(struct window *w)
{
    XSetWindowAttributes attributes;
    XSizeHints hints;
    XClassHint class_hint;
    XColor color, exact;
    Colormap colormap;
    Atom state, above, type, dialog;
    int screen;

    if (!(w->display = XOpenDisplay(NULL))) return 0;
    screen = DefaultScreen(w->display);
    colormap = DefaultColormap(w->display, screen);
    if (!(w->font = XLoadQueryFont(w->display, "-misc-fixed-medium-r-normal--13-*-*-*-*-*-iso8859-1")) &&
        !(w->font = XLoadQueryFont(w->display, "fixed")))
        return 0;
    w->background = WhitePixel(w->display, screen);
    w->foreground = w->button_text = BlackPixel(w->display, screen);
    w->button = w->foreground;
    if (XAllocNamedColor(w->display, colormap, "#fff3c4", &color, &exact)) w->background = color.pixel;
    if (XAllocNamedColor(w->display, colormap, "#d0d4dc", &color, &exact)) w->button = color.pixel;
    else w->button_text = w->background;
    w->width = 402;
    w->height = 136;

    attributes.background_pixel = w->background;
    attributes.event_mask = ExposureMask | ButtonPressMask | VisibilityChangeMask | StructureNotifyMask;
    w->window = XCreateWindow(w->display, RootWindow(w->display, screen),
                              DisplayWidth(w->display, screen) - w->width - 8, 8, w->width, w->height, 1,
                              CopyFromParent, InputOutput, CopyFromParent, CWBackPixel | CWEventMask, &attributes);
    XStoreName(w->display, w->window, "Remote Assistance");
    class_hint.res_name = (char *)"rvshadow";
    class_hint.res_class = (char *)"Rvshadow";
    XSetClassHint(w->display, w->window, &class_hint);
    memset(&hints, 0, sizeof(hints));
    hints.flags = PPosition | PMinSize | PMaxSize;
    hints.min_width = hints.max_width = w->width;
    hints.min_height = hints.max_height = w->height;
    XSetWMNormalHints(w->display, w->window, &hints);
    w->delete_window = XInternAtom(w->display, "WM_DELETE_WINDOW", False);
    XSetWMProtocols(w->display, w->window, &w->delete_window, 1);
    /* Above the others, for a window manager that honours EWMH; without one
     * the window raises itself whenever something covers it. */
    state = XInternAtom(w->display, "_NET_WM_STATE", False);
    above = XInternAtom(w->display, "_NET_WM_STATE_ABOVE", False);
    XChangeProperty(w->display, w->window, state, XA_ATOM, 32, PropModeReplace, (unsigned char *)&above, 1);
    type = XInternAtom(w->display, "_NET_WM_WINDOW_TYPE", False);
    dialog = XInternAtom(w->display, "_NET_WM_WINDOW_TYPE_DIALOG", False);
    XChangeProperty(w->display, w->window, type, XA_ATOM, 32, PropModeReplace, (unsigned char *)&dialog, 1);
    w->gc = XCreateGC(w->display, w->window, 0, NULL);
    XSetFont(w->display, w->gc, w->font->fid);
    XMapRaised(w->display, w->window);
    XFlush(w->display);
    return 1;
}

static void *window_thread(void *arg)
{
    struct window *w = arg;
    unsigned long shown[3] = { 0, 0, 0 };
    struct pollfd fds[2];

    draw(w);
    while (!stop_signal)
    {
        unsigned long now[3];

        while (XPending(w->display))
        {
            XEvent event;

            XNextEvent(w->display, &event);
            if (event.type == Expose && !event.xexpose.count) draw(w);
            else if (event.type == VisibilityNotify && event.xvisibility.state != VisibilityUnobscured)
                XRaiseWindow(w->display, w->window);
            else if (event.type == ClientMessage && (Atom)event.xclient.data.l[0] == w->delete_window)
                request_stop("the novice closed the window");
            /* A click another client sent with XSendEvent is not the novice's. */
            else if (event.type == ButtonPress && !event.xbutton.send_event && event.xbutton.button == Button1 &&
                     event.xbutton.y >= BUTTON_Y && event.xbutton.y < BUTTON_Y + BUTTON_H)
            {
                if (event.xbutton.x >= STOP_X && event.xbutton.x < STOP_X + STOP_W)
                    request_stop("the novice pressed Stop");
                else if (event.xbutton.x >= CONTROL_X && event.xbutton.x < CONTROL_X + CONTROL_W)
                {
                    int allowed;

                    pthread_mutex_lock(&lock);
                    allowed = consent;
                    pthread_mutex_unlock(&lock);
                    set_consent(!allowed);
                    draw(w);
                }
            }
        }
        /* The counts, at most every 200 ms: the window's loop wakes for
         * changes of state only, not for each event. */
        pthread_mutex_lock(&lock);
        now[0] = received;
        now[1] = passed;
        now[2] = dropped;
        pthread_mutex_unlock(&lock);
        if (memcmp(now, shown, sizeof(now)))
        {
            note("INPUT %lu %lu %lu", now[0], now[1], now[2]);
            memcpy(shown, now, sizeof(now));
        }
        fds[0].fd = ConnectionNumber(w->display);
        fds[0].events = POLLIN;
        fds[1].fd = wake_pipe[0];
        fds[1].events = POLLIN;
        if (poll(fds, 2, 200) > 0 && (fds[1].revents & POLLIN))
        {
            char buffer[64];
            if (read(wake_pipe[0], buffer, sizeof(buffer)) > 0) draw(w);
        }
    }
    return NULL;
}

int main(int argc, char **argv)
{
    struct window window;
    pthread_t thread;
    rdpShadowSubsystem *subsystem;
    struct sigaction action;
    int major, minor, revision, status, i, n = 1;
    const char *events_path = NULL;
    char **args;

    /* The window thread and FreeRDP's X11 subsystem share Xlib. */
    if (!XInitThreads())
    {
        fprintf(stderr, "rvshadow: Xlib has no thread support\n");
        return 1;
    }
    freerdp_get_version(&major, &minor, &revision);
    fprintf(stderr, "rvshadow: built against FreeRDP %s, running with %d.%d.%d\n", FREERDP_VERSION_FULL,
            major, minor, revision);
    if (major != FREERDP_VERSION_MAJOR)
    {
        fprintf(stderr, "rvshadow: FreeRDP %d is not the version this program was built for\n", major);
        return 1;
    }

    if (!(args = calloc(argc + 1, sizeof(*args)))) return 1;
    args[0] = argv[0];
    for (i = 1; i < argc; i++)
    {
        if (!strncmp(argv[i], "--events=", 9)) events_path = argv[i] + 9;
        else args[n++] = argv[i];
    }
    if (!events_path || !(events = fopen(events_path, "a")))
    {
        fprintf(stderr, "usage: rvshadow --events=FILE [freerdp-shadow-cli options]\n");
        return 1;
    }
    user_name = getenv("RVSHADOW_USER");
    if (!user_name || !user_name[0]) user_name = "The helper";
    security_code = getenv("RVSHADOW_CODE");
    if (!security_code) security_code = "";
    if (pipe(wake_pipe)) return 1;

    memset(&action, 0, sizeof(action));
    action.sa_handler = on_signal;
    sigaction(SIGTERM, &action, NULL);
    sigaction(SIGINT, &action, NULL);
    sigaction(SIGHUP, &action, NULL);

    /* The novice must see the window, or nothing is shared. */
    memset(&window, 0, sizeof(window));
    if (!open_window(&window))
    {
        fprintf(stderr, "rvshadow: cannot open the window on the display\n");
        return 1;
    }

    shadow_subsystem_set_entry_builtin(NULL);
    if (!(server = shadow_server_new())) return 1;
    server->settings->NlaSecurity = FALSE;
    server->settings->TlsSecurity = TRUE;
    server->settings->RdpSecurity = TRUE;
    server->authentication = TRUE;
    if ((status = shadow_server_parse_command_line(server, n, args)) < 0)
    {
        shadow_server_command_line_status_print(server, n, args, status);
        return 1;
    }
    /* Makes the certificate (XDG_CONFIG_HOME/freerdp/shadow) and the X11 subsystem. */
    if (shadow_server_init(server) < 0)
    {
        fprintf(stderr, "rvshadow: the shadow server does not start\n");
        return 1;
    }

    subsystem = server->subsystem;
    /* The five ways the X11 subsystem puts input on the screen; a FreeRDP that
     * adds another (audio input, today unset) is one this gate does not know. */
    if (!subsystem->SynchronizeEvent || !subsystem->KeyboardEvent || !subsystem->UnicodeKeyboardEvent ||
        !subsystem->MouseEvent || !subsystem->ExtendedMouseEvent || subsystem->AudinServerReceiveSamples)
    {
        fprintf(stderr, "rvshadow: the shadow subsystem's input callbacks are not the ones this program gates\n");
        return 1;
    }
    subsystem_orig.SynchronizeEvent = subsystem->SynchronizeEvent;
    subsystem_orig.KeyboardEvent = subsystem->KeyboardEvent;
    subsystem_orig.UnicodeKeyboardEvent = subsystem->UnicodeKeyboardEvent;
    subsystem_orig.MouseEvent = subsystem->MouseEvent;
    subsystem_orig.ExtendedMouseEvent = subsystem->ExtendedMouseEvent;
    subsystem_orig.ClientConnect = subsystem->ClientConnect;
    subsystem_orig.ClientDisconnect = subsystem->ClientDisconnect;
    subsystem->SynchronizeEvent = gate_synchronize;
    subsystem->KeyboardEvent = gate_keyboard;
    subsystem->UnicodeKeyboardEvent = gate_unicode;
    subsystem->MouseEvent = gate_mouse;
    subsystem->ExtendedMouseEvent = gate_extended_mouse;
    subsystem->ClientConnect = on_connect;
    subsystem->ClientDisconnect = on_disconnect;

    if (shadow_server_start(server) < 0)
    {
        fprintf(stderr, "rvshadow: the shadow server does not listen\n");
        return 1;
    }
    note("LISTENING");
    if (pthread_create(&thread, NULL, window_thread, &window))
    {
        fprintf(stderr, "rvshadow: no window thread\n");
        return 1;
    }

    while (!stop_signal)
    {
        if (WaitForSingleObject(server->thread, 100) == WAIT_OBJECT_0)
        {
            request_stop("the server ended");
            break;
        }
    }
    if (!stop_why) stop_why = "signal";
    note("STOPPED %s", stop_why);
    fprintf(stderr, "rvshadow: stopped: %s\n", stop_why);
    /* The process ends now: its connections, the window and XTest go with it.
     * FreeRDP's own teardown waits for its clients and can take longer than
     * the second the novice's Stop is given. */
    fclose(events);
    _exit(0);
}
