/* Forced (-include) into every C file of the Wasm libffi and CPython builds.
 * EM_JS becomes a plain import from "env": emcc 3.1.6 can only link the threaded
 * MAIN_MODULE with EMCC_READ_METADATA=python, which does not find EM_JS bodies, so
 * emjs.py hands those bodies to emcc as a JS library instead.
 * The empty inline function lets the macro stand with or without a trailing ';'. */
#ifndef WP_EMJS_H
#define WP_EMJS_H
#include <emscripten/em_js.h>
#undef EM_JS
#define EM_JS(ret, name, params, ...)                                                  \
    ret name params __attribute__((import_module("env"), import_name(#name)));          \
    static inline void wp_emjs_##name(void) {}
/* libffi 3.4.8 declares its JS dependencies with EM_JS_DEPS, which 3.1.6 lacks. */
#ifndef EM_JS_DEPS
#define EM_JS_DEPS(tag, deps)
#endif
#endif
