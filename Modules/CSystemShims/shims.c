#define _GNU_SOURCE
#include "CSystemShims.h"

#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <sys/mman.h>

const unsigned int scriptpin_mfd_cloexec = MFD_CLOEXEC;
const unsigned int scriptpin_mfd_allow_sealing = MFD_ALLOW_SEALING;
const int scriptpin_f_add_seals = F_ADD_SEALS;
const int scriptpin_f_get_seals = F_GET_SEALS;
const int scriptpin_all_seals = F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL;

int scriptpin_memfd_create(const char *name, unsigned int flags) {
    return memfd_create(name, flags);
}

int scriptpin_add_seals(int fd, int seals) {
    return fcntl(fd, F_ADD_SEALS, seals);
}

int scriptpin_get_seals(int fd) {
    return fcntl(fd, F_GET_SEALS);
}

int scriptpin_spawn_file_actions_addclosefrom(posix_spawn_file_actions_t *actions, int lowest) {
    return posix_spawn_file_actions_addclosefrom_np(actions, lowest);
}

static const int forwarded_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
enum { forwarded_signal_count = sizeof(forwarded_signals) / sizeof(forwarded_signals[0]) };

static volatile sig_atomic_t forward_target = 0;
static volatile sig_atomic_t pending_signal = 0;
static struct sigaction saved_actions[forwarded_signal_count];
static sigset_t saved_mask;

static void forward_signal(int signal_number) {
    pid_t target = (pid_t)forward_target;
    if (target > 0) {
        int saved_errno = errno;
        kill(target, signal_number);
        errno = saved_errno;
    } else {
        pending_signal = signal_number;
    }
}

int scriptpin_forward_signals_begin(void) {
    struct sigaction action;
    action.sa_handler = forward_signal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    forward_target = 0;
    pending_signal = 0;
    /* A parent may have started scriptpin with these signals blocked (test
       runners and some CI agents do); blocked, they would never be forwarded. */
    sigset_t forwarded;
    sigemptyset(&forwarded);
    for (int index = 0; index < forwarded_signal_count; index++) {
        sigaddset(&forwarded, forwarded_signals[index]);
    }
    for (int index = 0; index < forwarded_signal_count; index++) {
        if (sigaction(forwarded_signals[index], &action, &saved_actions[index]) != 0) {
            int saved_errno = errno;
            for (int undo = 0; undo < index; undo++) {
                sigaction(forwarded_signals[undo], &saved_actions[undo], NULL);
            }
            errno = saved_errno;
            return -1;
        }
    }
    pthread_sigmask(SIG_UNBLOCK, &forwarded, &saved_mask);
    return 0;
}

void scriptpin_forward_signals_to(pid_t child) {
    forward_target = child;
    int held = pending_signal;
    if (held != 0 && child > 0) {
        pending_signal = 0;
        kill(child, held);
    }
}

void scriptpin_forward_signals_end(void) {
    for (int index = 0; index < forwarded_signal_count; index++) {
        sigaction(forwarded_signals[index], &saved_actions[index], NULL);
    }
    pthread_sigmask(SIG_SETMASK, &saved_mask, NULL);
    forward_target = 0;
    pending_signal = 0;
}
