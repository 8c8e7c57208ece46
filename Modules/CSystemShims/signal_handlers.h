#ifndef SCRIPTPIN_SIGNAL_HANDLERS_H
#define SCRIPTPIN_SIGNAL_HANDLERS_H

#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <string.h>

/* The signals that end a script's run from outside (Ctrl-C, a CI runner
   cancelling the job, a closed terminal, Ctrl-\): scriptpin forwards them to
   the script, and removes a named temporary file on them. */
static const int scriptpin_stopping_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
enum { scriptpin_stopping_signal_count = sizeof(scriptpin_stopping_signals) / sizeof(scriptpin_stopping_signals[0]) };

/* Installs `handler` for each of the stopping signals, blocking them all
   while it runs when `blocks_others` is set, with `flags`; the previous
   actions go to `saved` (unless NULL). On failure the actions already
   changed are restored, and it returns -1 with errno set. */
static inline int scriptpin_install_stopping_handlers(void (*handler)(int), int blocks_others, int flags, struct sigaction *saved) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = handler;
    sigemptyset(&action.sa_mask);
    if (blocks_others) {
        for (int index = 0; index < scriptpin_stopping_signal_count; index++) {
            sigaddset(&action.sa_mask, scriptpin_stopping_signals[index]);
        }
    }
    action.sa_flags = flags;
    struct sigaction previous[scriptpin_stopping_signal_count];
    for (int index = 0; index < scriptpin_stopping_signal_count; index++) {
        if (sigaction(scriptpin_stopping_signals[index], &action, &previous[index]) != 0) {
            int saved_errno = errno;
            for (int undo = 0; undo < index; undo++) {
                sigaction(scriptpin_stopping_signals[undo], &previous[undo], NULL);
            }
            errno = saved_errno;
            return -1;
        }
    }
    if (saved != NULL) {
        memcpy(saved, previous, sizeof previous);
    }
    return 0;
}

#endif
