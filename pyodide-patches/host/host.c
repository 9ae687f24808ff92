/* host.c - the threaded main module the Node tests and the demo load the pool into.
   It does what Pyodide's runtime does and nothing more: C dlopen/dlsym on libraries that
   JS (loadDynamicLibrary) may already have loaded, so the tests exercise the same paths.
   The pool's functions are called from JS through the wasm table, as ctypes does. */
#include <dlfcn.h>
#include <emscripten.h>

EMSCRIPTEN_KEEPALIVE void *host_dlopen(const char *path) {
    return dlopen(path, RTLD_NOW | RTLD_GLOBAL);
}
EMSCRIPTEN_KEEPALIVE void *host_dlsym(void *lib, const char *name) { return dlsym(lib, name); }
EMSCRIPTEN_KEEPALIVE const char *host_dlerror(void) { return dlerror(); }

int main(void) { return 0; }
