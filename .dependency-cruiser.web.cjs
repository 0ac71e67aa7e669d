/**
 * The same rules for the web's .tsx, which swc (the server packages' parser) cannot read: Babel
 * strips the types, acorn reads the rest. Type-only imports are stripped with the types, which is
 * fine here: the web has no server package among its dependencies to import types from.
 */
const { join } = require('node:path');

module.exports = {
  extends: './.dependency-cruiser.cjs',
  options: {
    parser: 'acorn',
    // A file name Babel itself never picks up, so the web build is not affected.
    babelConfig: { fileName: join(__dirname, '.dependency-cruiser.babel.cjs') },
  },
};
