// SPDX-License-Identifier: Apache-2.0
//
// Every golden Arrow file in shared/reference/frames (sdk, extracted,
// derived), decoded by apache-arrow, must equal what our encoder writes for
// the same logical frame:
//   1. generic: the golden's canonical form (arrow_canon.mjs) is handed to
//      spec_encode, which rebuilds the frame through the C API and encodes it;
//      both files are decoded and compared (schema and field metadata, types,
//      nullability, null counts, every value bit for bit);
//   2. hand-built: golden_build's output files (manifest.json) are decoded and
//      compared with their goldens the same way.
// A legacy golden (large.golden, 2022) carries old-style field metadata (a
// `name` key, no `tstype`): there we compare everything except that key pair
// and check our `tstype` separately.
//
//   node arrow_golden.mjs <reference/frames dir> <spec_encode> <golden_build out dir> <work dir>
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { canonFromArrow, firstDifference } from './arrow_canon.mjs';

const [refDir, specEncode, goldenOut, workDir] = process.argv.slice(2);
if (!existsSync(refDir)) {
  console.log(`reference directory ${refDir} is missing: skipped`);
  process.exit(77);
}
mkdirSync(workDir, { recursive: true });

const TSTYPE = (f) =>
  f.type === 'bool'
    ? 'boolean'
    : f.type === 'utf8'
      ? 'string'
      : f.type === 'binary'
        ? 'other'
        : f.type.startsWith('timestamp')
          ? 'time'
          : 'number';

function walk(dir) {
  const out = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(p));
    else if (e.name.endsWith('.arrow')) out.push(p);
  }
  return out.sort();
}

// Drop the legacy `name` field key from the golden and our `tstype` (checked).
function normaliseLegacy(golden, ours) {
  const problems = [];
  golden.fields.forEach((gf, i) => {
    const of = ours.fields[i];
    if (!of || !('name' in gf.metadata) || 'tstype' in gf.metadata) return;
    delete gf.metadata.name;
    const want = TSTYPE(gf);
    if (of.metadata.tstype !== want) problems.push(`field ${i}: tstype ${of.metadata.tstype} != ${want}`);
    delete of.metadata.tstype;
  });
  return problems;
}

let failures = 0;
let checked = 0;
function compare(label, golden, ours) {
  const problems = normaliseLegacy(golden, ours);
  const diff = firstDifference(golden, ours);
  if (diff) problems.push(diff);
  checked++;
  if (problems.length) {
    failures++;
    console.log(`FAIL ${label}: ${problems.join('; ')}`);
  } else {
    console.log(`ok   ${label}`);
  }
}

const goldens = ['sdk', 'extracted', 'derived'].flatMap((d) => walk(join(refDir, d)));
for (const path of goldens) {
  const rel = relative(refDir, path);
  const stem = join(workDir, rel.replace(/[\/]/g, '_'));
  const goldenCanon = canonFromArrow(readFileSync(path));
  writeFileSync(stem + '.spec.json', JSON.stringify({ frames: [goldenCanon] }));
  try {
    execFileSync(specEncode, [stem + '.spec.json', stem], { stdio: ['ignore', 'inherit', 'inherit'] });
  } catch (e) {
    failures++;
    console.log(`FAIL ${rel}: spec_encode exited with ${e.status}`);
    continue;
  }
  compare(`${rel} (rebuilt from its decoded content)`, goldenCanon, canonFromArrow(readFileSync(stem + '.0.arrow')));
}

const manifest = JSON.parse(readFileSync(join(goldenOut, 'manifest.json'), 'utf8'));
for (const entry of manifest) {
  const golden = canonFromArrow(readFileSync(join(refDir, entry.arrow_golden)));
  const ours = canonFromArrow(readFileSync(join(goldenOut, entry.name + '.arrow')));
  compare(`${entry.arrow_golden} (hand-built ${entry.name})`, golden, ours);
}

console.log(`${checked - failures} of ${checked} frames equal`);
process.exit(failures ? 1 : 0);
