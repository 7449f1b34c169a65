// Phase 3: Neovim (0.7.2) headless as a second, independent LSP client of `pinscope lsp --stdio`
// (test/e2e/nvim/pinscope.lua). Checks: the diagnostics, the code actions, the text after the
// get→pin conversion and after source.fixAll.pinscope (exactly the expected files), the hover.
// Skipped, with a message, when nvim is not installed. Also runnable on its own:
//   node test/e2e/nvim.mjs
import { spawnSync } from 'node:child_process';
import { cpSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { DEMO_REL, EXPECTED, FIXTURE_WS, log, onlyRulesUnderTest, removeDir, ROOT, tempDir } from './lib.mjs';

/** @returns {Promise<{ passed: number, failed: number, note?: string }>} */
export async function runNeovim({ dir }) {
  const which = spawnSync('nvim', ['--version'], { encoding: 'utf8' });
  if (which.error || which.status !== 0) {
    log('  SKIPPED: nvim is not installed (Debian: apt-get install neovim)');
    return { passed: 0, failed: 0, note: 'skipped: nvim not installed' };
  }
  log(`  ${which.stdout.split('\n')[0]}`);
  const ws = path.join(dir, 'nvim-ws');
  cpSync(FIXTURE_WS, ws, { recursive: true });
  const out = path.join(dir, 'nvim.json');
  const started = Date.now();
  const run = spawnSync(
    'nvim',
    ['--headless', '-n', '-i', 'NONE', '-u', path.join(ROOT, 'test', 'e2e', 'nvim', 'pinscope.lua')],
    {
      cwd: ws,
      encoding: 'utf8',
      timeout: 120_000,
      env: {
        ...process.env,
        PINSCOPE_CMD: `${process.execPath} ${path.join(ROOT, 'bin', 'pinscope.js')} lsp --stdio`,
        TEST_FILE: path.join(ws, DEMO_REL),
        OUT_JSON: out,
        PINSCOPE_RULES: JSON.stringify(onlyRulesUnderTest()),
      },
    },
  );
  let result;
  try {
    result = JSON.parse(readFileSync(out, 'utf8'));
  } catch {
    log(
      `  ✘ nvim produced no result (exit ${run.status}, ${run.signal ?? 'no signal'}): ${(run.stdout + run.stderr).slice(-1500)}`,
    );
    return { passed: 0, failed: 1 };
  }
  log(`  nvim ${result.nvim} finished in ${Date.now() - started} ms (exit ${run.status})`);
  const checks = [
    ['the headless session answered every request', () => result.ok === true && run.status === 0, () => result.error],
    [
      'diagnostics: longterm-get, release-mismatch, api-version, internal-foll-flag with source pinscope',
      () =>
        JSON.stringify((result.diagnostics ?? []).map((d) => [d.code, d.source])) ===
        JSON.stringify([
          ['longterm-get', 'pinscope'],
          ['release-mismatch', 'pinscope'],
          ['api-version', 'pinscope'],
          ['internal-foll-flag', 'pinscope'],
        ]),
      () => JSON.stringify(result.diagnostics),
    ],
    [
      'the longterm-get range is the FOLL_LONGTERM of line 19',
      () =>
        isDeepStrictEqual(result.diagnostics?.[0]?.range, {
          start: { line: 18, character: 58 },
          end: { line: 18, character: 71 },
        }),
      () => JSON.stringify(result.diagnostics?.[0]?.range),
    ],
    [
      'the code actions: the conversion, preferred',
      () =>
        isDeepStrictEqual(result.actions, [
          {
            title: 'Convert get_user_pages_fast() to pin_user_pages_fast() and unpin the pages at 1 release',
            kind: 'quickfix',
            isPreferred: true,
          },
        ]),
      () => JSON.stringify(result.actions),
    ],
    [
      'after the get→pin conversion the buffer equals expected/pinscope_demo.get-to-pin.c',
      () => result.textAfterConversion === readFileSync(path.join(EXPECTED, 'pinscope_demo.get-to-pin.c'), 'utf8'),
      () => result.textAfterConversion,
    ],
    [
      'the hover shows the 6.12 signature',
      () => /\*Signature in Linux 6\.12\.\*/.test(result.hover ?? ''),
      () => result.hover,
    ],
    [
      'after source.fixAll.pinscope the buffer equals expected/pinscope_demo.fix-all.c',
      () =>
        result.fixAllTitle === 'Fix 3 pinscope findings (safe fixes only)' &&
        result.textAfterFixAll === readFileSync(path.join(EXPECTED, 'pinscope_demo.fix-all.c'), 'utf8'),
      () => `${result.fixAllTitle}\n${result.textAfterFixAll}`,
    ],
  ];
  let passed = 0;
  let failed = 0;
  for (const [name, check, detail] of checks) {
    if (check()) {
      passed++;
      log(`  ✔ ${name}`);
    } else {
      failed++;
      log(`  ✘ ${name}\n      got: ${String(detail()).slice(0, 2000)}`);
    }
  }
  return { passed, failed };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const dir = tempDir('pinscope-nvim-');
  const r = await runNeovim({ dir });
  removeDir(dir);
  console.log(`${r.passed} passed, ${r.failed} failed`);
  process.exitCode = r.failed > 0 ? 1 : 0;
}
