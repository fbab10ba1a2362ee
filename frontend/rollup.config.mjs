// Production build of the plugin frontend: one AMD module, <repo>/dist/module.js, the format
// Grafana's SystemJS loader expects. React, rxjs and @grafana/{data,ui,runtime} are provided by
// Grafana at run time (its shared dependencies), so they stay external; everything else is bundled.
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import esbuild from 'rollup-plugin-esbuild';

// <repo>/dist by default; ET_DIST_DIR puts it elsewhere (e.g. a build tree's dist/).
const dist = process.env.ET_DIST_DIR
  ? resolve(process.env.ET_DIST_DIR)
  : fileURLToPath(new URL('../dist', import.meta.url));

const shared = new Set([
  'react',
  'react-dom',
  'react/jsx-runtime',
  '@emotion/css',
  '@emotion/react',
  'lodash',
  'moment',
  'rxjs',
  'rxjs/operators',
]);

export default {
  input: 'src/module.ts',
  external: (id) => shared.has(id) || /^@grafana\/(data|ui|runtime)(\/|$)/.test(id),
  output: {
    file: `${dist}/module.js`,
    format: 'amd',
    sourcemap: true,
    inlineDynamicImports: true,
  },
  plugins: [esbuild({ target: 'es2020', jsx: 'transform', minify: process.env.NODE_ENV !== 'development' })],
  onwarn(warning, warn) {
    // A missing export or an unresolved import must fail the build, not just print a line.
    if (warning.code === 'UNRESOLVED_IMPORT' || warning.code === 'MISSING_EXPORT') {
      throw new Error(warning.message);
    }
    warn(warning);
  },
};
