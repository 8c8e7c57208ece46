#ifndef SCRIPTPIN_CSYSTEMSHIMS_H
#define SCRIPTPIN_CSYSTEMSHIMS_H

#include <spawn.h>
#include <sys/types.h>

/* Glibc declares these only under _GNU_SOURCE, which Swift's Glibc module
   does not define; the wrappers in shims.c are compiled with it. */

extern const unsigned int scriptpin_mfd_cloexec;
extern const unsigned int scriptpin_mfd_allow_sealing;
extern const int scriptpin_f_add_seals;
extern const int scriptpin_f_get_seals;
/* F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL */
extern const int scriptpin_all_seals;

int scriptpin_memfd_create(const char *name, unsigned int flags);
int scriptpin_add_seals(int fd, int seals);
int scriptpin_get_seals(int fd);

/* Closes every descriptor from lowest upwards in the child of posix_spawn. */
int scriptpin_spawn_file_actions_addclosefrom(posix_spawn_file_actions_t *actions, int lowest);

/* Signal forwarding for `run`: while a script runs, SIGINT, SIGTERM, SIGHUP
   and SIGQUIT received by scriptpin are passed to the script instead of
   ending scriptpin. A signal that arrives before the child exists is held
   and delivered as soon as scriptpin_forward_signals_to names the child. */
int scriptpin_forward_signals_begin(void);
void scriptpin_forward_signals_to(pid_t child);
void scriptpin_forward_signals_end(void);

#endif
