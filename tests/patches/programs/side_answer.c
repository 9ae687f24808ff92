// A library that exists only in the main thread's MEMFS (memfs_sync.c).
int side_answer(void) { return 7; }
