"""warmpool.trace: the C tracer (warmpool_trace.h) from Python.

    from warmpool import trace
    trace.start()                       # pool events (and instrumented C code) from now on
    t0 = trace.now()
    pool.parallel_for(lib.kernel, 0, n, buf)
    if trace.now() - t0 > 16_000_000:   # slow frame? keep what happened
        trace.snapshot(since=t0).save("slow.json")   # open in ui.perfetto.dev

Timestamps are nanoseconds of the tracer's own clock: compare them only with now().
Python code itself is not traced (only C: the pool's events and -finstrument-functions
code); the JSON names pool threads "<prefix>-<n>". On Wasm, save() writes through
Python's file system (Pyodide: MEMFS unless a real directory is mounted).
"""
import ctypes

from ._lib import default_library, load

__all__ = ["start", "stop", "enable", "enabled", "pause", "resume", "name_thread",
           "clear", "now", "snapshot", "Snapshot", "Event", "KINDS", "NO_ADDR2LINE"]

KINDS = ("call", "return", "job_begin", "job_end", "serial", "chunk_begin", "chunk_end",
         "wake", "sleep", "warm", "thread_start", "thread_exit")
NO_ADDR2LINE = 1


class _Event(ctypes.Structure):
    _fields_ = [("ns", ctypes.c_uint64), ("fn", ctypes.c_uint64), ("a", ctypes.c_uint64),
                ("b", ctypes.c_uint64), ("c", ctypes.c_uint64), ("kind", ctypes.c_uint32),
                ("thread", ctypes.c_uint32), ("seq", ctypes.c_uint32),
                ("reserved", ctypes.c_uint32)]


class _Thread(ctypes.Structure):
    _fields_ = [("tid", ctypes.c_uint64), ("name", ctypes.c_char * 32),
                ("count", ctypes.c_size_t), ("events", ctypes.POINTER(_Event)),
                ("overwritten", ctypes.c_uint64)]


class Event(tuple):
    """One event: kind (a name from KINDS), ns, fn (function or pool address), a, b, c
    (kind-specific: a chunk's begin/end, a job's range and grain...), thread (0: a
    submitting thread, n: worker n), seq (the pool's job number)."""
    __slots__ = ()
    _names = ("kind", "ns", "fn", "a", "b", "c", "thread", "seq")

    def __new__(cls, e):
        kind = KINDS[e.kind] if e.kind < len(KINDS) else str(e.kind)
        return tuple.__new__(cls, (kind, e.ns, e.fn, e.a, e.b, e.c, e.thread, e.seq))

    def __getattr__(self, name):
        try:
            return self[Event._names.index(name)]
        except ValueError:
            raise AttributeError(name) from None

    def __repr__(self):
        return "Event(" + ", ".join(f"{n}={v!r}" for n, v in zip(Event._names, self)) + ")"


def _lib(library=None):
    return load(library) if library is not None else default_library()


def start(events_per_thread=0, library=None):
    """Turns tracing on; events_per_thread sizes the ring of each thread that starts
    recording from now on (rounded up to a power of two; 0: the library's default)."""
    err = _lib(library).warmpool_trace_start(events_per_thread)
    if err:
        raise OSError(err, "warmpool_trace_start failed")


def enable(on=True, library=None):
    _lib(library).warmpool_trace_enable(1 if on else 0)


def stop(library=None):
    """Stops recording everywhere; what was recorded stays for snapshot()."""
    enable(False, library)


def enabled(library=None):
    return bool(_lib(library).warmpool_trace_enabled())


def pause(library=None):
    """Stops recording on the calling thread only (resume() undoes it)."""
    _lib(library).warmpool_trace_pause()


def resume(library=None):
    _lib(library).warmpool_trace_resume()


def name_thread(name, library=None):
    """Names the calling thread in traces."""
    _lib(library).warmpool_trace_name_thread(name.encode())


def clear(library=None):
    """Forgets everything recorded so far."""
    _lib(library).warmpool_trace_clear()


def now(library=None):
    """Now, in nanoseconds of the tracer's clock."""
    return _lib(library).warmpool_trace_now_ns()


def snapshot(since=0, library=None):
    """Every thread's events with a timestamp >= since (0: all that are still kept)."""
    lib = _lib(library)
    ptr = lib.warmpool_trace_snapshot_since(since)
    if not ptr:
        err = ctypes.get_errno()
        raise OSError(err, "warmpool_trace_snapshot_since failed")
    return Snapshot(lib, ptr)


class Snapshot:
    """A copy of the trace; free it with close() (or a with-block, or let it be
    collected)."""

    def __init__(self, lib, ptr):
        self._lib, self._ptr = lib, ptr

    def _check(self):
        if not self._ptr:
            raise ValueError("snapshot is closed")
        return self._ptr

    def threads(self):
        """[(tid, name, [Event, ...]), ...] for every thread with events."""
        p, out = self._check(), []
        for i in range(self._lib.warmpool_trace_thread_count(p)):
            t = _Thread.from_address(self._lib.warmpool_trace_thread_at(p, i))
            out.append((t.tid, t.name.decode(errors="replace"),
                        [Event(t.events[k]) for k in range(t.count)]))
        return out

    def json(self, flags=0):
        """The Chrome/Perfetto trace-event JSON, as a str."""
        n = ctypes.c_size_t()
        js = self._lib.warmpool_trace_json(self._check(), flags, ctypes.addressof(n))
        if not js:
            raise OSError(ctypes.get_errno(), "warmpool_trace_json failed")
        try:
            return ctypes.string_at(js, n.value).decode(errors="replace")
        finally:
            self._lib.warmpool_trace_json_free(js)

    def save(self, path, flags=0):
        """Writes json() to path; returns path."""
        data = self.json(flags)
        with open(path, "w", encoding="utf-8") as f:
            f.write(data)
        return path

    def close(self):
        if self._ptr:
            self._lib.warmpool_trace_free(self._ptr)
            self._ptr = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass
