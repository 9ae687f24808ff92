// The library exists only in the main thread's MEMFS: written there before main runs,
// from a file whose location the workers are never told.
Module['preRun'] = (Module['preRun'] || []).concat(function () {
  if (ENVIRONMENT_IS_PTHREAD) return;
  FS.mkdirTree('/wp-memfs-only');
  FS.writeFile('/wp-memfs-only/libside_answer.so',
    require('fs').readFileSync(process.env.WP_SIDE_ANSWER));
});
