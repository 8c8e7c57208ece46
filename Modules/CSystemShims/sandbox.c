/* The namespaces `run` confines a script in. Everything between the clone
   and the script's execve runs in a copy of a multithreaded process, so it
   uses system calls only: no malloc, no stdio, no glibc fork (whose
   handlers may wait on a lock another thread held at the moment of the
   copy). The parent's side of the protocol runs in scriptpin itself. */
#define _GNU_SOURCE
#include "CSystemShims.h"
#include "signal_handlers.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/audit.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>

enum message_kind {
    message_ready = 1,
    message_go,
    message_failed,
    message_set_up,
    message_exited,
};

/* One datagram on the control socket (SOCK_SEQPACKET keeps them apart). */
struct control_message {
    int kind;
    int step;
    int error_number;
    int index;
    int wait_status;
};

/* Where the staging file system holds the empty file that masks files; it
   is mounted over /proc before the fresh proc is, and detached again. */
static const char staging_directory[] = "/proc";
static const char staging_empty_file[] = "/proc/empty";

static volatile sig_atomic_t script_pid = 0;

static pid_t clone_process(unsigned long flags) {
    return (pid_t)syscall(SYS_clone, flags | SIGCHLD, NULL, NULL, NULL, NULL);
}

static int send_message(int control, const struct control_message *message) {
    ssize_t sent;
    do {
        sent = send(control, message, sizeof *message, MSG_NOSIGNAL);
    } while (sent < 0 && errno == EINTR);
    return sent == (ssize_t)sizeof *message ? 0 : -1;
}

/* Receives one message and, when `passed` is given, up to `passed_count`
   descriptors sent with it, in order; the slots not filled keep their value. */
static int receive_message(int control, struct control_message *message, int *passed, int passed_count) {
    char space[CMSG_SPACE(2 * sizeof(int))];
    struct iovec vector = { .iov_base = message, .iov_len = sizeof *message };
    struct msghdr header;
    memset(&header, 0, sizeof header);
    header.msg_iov = &vector;
    header.msg_iovlen = 1;
    if (passed != NULL) {
        header.msg_control = space;
        header.msg_controllen = CMSG_SPACE((size_t)passed_count * sizeof(int));
    }
    ssize_t received;
    do {
        received = recvmsg(control, &header, MSG_CMSG_CLOEXEC);
    } while (received < 0 && errno == EINTR);
    if (received == 0) {
        errno = ECONNRESET;
        return -1;
    }
    if (received != (ssize_t)sizeof *message) {
        if (received >= 0) {
            errno = EPROTO;
        }
        return -1;
    }
    if (passed != NULL) {
        for (struct cmsghdr *item = CMSG_FIRSTHDR(&header); item != NULL; item = CMSG_NXTHDR(&header, item)) {
            if (item->cmsg_level == SOL_SOCKET && item->cmsg_type == SCM_RIGHTS) {
                size_t count = (item->cmsg_len - CMSG_LEN(0)) / sizeof(int);
                memcpy(passed, CMSG_DATA(item), (count < (size_t)passed_count ? count : (size_t)passed_count) * sizeof(int));
            }
        }
    }
    return 0;
}

/* Sends one message with `count` descriptors (1 or 2). */
static int send_descriptors(int control, const struct control_message *message, const int *descriptors, int count) {
    char space[CMSG_SPACE(2 * sizeof(int))];
    memset(space, 0, sizeof space);
    struct iovec vector = { .iov_base = (void *)message, .iov_len = sizeof *message };
    struct msghdr header;
    memset(&header, 0, sizeof header);
    header.msg_iov = &vector;
    header.msg_iovlen = 1;
    header.msg_control = space;
    header.msg_controllen = CMSG_SPACE((size_t)count * sizeof(int));
    struct cmsghdr *item = CMSG_FIRSTHDR(&header);
    item->cmsg_level = SOL_SOCKET;
    item->cmsg_type = SCM_RIGHTS;
    item->cmsg_len = CMSG_LEN((size_t)count * sizeof(int));
    memcpy(CMSG_DATA(item), descriptors, (size_t)count * sizeof(int));
    ssize_t sent;
    do {
        sent = sendmsg(control, &header, MSG_NOSIGNAL);
    } while (sent < 0 && errno == EINTR);
    return sent == (ssize_t)sizeof *message ? 0 : -1;
}

/* Reports the failed step to the parent and ends this process. */
static void fail(int control, enum scriptpin_sandbox_step step, int index) {
    struct control_message message = { .kind = message_failed, .step = step, .error_number = errno, .index = index };
    send_message(control, &message);
    _exit(127);
}

static int write_text(const char *path, const char *text) {
    int descriptor = open(path, O_WRONLY | O_CLOEXEC);
    if (descriptor < 0) {
        return -1;
    }
    size_t length = strlen(text);
    ssize_t written = write(descriptor, text, length);
    int saved_errno = errno;
    close(descriptor);
    errno = saved_errno;
    return written == (ssize_t)length ? 0 : -1;
}

/* Writes the identity maps of the user namespace `child` was created in. */
static int write_identity_maps(pid_t child, const struct scriptpin_sandbox *sandbox, enum scriptpin_sandbox_step *step) {
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/setgroups", (int)child);
    *step = scriptpin_sandbox_step_setgroups;
    if (sandbox->deny_setgroups && write_text(path, "deny") != 0) {
        return -1;
    }
    snprintf(path, sizeof path, "/proc/%d/uid_map", (int)child);
    *step = scriptpin_sandbox_step_uid_map;
    if (write_text(path, sandbox->uid_map) != 0) {
        return -1;
    }
    snprintf(path, sizeof path, "/proc/%d/gid_map", (int)child);
    *step = scriptpin_sandbox_step_gid_map;
    return write_text(path, sandbox->gid_map);
}

/* The child half of the map handshake: its /proc files belong to root while
   it is not dumpable, so an unprivileged parent could not open them. It is
   dumpable only until the maps are written; no script is running yet. */
static void await_identity_maps(int control, enum scriptpin_sandbox_step step) {
    if (geteuid() != 0) {
        prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
    }
    struct control_message message = { .kind = message_ready };
    if (send_message(control, &message) != 0) {
        _exit(127);
    }
    if (receive_message(control, &message, NULL, 0) != 0 || message.kind != message_go) {
        _exit(127);
    }
    if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) {
        fail(control, step, 0);
    }
}

/* The parent half: waits for the child's ready, writes its maps, says go. */
static int grant_identity_maps(int control, pid_t child, const struct scriptpin_sandbox *sandbox, struct scriptpin_sandbox_result *result) {
    struct control_message message;
    if (receive_message(control, &message, NULL, 0) != 0 || message.kind != message_ready) {
        result->failed_step = scriptpin_sandbox_step_clone;
        result->failed_errno = errno;
        return -1;
    }
    enum scriptpin_sandbox_step step;
    if (write_identity_maps(child, sandbox, &step) != 0) {
        result->failed_step = step;
        result->failed_errno = errno;
        return -1;
    }
    message.kind = message_go;
    if (send_message(control, &message) != 0) {
        result->failed_step = scriptpin_sandbox_step_clone;
        result->failed_errno = errno;
        return -1;
    }
    return 0;
}

/* What container runtimes protect from a root inside (the OCI runtime
   spec's default readonlyPaths and maskedPaths): many kernel checks on
   these files are plain ownership checks on uid 0, so a root script mapped
   to the host's root could otherwise set kernel.core_pattern (a helper the
   kernel runs as real root outside every namespace), trigger sysrq, or
   kill any process through cgroup.kill. Made here, before the script's
   nested namespace, they are locked: the script cannot undo them. */
static const char *const read_only_kernel_paths[] = {
    "/proc/sys", "/proc/sysrq-trigger", "/proc/irq", "/proc/bus", "/proc/fs",
};
static const char *const masked_kernel_files[] = {
    "/proc/kcore", "/proc/keys", "/proc/timer_list", "/proc/sched_debug",
};
static const char *const masked_kernel_directories[] = { "/sys/firmware" };

/* The flags a bind remount must repeat: the kernel refuses to clear them on a mount that a less privileged namespace inherited. */
static unsigned long kept_mount_flags(const char *path) {
    struct statvfs status;
    if (statvfs(path, &status) != 0) {
        return (unsigned long)-1;
    }
    return status.f_flag & (MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME | MS_NODIRATIME | MS_RELATIME);
}

static int remount_read_only(const char *path) {
    unsigned long kept = kept_mount_flags(path);
    if (kept == (unsigned long)-1) {
        return -1;
    }
    return mount(NULL, path, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | kept, NULL);
}

static int bind_read_only(const char *path) {
    if (mount(path, path, NULL, MS_BIND | MS_REC, NULL) != 0) {
        return -1;
    }
    return remount_read_only(path);
}

/* /proc/self/mountinfo, read whole; a host with more mounts than this is refused rather than half protected. */
static char mount_table[1 << 20];

/* Remounts /sys and every mount below it (cgroupfs, securityfs, debugfs...) read-only. */
static int make_sys_read_only(void) {
    int descriptor = open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC);
    if (descriptor < 0) {
        return -1;
    }
    size_t length = 0;
    for (;;) {
        if (length == sizeof mount_table - 1) {
            close(descriptor);
            errno = E2BIG;
            return -1;
        }
        ssize_t count = read(descriptor, mount_table + length, sizeof mount_table - 1 - length);
        if (count < 0 && errno == EINTR) {
            continue;
        }
        if (count < 0) {
            int saved_errno = errno;
            close(descriptor);
            errno = saved_errno;
            return -1;
        }
        if (count == 0) {
            break;
        }
        length += (size_t)count;
    }
    close(descriptor);
    mount_table[length] = 0;
    /* Each line: id parent major:minor root MOUNT-POINT options ...; the mount point is field 5. */
    for (char *line = mount_table; *line != 0;) {
        char *end = strchr(line, '\n');
        if (end != NULL) {
            *end = 0;
        }
        char *field = line;
        for (int skipped = 0; skipped < 4 && field != NULL; skipped++) {
            field = strchr(field, ' ');
            if (field != NULL) {
                field++;
            }
        }
        if (field != NULL) {
            char *field_end = strchr(field, ' ');
            if (field_end != NULL) {
                *field_end = 0;
            }
            int under_sys = strcmp(field, "/sys") == 0 || strncmp(field, "/sys/", 5) == 0;
            /* mountinfo escapes spaces and backslashes as octal; such a name cannot be remounted by it. */
            if (under_sys && strchr(field, '\\') != NULL) {
                errno = EINVAL;
                return -1;
            }
            if (under_sys && remount_read_only(field) != 0 && errno != ENOENT) {
                return -1;
            }
        }
        if (end == NULL) {
            break;
        }
        line = end + 1;
    }
    return 0;
}

static void protect_kernel_interfaces(int control) {
    for (size_t index = 0; index < sizeof read_only_kernel_paths / sizeof read_only_kernel_paths[0]; index++) {
        if (bind_read_only(read_only_kernel_paths[index]) != 0 && errno != ENOENT) {
            fail(control, scriptpin_sandbox_step_kernel_interfaces, (int)index);
        }
    }
    for (size_t index = 0; index < sizeof masked_kernel_files / sizeof masked_kernel_files[0]; index++) {
        if (mount("/dev/null", masked_kernel_files[index], NULL, MS_BIND, NULL) != 0 && errno != ENOENT) {
            fail(control, scriptpin_sandbox_step_kernel_interfaces, 0);
        }
    }
    if (make_sys_read_only() != 0) {
        fail(control, scriptpin_sandbox_step_kernel_interfaces, 0);
    }
    for (size_t index = 0; index < sizeof masked_kernel_directories / sizeof masked_kernel_directories[0]; index++) {
        const char *path = masked_kernel_directories[index];
        if (mount("tmpfs", path, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=4k,mode=0555") != 0 && errno != ENOENT) {
            fail(control, scriptpin_sandbox_step_kernel_interfaces, 0);
        }
    }
}

/* A devpts instance of the sandbox's own: the host's /dev/pts/N, scriptpin's
   terminal among them, are not there to open (the script runs as the same
   user, who owns them, and could read the keys typed into scriptpin's
   terminal or write to it). The relayed terminal is passed as a descriptor
   and needs no name; /dev/ptmx makes new terminals in this instance. */
static void private_terminals(int control) {
    if (mount("devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666,mode=0620") != 0) {
        if (errno == ENOENT) {
            return;
        }
        fail(control, scriptpin_sandbox_step_terminal, 0);
    }
    if (mount("/dev/pts/ptmx", "/dev/ptmx", NULL, MS_BIND, NULL) != 0 && errno != ENOENT) {
        fail(control, scriptpin_sandbox_step_terminal, 0);
    }
}

static void mount_masks(int control, const struct scriptpin_sandbox *sandbox) {
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) {
        fail(control, scriptpin_sandbox_step_private_mounts, 0);
    }
    for (int index = 0; index < sandbox->read_only_count; index++) {
        if (bind_read_only(sandbox->read_only_paths[index]) != 0) {
            fail(control, scriptpin_sandbox_step_read_only, index);
        }
    }
    if (sandbox->mask_count > 0) {
        if (mount("tmpfs", staging_directory, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=16k,mode=0755") != 0) {
            fail(control, scriptpin_sandbox_step_staging, 0);
        }
        int empty = open(staging_empty_file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444);
        if (empty < 0) {
            fail(control, scriptpin_sandbox_step_staging, 0);
        }
        close(empty);
    }
    for (int index = 0; index < sandbox->mask_count; index++) {
        const char *path = sandbox->mask_paths[index];
        unsigned long locked = MS_NOSUID | MS_NODEV | MS_NOEXEC;
        if (sandbox->mask_is_directory[index]) {
            if (mount("tmpfs", path, "tmpfs", MS_RDONLY | locked, "size=4k,mode=0555") != 0) {
                fail(control, scriptpin_sandbox_step_mask, index);
            }
        } else {
            if (mount(staging_empty_file, path, NULL, MS_BIND, NULL) != 0
                || mount(NULL, path, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | locked, NULL) != 0) {
                fail(control, scriptpin_sandbox_step_mask, index);
            }
        }
    }
    if (sandbox->mask_count > 0 && umount2(staging_directory, MNT_DETACH) != 0) {
        fail(control, scriptpin_sandbox_step_staging, 0);
    }
    /* A write-confined root has its fresh proc already. */
    if (sandbox->root_step_count == 0 && mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) != 0) {
        fail(control, scriptpin_sandbox_step_proc, 0);
    }
    protect_kernel_interfaces(control);
    private_terminals(control);
}

/* Where a write-confined root is built: the layers' file system over
   /proc (always there, and replaced by a fresh proc in the new root); the
   skeleton is a directory of it, bound over itself to be a mount point for
   pivot_root, so that what the script makes in a skeleton directory is
   read through the layers' descriptor too. */
static const char layers_mount_point[] = "/proc";
/* What the script's discarded writes may hold in memory: the kernel's
   default for tmpfs, stated. Past it a write fails with ENOSPC inside, and
   nothing outside is affected. */
static const char layers_options[] = "mode=0700,size=50%";
static const char layers_directory[] = "/proc/layers";
static const char new_root[] = "/proc/layers/root";

/* Room for a host path, its place in the new root, and an escaped copy. */
static char step_target[4096 + sizeof new_root];
static char escaped_lower[2 * 4096 + 1];
static char layer_upper[64];
static char layer_work[64];
static char layer_directory[64];
static char layer_refused[64];
static char tmpfs_options[32];

/* snprintf's result, checked: a path that did not fit is ENAMETOOLONG. */
static int fitted(int written, size_t size) {
    if (written < 0 || (size_t)written >= size) {
        errno = ENAMETOOLONG;
        return -1;
    }
    return 0;
}

/* overlayfs splits lowerdir at ':' and reads '\' as an escape. */
static int escape_lower_path(const char *path) {
    size_t out = 0;
    for (const char *in = path; *in != 0; in++) {
        if (out + 3 > sizeof escaped_lower) {
            errno = ENAMETOOLONG;
            return -1;
        }
        if (*in == ':' || *in == '\\') {
            escaped_lower[out++] = '\\';
        }
        escaped_lower[out++] = *in;
    }
    escaped_lower[out] = 0;
    return 0;
}

/* A copy-on-write layer over the host's `lower`, mounted at `target`
   through the mount API (fsopen), which a seccomp filter can refuse alone. */
static int mount_layer(const char *lower, const char *target) {
    if (escape_lower_path(lower) != 0) {
        return -1;
    }
    int context = fsopen("overlay", FSOPEN_CLOEXEC);
    if (context < 0) {
        return -1;
    }
    /* userxattr: in a user namespace the layer's bookkeeping (opaque directories) is in user.overlay.* attributes. */
    if (fsconfig(context, FSCONFIG_SET_STRING, "lowerdir", escaped_lower, 0) != 0
        || fsconfig(context, FSCONFIG_SET_STRING, "upperdir", layer_upper, 0) != 0
        || fsconfig(context, FSCONFIG_SET_STRING, "workdir", layer_work, 0) != 0
        || fsconfig(context, FSCONFIG_SET_FLAG, "userxattr", NULL, 0) != 0
        || fsconfig(context, FSCONFIG_CMD_CREATE, NULL, NULL, 0) != 0) {
        int saved_errno = errno;
        close(context);
        errno = saved_errno;
        return -1;
    }
    int mounted = fsmount(context, FSMOUNT_CLOEXEC, 0);
    int saved_errno = errno;
    close(context);
    if (mounted < 0) {
        errno = saved_errno;
        return -1;
    }
    int moved = move_mount(mounted, "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH);
    saved_errno = errno;
    close(mounted);
    errno = saved_errno;
    return moved;
}

/* The host's owner where this namespace maps it; an unmapped one (EINVAL) stays the sandbox's. */
static int copy_owner(const char *path, const struct scriptpin_root_step *step) {
    if (lchown(path, (uid_t)step->owner, (gid_t)step->group) != 0 && errno != EINVAL && errno != EPERM) {
        return -1;
    }
    return 0;
}

/* The one buffer the files copied into skeleton directories pass through (each at most RootLayout.copiedFileLimit). */
static char copy_buffer[64 * 1024];

/* The host's file `step->path` as a new file `target` of the skeleton, with its mode and, where mapped, its owner. */
static int copy_host_file(const struct scriptpin_root_step *step, const char *target) {
    /* O_NONBLOCK: a file swapped for a FIFO since scriptpin looked cannot hold the open. */
    int input = open(step->path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (input < 0) {
        return -1;
    }
    int output = open(target, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    int result = output < 0 ? -1 : 0;
    while (result == 0) {
        ssize_t count = read(input, copy_buffer, sizeof copy_buffer);
        if (count < 0 && errno == EINTR) {
            continue;
        }
        if (count <= 0) {
            result = (int)count;
            break;
        }
        for (ssize_t written = 0; written < count && result == 0;) {
            ssize_t now = write(output, copy_buffer + written, (size_t)(count - written));
            if (now < 0 && errno != EINTR) {
                result = -1;
            } else if (now > 0) {
                written += now;
            }
        }
    }
    int saved_errno = errno;
    close(input);
    if (output >= 0) {
        close(output);
    }
    errno = saved_errno;
    if (result != 0 || chmod(target, (mode_t)step->mode) != 0) {
        return -1;
    }
    return copy_owner(target, step);
}

static int build_root_step(int index, const struct scriptpin_root_step *step) {
    if (fitted(snprintf(step_target, sizeof step_target, "%s%s", new_root, strcmp(step->path, "/") == 0 ? "" : step->path), sizeof step_target) != 0) {
        return -1;
    }
    switch (step->kind) {
    case scriptpin_root_directory:
        if (strcmp(step->path, "/") != 0 && mkdir(step_target, 0700) != 0) {
            return -1;
        }
        if (chmod(step_target, (mode_t)step->mode) != 0) {
            return -1;
        }
        return copy_owner(step_target, step);
    case scriptpin_root_symlink:
        if (symlink(step->target, step_target) != 0) {
            return -1;
        }
        return copy_owner(step_target, step);
    case scriptpin_root_file: {
        int placeholder = open(step_target, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444);
        if (placeholder < 0) {
            return -1;
        }
        close(placeholder);
        if (mount(step->path, step_target, NULL, MS_BIND, NULL) != 0) {
            return -1;
        }
        return remount_read_only(step_target);
    }
    case scriptpin_root_layer:
        /* A directory layered over its parent's layer is there already. */
        if ((mkdir(step_target, 0700) != 0 && errno != EEXIST)
            || fitted(snprintf(layer_directory, sizeof layer_directory, "%s/%d", layers_directory, index), sizeof layer_directory) != 0
            || fitted(snprintf(layer_upper, sizeof layer_upper, "%s/upper", layer_directory), sizeof layer_upper) != 0
            || fitted(snprintf(layer_work, sizeof layer_work, "%s/work", layer_directory), sizeof layer_work) != 0
            || mkdir(layer_directory, 0700) != 0 || mkdir(layer_upper, 0755) != 0 || mkdir(layer_work, 0700) != 0) {
            return -1;
        }
        if (mount_layer(step->path, step_target) == 0) {
            return 0;
        }
        /* No layer here: the directory is read-only instead, and an upper
           directory renamed away says so to scriptpin (whatever the refused
           mount left in the work directory). */
        if (fitted(snprintf(layer_refused, sizeof layer_refused, "%s/refused", layer_directory), sizeof layer_refused) != 0
            || rename(layer_upper, layer_refused) != 0) {
            return -1;
        }
        if (mount(step->path, step_target, NULL, MS_BIND | MS_REC, NULL) != 0) {
            return -1;
        }
        return remount_read_only(step_target);
    case scriptpin_root_copy:
        return copy_host_file(step, step_target);
    case scriptpin_root_tree:
        /* A write path is bound over the layer that shows its directory already. */
        if (mkdir(step_target, 0700) != 0 && errno != EEXIST) {
            return -1;
        }
        return mount(step->path, step_target, NULL, MS_BIND | MS_REC, NULL);
    case scriptpin_root_read_only_tree:
        if (mkdir(step_target, 0700) != 0 || mount(step->path, step_target, NULL, MS_BIND | MS_REC, NULL) != 0) {
            return -1;
        }
        return remount_read_only(step_target);
    case scriptpin_root_private_tmpfs:
        if ((mkdir(step_target, 0700) != 0 && errno != EEXIST)
            || fitted(snprintf(tmpfs_options, sizeof tmpfs_options, "mode=%o", step->mode & 07777), sizeof tmpfs_options) != 0) {
            return -1;
        }
        return mount("tmpfs", step_target, "tmpfs", MS_NOSUID, tmpfs_options);
    case scriptpin_root_device: {
        int placeholder = open(step_target, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (placeholder < 0) {
            return -1;
        }
        close(placeholder);
        return mount(step->path, step_target, NULL, MS_BIND, NULL);
    }
    default:
        errno = EINVAL;
        return -1;
    }
}

/* Builds the write-confined root and enters it: the skeleton's steps, a
   fresh proc (mounted while the host's is still in the namespace, which
   the kernel requires of an unprivileged proc mount), then pivot_root into
   it and the old root detached. Returns a
   descriptor on the layers' directory, which outlives the namespace. */
static int build_write_root(int control, const struct scriptpin_sandbox *sandbox) {
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) {
        fail(control, scriptpin_sandbox_step_private_mounts, 0);
    }
    if (mount("tmpfs", layers_mount_point, "tmpfs", MS_NOSUID | MS_NODEV, layers_options) != 0
        || mkdir(layers_directory, 0700) != 0 || mkdir(new_root, 0700) != 0
        || mount(new_root, new_root, NULL, MS_BIND, NULL) != 0) {
        fail(control, scriptpin_sandbox_step_write_root, -1);
    }
    for (int index = 0; index < sandbox->root_step_count; index++) {
        if (build_root_step(index, &sandbox->root_steps[index]) != 0) {
            fail(control, scriptpin_sandbox_step_write_root, index);
        }
    }
    if (fitted(snprintf(step_target, sizeof step_target, "%s/proc", new_root), sizeof step_target) != 0
        || mount("proc", step_target, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) != 0) {
        fail(control, scriptpin_sandbox_step_proc, 0);
    }
    int layers = open(layers_directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (layers < 0 || chdir(new_root) != 0 || syscall(SYS_pivot_root, ".", ".") != 0 || umount2(".", MNT_DETACH) != 0 || chdir("/") != 0) {
        fail(control, scriptpin_sandbox_step_write_root, -1);
    }
    return layers;
}

/* Brings up the network namespace's loopback and, when asked, opens the
   listener the egress proxy outside serves, passed back over `control`. */
static void set_up_network(int control, const struct scriptpin_sandbox *sandbox) {
    int probe = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (probe < 0) {
        fail(control, scriptpin_sandbox_step_loopback, 0);
    }
    struct ifreq request;
    memset(&request, 0, sizeof request);
    strncpy(request.ifr_name, "lo", IFNAMSIZ - 1);
    if (ioctl(probe, SIOCGIFFLAGS, &request) != 0) {
        fail(control, scriptpin_sandbox_step_loopback, 0);
    }
    request.ifr_flags |= IFF_UP;
    if (ioctl(probe, SIOCSIFFLAGS, &request) != 0) {
        fail(control, scriptpin_sandbox_step_loopback, 0);
    }
    close(probe);
}

static int open_listener(int control, int port) {
    int listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (listener < 0) {
        fail(control, scriptpin_sandbox_step_listener, 0);
    }
    int on = 1;
    if (setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) != 0) {
        fail(control, scriptpin_sandbox_step_listener, 0);
    }
    struct sockaddr_in address;
    memset(&address, 0, sizeof address);
    address.sin_family = AF_INET;
    address.sin_port = htons((uint16_t)port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(listener, (struct sockaddr *)&address, sizeof address) != 0 || listen(listener, SOMAXCONN) != 0) {
        fail(control, scriptpin_sandbox_step_listener, 0);
    }
    return listener;
}

static void relay_signal(int signal_number) {
    int saved_errno = errno;
    if (script_pid > 0) {
        kill((pid_t)script_pid, signal_number);
    }
    errno = saved_errno;
}

/* Closes first...last, or first and everything above when last is -1. */
static void close_descriptors(int first, int last) {
    if (last >= 0 && last < first) {
        return;
    }
    if (syscall(SYS_close_range, (unsigned int)first, last < 0 ? ~0U : (unsigned int)last, 0) == 0) {
        return;
    }
    struct rlimit limit;
    int highest = getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY ? (int)limit.rlim_cur - 1 : 65535;
    for (int descriptor = first; descriptor <= (last < 0 ? highest : last); descriptor++) {
        close(descriptor);
    }
}

/* Closes every descriptor above stderr but `first_kept` and `second_kept`
   (-1 for none): PID 1 keeps no copy of what scriptpin had open. */
static void close_descriptors_except(int first_kept, int second_kept) {
    int low = first_kept < second_kept ? first_kept : second_kept;
    int high = first_kept < second_kept ? second_kept : first_kept;
    int next = STDERR_FILENO + 1;
    if (low > STDERR_FILENO) {
        close_descriptors(next, low - 1);
        next = low + 1;
    }
    if (high > STDERR_FILENO) {
        close_descriptors(next, high - 1);
        next = high + 1;
    }
    close_descriptors(next, -1);
}

/* Docker's default capability set: what package managers use (changing
   owners and modes, switching to service users, binding low ports).
   Every other capability leaves the bounding set, so that no program the
   script runs gains it. */
static const int kept_capabilities[] = {
    CAP_CHOWN, CAP_DAC_OVERRIDE, CAP_FSETID, CAP_FOWNER, CAP_MKNOD, CAP_NET_RAW, CAP_SETGID, CAP_SETUID,
    CAP_SETFCAP, CAP_SETPCAP, CAP_NET_BIND_SERVICE, CAP_SYS_CHROOT, CAP_KILL, CAP_AUDIT_WRITE,
};

static int drop_capabilities(void) {
    for (int capability = 0; capability <= CAP_LAST_CAP; capability++) {
        int kept = 0;
        for (size_t index = 0; index < sizeof kept_capabilities / sizeof kept_capabilities[0]; index++) {
            kept |= kept_capabilities[index] == capability;
        }
        /* EINVAL: a capability this kernel does not have. */
        if (!kept && prctl(PR_CAPBSET_DROP, capability, 0, 0, 0) != 0 && errno != EINVAL) {
            return -1;
        }
    }
    return 0;
}

#if defined(__x86_64__)
#define SCRIPTPIN_NATIVE_ARCH AUDIT_ARCH_X86_64
#define SCRIPTPIN_COMPAT_ARCH AUDIT_ARCH_I386
#define SCRIPTPIN_COMPAT_IOCTL 54
/* x32 system calls share the native architecture with this bit set in the number. */
#define SCRIPTPIN_X32_IOCTL (0x40000000 | 514)
#elif defined(__aarch64__)
#define SCRIPTPIN_NATIVE_ARCH AUDIT_ARCH_AARCH64
#define SCRIPTPIN_COMPAT_ARCH AUDIT_ARCH_ARM
#define SCRIPTPIN_COMPAT_IOCTL 54
#define SCRIPTPIN_X32_IOCTL __NR_ioctl
#else
#error "the sandbox's seccomp filter names this architecture's ioctl; add it"
#endif

/* Refuses ioctl TIOCSTI (push bytes into a terminal's input, which the
   shell that started scriptpin would run after it) and TIOCLINUX (the
   console's selection, the same on a virtual console) with EPERM, in every
   system call convention the process could use; everything else passes.
   The command is compared on its low 32 bits, as the kernel reads it. */
static int refuse_terminal_injection(void) {
    struct sock_filter rules[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SCRIPTPIN_NATIVE_ARCH, 3, 0),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SCRIPTPIN_COMPAT_ARCH, 0, 9),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SCRIPTPIN_COMPAT_IOCTL, 3, 7),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_ioctl, 1, 0),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SCRIPTPIN_X32_IOCTL, 0, 4),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[1])),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, TIOCSTI, 1, 0),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, TIOCLINUX, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    struct sock_fprog program = { .len = sizeof rules / sizeof rules[0], .filter = rules };
    return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &program, 0, 0);
}

/* The last steps before the script's execve, each refused as a set-up step. */
static void restrict_script(int control, const struct scriptpin_sandbox *sandbox) {
    /* A session of its own: no controlling terminal, so /dev/tty is not scriptpin's terminal (bubblewrap's --new-session). */
    if (setsid() < 0) {
        fail(control, scriptpin_sandbox_step_session, 0);
    }
    /* The relayed pseudo-terminal, not scriptpin's, is the one /dev/tty opens. */
    if (sandbox->terminal_descriptor >= 0) {
        int stream = STDIN_FILENO;
        while (!(sandbox->terminal_streams & (1 << stream))) {
            stream++;
        }
        if (ioctl(stream, TIOCSCTTY, 0) != 0) {
            fail(control, scriptpin_sandbox_step_terminal, 0);
        }
    }
    if (drop_capabilities() != 0) {
        fail(control, scriptpin_sandbox_step_capabilities, 0);
    }
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
        fail(control, scriptpin_sandbox_step_no_new_privileges, 0);
    }
    if (refuse_terminal_injection() != 0) {
        fail(control, scriptpin_sandbox_step_seccomp, 0);
    }
}

/* The script's process: its own user and mount namespaces inside the
   sandbox's, so that the masks and /proc are locked mounts that even a
   script running as root there cannot unmount; then the interpreter. */
static void exec_script(int control, const struct scriptpin_sandbox *sandbox) {
    await_identity_maps(control, scriptpin_sandbox_step_nested);
    restrict_script(control, sandbox);
    if (sandbox->probe_only) {
        /* The probe sets everything up, the script's namespaces included, and runs nothing. */
        _exit(0);
    }
    /* Set up, and not yet running: PID 1 passes on scriptpin's release. */
    struct control_message release;
    if (receive_message(control, &release, NULL, 0) != 0 || release.kind != message_go) {
        _exit(127);
    }
    for (int index = 0; index < scriptpin_stopping_signal_count; index++) {
        if (signal(scriptpin_stopping_signals[index], SIG_DFL) == SIG_ERR) {
            fail(control, scriptpin_sandbox_step_signals, 0);
        }
    }
    if (signal(SIGPIPE, SIG_DFL) == SIG_ERR) {
        fail(control, scriptpin_sandbox_step_signals, 0);
    }
    sigset_t nothing;
    sigemptyset(&nothing);
    if (sigprocmask(SIG_SETMASK, &nothing, NULL) != 0) {
        fail(control, scriptpin_sandbox_step_signals, 0);
    }
    if (sandbox->image_descriptor >= 0) {
        if (dup2(sandbox->image_descriptor, sandbox->child_image_descriptor) < 0) {
            fail(control, scriptpin_sandbox_step_exec, 0);
        }
    }
    /* Everything else closes; the control socket stays, close-on-exec, to
       report a failed execve. It sits above the image's number, and so
       above `lowest`, by construction. */
    int lowest = sandbox->image_descriptor >= 0 ? sandbox->child_image_descriptor + 1 : STDERR_FILENO + 1;
    close_descriptors(lowest, control - 1);
    close_descriptors(control + 1, -1);
    execve(sandbox->path, sandbox->argv, sandbox->envp);
    fail(control, scriptpin_sandbox_step_exec, 0);
}

/* Starts the script's process in its nested namespaces and grants its
   maps; `script_control` receives PID 1's end of the channel on which a
   failed execve is reported. Part of the set-up: a refusal here is reported
   as one, before anything runs. */
static pid_t start_script(int control, const struct scriptpin_sandbox *sandbox, int *script_control) {
    int ends[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, ends) != 0) {
        fail(control, scriptpin_sandbox_step_nested, 0);
    }
    /* Keeps the script's control end above the descriptors it is given. */
    int script_end = fcntl(ends[1], F_DUPFD_CLOEXEC, sandbox->child_image_descriptor + 1);
    if (script_end < 0) {
        fail(control, scriptpin_sandbox_step_nested, 0);
    }
    close(ends[1]);
    if (scriptpin_install_stopping_handlers(relay_signal, 0, SA_RESTART, NULL) != 0) {
        fail(control, scriptpin_sandbox_step_nested, 0);
    }
    pid_t child = clone_process(CLONE_NEWUSER | CLONE_NEWNS);
    if (child < 0) {
        fail(control, scriptpin_sandbox_step_nested, 0);
    }
    if (child == 0) {
        close(ends[0]);
        exec_script(script_end, sandbox);
    }
    close(script_end);
    script_pid = child;
    struct scriptpin_sandbox_result nested;
    if (grant_identity_maps(ends[0], child, sandbox, &nested) != 0) {
        kill(child, SIGKILL);
        errno = nested.failed_errno;
        fail(control, scriptpin_sandbox_step_nested, 0);
    }
    *script_control = ends[0];
    return child;
}

/* PID 1 of the sandbox once the script runs: relays signals to it, reaps
   every orphan, and reports its wait status before leaving (which ends every
   process still in the namespace). */
static void supervise(int control, pid_t child, int script_control) {
    struct control_message report = { .kind = message_exited };
    sigset_t nothing;
    sigemptyset(&nothing);
    if (sigprocmask(SIG_SETMASK, &nothing, NULL) != 0) {
        /* Signals would not reach the script: it must not run. */
        kill(child, SIGKILL);
        report.kind = message_failed;
        report.step = scriptpin_sandbox_step_signals;
        report.error_number = errno;
        send_message(control, &report);
        _exit(0);
    }
    for (;;) {
        int status = 0;
        pid_t ended = waitpid(-1, &status, 0);
        if (ended < 0 && errno == EINTR) {
            continue;
        }
        if (ended < 0) {
            report.kind = message_failed;
            report.step = scriptpin_sandbox_step_wait;
            report.error_number = errno;
            break;
        }
        if (ended == child) {
            report.wait_status = status;
            break;
        }
    }
    /* A failed execve was reported by the script's process itself. */
    struct control_message script_report;
    if (recv(script_control, &script_report, sizeof script_report, MSG_DONTWAIT) == (ssize_t)sizeof script_report
        && script_report.kind == message_failed) {
        report = script_report;
    }
    send_message(control, &report);
    _exit(0);
}

static void run_sandbox(int control, const struct scriptpin_sandbox *sandbox) {
    /* Ends with scriptpin: killing PID 1 ends everything in the namespace.
       In a new PID namespace getppid() is 0, so the race with a parent that
       died before this call is closed by the handshake that follows: its
       receive sees the parent's end of `control` closed, and PID 1 leaves. */
    if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0) {
        fail(control, scriptpin_sandbox_step_clone, 0);
    }
    await_identity_maps(control, scriptpin_sandbox_step_clone);
    if (sandbox->terminal_descriptor >= 0) {
        for (int stream = STDIN_FILENO; stream <= STDERR_FILENO; stream++) {
            if ((sandbox->terminal_streams & (1 << stream)) && dup2(sandbox->terminal_descriptor, stream) < 0) {
                fail(control, scriptpin_sandbox_step_terminal, 0);
            }
        }
    }
    close_descriptors_except(control, sandbox->image_descriptor);
    int layers = sandbox->root_step_count > 0 ? build_write_root(control, sandbox) : -1;
    mount_masks(control, sandbox);
    if (chdir(sandbox->working_directory) != 0) {
        fail(control, scriptpin_sandbox_step_working_directory, 0);
    }
    int listener = -1;
    if (sandbox->isolates_network) {
        set_up_network(control, sandbox);
        if (sandbox->listener_port > 0) {
            listener = open_listener(control, sandbox->listener_port);
        }
    }
    int script_control = -1;
    pid_t child = start_script(control, sandbox, &script_control);
    /* The descriptors passed back, in order: the listener, then the layers; `index` says which are there. */
    struct control_message message = { .kind = message_set_up, .index = (listener >= 0 ? 1 : 0) | (layers >= 0 ? 2 : 0) };
    int passed[2];
    int passed_count = 0;
    if (listener >= 0) {
        passed[passed_count++] = listener;
    }
    if (layers >= 0) {
        passed[passed_count++] = layers;
    }
    int sent = passed_count > 0 ? send_descriptors(control, &message, passed, passed_count) : send_message(control, &message);
    if (sent != 0) {
        kill(child, SIGKILL);
        _exit(127);
    }
    for (int index = 0; index < passed_count; index++) {
        close(passed[index]);
    }
    struct control_message release;
    if (!sandbox->probe_only
        && (receive_message(control, &release, NULL, 0) != 0 || release.kind != message_go || send_message(script_control, &release) != 0)) {
        kill(child, SIGKILL);
        _exit(127);
    }
    supervise(control, child, script_control);
}

int scriptpin_sandbox_start(const struct scriptpin_sandbox *sandbox, struct scriptpin_sandbox_result *result) {
    result->pid = -1;
    result->control = -1;
    result->listener = -1;
    result->layers = -1;
    result->failed_step = scriptpin_sandbox_step_none;
    result->failed_errno = 0;
    result->failed_index = 0;
    int ends[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, ends) != 0) {
        result->failed_step = scriptpin_sandbox_step_clone;
        result->failed_errno = errno;
        return -1;
    }
    /* The child's end sits above the image descriptor it hands the script. */
    int child_end = fcntl(ends[1], F_DUPFD_CLOEXEC, sandbox->child_image_descriptor + 1);
    close(ends[1]);
    if (child_end < 0) {
        result->failed_step = scriptpin_sandbox_step_clone;
        result->failed_errno = errno;
        close(ends[0]);
        return -1;
    }
    unsigned long flags = CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWCGROUP;
    if (sandbox->isolates_network) {
        flags |= CLONE_NEWNET;
    }
    pid_t child = clone_process(flags);
    if (child < 0) {
        result->failed_step = scriptpin_sandbox_step_clone;
        result->failed_errno = errno;
        close(ends[0]);
        close(child_end);
        return -1;
    }
    if (child == 0) {
        close(ends[0]);
        run_sandbox(child_end, sandbox);
        _exit(127);
    }
    close(child_end);
    result->pid = child;
    if (grant_identity_maps(ends[0], child, sandbox, result) == 0) {
        struct control_message message;
        int passed[2] = { -1, -1 };
        if (receive_message(ends[0], &message, passed, 2) != 0) {
            result->failed_step = scriptpin_sandbox_step_clone;
            result->failed_errno = errno;
        } else if (message.kind == message_failed) {
            result->failed_step = message.step;
            result->failed_errno = message.error_number;
            result->failed_index = message.index;
        } else if (message.kind == message_set_up) {
            result->control = ends[0];
            int next = 0;
            result->listener = (message.index & 1) ? passed[next++] : -1;
            result->layers = (message.index & 2) ? passed[next] : -1;
            return 0;
        } else {
            result->failed_step = scriptpin_sandbox_step_clone;
            result->failed_errno = EPROTO;
        }
        for (int index = 0; index < 2; index++) {
            if (passed[index] >= 0) {
                close(passed[index]);
            }
        }
    }
    kill(child, SIGKILL);
    int status;
    while (waitpid(child, &status, 0) < 0 && errno == EINTR) {}
    result->pid = -1;
    close(ends[0]);
    return -1;
}

int scriptpin_sandbox_release(int control) {
    struct control_message message = { .kind = message_go };
    return send_message(control, &message);
}

int scriptpin_sandbox_finish(int control, int *wait_status, int *failed_step, int *failed_errno) {
    struct control_message message;
    *failed_step = scriptpin_sandbox_step_none;
    *failed_errno = 0;
    if (receive_message(control, &message, NULL, 0) != 0) {
        return -1;
    }
    if (message.kind == message_failed) {
        *failed_step = message.step;
        *failed_errno = message.error_number;
        return 0;
    }
    *wait_status = message.wait_status;
    return 0;
}
