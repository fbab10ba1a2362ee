// SPDX-License-Identifier: Apache-2.0
//
// Property check, Arrow side: every random frame property_gen wrote (p<i>.arrow)
// is decoded with apache-arrow and must equal the expected canonical form the
// generator wrote from the values it drew (p<i>.expect.json): metadata, types,
// nullability, null counts and every value bit for bit.
//
//   node property_arrow.mjs <property_gen out dir>
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { canonFromArrow, firstDifference } from './arrow_canon.mjs';

const dir = process.argv[2];
const frames = readdirSync(dir).filter((n) => /^p\d+\.arrow$/.test(n));
let failures = 0;
for (const name of frames) {
  const stem = name.slice(0, -'.arrow'.length);
  const expect = JSON.parse(readFileSync(join(dir, stem + '.expect.json'), 'utf8'));
  let diff;
  try {
    diff = firstDifference(expect, canonFromArrow(readFileSync(join(dir, name))));
  } catch (e) {
    diff = 'apache-arrow could not read it: ' + e.message;
  }
  if (diff) {
    failures++;
    if (failures <= 10) console.log(`FAIL ${stem}: ${diff}`);
  }
}
console.log(`${frames.length - failures} of ${frames.length} random frames decode to the expected content`);
process.exit(failures || frames.length === 0 ? 1 : 0);
