// Start-up libraries the embedder names (the main module is not linked against them).
Module['dynamicLibraries'] = ['libside_data.so'];
