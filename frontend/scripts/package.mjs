// Packaging step of `npm run build`: after rollup has written <repo>/dist/module.js, copy what
// Grafana needs next to it — plugin.json (with %VERSION% and %TODAY% filled in), img/,
// dashboards/, README/CHANGELOG/LICENSE — into <repo>/dist/. Other files in dist/ (the backend
// executables from the C build) are left alone.
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const frontend = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const root = resolve(frontend, '..');
const dist = process.env.ET_DIST_DIR ? resolve(process.env.ET_DIST_DIR) : join(root, 'dist');

function fail(message) {
  console.error(`package: ${message}`);
  process.exit(1);
}

if (!existsSync(join(dist, 'module.js'))) {
  fail(`${join(dist, 'module.js')} is missing: run rollup first (npm run build does both)`);
}

const version = JSON.parse(readFileSync(join(frontend, 'package.json'), 'utf8')).version;
// Reproducible builds: SOURCE_DATE_EPOCH fixes the date when set.
const epoch = process.env.SOURCE_DATE_EPOCH ? Number(process.env.SOURCE_DATE_EPOCH) * 1000 : Date.now();
const today = new Date(epoch).toISOString().slice(0, 10);

const pluginText = readFileSync(join(root, 'plugin.json'), 'utf8')
  .replaceAll('%VERSION%', version)
  .replaceAll('%TODAY%', today);
const plugin = JSON.parse(pluginText);
writeFileSync(join(dist, 'plugin.json'), pluginText);

function copyDir(from, to, filter = () => true) {
  mkdirSync(to, { recursive: true });
  const copied = [];
  for (const name of readdirSync(from)) {
    if (filter(name)) {
      copyFileSync(join(from, name), join(to, name));
      copied.push(name);
    }
  }
  return copied;
}

const images = copyDir(join(frontend, 'src', 'img'), join(dist, 'img'));
const dashboards = copyDir(join(root, 'dashboards'), join(dist, 'dashboards'), (n) => n.endsWith('.json'));
const docs = [];
for (const name of ['README.md', 'CHANGELOG.md', 'LICENSE']) {
  if (existsSync(join(root, name))) {
    copyFileSync(join(root, name), join(dist, name));
    docs.push(name);
  }
}

// Everything plugin.json points at must be in dist/.
for (const path of [
  plugin.info?.logos?.small,
  plugin.info?.logos?.large,
  ...(plugin.includes ?? []).map((i) => i.path),
]) {
  if (path && !existsSync(join(dist, path))) {
    fail(`plugin.json refers to ${path}, which is not in ${dist}`);
  }
}

// A signature manifest from an earlier build no longer matches these files, and Grafana refuses
// a plugin whose signature is "modified" even when unsigned plugins are allowed.
if (existsSync(join(dist, 'MANIFEST.txt'))) {
  rmSync(join(dist, 'MANIFEST.txt'));
  console.log('package: removed the stale MANIFEST.txt (sign the plugin again after building)');
}

console.log(
  `package: ${plugin.id} ${version} (${today}) -> ${dist}: module.js, plugin.json, ` +
    `img/ (${images.length}), dashboards/ (${dashboards.join(', ')}), ${docs.join(', ')}`
);
