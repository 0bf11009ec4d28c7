#define _GNU_SOURCE
#include "qgen_process.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <pty.h>
#include <termios.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

pid_t qgen_spawn(const char *path, char *const argv[], char *const envp[], int out_fd, int err_fd)
{
    int status_pipe[2];
    pid_t parent = getpid();
    pid_t pid;
    int child_errno = 0;
    ssize_t n;

    /* The child reports an exec failure through this pipe (closed on a successful exec). */
    if (pipe2(status_pipe, O_CLOEXEC) != 0) {
        return -errno;
    }
    pid = fork();
    if (pid < 0) {
        int e = errno;
        close(status_pipe[0]);
        close(status_pipe[1]);
        return -e;
    }
    if (pid == 0) {
        int null_fd;
        sigset_t none;

        close(status_pipe[0]);
        setpgid(0, 0);
#ifdef __linux__
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent) {
            _exit(127); /* the parent died before prctl took effect */
        }
#endif
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        signal(SIGPIPE, SIG_DFL);
        signal(SIGHUP, SIG_DFL);
        null_fd = open("/dev/null", O_RDONLY);
        if (null_fd < 0 || dup2(null_fd, 0) < 0 || dup2(out_fd, 1) < 0 || dup2(err_fd, 2) < 0) {
            child_errno = errno;
            (void)!write(status_pipe[1], &child_errno, sizeof child_errno);
            _exit(127);
        }
        execve(path, argv, envp);
        child_errno = errno;
        (void)!write(status_pipe[1], &child_errno, sizeof child_errno);
        _exit(127);
    }
    close(status_pipe[1]);
    do {
        n = read(status_pipe[0], &child_errno, sizeof child_errno);
    } while (n < 0 && errno == EINTR);
    close(status_pipe[0]);
    if (n == (ssize_t)sizeof child_errno) {
        int status;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
        return -child_errno;
    }
    return pid;
}

int qgen_pipe_cloexec(int fds[2])
{
    return pipe2(fds, O_CLOEXEC) == 0 ? 0 : -errno;
}

int qgen_open_pty(int *reader, int *terminal)
{
    struct termios raw;

    if (openpty(reader, terminal, NULL, NULL, NULL) != 0) {
        return -errno;
    }
    if (tcgetattr(*terminal, &raw) == 0) {
        cfmakeraw(&raw);
        tcsetattr(*terminal, TCSANOW, &raw);
    }
    fcntl(*reader, F_SETFD, FD_CLOEXEC);
    fcntl(*terminal, F_SETFD, FD_CLOEXEC);
    return 0;
}
