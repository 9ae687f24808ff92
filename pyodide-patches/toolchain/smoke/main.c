/* main.c - smoke-test main module for Emscripten 3.1.69 (-pthread -sMAIN_MODULE=2): dlopens
   the side module (embedded at /side.so), runs its thread twice, checks the answers. With
   MAIN_MODULE=2 the link keeps only what is exported, so smoke.sh exports every function
   the side module imports (read from side.so), else "resolved is not a function". */
#include <dlfcn.h>
#include <stdio.h>

typedef int (*run_fn)(long, long *);

int main(int argc, char **argv) {
    const char *path = argc > 1 ? argv[1] : "/side.so";
    void *lib = dlopen(path, RTLD_NOW);
    if (!lib) {
        fprintf(stderr, "smoke: dlopen %s: %s\n", path, dlerror());
        return 1;
    }
    run_fn run = (run_fn)dlsym(lib, "side_run");
    if (!run) {
        fprintf(stderr, "smoke: dlsym side_run: %s\n", dlerror());
        return 1;
    }
    long a = 0, b = 0;
    int r1 = run(100, &a);
    int r2 = run(10, &b);
    int ok = r1 == 1 && r2 == 2 && a == 338350 && b == 385;
    printf("smoke: side_run(100)=%ld side_run(10)=%ld runs=%d,%d %s\n", a, b, r1, r2,
           ok ? "ok" : "FAILED");
    return ok ? 0 : 1;
}
