#!/usr/bin/env python3
"""Make the start function of a shared-memory PIC wasm apply global relocations first.

Trap (LLVM 14 wasm-ld, shared memory + PIC, as in a -pthread MAIN_MODULE): the start
function __wasm_start calls __wasm_init_memory, which applies the data relocations after
memory.init, and only then __wasm_apply_global_relocs. Data relocations of symbols reached
through the GOT (every exported symbol: MAIN_MODULE exports all) read GOT globals that are
not relocated yet, so static pointers to exported symbols come out wrong: CPython traps in
_Py_Deepfreeze_Init before it prints anything. We swap the two calls. Needs the function
names (link with --profiling-funcs) and the start function as wasm-ld wrote it (link at
-O1: binaryen's -O2 would inline it).

Usage: wasmfix.py FILE.wasm [--check] [--unfix]
  idempotent; --check only reports (exit 1: needs the fix); --unfix restores wasm-ld's
  order (for the test that shows the fix is needed).
"""
import os
import sys


def uleb(b, i):
    r = s = 0
    while True:
        x = b[i]; i += 1
        r |= (x & 0x7f) << s; s += 7
        if x < 0x80:
            return r, i


def enc_uleb(v):
    out = bytearray()
    while True:
        x = v & 0x7f; v >>= 7
        out.append(x | (0x80 if v else 0))
        if not v:
            return bytes(out)


def sections(b):
    i = 8
    while i < len(b):
        sid = b[i]
        size, j = uleb(b, i + 1)
        yield sid, j, j + size
        i = j + size


def func_names(b, start, end):
    name_len, i = uleb(b, start)
    if b[i:i + name_len] != b'name':
        return None
    i += name_len
    names = {}
    while i < end:
        sub = b[i]
        size, j = uleb(b, i + 1)
        if sub == 1:
            n, k = uleb(b, j)
            for _ in range(n):
                idx, k = uleb(b, k)
                ln, k = uleb(b, k)
                names[idx] = b[k:k + ln].decode('utf-8', 'replace')
                k += ln
        i = j + size
    return names


def main(path, check, unfix=False):
    b = bytearray(open(path, 'rb').read())
    n_imported = 0
    start_fn = code = names = None
    for sid, s, e in sections(b):
        if sid == 2:  # imports: count functions, function indices start after them
            n, i = uleb(b, s)
            for _ in range(n):
                for _field in range(2):
                    ln, i = uleb(b, i); i += ln
                kind = b[i]; i += 1
                if kind == 0:
                    _, i = uleb(b, i); n_imported += 1
                elif kind == 1:
                    i += 1; flags, i = uleb(b, i); _, i = uleb(b, i)
                    if flags & 1: _, i = uleb(b, i)
                elif kind == 2:
                    flags, i = uleb(b, i); _, i = uleb(b, i)
                    if flags & 1: _, i = uleb(b, i)
                elif kind == 3:
                    i += 2
                else:
                    raise SystemExit('wasmfix: unknown import kind %d' % kind)
        elif sid == 8:
            start_fn, _ = uleb(b, s)
        elif sid == 10:
            code = (s, e)
        elif sid == 0 and names is None:
            names = func_names(b, s, e)
    if start_fn is None or code is None or not names:
        raise SystemExit('wasmfix: %s has no start function, code or name section '
                         '(link with --profiling-funcs)' % path)
    byname = {v: k for k, v in names.items()}
    data_fn = byname.get('__wasm_apply_data_relocs')
    glob_fn = byname.get('__wasm_apply_global_relocs')
    # Locate the start function's body.
    n, i = uleb(b, code[0])
    for idx in range(n):
        size, j = uleb(b, i)
        if idx + n_imported == start_fn:
            body = (j, j + size)
            break
        i = j + size
    else:
        raise SystemExit('wasmfix: start function body not found')
    s, e = body
    nlocals, k = uleb(b, s)
    if nlocals:
        raise SystemExit('wasmfix: unexpected locals in the start function %s' % names.get(start_fn))
    calls = []
    while k < e and b[k] == 0x10:
        at = k
        f, k = uleb(b, k + 1)
        calls.append((at, k, f))
    desc = ' '.join(names.get(f, str(f)) for _, _, f in calls)
    if data_fn is None or glob_fn is None:
        print('wasmfix: %s: no data/global relocation functions (start: %s): nothing to do' % (path, desc))
        return 0
    order = [f for _, _, f in calls]
    if data_fn not in order:
        # With shared memory wasm-ld applies the data relocations inside
        # __wasm_init_memory (once, after memory.init), which the start function calls.
        data_fn = byname.get('__wasm_init_memory')
    if data_fn not in order or glob_fn not in order:
        raise SystemExit('wasmfix: start function %s calls %s; expected the data and the '
                         'global relocations there' % (names.get(start_fn), desc))
    di, gi = order.index(data_fn), order.index(glob_fn)
    if (gi < di) != unfix:
        print('wasmfix: %s: already %s (%s)' % (
            path, 'data relocs first' if unfix else 'global relocs first', desc))
        return 0
    if check:
        print('wasmfix: %s: NEEDS FIX (%s)' % (path, desc))
        return 1
    # Swap the two call instructions in place. Both indices are rewritten with the same
    # encodings in swapped places, so the body keeps its size.
    swapped = [glob_fn if f == data_fn else data_fn if f == glob_fn else f for f in order]
    seg = b''.join(b'\x10' + enc_uleb(f) for f in swapped)
    lo, hi = calls[0][0], calls[-1][1]
    if len(seg) != hi - lo:
        raise SystemExit('wasmfix: call sequence changed length; not rewriting')
    b[lo:hi] = seg
    tmp = path + '.tmp'
    with open(tmp, 'wb') as f:
        f.write(b)
    os.replace(tmp, path)
    print('wasmfix: %s: start function %s now calls %s' % (
        path, names.get(start_fn), ' '.join(names.get(f, str(f)) for f in swapped)))
    return 0


if __name__ == '__main__':
    args = [a for a in sys.argv[1:] if a not in ('--check', '--unfix')]
    if len(args) != 1:
        raise SystemExit(__doc__)
    sys.exit(main(args[0], '--check' in sys.argv, '--unfix' in sys.argv))
