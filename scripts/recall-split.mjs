#!/usr/bin/env node
// @ts-check
/**
 * Splits the recall set (bench/recall/cases/*) into `dev` and `held-out` with a fixed seed and
 * records the split in bench/recall/manifest.json.
 *
 * The first run shuffles every case with the seed (mulberry32) and gives the first half (rounded
 * up) to dev. Later runs never move a case that is already assigned: new cases are shuffled with
 * the same seed and dealt to whichever split is smaller, so that adding cases keeps the halves even
 * and the held-out cases stay unseen.
 *
 *   node scripts/recall-split.mjs [--seed 20261204]
 */
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { mulberry32, shuffle } from './triage-lib.mjs';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const benchDir = path.join(root, 'bench', 'recall');

function main() {
  const args = process.argv.slice(2);
  const seedAt = args.indexOf('--seed');
  const file = path.join(benchDir, 'manifest.json');
  const old = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : null;
  const seed = seedAt >= 0 ? Number(args[seedAt + 1]) : (old?.seed ?? 20261204);
  if (old && old.seed !== seed)
    throw new Error(`manifest seed is ${old.seed}; a different seed would reshuffle seen cases`);
  /** @type {{ dev: string[], 'held-out': string[] }} */
  const splits = { dev: [...(old?.splits.dev ?? [])], 'held-out': [...(old?.splits['held-out'] ?? [])] };
  const assigned = new Set([...splits.dev, ...splits['held-out']]);
  const ids = readdirSync(path.join(benchDir, 'cases'))
    .filter((d) => existsSync(path.join(benchDir, 'cases', d, 'meta.json')))
    .sort();
  const gone = [...assigned].filter((id) => !ids.includes(id));
  if (gone.length) throw new Error(`manifest names cases that are gone: ${gone.join(', ')}`);
  const fresh = shuffle(
    ids.filter((id) => !assigned.has(id)),
    mulberry32(seed + assigned.size),
  );
  for (const id of fresh) (splits.dev.length <= splits['held-out'].length ? splits.dev : splits['held-out']).push(id);
  splits.dev.sort();
  splits['held-out'].sort();
  const manifest = {
    seed,
    note: 'dev: for developers to read. held-out: for measuring only; rule authors must not read these cases.',
    splits,
  };
  writeFileSync(file, `${JSON.stringify(manifest, null, 2)}\n`);
  process.stdout.write(
    `dev ${splits.dev.length}, held-out ${splits['held-out'].length} (${fresh.length} newly assigned, seed ${seed})\n`,
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
