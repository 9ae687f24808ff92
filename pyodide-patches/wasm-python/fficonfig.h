/* fficonfig.h for libffi's wasm32 port under emcc: what its configure would find there.
   Written by hand because Debian's libffi source has no generated configure. */
#define HAVE_ALLOCA_H 1
#define HAVE_LONG_DOUBLE 1
#define HAVE_MEMCPY 1
#define STDC_HEADERS 1
#define SIZEOF_DOUBLE 8
#define SIZEOF_LONG_DOUBLE 16
#define FFI_HIDDEN __attribute__((visibility("hidden")))
