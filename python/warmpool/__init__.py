"""warmpool: a small warm C thread pool for Python programs that call C through ctypes,
natively (CPython) and on WebAssembly (Pyodide, threaded CPython-on-Wasm).

    import ctypes, warmpool
    kernels = ctypes.CDLL("libmykernels.so")      # void k(void *ctx, size_t b, size_t e)
    with warmpool.Pool() as pool:
        pool.parallel_for(kernels.k, 0, n, ctx=buf)

The C library is the one inside this package (each wheel carries the flavour of one kind
of runtime), else at $WARMPOOL_LIB, else in a checkout's build/, or Pool(library=path).
"""
from ._dist import __version__  # noqa: F401
from ._lib import (MissingSymbolError, WrongFlavourError, Library,  # noqa: F401
                   find_library, library_filename, load as load_library)
from .pool import (Pool, PoolClosedError, DEFAULT_MAX_WORKERS,  # noqa: F401
                   WARMPOOL_MAX_WORKERS, default_workers)
from .resize import resize, Image  # noqa: F401
