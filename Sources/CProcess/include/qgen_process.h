#ifndef QGEN_PROCESS_H
#define QGEN_PROCESS_H

#include <sys/types.h>

/*
 * Starts the program `path` with `argv` and `envp` (both NULL-terminated) as the leader of a new
 * process group, so that the whole group can be stopped with kill(-pid, SIGKILL). Its standard
 * input is /dev/null; its standard output and error go to `out_fd` and `err_fd`. On Linux the
 * child is also killed when the thread that started it dies (PR_SET_PDEATHSIG), so a model that
 * loops forever cannot outlive a qgen that was killed. Returns the child's pid, or -errno.
 * Between fork and exec the child calls only async-signal-safe functions.
 */
pid_t qgen_spawn(const char *path, char *const argv[], char *const envp[], int out_fd, int err_fd);

/* pipe2(fds, O_CLOEXEC): a pipe whose ends no other spawned program inherits. 0, or -errno. */
int qgen_pipe_cloexec(int fds[2]);

/*
 * A pseudo-terminal in raw mode (no newline translation, no echo), both ends close-on-exec. A
 * program whose standard output is the `terminal` end sees a terminal and line-buffers its
 * output, so what it printed before a crash is not lost in a buffer; read it from `reader`.
 * 0, or -errno.
 */
int qgen_open_pty(int *reader, int *terminal);

#endif
