/* peer_omp_run.c - runs the OpenMP peer (peer_omp) as a child process with a chosen
   OMP_WAIT_POLICY and reads its results from a pipe. */
#include "pool_bench.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* Our environment without any wait-policy setting, plus OMP_WAIT_POLICY=policy unless
   policy is "" (libgomp's default). */
static char **child_env(const char *policy, char *buf, size_t size) {
    size_t n = 0;
    while (environ[n])
        n++;
    char **env = calloc(n + 2, sizeof *env);
    if (!env)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (strncmp(environ[i], "OMP_WAIT_POLICY=", 16) &&
            strncmp(environ[i], "GOMP_SPINCOUNT=", 15))
            env[k++] = environ[i];
    if (*policy) {
        snprintf(buf, size, "OMP_WAIT_POLICY=%s", policy);
        env[k++] = buf;
    }
    return env;
}

static void parse(FILE *f, omp_result *r) {
    char line[256];
    while (fgets(line, sizeof line, f)) {
        int j, threads;
        unsigned long long iters;
        double ns;
        size_t bad;
        if (sscanf(line, "job %d iters %llu ns %lf bad %zu threads %d", &j, &iters, &ns,
                   &bad, &threads) != 5 || j < 0 || j >= NJOBS)
            continue;
        r->iters[j] = iters;
        r->cell[j].ns_per_call = ns;
        r->cell[j].bad_items = bad;
        r->threads = threads;
        r->got++;
    }
}

int run_omp(const char *exe, const char *policy, char *const args[], omp_result *r) {
    memset(r, 0, sizeof *r);
    char polbuf[64], *argv[12] = {(char *)exe};
    for (int i = 0; args[i] && i < 10; i++)
        argv[i + 1] = args[i];
    char **env = child_env(policy, polbuf, sizeof polbuf);
    int fd[2];
    if (!env || pipe2(fd, O_CLOEXEC)) {
        free(env);
        return -1;
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fd[1], 1);
    pid_t pid;
    int err = posix_spawn(&pid, exe, &fa, NULL, argv, env);
    posix_spawn_file_actions_destroy(&fa);
    free(env);
    close(fd[1]);
    if (err) {
        close(fd[0]);
        fprintf(stderr, "pool_bench: cannot run %s: %s\n", exe, strerror(err));
        return -1;
    }
    FILE *f = fdopen(fd[0], "r");
    if (f) {
        parse(f, r);
        fclose(f);
    } else {
        close(fd[0]);
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 && r->got == NJOBS ? 0 : -1;
}
