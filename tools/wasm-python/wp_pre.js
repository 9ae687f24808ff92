// --pre-js of the threaded CPython: 3.1.6 gives the program a fixed environment; pass the
// host's PYTHON*/WARMPOOL* variables through so the Node runner can set PYTHONHOME etc.
if (typeof process === 'object' && typeof ENVIRONMENT_IS_PTHREAD !== 'undefined' && !ENVIRONMENT_IS_PTHREAD) {
  Module['preRun'] = [].concat(Module['preRun'] || []);
  Module['preRun'].push(function () {
    for (var k in process.env) if (/^(PYTHON|WARMPOOL)/.test(k)) ENV[k] = process.env[k];
  });
}
