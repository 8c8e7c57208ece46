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

/* While a named temporary file exists (an unverified body, a download not
   yet renamed into place), SIGINT, SIGTERM, SIGHUP and SIGQUIT remove it
   (and its private directory, unless NULL) before the signal takes its
   usual effect. Returns the slot to cancel, or -1 (EBUSY when every slot is
   taken; paths longer than PATH_MAX are refused). */
enum { scriptpin_removal_slot_count = 8 };
int scriptpin_remove_on_signal(const char *file, const char *directory);
void scriptpin_remove_on_signal_cancel(int slot);

/* Holds SIGINT, SIGTERM, SIGHUP and SIGQUIT on the calling thread from
   hold until release, so that a temporary file and its removal are made
   as one step: a signal in between waits, and on release finds the
   removal armed. 0, or -1 with errno; release restores the mask hold saw. */
int scriptpin_hold_stopping_signals(void);
int scriptpin_release_stopping_signals(void);

/* Closes every descriptor from lowest upwards in the child of posix_spawn. */
int scriptpin_spawn_file_actions_addclosefrom(posix_spawn_file_actions_t *actions, int lowest);

/* Signal forwarding for `run`: while a script runs, SIGINT, SIGTERM, SIGHUP
   and SIGQUIT received by scriptpin are passed to the script instead of
   ending scriptpin. From begin until scriptpin_forward_signals_to names the
   child, they are held (blocked, or recorded by a handler on another
   thread) and then delivered to the child: none is lost in the window
   between creating the child and recording its pid. */
int scriptpin_forward_signals_begin(void);
int scriptpin_forward_signals_to(pid_t child);
int scriptpin_forward_signals_end(void);

/* A new pseudo-terminal pair, both close-on-exec, neither our controlling
   terminal; the slave is opened from the master (TIOCGPTPEER), not by name. */
int scriptpin_open_pseudo_terminal(int *master, int *slave);
/* TIOCGWINSZ on `from`, TIOCSWINSZ on `to` (ioctl is variadic: Swift cannot call it). */
int scriptpin_copy_window_size(int from, int to);
/* While begun, each SIGWINCH writes one byte to `notice` (a non-blocking pipe). */
int scriptpin_window_changes_begin(int notice);
int scriptpin_window_changes_end(void);

/* lgetxattr(2), which Glibc's Swift module does not export: the value of
   attribute `name` of `path` (not followed) into `value`, its length or -1. */
long scriptpin_link_attribute(const char *path, const char *name, void *value, unsigned long size);

/* copy_file_range(2) from and to the descriptors' own offsets, which Glibc's Swift module does not export. */
long scriptpin_copy_file_range(int input, int output, unsigned long length);

/* The sandbox `run` confines a script in (sandbox.c): new user, PID,
   mount, IPC, UTS and cgroup namespaces, and a network namespace with only
   loopback when `isolates_network` is set. The script runs in a nested
   user and mount namespace under a supervising PID 1, in a session of its
   own, without the capabilities no installer needs, with no new
   privileges, and under a seccomp filter that refuses terminal injection. */
enum scriptpin_sandbox_step {
    scriptpin_sandbox_step_none = 0,
    scriptpin_sandbox_step_clone,
    scriptpin_sandbox_step_setgroups,
    scriptpin_sandbox_step_uid_map,
    scriptpin_sandbox_step_gid_map,
    scriptpin_sandbox_step_private_mounts,
    scriptpin_sandbox_step_read_only,
    scriptpin_sandbox_step_staging,
    scriptpin_sandbox_step_working_directory,
    scriptpin_sandbox_step_mask,
    scriptpin_sandbox_step_proc,
    scriptpin_sandbox_step_kernel_interfaces,
    scriptpin_sandbox_step_loopback,
    scriptpin_sandbox_step_listener,
    scriptpin_sandbox_step_nested,
    scriptpin_sandbox_step_session,
    scriptpin_sandbox_step_capabilities,
    scriptpin_sandbox_step_no_new_privileges,
    scriptpin_sandbox_step_seccomp,
    scriptpin_sandbox_step_terminal,
    scriptpin_sandbox_step_signals,
    scriptpin_sandbox_step_exec,
    scriptpin_sandbox_step_wait,
    scriptpin_sandbox_step_write_root,
};

/* One step of the root a write-confined script sees, built in order on a
   private skeleton (layers/root) that scriptpin reads back like a layer. */
enum scriptpin_root_step_kind {
    /* A directory of the skeleton, with `mode` and, where mapped, `owner`/`group`. */
    scriptpin_root_directory = 1,
    /* A symbolic link to `target`. */
    scriptpin_root_symlink,
    /* The host's file, bound read-only (in a directory that holds mounts, which no layer can cover). */
    scriptpin_root_file,
    /* The host's directory under a copy-on-write layer whose upper
       directory is layers/INDEX/upper (INDEX: the step's); read-only when
       the kernel refuses the layer, and then layers/INDEX/upper is not there. */
    scriptpin_root_layer,
    /* The host's directory and the mounts below it, bound as they are (/sys, a write path). */
    scriptpin_root_tree,
    /* An empty private file system of the script's own, with `mode` (/dev, /dev/shm). */
    scriptpin_root_private_tmpfs,
    /* A copy of the host's file in a skeleton directory, read back after the script like a layer. */
    scriptpin_root_copy,
    /* The host's directory and the mounts below it, bound read-only: one above mounts that scriptpin's user cannot list. */
    scriptpin_root_read_only_tree,
    /* The host's device node, bound as it is (/dev/null, /dev/tty). */
    scriptpin_root_device,
};

struct scriptpin_root_step {
    int kind;
    const char *path;
    const char *target;
    unsigned int mode;
    unsigned int owner;
    unsigned int group;
};

struct scriptpin_sandbox {
    /* /proc/PID/uid_map and gid_map contents, written for both namespaces. */
    const char *uid_map;
    const char *gid_map;
    int deny_setgroups;
    int isolates_network;
    /* When > 0, a listener on 127.0.0.1:listener_port inside, passed back. */
    int listener_port;
    /* Bound read-only over themselves (files or directories), before the masks. */
    const char *const *read_only_paths;
    int read_only_count;
    const char *const *mask_paths;
    const int *mask_is_directory;
    int mask_count;
    /* When >= 0, a pseudo-terminal's slave: it replaces each standard
       descriptor whose bit (1 << fd) is in terminal_streams and becomes the
       script's controlling terminal. */
    int terminal_descriptor;
    int terminal_streams;
    /* Stops after the namespaces are set up: whether confinement works here. */
    int probe_only;
    /* Entered again once the mounts are made: the inherited working
       directory is the one below them, where relative paths would pass
       under every mask and read-only mount on the way. */
    const char *working_directory;
    /* An absolute path: nothing searches PATH in the sandbox. */
    const char *path;
    char *const *argv;
    char *const *envp;
    int image_descriptor;
    int child_image_descriptor;
    /* When root_step_count > 0, the script's root is built from these
       steps (write confinement) and the layers' directory is passed back. */
    const struct scriptpin_root_step *root_steps;
    int root_step_count;
};

struct scriptpin_sandbox_result {
    pid_t pid;
    int control;
    int listener;
    /* With root steps: a directory descriptor on layers/, where each layer's upper directory is read after the script. */
    int layers;
    int failed_step;
    int failed_errno;
    int failed_index;
};

/* Starts the sandbox and returns once it is set up: 0 with pid (PID 1's, to
   wait for and signal), control (for scriptpin_sandbox_release and
   scriptpin_sandbox_finish) and the listener, or -1 with the failed step
   and its errno. The script's process then waits, set up but before its
   execve, until it is released. */
int scriptpin_sandbox_start(const struct scriptpin_sandbox *sandbox, struct scriptpin_sandbox_result *result);

/* Lets the script's process go on to its execve: what it needs outside
   (the egress proxy) is running. A sandbox never released ends, without
   running anything, when PID 1 is killed. */
int scriptpin_sandbox_release(int control);

/* After PID 1 has exited: the script's wait status, or the step that failed
   (a failed execve: step exec). -1 when PID 1 reported nothing. */
int scriptpin_sandbox_finish(int control, int *wait_status, int *failed_step, int *failed_errno);

#endif
