// Section `lint`: `pinscope lint` over the whole kernel tree, against the grep floor and Coccinelle.
//
// Options (`npm run bench -- --opt lint.<key>=<value>`):
//   tools=grep,pinscope,spatch   which rows to run (grep always runs: it is the warm-up and the floor)
//   spatch-cap=1800              wall-time cap for spatch, seconds (reported as "> cap" when hit)
//   spatch-timeout=200           spatch --timeout: per-file cap, seconds (0 = none); 200 is what the
//                                kernel's own .cocciconfig sets
//   spatch-full=0                1 = add a row for spatch with --disable-worth-trying-opt (parses every
//                                .c file instead of only those holding the rule's tokens; slow)
//   pinscope-cap=1800            wall-time cap for pinscope lint
//   jobs=<nproc>                 spatch --jobs
import { spawnSync } from 'node:child_process';
import { existsSync, opendirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { GNU_TIME, measure, versionOf, which } from '../lib/measure.mjs';
import { noCacheFlag } from '../lib/pinscope.mjs';

export const id = 'lint';
export const title = 'Linting the whole kernel tree: pinscope vs the grep floor vs Coccinelle';
export const order = 10;
export const needsTree = true;

const KERNEL_VERSION = '6.12';
const TARGET_GREP_RATIO = 2; // pinscope wall ≤ 2× grep
const TARGET_SPATCH_SPEEDUP = 5; // pinscope ≥ 5× faster than spatch
const TARGET_RSS_MB = 300;

/** The functions the spatch rule looks at, and where each takes its gup_flags (0-based argument index). */
const GUP_FLAGS_ARG = /** @type {const} */ ([
  ['get_user_pages', 2, 4], // (start, nr_pages, gup_flags, pages)
  ['get_user_pages_fast', 2, 4], // (start, nr_pages, gup_flags, pages)
  ['get_user_pages_remote', 3, 6], // (mm, start, nr_pages, gup_flags, pages, locked)
  ['get_user_pages_unlocked', 3, 4], // (start, nr_pages, pages, gup_flags)
]);

/** One rule: a get_user_pages*() call with FOLL_LONGTERM anywhere in its flags argument. */
export function semanticPatch() {
  const alts = GUP_FLAGS_ARG.map(([fn, flagsAt, arity]) => {
    const args = [];
    let e = 1;
    for (let i = 0; i < arity; i++) args.push(i === flagsAt ? '<+... FOLL_LONGTERM ...+>' : `E${e++}`);
    return `  ${fn}@p(${args.join(', ')})`;
  });
  return `// Written by bench/sections/lint.mjs: get_user_pages*() called with FOLL_LONGTERM in its flags.
@longterm@
expression E1, E2, E3, E4, E5;
position p;
@@
(
${alts.join('\n|\n')}
)

@script:python depends on longterm@
p << longterm.p;
@@
print("%s:%s:%s: get_user_pages*() with FOLL_LONGTERM" % (p[0].file, p[0].line, p[0].column))
`;
}

/** @param {number|null} x @param {number} [digits] */
const fmt = (x, digits = 2) => (x === null || x === undefined || Number.isNaN(x) ? null : x.toFixed(digits));
/** @param {number|null} kb */
const mb = (kb) => (kb === null ? null : (kb / 1024).toFixed(0));

/**
 * The API names for the grep floor, from the catalog itself (`pinscope catalog --names`).
 * @param {string[]} pinscope
 * @returns {{ names: string[], source: string }}
 */
export function apiNames(pinscope) {
  const r = spawnSync(pinscope[0] ?? '', [...pinscope.slice(1), 'catalog', '--names'], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  const lines = (r.stdout ?? '')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  if (!r.error && r.status === 0 && lines.length > 0 && lines.every((l) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(l))) {
    return { names: [...new Set(lines)], source: '`pinscope catalog --names`' };
  }
  const lastErr = (r.stderr ?? '').trim().split('\n').pop();
  throw new Error(
    `\`pinscope catalog --names\` failed (${r.error?.message ?? `exit ${r.status}${lastErr ? `: ${lastErr}` : ''}`}): run \`npm run build\` first`,
  );
}

/** @param {string} s */
export const ereEscape = (s) => s.replace(/[.[\]()*+?{}|^$\\]/g, '\\$&');

/**
 * Counts *.c and *.h regular files (symlinks are not followed, as `grep -r` does not) and their bytes.
 * @param {string} tree
 */
function treeFiles(tree) {
  let c = 0;
  let h = 0;
  let bytes = 0;
  const stack = [tree];
  while (stack.length) {
    const dir = /** @type {string} */ (stack.pop());
    const d = opendirSync(dir);
    let ent;
    while ((ent = d.readSync()) !== null) {
      const p = path.join(dir, ent.name);
      if (ent.isDirectory()) stack.push(p);
      else if (ent.isFile() && (ent.name.endsWith('.c') || ent.name.endsWith('.h'))) {
        if (ent.name.endsWith('.c')) c++;
        else h++;
        bytes += statSync(p).size;
      }
    }
    d.closeSync();
  }
  return { c, h, bytes };
}

/**
 * The .c files spatch's "worth trying" prefilter lets through for our rule (FOLL_LONGTERM and one of the
 * function names as tokens): the files it actually parses.
 * @param {string} tree
 */
function spatchCandidates(tree) {
  const r = spawnSync('grep', ['-rlw', 'FOLL_LONGTERM', '--include=*.c', tree], {
    encoding: 'utf8',
    env: { ...process.env, LC_ALL: 'C' },
  });
  const withFlag = (r.stdout ?? '').split('\n').filter(Boolean);
  const fnRe = new RegExp(`\\b(${GUP_FLAGS_ARG.map(([fn]) => fn).join('|')})\\b`);
  return withFlag.filter((f) => {
    try {
      return fnRe.test(readFileSync(f, 'utf8'));
    } catch {
      return false;
    }
  });
}

/**
 * `spatch --parse-c` over a few files: how many Coccinelle's C parser fails on (fully or partly).
 * @param {string[]} files
 * @param {string} tree
 * @returns {string|null}
 */
function spatchParseCheck(files, tree) {
  if (files.length === 0 || files.length > 200) return null;
  const r = spawnSync('spatch', ['--parse-c', ...files.map((f) => path.relative(tree, f))], {
    cwd: tree,
    encoding: 'utf8',
    timeout: 600_000,
    maxBuffer: 64 * 2 ** 20,
  });
  const all = `${r.stdout ?? ''}\n${r.stderr ?? ''}`;
  const m = /NB total files = (\d+); perfect = (\d+); pbs = (\d+); timeout = (\d+)/.exec(all);
  const good = /nb good = (\d+),\s+nb bad = (\d+)/.exec(all);
  if (!m) return null;
  // Where its parser gave up: `parse error` followed by ` = File "x", line N` (often an included header).
  const where = [
    ...new Set([...all.matchAll(/parse error\s*\n\s*= File "([^"]+)", line (\d+)/g)].map((x) => `${x[1]}:${x[2]}`)),
  ];
  return (
    `spatch --parse-c on those ${m[1]} file(s): ${m[2]} parsed perfectly, ${m[3]} with problems, ${m[4]} timed out` +
    (good ? ` (${good[2]} bad of ${Number(good[1]) + Number(good[2])} lines)` : '') +
    (where.length
      ? `; parse errors at ${where.slice(0, 8).join(', ')}${where.length > 8 ? ', …' : ''} (spatch skips the unparsable function or macro and goes on)`
      : '') +
    '.'
  );
}

/** Can this spatch run with --jobs (parmap)? Tried on a one-file directory. @param {string} tmp */
function spatchJobsWork(tmp) {
  const dir = path.join(tmp, 'jobs-probe');
  spawnSync('mkdir', ['-p', dir]);
  writeFileSync(path.join(dir, 'a.c'), 'int f(void) { return get_user_pages(0, 1, FOLL_LONGTERM, 0); }\n');
  const cocci = path.join(tmp, 'probe.cocci');
  writeFileSync(cocci, semanticPatch());
  const r = spawnSync('spatch', ['--sp-file', cocci, '--dir', dir, '--jobs', '2', '--very-quiet'], {
    cwd: tmp,
    encoding: 'utf8',
    timeout: 120_000,
  });
  return {
    ok: r.status === 0 && /a\.c:1:/.test(r.stdout ?? ''),
    detail: `${r.stderr ?? ''}`.trim().split('\n').slice(-3).join(' / '),
  };
}

/**
 * @param {{ root: string, tree: string, pinscope: string[], log: (m: string) => void, tmp: string,
 *   options: Record<string,string>, machine: { nproc: number, cpuModel: string, node: string } }} ctx
 */
export async function run(ctx) {
  const { tree, tmp, log, options } = ctx;
  const tools = (options.tools ?? 'grep,pinscope,spatch').split(',').map((s) => s.trim());
  const spatchCap = Number(options['spatch-cap'] ?? 1800);
  const spatchTimeout = Number(options['spatch-timeout'] ?? 200);
  const pinscopeCap = Number(options['pinscope-cap'] ?? 1800);
  const jobs = Number(options.jobs ?? ctx.machine.nproc);
  /** @type {string[]} */
  const notes = [];
  /** @type {unknown[][]} */
  const rows = [];
  /** @type {Record<string, any>} */
  const data = {};

  if (!existsSync(GNU_TIME))
    notes.push(`WARNING: ${GNU_TIME} is missing (apt-get install time): wall time only, no CPU or RSS.`);

  // ── machine and tree facts ──
  const load = os.loadavg()[0] ?? 0;
  if (load > ctx.machine.nproc / 2) {
    notes.push(
      `WARNING: the 1-minute load average was ${load.toFixed(2)} on ${ctx.machine.nproc} CPU(s) when the section started: other work competes with the measured commands.`,
    );
  }
  log('counting *.c / *.h files ...');
  const files = treeFiles(tree);
  const spatchBin = which('spatch');
  const spatchVersion = spatchBin ? versionOf(['spatch', '--version']) : null;
  /** @type {[string, unknown][]} */
  const facts = [
    ['nproc', ctx.machine.nproc],
    ['CPU', ctx.machine.cpuModel],
    ['node', ctx.machine.node],
    ['load average (1 min) at start', load.toFixed(2)],
    ['spatch', spatchVersion ?? 'not installed (apt-get install coccinelle)'],
    ['grep', versionOf(['grep', '--version']) ?? 'not found'],
    ['tree', tree],
    ['files', `${files.c} *.c + ${files.h} *.h = ${files.c + files.h} (${(files.bytes / 2 ** 20).toFixed(0)} MiB)`],
  ];
  data.files = files;

  // ── grep: warm-up, then the floor ──
  const api = apiNames(ctx.pinscope);
  notes.push(`grep pattern: the ${api.names.length} names from ${api.source}, as one -E alternation.`);
  const grepArgv = ['grep', '-rlE', api.names.map(ereEscape).join('|'), '--include=*.c', '--include=*.h', tree];
  const grepEnv = { ...process.env, LC_ALL: 'C' };
  log('grep warm-up (fills the page cache) ...');
  const warm = await measure({
    argv: grepArgv,
    outDir: tmp,
    name: 'grep-warmup',
    okCodes: [0, 1],
    capS: 600,
    env: grepEnv,
  });
  if (warm.status === 'missing') throw new Error('grep is not installed: nothing to compare against');
  log(`grep (measured) ...`);
  const grep = await measure({ argv: grepArgv, outDir: tmp, name: 'grep', okCodes: [0, 1], capS: 600, env: grepEnv });
  const grepMatched =
    grep.status === 'ok' ? readFileSync(grep.stdoutFile, 'utf8').split('\n').filter(Boolean).length : null;
  notes.push(
    `grep ran once before the measurements as a page-cache warm-up (cold: ${fmt(warm.wallS)} s wall), so every row is warm-cache.`,
    `grep runs with LC_ALL=C; -l stops reading a file at its first match, so files that match are not read to their end.`,
  );
  data.grep = { ...grep, warmup: warm, matchedFiles: grepMatched, names: api.names, namesSource: api.source };

  // ── pinscope ──
  /** @type {import('../lib/measure.mjs').Measurement|null} */
  let pin = null;
  /** @type {string} */
  let pinResult = 'skipped (--opt lint.tools)';
  if (tools.includes('pinscope')) {
    // Cold: without the result cache (the `tree` section measures warm runs).
    const argv = [
      ...ctx.pinscope,
      'lint',
      '--format',
      'json',
      '--kernel-version',
      KERNEL_VERSION,
      ...noCacheFlag(ctx.pinscope),
      tree,
    ];
    log(`pinscope lint (cap ${pinscopeCap} s) ...`);
    pin = await measure({ argv, outDir: tmp, name: 'pinscope', okCodes: [0, 1], capS: pinscopeCap });
    data.pinscope = { ...pin, argv };
    if (pin.status === 'ok') {
      try {
        const out = JSON.parse(readFileSync(pin.stdoutFile, 'utf8'));
        const findings = Array.isArray(out.findings) ? out.findings.length : null;
        const stats = out.stats && typeof out.stats === 'object' ? out.stats : null;
        // stats (optional): { files, parsed, prefiltered, threads, ... } as of cli/ v0.1; older spellings tolerated.
        const num = (/** @type {string[]} */ ...keys) => {
          const k = stats ? keys.find((x) => typeof stats[x] === 'number') : undefined;
          return k ? /** @type {number} */ (stats[k]) : null;
        };
        const parsedKey = stats
          ? ['parsed', 'filesParsed', 'parsedFiles'].find((k) => typeof stats[k] === 'number')
          : undefined;
        const parsed = num('parsed', 'filesParsed', 'parsedFiles');
        const total = num('files', 'filesScanned', 'fileCount');
        const pre = num('prefiltered', 'skipped');
        const threads = num('threads', 'jobs');
        pinResult =
          `${findings ?? '?'} findings, ${parsed ?? '?'}${total !== null ? ` of ${total}` : ''} files parsed` +
          `${pre !== null ? ` (${pre} prefiltered)` : ''}${threads !== null ? `, ${threads} threads` : ''}, exit ${pin.exitCode}`;
        if (total !== null && total !== files.c + files.h) {
          notes.push(
            `pinscope counted ${total} files where the tree has ${files.c + files.h} regular *.c/*.h files (symbolic links are not counted here, nor followed by grep -r).`,
          );
        }
        if (Array.isArray(out.notes) && out.notes.length) {
          /** @type {Record<string, number>} */
          const byKind = {};
          for (const n of out.notes) byKind[String(n?.kind ?? '?')] = (byKind[String(n?.kind ?? '?')] ?? 0) + 1;
          notes.push(
            `pinscope notes: ${Object.entries(byKind)
              .map(([k, v]) => `${k} in ${v} file${v === 1 ? '' : 's'}`)
              .join(', ')}.`,
          );
          data.pinscope.notesByKind = byKind;
        }
        if (!stats) notes.push('pinscope JSON has no `stats`: files-parsed count unknown.');
        else if (!parsedKey)
          notes.push(
            `pinscope \`stats\` has no files-parsed count I recognise (keys: ${Object.keys(stats).join(', ')}).`,
          );
        data.pinscope.findings = findings;
        data.pinscope.stats = stats;
        if (findings !== null && Array.isArray(out.findings)) {
          /** @type {Record<string, number>} */
          const byRule = {};
          for (const f of out.findings) {
            const rule = String(f?.rule ?? f?.ruleId ?? f?.code ?? '?');
            byRule[rule] = (byRule[rule] ?? 0) + 1;
          }
          data.pinscope.findingsByRule = byRule;
          const top = Object.entries(byRule)
            .sort((a, b) => b[1] - a[1])
            .map(([k, v]) => `${k} ${v}`)
            .join(', ');
          if (top) notes.push(`pinscope findings by rule: ${top}.`);
        }
      } catch (e) {
        pin.status = 'failed';
        pin.message = `output is not JSON (${String(e instanceof Error ? e.message : e)
          .replace(/\s+/g, ' ')
          .slice(0, 120)})`;
        pin.stderrTail = `stdout starts: ${readFileSync(pin.stdoutFile, 'utf8').slice(0, 300)}\n${pin.stderrTail}`;
      }
    }
    if (pin.status !== 'ok') {
      if (/is missing; run `npm run build`/.test(pin.stderrTail)) {
        pinResult = 'not built (npm run build)';
        notes.push('pinscope row: dist/cli/pinscope.js is missing, run `npm run build` first.');
      } else if (pin.status === 'timeout') {
        pinResult = `killed at the ${pinscopeCap} s cap`;
      } else {
        pinResult = `FAILED (${pin.message})`;
        notes.push(`pinscope stderr (tail):\n${indent(pin.stderrTail)}`);
      }
    }
  }

  // ── spatch ──
  /** @type {import('../lib/measure.mjs').Measurement|null} */
  let sp = null;
  let spResult = 'skipped (--opt lint.tools)';
  /** @type {import('../lib/measure.mjs').Measurement|null} */
  let spFull = null;
  let spFullResult = '';
  let spLabel = 'spatch';
  if (tools.includes('spatch')) {
    if (!spatchBin) {
      spResult = 'not installed (apt-get install coccinelle)';
    } else {
      const cocci = path.join(tmp, 'foll-longterm.cocci');
      writeFileSync(cocci, semanticPatch());
      const probe = spatchJobsWork(tmp);
      const jobArgs = probe.ok ? ['--jobs', String(jobs)] : [];
      spLabel = probe.ok ? `spatch --jobs ${jobs}` : 'spatch (1 process)';
      if (!probe.ok)
        notes.push(
          `WARNING: spatch --jobs did not work here (${probe.detail || 'no match from the probe'}); spatch ran single-process.`,
        );
      const base = ['spatch', '--sp-file', cocci, '--dir', tree, ...jobArgs, '--very-quiet'];
      if (spatchTimeout > 0) base.push('--timeout', String(spatchTimeout));
      const cmdline = base.map((a) => (a === cocci ? 'foll-longterm.cocci' : a === tree ? '<tree>' : a)).join(' ');
      log(`${cmdline} (cap ${spatchCap} s) ...`);
      // cwd = tmp: spatch --jobs writes per-worker output into <cocci>_<date>_<pid>/ in its cwd (left behind if killed).
      sp = await measure({ argv: base, outDir: tmp, name: 'spatch', capS: spatchCap, cwd: tmp });
      const matches = existsSync(sp.stdoutFile)
        ? readFileSync(sp.stdoutFile, 'utf8')
            .split('\n')
            .filter((l) => /:\d+:\d+: /.test(l))
        : [];
      spResult =
        sp.status === 'ok'
          ? `${matches.length} matches`
          : sp.status === 'timeout'
            ? `hit the ${spatchCap} s cap (lower bound)`
            : `FAILED (${sp.message})`;
      if (sp.status === 'failed') notes.push(`spatch stderr (tail):\n${indent(sp.stderrTail)}`);
      notes.push(
        `spatch command: ${cmdline}; the one-rule semantic patch matches ${GUP_FLAGS_ARG.map(([f]) => `${f}()`).join(', ')} with FOLL_LONGTERM anywhere in the flags argument.`,
      );
      if (existsSync(path.join(tree, '.cocciconfig'))) {
        notes.push(
          `spatch ran from a temporary directory, so the tree's .cocciconfig (read from the cwd only; the kernel's sets --timeout 200 --use-gitgrep) did not apply: the per-file --timeout is given explicitly, and --use-gitgrep needs a git checkout.`,
        );
      }
      if (sp.cpuS !== null && sp.wallS)
        notes.push(`spatch used ${(sp.cpuS / sp.wallS).toFixed(2)} CPUs on average (CPU s ÷ wall s).`);
      notes.push(
        `peak RSS is GNU time's %M, the peak of the single largest process: for spatch --jobs ${jobs} (a parent plus forked workers) it is one process's peak, not the sum; CPU s includes every worker it waited for.`,
      );
      const candidates = spatchCandidates(tree);
      notes.push(
        `spatch prefilters ("worth trying"): it parses only the .c files containing the rule's tokens (FOLL_LONGTERM and one of the names) — ${candidates.length} of ${files.c} .c files here — and no headers (no --include-headers). For this rule its run time is mostly that token scan, not parsing or matching.`,
      );
      const parse = spatchParseCheck(candidates, tree);
      if (parse) notes.push(parse);
      data.spatch = {
        ...sp,
        argv: cmdline,
        matches,
        prefilterCandidates: candidates.map((f) => path.relative(tree, f)),
        semanticPatch: semanticPatch(),
        jobsProbe: probe,
      };

      if (options['spatch-full'] === '1') {
        const full = [...base];
        full.splice(full.indexOf('--very-quiet'), 0, '--disable-worth-trying-opt');
        log(`spatch without its prefilter (cap ${spatchCap} s) ...`);
        spFull = await measure({ argv: full, outDir: tmp, name: 'spatch-full', capS: spatchCap, cwd: tmp });
        const m = existsSync(spFull.stdoutFile)
          ? readFileSync(spFull.stdoutFile, 'utf8')
              .split('\n')
              .filter((l) => /:\d+:\d+: /.test(l)).length
          : 0;
        spFullResult =
          spFull.status === 'ok'
            ? `${m} matches, every .c file parsed`
            : spFull.status === 'timeout'
              ? `hit the ${spatchCap} s cap (lower bound)`
              : `FAILED (${spFull.message})`;
        if (spFull.status === 'failed')
          notes.push(`spatch --disable-worth-trying-opt stderr (tail):\n${indent(spFull.stderrTail)}`);
        data.spatchFull = spFull;
      }
    }
  }

  // ── table ──
  // GNU time's resolution is 0.01 s: a tiny tree must not make the floor 0.
  const grepWall = grep.status === 'ok' && grep.wallS !== null ? Math.max(grep.wallS, 0.01) : null;
  const spWall = sp && (sp.status === 'ok' || sp.status === 'timeout') ? sp.wallS : null;
  /**
   * @param {string} name
   * @param {import('../lib/measure.mjs').Measurement|null} m
   * @param {string} result
   */
  const row = (name, m, result) => {
    // A failed run's numbers measure the failure, not the tool: print none.
    if (!m || m.status === 'missing' || m.status === 'failed') return [name, null, null, null, null, null, result];
    const lower = m.status === 'timeout';
    const wall = m.wallS === null ? null : Math.max(m.wallS, 0.01);
    const ratio = (/** @type {number|null} */ den, /** @type {boolean} */ denLower) => {
      if (wall === null || !den) return null;
      const r = fmt(wall / den);
      if (lower && denLower) return null;
      return lower ? `> ${r}` : denLower ? `< ${r}` : r;
    };
    return [
      name,
      lower ? `> ${wall}` : fmt(wall),
      fmt(m.cpuS),
      mb(m.maxRssKB),
      ratio(grepWall, false),
      ratio(spWall, sp?.status === 'timeout'),
      result,
    ];
  };
  rows.push(
    row(
      'grep -rlE (floor)',
      grep,
      grep.status === 'ok' ? `${grepMatched} file${grepMatched === 1 ? '' : 's'} match` : `FAILED (${grep.message})`,
    ),
  );
  if (grep.status !== 'ok') notes.push(`grep stderr (tail):\n${indent(grep.stderrTail)}`);
  rows.push(row('pinscope lint', pin, pinResult));
  rows.push(row(spLabel, sp, spResult));
  if (spFull) rows.push(row(`${spLabel}, no prefilter`, spFull, spFullResult));

  // ── targets ──
  const pinOk = pin?.status === 'ok';
  const why = pin ? pinResult : 'pinscope not run';
  /** @type {{ name: string, met: boolean|null, detail: string }[]} */
  const targets = [];
  if (pinOk && pin && pin.wallS !== null && grepWall) {
    const r = pin.wallS / grepWall;
    targets.push({
      name: `pinscope wall within ${TARGET_GREP_RATIO}× of the grep floor`,
      met: r <= TARGET_GREP_RATIO,
      detail: `${fmt(pin.wallS)} s vs ${fmt(grepWall)} s = ${fmt(r)}×`,
    });
  } else if (pin?.status === 'timeout' && pin.wallS !== null && grepWall) {
    const r = pin.wallS / grepWall;
    targets.push({
      name: `pinscope wall within ${TARGET_GREP_RATIO}× of the grep floor`,
      met: r > TARGET_GREP_RATIO ? false : null,
      detail: `> ${fmt(pin.wallS)} s vs ${fmt(grepWall)} s = > ${fmt(r)}× (killed at the cap)`,
    });
  } else targets.push({ name: `pinscope wall within ${TARGET_GREP_RATIO}× of the grep floor`, met: null, detail: why });
  if (pinOk && pin && pin.wallS && spWall) {
    const s = spWall / pin.wallS;
    const lowerBound = sp?.status === 'timeout';
    targets.push({
      name: `pinscope at least ${TARGET_SPATCH_SPEEDUP}× faster than spatch`,
      met: s >= TARGET_SPATCH_SPEEDUP ? true : lowerBound ? null : false,
      detail: `spatch ${lowerBound ? '> ' : ''}${fmt(spWall)} s ÷ pinscope ${fmt(pin.wallS)} s = ${lowerBound ? '> ' : ''}${fmt(s)}×`,
    });
  } else
    targets.push({
      name: `pinscope at least ${TARGET_SPATCH_SPEEDUP}× faster than spatch`,
      met: null,
      detail: !pinOk ? why : `spatch: ${spResult}`,
    });
  if (sp?.status === 'ok' && sp.wallS !== null && grepWall && sp.wallS / TARGET_SPATCH_SPEEDUP < grepWall) {
    notes.push(
      `WARNING: the ${TARGET_SPATCH_SPEEDUP}× spatch target asks for pinscope under ${fmt(sp.wallS / TARGET_SPATCH_SPEEDUP)} s, ${fmt(sp.wallS / TARGET_SPATCH_SPEEDUP / grepWall)}× the grep floor (${fmt(grepWall)} s for one single-threaded read of the files): ` +
        `with its token prefilter this one-rule spatch run is a token scan plus ${data.spatch?.prefilterCandidates?.length ?? '?'} parses, while pinscope runs every rule and parses every file that mentions a catalogued API. ` +
        `--opt lint.spatch-full=1 adds a row for spatch parsing every .c file (--disable-worth-trying-opt), the other bound.`,
    );
  }
  if (spFull?.status === 'ok' && spFull.wallS && pinOk && pin?.wallS) {
    notes.push(
      `against spatch without its prefilter (every .c parsed): spatch ${fmt(spFull.wallS)} s ÷ pinscope ${fmt(pin.wallS)} s = ${fmt(spFull.wallS / pin.wallS)}×.`,
    );
  }
  if (pinOk && pin && pin.maxRssKB !== null) {
    targets.push({
      name: `pinscope peak RSS under ${TARGET_RSS_MB} MB`,
      met: pin.maxRssKB / 1024 < TARGET_RSS_MB,
      detail: `${mb(pin.maxRssKB)} MB`,
    });
  } else targets.push({ name: `pinscope peak RSS under ${TARGET_RSS_MB} MB`, met: null, detail: why });

  return {
    columns: ['tool', 'wall s', 'CPU s', 'peak RSS MB', 'wall ÷ grep', 'wall ÷ spatch', 'result'],
    rows,
    facts,
    targets,
    notes,
    data,
  };
}

/** @param {string} s */
function indent(s) {
  return (s || '(empty)')
    .split('\n')
    .map((l) => `      ${l}`)
    .join('\n');
}
