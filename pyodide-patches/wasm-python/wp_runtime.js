// warmpool's runtime fixes for the threaded CPython on emcc 3.1.6 (--js-library).
mergeInto(LibraryManager.library, {
  // Trap: 3.1.6 gives a side module loaded after start-up _malloc'd memory for its data
  // and bss and never clears it; a -pthread side module's bss is not cleared by its own
  // init either, so its zero-initialised statics start as heap garbage. calloc instead.
  $getMemory__deps: ['$GOT', '__heap_base', 'calloc'],
  $getMemory: function(size) {
    if (runtimeInitialized) return _calloc(size, 1);
    // Before start-up (libraries linked at load time): take it from the heap base, which
    // is still untouched and so zero.
    var ret = ___heap_base;
    var end = (ret + size + 15) & -16;
    ___heap_base = end;
    GOT['__heap_base'].value = end;
    return ret;
  },
});
