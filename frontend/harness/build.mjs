// Bundles the browser-test host page (harness/main.tsx with React, @grafana/* and the plugin
// sources) into <out>/harness-dist/ with esbuild. <out> is $ET_FRONTEND_OUT or frontend/test-output.
import { build } from 'esbuild';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const frontend = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const outDir = join(resolve(process.env.ET_FRONTEND_OUT ?? join(frontend, 'test-output')), 'harness-dist');

export async function buildHarness() {
  const started = Date.now();
  await build({
    entryPoints: { host: join(frontend, 'harness', 'main.tsx') },
    outdir: outDir,
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2020',
    jsx: 'transform',
    sourcemap: false,
    minify: true,
    logLevel: 'warning',
    define: { 'process.env.NODE_ENV': '"production"', global: 'window' },
    loader: { '.svg': 'file', '.woff': 'file', '.woff2': 'file', '.ttf': 'file', '.eot': 'file', '.png': 'file' },
  });
  console.log(`harness: bundled into ${outDir} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await buildHarness();
}
