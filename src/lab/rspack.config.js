// @ts-check
/**
 * Additions to @jupyter/builder's rspack config for the federated extension
 * (package.json "jupyterlab.webpackConfig"). The builder merges this into its
 * own config, whose output.publicPath is 'auto': at run time the bundle knows
 * the URL of its static/ folder, and the kernel finds these files under it.
 *
 *   static/sync-kernel.worker.<hash>.js   the runtime's module Worker (prebuilt by esbuild)
 *   static/pyodide/                       Pyodide's own files, from the pyodide npm package
 *   static/wheels/                        the pinned Python wheels and their lock file
 */
const fs = require('fs');
const path = require('path');
const { rspack } = require('@rspack/core');

const root = path.resolve(__dirname, '..', '..');
const pyodideDir = path.dirname(require.resolve('pyodide/package.json', { paths: [root] }));
const wheelsDir = path.join(root, 'build', 'wheels');

/** The files Pyodide loads from its indexURL before any package is installed. */
const PYODIDE_FILES = ['pyodide.mjs', 'pyodide.asm.mjs', 'pyodide.asm.wasm', 'python_stdlib.zip', 'pyodide-lock.json'];

for (const file of PYODIDE_FILES) {
  if (!fs.existsSync(path.join(pyodideDir, file))) {
    throw new Error(`${file} is missing from ${pyodideDir}: is the pyodide npm package installed?`);
  }
}
if (!fs.existsSync(wheelsDir) || !fs.readdirSync(wheelsDir).some((f) => f.endsWith('.whl'))) {
  throw new Error(`no wheels in ${wheelsDir}: run \`npm run build:wheels\` first`);
}

module.exports = /** @type {import('@rspack/core').Configuration} */ ({
  // Pyodide's wasm and stdlib are big by nature; rspack's size hints are noise here.
  performance: { hints: false },
  optimization: {
    // The default minimizers, except that the worker is left as esbuild wrote it:
    // it is an ES module, which the script-mode minifier must not rewrite.
    minimizer: [
      new rspack.SwcJsMinimizerRspackPlugin({ exclude: /\.worker\./ }),
      new rspack.LightningCssMinimizerRspackPlugin(),
    ],
  },
  module: {
    rules: [
      {
        // Emitted as a file (content-hashed), not parsed again: it is already a
        // complete ES module and must stay one (Pyodide needs a module worker).
        test: /\.worker\.js$/,
        type: 'asset/resource',
        generator: { filename: '[name].[contenthash][ext]' },
      },
    ],
  },
  plugins: [
    new rspack.CopyRspackPlugin({
      patterns: [
        ...PYODIDE_FILES.map((file) => ({ from: path.join(pyodideDir, file), to: 'pyodide/' })),
        { from: wheelsDir, to: 'wheels/', globOptions: { ignore: ['**/.*'] } },
      ],
    }),
  ],
});
