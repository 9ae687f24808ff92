"""warmpool: a small warm C thread pool for Python programs that call C through ctypes,
natively (CPython) and on WebAssembly (Pyodide, threaded CPython-on-Wasm).

    import ctypes, warmpool
    kernels = ctypes.CDLL("libmykernels.so")      # void k(void *ctx, size_t b, size_t e)
    with warmpool.Pool() as pool:
        pool.parallel_for(kernels.k, 0, n, ctx=buf)

The C library is found next to this package, or at $WARMPOOL_LIB, or Pool(library=path).
"""
from ._lib import (MissingSymbolError, Library, find_library, library_filename,  # noqa: F401
                   load as load_library)
from .pool import (Pool, PoolClosedError, DEFAULT_MAX_WORKERS,  # noqa: F401
                   WARMPOOL_MAX_WORKERS, default_workers)

__version__ = "0.1.0"
from .resize import resize, Image  # noqa: F401,E402
