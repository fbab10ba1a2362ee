// One frontend test step for ctest (tests/frontend/CMakeLists.txt): checks that `npm install`
// has run, then runs the step's commands in frontend/ and passes their exit status on.
//   node scripts/step.mjs typecheck|build|unit|validate|browser
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const frontend = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const bin = (pkg, file) => join(frontend, 'node_modules', pkg, file);

const STEPS = {
  typecheck: [
    [bin('typescript', 'bin/tsc'), '--noEmit', '-p', 'tsconfig.json'],
    [bin('prettier', 'bin/prettier.cjs'), '--check', 'src', 'tests', 'harness', 'scripts', '*.mjs'],
  ],
  build: [[bin('rollup', 'dist/bin/rollup'), '-c'], ['scripts/package.mjs']],
  unit: [[bin('vitest', 'vitest.mjs'), 'run', '--reporter=default', '--reporter=json', '--outputFile.json=UNIT_JSON']],
  validate: [['scripts/validate.mjs']],
  browser: [['harness/e2e.mjs']],
};

const step = process.argv[2];
if (!STEPS[step]) {
  console.error(`usage: step.mjs ${Object.keys(STEPS).join('|')}`);
  process.exit(2);
}

// The lockfile npm writes into node_modules tells whether the install is there and current.
const installed = join(frontend, 'node_modules', '.package-lock.json');
if (!existsSync(installed)) {
  console.error(
    'FAIL: frontend/node_modules is missing. Install the frontend packages first:\n' +
      '  (cd frontend && npm install --no-audit --no-fund)   # scripts/install-deps does this'
  );
  process.exit(1);
}
const lock = JSON.parse(readFileSync(join(frontend, 'package-lock.json'), 'utf8'));
const have = JSON.parse(readFileSync(installed, 'utf8'));
const stale = Object.entries(lock.packages ?? {})
  .filter(
    ([path, p]) => path.startsWith('node_modules/') && !p.optional && have.packages?.[path]?.version !== p.version
  )
  .map(([path, p]) => `${path.slice('node_modules/'.length)}@${p.version}`);
if (stale.length) {
  console.error(
    `FAIL: frontend/node_modules does not match package-lock.json (${stale.slice(0, 5).join(', ')}${stale.length > 5 ? ', ...' : ''}); run npm install in frontend/`
  );
  process.exit(1);
}

const out = resolve(process.env.ET_FRONTEND_OUT ?? join(frontend, 'test-output'));
mkdirSync(out, { recursive: true });
const started = Date.now();
for (const [script, ...args] of STEPS[step]) {
  const argv = args.map((a) => a.replace('UNIT_JSON', join(out, 'vitest.json')));
  const r = spawnSync(process.execPath, [script, ...argv], { cwd: frontend, stdio: 'inherit', env: process.env });
  if (r.status !== 0) {
    process.exit(r.status ?? 1);
  }
}
if (step === 'unit') {
  // The summary line the CI log reader recognises.
  const report = JSON.parse(readFileSync(join(out, 'vitest.json'), 'utf8'));
  console.log(`${report.numPassedTests} passed, ${report.numFailedTests} failed`);
}
console.log(`frontend ${step}: done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
