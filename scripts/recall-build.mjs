#!/usr/bin/env node
// Rebuilds the texts of the recall set (bench/recall/cases/*) from a Linux source tree.
//
// A case whose meta.json has `rebuild.tree` takes its after.c from that tree (the named functions,
// in file order) and its before.c from after.c with each `rebuild.reverse_edits[]` entry undone
// (`after` → `before`, each must occur exactly once), i.e. the upstream fix reverse-applied to the
// function as it stands in the tree. Every `defects[].line_text` must then occur in before.c; its
// line number is written back as `defects[].line`. Cases without `rebuild` keep their texts as stored.
//
//   node scripts/recall-build.mjs [--tree /work/kernel/linux-source-6.12] [--check] [case-id...]
//
// --check rebuilds in memory and fails when a stored text or line differs (used by the tests).
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as prettier from 'prettier';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const casesDir = path.join(root, 'bench', 'recall', 'cases');

/** The lines of function `name`'s definition in kernel-style C: header lines through the closing `}` at column 0. */
export function extractFunction(text, name, where) {
  const lines = text.split('\n');
  const head = new RegExp(`^(?:[A-Za-z_][\\w\\s\\*]*[\\s\\*])?${name}\\s*\\(`);
  for (let i = 0; i < lines.length; i++) {
    if (!head.test(lines[i])) continue;
    // A definition: the parameter list closes and a `{` at column 0 follows before any `;`.
    let j = i;
    while (j < lines.length && !/^\{/.test(lines[j]) && !/;\s*$/.test(lines[j])) j++;
    if (j >= lines.length || !/^\{/.test(lines[j])) continue;
    let start = i;
    while (start > 0) {
      const prev = lines[start - 1];
      if (prev.trim() === '' || /[;}]\s*$/.test(prev) || /\*\/\s*$/.test(prev) || /^\s*#/.test(prev)) break;
      start--;
    }
    let end = j + 1;
    while (end < lines.length && lines[end] !== '}') end++;
    if (end >= lines.length) throw new Error(`${where}: no closing brace for ${name}()`);
    return { start, end, text: lines.slice(start, end + 1).join('\n') };
  }
  throw new Error(`${where}: function ${name}() not found`);
}

function occurrences(haystack, needle) {
  let n = 0;
  for (let at = haystack.indexOf(needle); at !== -1; at = haystack.indexOf(needle, at + 1)) n++;
  return n;
}

export function rebuildCase(meta, tree, where) {
  const { rebuild } = meta;
  const file = path.join(tree, meta.file);
  if (!existsSync(file)) throw new Error(`${where}: ${file} does not exist`);
  const source = readFileSync(file, 'utf8');
  const parts = rebuild.functions.map((fn) => extractFunction(source, fn, `${where} (${meta.file})`));
  parts.sort((a, b) => a.start - b.start);
  const after = `${parts.map((p) => p.text).join('\n\n')}\n`;
  let before = after;
  for (const [k, edit] of rebuild.reverse_edits.entries()) {
    const n = occurrences(before, edit.after);
    if (n !== 1) throw new Error(`${where}: reverse_edits[${k}].after occurs ${n} times (must be once)`);
    before = before.replace(edit.after, () => edit.before);
  }
  if (before === after) throw new Error(`${where}: the reverse edits change nothing`);
  return { before, after };
}

/** 1-based line of the `occurrence`-th (default 1st) line containing `text`. */
export function lineOf(text, needle, occurrence, where) {
  const lines = text.split('\n');
  let seen = 0;
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].includes(needle) && ++seen === (occurrence ?? 1)) return i + 1;
  }
  throw new Error(`${where}: defect line "${needle}" not found in before.c`);
}

async function main() {
  const args = process.argv.slice(2);
  const check = args.includes('--check');
  const treeAt = args.indexOf('--tree');
  const tree = treeAt >= 0 ? args[treeAt + 1] : '/work/kernel/linux-source-6.12';
  const only = args.filter((a, i) => !a.startsWith('--') && (treeAt < 0 || i !== treeAt + 1));
  const ids = readdirSync(casesDir)
    .filter((d) => existsSync(path.join(casesDir, d, 'meta.json')))
    .filter((d) => only.length === 0 || only.includes(d))
    .sort();
  let failed = 0;
  for (const id of ids) {
    const dir = path.join(casesDir, id);
    const metaPath = path.join(dir, 'meta.json');
    const meta = JSON.parse(readFileSync(metaPath, 'utf8'));
    try {
      let before;
      let after;
      if (meta.rebuild) {
        if (!existsSync(tree)) throw new Error(`kernel tree ${tree} is not there; cannot rebuild`);
        ({ before, after } = rebuildCase(meta, tree, id));
      } else {
        before = readFileSync(path.join(dir, 'before.c'), 'utf8');
        after = readFileSync(path.join(dir, 'after.c'), 'utf8');
      }
      for (const d of meta.defects) d.line = lineOf(before, d.line_text, d.occurrence, id);
      // Formatted as `npm run format` would, so that format:check stays quiet after a rebuild.
      const metaText = await prettier.format(JSON.stringify(meta), {
        ...(await prettier.resolveConfig(metaPath)),
        filepath: metaPath,
      });
      if (check) {
        const same =
          readFileSync(path.join(dir, 'before.c'), 'utf8') === before &&
          readFileSync(path.join(dir, 'after.c'), 'utf8') === after &&
          readFileSync(metaPath, 'utf8') === metaText;
        if (!same) throw new Error('stored texts or defect lines differ from a rebuild');
      } else {
        writeFileSync(path.join(dir, 'before.c'), before);
        writeFileSync(path.join(dir, 'after.c'), after);
        writeFileSync(metaPath, metaText);
      }
    } catch (e) {
      failed++;
      process.stderr.write(`${id}: ${e.message}\n`);
    }
  }
  process.stdout.write(`${ids.length - failed} cases ${check ? 'checked' : 'built'}, ${failed} failed\n`);
  process.exitCode = failed ? 1 : 0;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
