"""Pool: a warm C thread pool driven from Python through ctypes.

Only C runs on the pool's threads: parallel_for takes a C function pointer
(void fn(void *ctx, size_t begin, size_t end)) and a context address, and returns when
every item of [begin, end) has been done.
"""
import contextlib
import ctypes
import errno
import os
import threading
from threading import get_ident as _get_ident

from . import _lib

__all__ = ["Pool", "PoolClosedError", "WARMPOOL_MAX_WORKERS", "DEFAULT_MAX_WORKERS"]

WARMPOOL_MAX_WORKERS = 256
# Default worker count is cores - 1 (the caller is a thread too), capped: past a handful
# of threads a sub-millisecond job gains little and every thread costs memory (on the Web,
# one Web Worker each).
DEFAULT_MAX_WORKERS = 8
STATS_VERSION = 1


class PoolClosedError(ValueError):
    """The pool was closed (like I/O on a closed file)."""


class _Options(ctypes.Structure):
    _fields_ = [
        ("workers", ctypes.c_uint),
        ("cool_after_ms", ctypes.c_double),
        ("name", ctypes.c_char_p),
        ("stack_size", ctypes.c_size_t),
        ("on_start", ctypes.c_void_p),      # always NULL: no Python on pool threads
        ("on_start_arg", ctypes.c_void_p),
        ("flags", ctypes.c_uint),
    ]


_U64 = ctypes.c_uint64


class _Stats(ctypes.Structure):
    """Mirror of warmpool_stats (WARMPOOL_STATS_VERSION 1). Fields are only appended in C,
    so an older library fills a prefix: stats() reports only the fields it filled."""
    _fields_ = [("version", ctypes.c_uint32), ("size", ctypes.c_uint32)] + [
        (n, _U64) for n in (
            "workers_requested", "workers_started", "create_errno", "jobs_parallel",
            "jobs_serial_not_ready", "jobs_serial_nested", "jobs_serial_concurrent",
            "jobs_serial_tiny", "jobs_serial_no_workers", "items_caller", "items_workers",
            "chunks_workers", "joins", "late_wakeups", "futex_wakes", "caller_sleeps",
            "worker_sleeps", "warm_on", "cooldowns")]


def _cpu_count():
    f = getattr(os, "process_cpu_count", None)  # 3.13: honours affinity
    if f is not None:
        return f() or 1
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def default_workers():
    return max(0, min(_cpu_count() - 1, DEFAULT_MAX_WORKERS))


def _oserror(err, what):
    # OSError(errno, ...) picks the matching subclass (TimeoutError for ETIMEDOUT...).
    if not err:
        return OSError(f"{what} failed (errno not set)")
    return OSError(err, f"{what}: {os.strerror(err)}")


def _is_python_callback(fn):
    # ctypes keeps the thunk of a CFUNCTYPE(python_callable) in _objects['0'];
    # a function from a CDLL keeps the CDLL there instead.
    objs = getattr(fn, "_objects", None)
    return isinstance(objs, dict) and type(objs.get("0")).__name__ == "CThunkObject"


_SIZE_MAX = (1 << (8 * ctypes.sizeof(ctypes.c_size_t))) - 1


def _size(v, what):
    if isinstance(v, bool) or not isinstance(v, int):
        raise TypeError(f"{what} must be an int, not {type(v).__name__}")
    v = int(v)
    if v < 0 or v > _SIZE_MAX:
        raise OverflowError(f"{what}={v} does not fit in size_t")
    return v


def _ctx_arg(ctx):
    """ctx as an argument for a c_void_p parameter (keeping what it points into alive)."""
    if isinstance(ctx, bool):
        raise TypeError("ctx must be an address, a ctypes object or a buffer, not bool")
    if isinstance(ctx, int):
        return int(ctx)
    if isinstance(ctx, (ctypes.Array, ctypes._Pointer, ctypes.c_void_p, ctypes.c_char_p,
                        ctypes.c_wchar_p)):
        return ctx  # ctypes passes their address / pointer value itself
    if isinstance(ctx, (ctypes.Structure, ctypes.Union, ctypes._SimpleCData)):
        return ctypes.byref(ctx)  # byref keeps ctx alive
    if isinstance(ctx, bytes):  # read-only: C must not write to it
        return ctx
    ai = getattr(ctx, "__array_interface__", None)  # numpy, without importing numpy
    if ai is not None:
        return ai["data"][0]  # the caller still holds ctx
    try:
        mv = memoryview(ctx)
    except TypeError:
        raise TypeError("ctx must be None, an int address, a ctypes object, bytes or a "
                        f"buffer, not {type(ctx).__name__}") from None
    with mv:
        if mv.readonly:
            raise TypeError("ctx is a read-only buffer; pass bytes or a writable buffer")
        if not mv.c_contiguous:
            raise TypeError("ctx buffer is not contiguous")
        nbytes = mv.nbytes
    # The ctypes view holds a buffer export, so a bytearray cannot be resized under C.
    view = (ctypes.c_char * nbytes).from_buffer(ctx)
    return view


class Pool:
    """A warm thread pool. `with Pool() as pool: pool.parallel_for(lib.kernel, 0, n, ctx)`.

    workers: threads besides the caller (default: cores - 1, at most DEFAULT_MAX_WORKERS).
    allow_python_callbacks: natively, accept ctypes CFUNCTYPE Python callables as `fn`
    (they run, but every call takes the GIL, so the work is serialised; an exception in
    one is printed by ctypes, not raised; a callback must not close its own pool). Never
    allowed on Emscripten: a JS-wrapped function cannot run on a pool thread.
    Every method may be called from any thread; close() waits for calls in progress.
    """

    def __init__(self, workers=None, *, name=None, cool_after_ms=None, stack_size=0,
                 allow_python_callbacks=False, library=None):
        self._handle = None
        self._lock = threading.Lock()  # used raw on the hot path: Condition's with is slower
        self._cond = threading.Condition(self._lock)
        self._busy = 0          # C calls in progress
        self._in_callback = set()  # threads running a Python callback of this pool
        self._warm_depth = 0
        self._fn_cache = {}     # id(fn) -> (fn, argument): C functions already checked
        self._allow_py = bool(allow_python_callbacks)
        self._lib = library if isinstance(library, _lib.Library) else _lib.load(library)
        if workers is None:
            workers = default_workers()
        if isinstance(workers, bool) or not isinstance(workers, int):
            raise TypeError("workers must be an int")
        if workers < 0:
            raise ValueError("workers must be >= 0")
        if workers >= 1 << 32:
            raise OverflowError("workers does not fit in unsigned int")
        if name is None and cool_after_ms is None and not stack_size:
            h = self._lib.warmpool_create(workers)
        else:
            opt = _Options(workers=workers, cool_after_ms=cool_after_ms or 0.0,
                           name=None if name is None else os.fsencode(name),
                           stack_size=_size(stack_size, "stack_size"))
            h = self._lib.warmpool_create_ex(ctypes.addressof(opt))
        if not h:
            raise _oserror(ctypes.get_errno(), f"warmpool_create({workers})")
        self._handle = h
        self._pf = self._lib.warmpool_parallel_for
        self._pft = None  # warmpool_parallel_for_with_thread, bound on first use

    # -- lifetime ---------------------------------------------------------------------
    # Every C call holds the pool open (_enter/_leave): close() marks the pool closed at
    # once, then waits for calls in progress before destroying it, so a call racing with
    # close() either raises PoolClosedError or completes; none touches freed memory.
    def _enter(self):
        with self._lock:
            h = self._handle
            if h is None:
                raise PoolClosedError("the pool is closed")
            self._busy += 1
        return h

    def _leave(self):
        with self._lock:
            self._busy -= 1
            if not self._busy and self._handle is None:
                self._cond.notify_all()  # close() is waiting

    @contextlib.contextmanager
    def _use(self):
        """`with pool._use() as handle:` for other modules of the package (resize)."""
        h = self._enter()
        try:
            yield h
        finally:
            self._leave()

    def close(self):
        """Stops and joins the workers. Waits for calls still running in other threads;
        a second close() does nothing."""
        with self._cond:
            if self._handle is None:
                return
            if _get_ident() in self._in_callback:
                raise RuntimeError("close() from a callback of this pool's own job")
            h, self._handle = self._handle, None  # new calls now raise PoolClosedError
            while self._busy:
                self._cond.wait()
        self._lib.warmpool_destroy(h)

    @property
    def closed(self):
        return self._handle is None

    def __enter__(self):
        if self._handle is None:
            raise PoolClosedError("the pool is closed")
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        if getattr(self, "_handle", None) is not None:
            try:
                self.close()
            except Exception:
                pass

    def __repr__(self):
        if self._handle is None:
            return "<warmpool.Pool closed>"
        return f"<warmpool.Pool workers={self.workers} ready={self.ready()}>"

    # -- state --------------------------------------------------------------------------
    @property
    def workers(self):
        """Worker threads started (the caller excluded); 0 with the serial Wasm library."""
        with self._use() as h:
            return self._lib.warmpool_workers(h)

    def ready(self):
        """How many workers have started and wait for jobs."""
        with self._use() as h:
            return self._lib.warmpool_ready(h)

    def wait_ready(self, timeout=None):
        """True once every worker is ready, False after `timeout` seconds (None: no limit).
        On Wasm, workers start only after the JS event loop turns: called from the main
        thread before that, this can only time out."""
        ms = -1.0 if timeout is None else max(0.0, float(timeout) * 1000.0)
        with self._use() as h:
            if (ms < 0 and _lib.is_emscripten()
                    and threading.current_thread() is threading.main_thread()
                    and self._lib.warmpool_ready(h) < self._lib.warmpool_workers(h)):
                raise ValueError("wait_ready() without a timeout on the Wasm main thread "
                                 "would never return: workers start only after the JS "
                                 "event loop turns")
            err = self._lib.warmpool_wait_ready(h, ms)
        if err == 0:
            return True
        if err == errno.ETIMEDOUT:
            return False
        raise _oserror(err, "warmpool_wait_ready")

    @property
    def is_warm(self):
        with self._use() as h:
            return bool(self._lib.warmpool_is_warm(h))

    @contextlib.contextmanager
    def warm(self):
        """`with pool.warm():` workers busy-wait for jobs inside the block (e.g. from
        pointer-down to pointer-up). Nested blocks keep it warm until the outermost ends;
        the pool also cools by itself after cool_after_ms without a job."""
        # The switch happens under the lock, so one thread leaving the outermost block
        # cannot turn warm mode off after another thread's block turned it on.
        h = self._enter()
        try:
            with self._lock:
                self._warm_depth += 1
                if self._warm_depth == 1:
                    self._lib.warmpool_warm(h, 1)
        finally:
            self._leave()
        try:
            yield self
        finally:
            try:
                h = self._enter()
            except PoolClosedError:
                h = None  # closed inside the block: nothing left to cool
            try:
                with self._lock:
                    self._warm_depth -= 1
                    if self._warm_depth == 0 and h is not None:
                        self._lib.warmpool_warm(h, 0)
            finally:
                if h is not None:
                    self._leave()

    def stats(self):
        """The pool's counters as a dict (only those the loaded library fills in)."""
        s = _Stats()
        with self._use() as h:
            err = self._lib.warmpool_get_stats(h, ctypes.addressof(s), ctypes.sizeof(s))
        if err:
            raise _oserror(err, "warmpool_get_stats")
        if s.version < 1 or s.size < 8:
            raise RuntimeError(f"warmpool_get_stats filled nothing (version {s.version}, "
                               f"size {s.size})")
        out = {}
        for name, ctype in _Stats._fields_:
            if getattr(_Stats, name).offset + ctypes.sizeof(ctype) <= s.size:
                out[name] = getattr(s, name)
        return out

    def reset_stats(self):
        with self._use() as h:
            self._lib.warmpool_reset_stats(h)

    # -- work ---------------------------------------------------------------------------
    def _bind_with_thread(self):
        self._pft = self._lib.warmpool_parallel_for_with_thread
        return self._pft

    def _fn_arg(self, fn):
        """(fn as an argument for the c_void_p parameter, is it a Python callback): ctypes
        passes a function object's pointer itself, no cast needed."""
        if type(fn) is int:
            if not fn:
                raise ValueError("fn is a NULL function pointer")
            return fn, False
        hit = self._fn_cache.get(id(fn))
        if hit is not None and hit[0] is fn:
            return hit[1], False
        callback = False
        if isinstance(fn, ctypes._CFuncPtr):
            callback = _is_python_callback(fn)
            if callback:
                if _lib.is_emscripten():
                    raise TypeError(
                        "fn is a Python callable wrapped by ctypes (CFUNCTYPE); on "
                        "Emscripten it is a JS function, which cannot run on pool threads: "
                        "pass a C function from a ctypes.CDLL")
                if not self._allow_py:
                    raise TypeError(
                        "fn is a Python callable wrapped by ctypes (CFUNCTYPE): every call "
                        "would take the GIL, so the pool would run it serially; pass a C "
                        "function from a ctypes.CDLL, or Pool(allow_python_callbacks=True)")
            addr = fn
        elif isinstance(fn, ctypes.c_void_p):
            addr = fn.value
        elif isinstance(fn, int) and not isinstance(fn, bool):
            addr = int(fn)
        else:
            raise TypeError("fn must be a C function pointer (e.g. ctypes.CDLL(...).kernel) "
                            f"or an int address, not {type(fn).__name__}")
        if not addr:  # a NULL function object is falsy too
            raise ValueError("fn is a NULL function pointer")
        if not callback:
            # Checked C functions, by identity (the entry holds fn, so its id stays its
            # own): the checks cost more than the call in Pyodide. Bounded: cleared when full.
            if len(self._fn_cache) >= 64:
                self._fn_cache.clear()
            self._fn_cache[id(fn)] = (fn, addr)
        return addr, callback

    def parallel_for(self, fn, begin, end, ctx=None, grain=0, with_thread=False):
        """Runs fn(ctx, b, e) over [begin, end) in chunks of at most `grain` items (0: about
        four chunks per thread) on the caller and the workers; returns when all are done.
        fn: a C function from any ctypes.CDLL (`lib.kernel`) or its int address.
        ctx: None, an int address, a ctypes object (passed by address), bytes (read-only),
        or a writable buffer (bytearray, array.array, numpy array).
        with_thread=True: fn is fn(ctx, unsigned thread, b, e), thread being 0 for the
        caller and 1..workers for the workers (0 in every chunk of a job that runs
        serially: see warmpool_parallel_for_with_thread in warmpool.h)."""
        pf = self._pf
        if with_thread:
            pf = self._pft or self._bind_with_thread()
        f, callback = self._fn_arg(fn)
        if type(begin) is not int or type(end) is not int or type(grain) is not int:
            begin, end, grain = (_size(begin, "begin"), _size(end, "end"),
                                 _size(grain, "grain"))
        elif (begin < 0 or end < 0 or grain < 0 or begin > _SIZE_MAX or end > _SIZE_MAX
              or grain > _SIZE_MAX):
            raise OverflowError(f"begin={begin}, end={end}, grain={grain}: not all fit in size_t")
        if ctx is None or type(ctx) is int:
            c = ctx
        else:
            c = _ctx_arg(ctx)  # holds what C will touch until the call returns
        if callback:  # natively, when allowed: close() from inside must not wait for itself
            me = _get_ident()
            h = self._enter()
            self._in_callback.add(me)
            try:
                pf(h, begin, end, grain, f, c)
            finally:
                self._in_callback.discard(me)
                self._leave()
            return
        # _enter/_leave inlined: this is the per-job path.
        with self._lock:
            h = self._handle
            if h is None:
                raise PoolClosedError("the pool is closed")
            self._busy += 1
        try:
            pf(h, begin, end, grain, f, c)
        finally:
            with self._lock:
                self._busy -= 1
                if not self._busy and self._handle is None:
                    self._cond.notify_all()
