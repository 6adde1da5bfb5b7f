// A jest transform for PGlite's CommonJS build only. It loads Node built-ins with `await import('fs')` etc.;
// inside jest's vm sandbox a dynamic import needs --experimental-vm-modules, so a plain `npx jest <file>`
// failed for every test that opens PGlite. `import("<built-in>")` becomes a resolved `require(...)`,
// which gives the same named exports. PGlite stays in jest's module registry and realm (loading it natively
// instead makes its `instanceof Date` checks fail on the tests' dates). Production code is untouched.
const BUILTIN_IMPORT = /\bimport\("((?:node:)?[a-z_/]+)"\)/g;

module.exports = {
  process(source) {
    // Through a hoisted top-level function: PGlite's emscripten code declares its own `var require` inside
    // the functions that import.
    const code = source.replace(BUILTIN_IMPORT, 'Promise.resolve(__pgliteRequireBuiltin("$1"))');
    return { code: `${code}\n;function __pgliteRequireBuiltin(id) { return require(id); }\n` };
  },
  getCacheKey(source) {
    return require('node:crypto')
      .createHash('sha256')
      .update('pglite-import-transform 2\n')
      .update(source)
      .digest('hex');
  },
};
