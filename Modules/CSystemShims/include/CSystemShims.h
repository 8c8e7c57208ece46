#ifndef SCRIPTPIN_CSYSTEMSHIMS_H
#define SCRIPTPIN_CSYSTEMSHIMS_H

#include <spawn.h>
#include <sys/types.h>

/* Glibc declares these only under _GNU_SOURCE, which Swift's Glibc module
   does not define; the wrappers in shims.c are compiled with it. */

extern const unsigned int scriptpin_mfd_cloexec;
extern const unsigned int scriptpin_mfd_allow_sealing;
/* F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL */
extern const int scriptpin_all_seals;

int scriptpin_memfd_create(const char *name, unsigned int flags);
int scriptpin_add_seals(int fd, int seals);
int scriptpin_get_seals(int fd);

/* The git commit the binary was built from, as scripts/release.sh passes
   it (-Xcc -DSCRIPTPIN_GIT_COMMIT=...), or "unknown". */
const char *scriptpin_build_commit(void);

/* prctl(PR_SET_DUMPABLE, 0): another process of the same user can no
   longer read /proc/<pid>/environ or /proc/<pid>/mem, nor ptrace us.
   prctl is variadic, which Swift cannot call. */
int scriptpin_set_nondumpable(void);

/* open(directory, O_TMPFILE | O_RDWR | O_EXCL | O_CLOEXEC, mode): a file
   that never has a name, so nothing is left behind whatever happens to
   this process. -1 with errno EOPNOTSUPP/EISDIR where unsupported. */
int scriptpin_open_unnamed_file(const char *directory, mode_t mode);

/* While a named temporary file holds an unverified body, SIGINT, SIGTERM,
   SIGHUP and SIGQUIT remove it (and its private directory) before the
   signal takes its usual effect. Paths longer than PATH_MAX are refused. */
int scriptpin_remove_on_signal(const char *file, const char *directory);
void scriptpin_remove_on_signal_cancel(void);

/* Closes every descriptor from lowest upwards in the child of posix_spawn. */
int scriptpin_spawn_file_actions_addclosefrom(posix_spawn_file_actions_t *actions, int lowest);

/* Signal forwarding for `run`: while a script runs, SIGINT, SIGTERM, SIGHUP
   and SIGQUIT received by scriptpin are passed to the script instead of
   ending scriptpin. From begin until scriptpin_forward_signals_to names the
   child, they are held (blocked, or recorded by a handler on another
   thread) and then delivered to the child: none is lost in the window
   between creating the child and recording its pid. */
int scriptpin_forward_signals_begin(void);
void scriptpin_forward_signals_to(pid_t child);
void scriptpin_forward_signals_end(void);

#endif
