// --pre-js of the threaded CPython: 3.1.6 gives the program a fixed environment; pass the
// host's PYTHON*/WARMPOOL* variables through so the Node runner can set them. (preRun
// runs on the main JS thread only; ENVIRONMENT_IS_PTHREAD is not defined yet up here.)
if (typeof process === 'object' && process.env) {
  Module['preRun'] = [].concat(Module['preRun'] || []);
  Module['preRun'].push(function () {
    for (var k in process.env) if (/^(PYTHON|WARMPOOL|WPB_)/.test(k)) ENV[k] = process.env[k];
  });
}
