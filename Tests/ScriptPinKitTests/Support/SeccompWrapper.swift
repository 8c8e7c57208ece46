import Foundation
import Testing

/// A small program, compiled for the test, that runs a command under a
/// seccomp filter: how the tests take a kernel feature away without
/// changing the machine's settings. `rules` are the filter's BPF statements
/// (C), after the system call number is loaded; a rule that does not
/// return falls through to allowing the call.
func compileSeccompWrapper(named name: String, rules: String, into directory: TemporaryDirectory) throws -> String {
    directory.write("\(name).c", """
        #define _GNU_SOURCE
        #include <errno.h>
        #include <linux/filter.h>
        #include <linux/seccomp.h>
        #include <sched.h>
        #include <stddef.h>
        #include <stdio.h>
        #include <sys/prctl.h>
        #include <sys/syscall.h>
        #include <unistd.h>

        int main(int argc, char **argv) {
            struct sock_filter rules[] = {
                BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        \(rules)
                BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
            };
            struct sock_fprog program = { sizeof rules / sizeof rules[0], rules };
            if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 || prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &program) != 0) {
                perror("seccomp");
                return 99;
            }
            execv(argv[1], argv + 1);
            perror("execv");
            return 98;
        }
        """)
    let built = ProcessRunner.run("cc", ["-o", directory.url(name), directory.url("\(name).c")], in: directory.path)
    try #require(built.status == 0, "\(built.stderr)")
    return directory.url(name)
}
