#define _GNU_SOURCE
#include "CSystemShims.h"
#include "signal_handlers.h"

#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/xattr.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <termios.h>

const unsigned int scriptpin_mfd_cloexec = MFD_CLOEXEC;
const unsigned int scriptpin_mfd_allow_sealing = MFD_ALLOW_SEALING;
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

#ifndef SCRIPTPIN_GIT_COMMIT
#define SCRIPTPIN_GIT_COMMIT "unknown"
#endif

const char *scriptpin_build_commit(void) {
    return SCRIPTPIN_GIT_COMMIT;
}

int scriptpin_set_nondumpable(void) {
    return prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

int scriptpin_open_unnamed_file(const char *directory, mode_t mode) {
    return open(directory, O_TMPFILE | O_RDWR | O_EXCL | O_CLOEXEC, mode);
}

/* Each slot is written only while disarmed and read by the handler only
   while armed; the lock orders arming and cancelling between threads. */
struct removal_slot {
    char file[PATH_MAX];
    char directory[PATH_MAX];
    volatile sig_atomic_t armed;
};
static struct removal_slot removal_slots[scriptpin_removal_slot_count];
static struct sigaction removal_saved[scriptpin_stopping_signal_count];
static int removal_installed = 0;
static pthread_mutex_t removal_lock = PTHREAD_MUTEX_INITIALIZER;

static void remove_then_reraise(int signal_number) {
    for (int slot = 0; slot < scriptpin_removal_slot_count; slot++) {
        if (removal_slots[slot].armed) {
            unlink(removal_slots[slot].file);
            if (removal_slots[slot].directory[0] != 0) {
                rmdir(removal_slots[slot].directory);
            }
        }
    }
    for (int index = 0; index < scriptpin_stopping_signal_count; index++) {
        if (scriptpin_stopping_signals[index] == signal_number) {
            sigaction(signal_number, &removal_saved[index], NULL);
        }
    }
    /* Blocked until this handler returns, then acted on as before. */
    raise(signal_number);
}

int scriptpin_remove_on_signal(const char *file, const char *directory) {
    if (strlen(file) >= PATH_MAX || (directory != NULL && strlen(directory) >= PATH_MAX)) {
        errno = ENAMETOOLONG;
        return -1;
    }
    pthread_mutex_lock(&removal_lock);
    int slot = 0;
    while (slot < scriptpin_removal_slot_count && removal_slots[slot].armed) {
        slot++;
    }
    if (slot == scriptpin_removal_slot_count) {
        pthread_mutex_unlock(&removal_lock);
        errno = EBUSY;
        return -1;
    }
    if (!removal_installed) {
        if (scriptpin_install_stopping_handlers(remove_then_reraise, 1, 0, removal_saved) != 0) {
            int saved_errno = errno;
            pthread_mutex_unlock(&removal_lock);
            errno = saved_errno;
            return -1;
        }
        /* A signal the caller ignores (nohup) stays ignored. */
        for (int index = 0; index < scriptpin_stopping_signal_count; index++) {
            if (removal_saved[index].sa_handler == SIG_IGN && sigaction(scriptpin_stopping_signals[index], &removal_saved[index], NULL) != 0) {
                int saved_errno = errno;
                for (int undo = 0; undo < scriptpin_stopping_signal_count; undo++) {
                    sigaction(scriptpin_stopping_signals[undo], &removal_saved[undo], NULL);
                }
                pthread_mutex_unlock(&removal_lock);
                errno = saved_errno;
                return -1;
            }
        }
        removal_installed = 1;
    }
    strcpy(removal_slots[slot].file, file);
    strcpy(removal_slots[slot].directory, directory != NULL ? directory : "");
    removal_slots[slot].armed = 1;
    pthread_mutex_unlock(&removal_lock);
    return slot;
}

void scriptpin_remove_on_signal_cancel(int slot) {
    if (slot < 0 || slot >= scriptpin_removal_slot_count) {
        return;
    }
    pthread_mutex_lock(&removal_lock);
    removal_slots[slot].armed = 0;
    int any = 0;
    for (int index = 0; index < scriptpin_removal_slot_count; index++) {
        any |= removal_slots[index].armed;
    }
    if (!any && removal_installed) {
        for (int index = 0; index < scriptpin_stopping_signal_count; index++) {
            sigaction(scriptpin_stopping_signals[index], &removal_saved[index], NULL);
        }
        removal_installed = 0;
    }
    pthread_mutex_unlock(&removal_lock);
}

int scriptpin_spawn_file_actions_addclosefrom(posix_spawn_file_actions_t *actions, int lowest) {
    return posix_spawn_file_actions_addclosefrom_np(actions, lowest);
}

/* The handler may run on any thread, at any moment between begin and end.
   A signal that finds no child yet is recorded in pending_signals and then
   re-checked: either the handler sees the child's pid, or the thread that
   stores the pid sees the pending bit afterwards; none is lost. */
static atomic_int forward_target = 0;
static atomic_uint pending_signals = 0;
static struct sigaction saved_actions[scriptpin_stopping_signal_count];
static sigset_t saved_mask;

static sigset_t forwarded_set(void) {
    sigset_t set;
    sigemptyset(&set);
    for (int index = 0; index < scriptpin_stopping_signal_count; index++) {
        sigaddset(&set, scriptpin_stopping_signals[index]);
    }
    return set;
}

static __thread sigset_t held_saved_mask;

int scriptpin_hold_stopping_signals(void) {
    sigset_t set = forwarded_set();
    int failure = pthread_sigmask(SIG_BLOCK, &set, &held_saved_mask);
    if (failure != 0) {
        errno = failure;
        return -1;
    }
    return 0;
}

int scriptpin_release_stopping_signals(void) {
    int failure = pthread_sigmask(SIG_SETMASK, &held_saved_mask, NULL);
    if (failure != 0) {
        errno = failure;
        return -1;
    }
    return 0;
}

static void deliver_pending(pid_t target) {
    unsigned int bits = atomic_exchange(&pending_signals, 0);
    for (int index = 0; index < scriptpin_stopping_signal_count; index++) {
        if (bits & (1u << scriptpin_stopping_signals[index])) {
            kill(target, scriptpin_stopping_signals[index]);
        }
    }
}

static void forward_signal(int signal_number) {
    int saved_errno = errno;
    pid_t target = (pid_t)atomic_load(&forward_target);
    if (target > 0) {
        kill(target, signal_number);
    } else {
        atomic_fetch_or(&pending_signals, 1u << signal_number);
        target = (pid_t)atomic_load(&forward_target);
        if (target > 0) {
            deliver_pending(target);
        }
    }
    errno = saved_errno;
}

int scriptpin_forward_signals_begin(void) {
    atomic_store(&forward_target, 0);
    atomic_store(&pending_signals, 0);
    /* Held back in this thread until the child's pid is recorded, so that a
       signal arriving while the child is being created waits for it. */
    sigset_t forwarded = forwarded_set();
    int failure = pthread_sigmask(SIG_BLOCK, &forwarded, &saved_mask);
    if (failure != 0) {
        errno = failure;
        return -1;
    }
    if (scriptpin_install_stopping_handlers(forward_signal, 0, SA_RESTART, saved_actions) != 0) {
        int saved_errno = errno;
        pthread_sigmask(SIG_SETMASK, &saved_mask, NULL);
        errno = saved_errno;
        return -1;
    }
    return 0;
}

int scriptpin_forward_signals_to(pid_t child) {
    atomic_store(&forward_target, child);
    deliver_pending(child);
    /* Unblocked even if scriptpin's parent started it with these signals
       blocked (test runners and some CI agents do): blocked, they would
       never reach the script. */
    sigset_t forwarded = forwarded_set();
    int failure = pthread_sigmask(SIG_UNBLOCK, &forwarded, NULL);
    if (failure != 0) {
        errno = failure;
        return -1;
    }
    return 0;
}

int scriptpin_forward_signals_end(void) {
    int result = 0;
    for (int index = 0; index < scriptpin_stopping_signal_count; index++) {
        if (sigaction(scriptpin_stopping_signals[index], &saved_actions[index], NULL) != 0) {
            result = -1;
        }
    }
    atomic_store(&forward_target, 0);
    atomic_store(&pending_signals, 0);
    int failure = pthread_sigmask(SIG_SETMASK, &saved_mask, NULL);
    if (failure != 0) {
        errno = failure;
        return -1;
    }
    return result;
}

int scriptpin_open_pseudo_terminal(int *master, int *slave) {
    int primary = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (primary < 0) {
        return -1;
    }
    if (unlockpt(primary) != 0) {
        int saved_errno = errno;
        close(primary);
        errno = saved_errno;
        return -1;
    }
    /* By descriptor, not by name: nobody can swap /dev/pts/N in between. */
    int peer = ioctl(primary, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (peer < 0) {
        int saved_errno = errno;
        close(primary);
        errno = saved_errno;
        return -1;
    }
    *master = primary;
    *slave = peer;
    return 0;
}

int scriptpin_copy_window_size(int from, int to) {
    struct winsize size;
    if (ioctl(from, TIOCGWINSZ, &size) != 0) {
        return -1;
    }
    return ioctl(to, TIOCSWINSZ, &size);
}

static volatile sig_atomic_t window_notice = -1;
static struct sigaction window_saved;

static void note_window_change(int signal_number) {
    (void)signal_number;
    int saved_errno = errno;
    char byte = 1;
    if (window_notice >= 0) {
        /* Non-blocking: when the pipe is full a notice is already waiting. */
        ssize_t ignored = write(window_notice, &byte, 1);
        (void)ignored;
    }
    errno = saved_errno;
}

int scriptpin_window_changes_begin(int notice) {
    window_notice = notice;
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = note_window_change;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    if (sigaction(SIGWINCH, &action, &window_saved) != 0) {
        window_notice = -1;
        return -1;
    }
    return 0;
}

int scriptpin_window_changes_end(void) {
    int result = sigaction(SIGWINCH, &window_saved, NULL);
    window_notice = -1;
    return result;
}

long scriptpin_link_attribute(const char *path, const char *name, void *value, unsigned long size) {
    return (long)lgetxattr(path, name, value, size);
}

long scriptpin_copy_file_range(int input, int output, unsigned long length) {
    return (long)copy_file_range(input, NULL, output, NULL, length, 0);
}
