/**
 * The .vsix `npm run package` builds: exactly the bundles, documents and native parser files the
 * extension needs (no sources, no TypeScript, no source maps, nothing else from node_modules), the
 * locally built tree-sitter binary as the linux-x64 prebuild, and a server that runs from the
 * unpacked package alone.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DEMO, onlyRules, readFixture, RULES_UNDER_TEST, startClient, uriOf } from '../protocol/harness';

const ROOT = path.resolve(__dirname, '..', '..');

interface ZipEntry {
  readonly name: string;
  readonly data: () => Buffer;
}

/** The entries of a zip file, from its central directory (stored and deflated entries). */
function readZip(buf: Buffer): ZipEntry[] {
  let eocd = buf.length - 22;
  while (eocd >= 0 && buf.readUInt32LE(eocd) !== 0x06054b50) eocd--;
  if (eocd < 0) throw new Error('not a zip file');
  const count = buf.readUInt16LE(eocd + 10);
  let at = buf.readUInt32LE(eocd + 16);
  const entries: ZipEntry[] = [];
  for (let i = 0; i < count; i++) {
    if (buf.readUInt32LE(at) !== 0x02014b50) throw new Error('bad central directory');
    const method = buf.readUInt16LE(at + 10);
    const size = buf.readUInt32LE(at + 20);
    const nameLength = buf.readUInt16LE(at + 28);
    const extraLength = buf.readUInt16LE(at + 30);
    const commentLength = buf.readUInt16LE(at + 32);
    const local = buf.readUInt32LE(at + 42);
    const name = buf.toString('utf8', at + 46, at + 46 + nameLength);
    entries.push({
      name,
      data: () => {
        const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
        const raw = buf.subarray(start, start + size);
        return method === 0 ? Buffer.from(raw) : inflateRawSync(raw);
      },
    });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

let dir: string;
let vsix: string;
let entries: ZipEntry[];
let names: string[];

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'pinscope-vsix-'));
  vsix = path.join(dir, 'pinscope.vsix');
  execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'package.mjs'), '--out', vsix], {
    cwd: ROOT,
    stdio: 'pipe',
  });
  entries = readZip(readFileSync(vsix));
  names = entries.map((e) => e.name).sort();
}, 180_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const PLATFORMS = (module: string): string[] =>
  readdirSync(path.join(ROOT, 'node_modules', module, 'prebuilds')).sort();

describe('the .vsix', () => {
  test('holds exactly the allowed files', () => {
    const allowed: RegExp[] = [
      /^\[Content_Types\]\.xml$/,
      /^extension\.vsixmanifest$/,
      /^extension\/package\.json$/,
      /^extension\/readme\.md$/,
      /^extension\/changelog\.md$/,
      /^extension\/LICENSE\.txt$/,
      /^extension\/dist\/(client\/extension|server\/server|server\/analysis|worker\/(lint|index)-worker|webview\/panel)\.js$/,
      /^extension\/dist\/webview\/codicons\/codicon\.(css|ttf)$/,
      /^extension\/syntaxes\/[^/]+\.json$/,
      /^extension\/media\/[^/]+\.(png|svg|css)$/,
      /^extension\/docs\/rules\/[a-z0-9-]+\.md$/,
      /^extension\/node_modules\/node-gyp-build\/(package\.json|index\.js|node-gyp-build\.js|LICENSE)$/,
      /^extension\/node_modules\/tree-sitter\/(package\.json|index\.js|LICENSE)$/,
      /^extension\/node_modules\/tree-sitter\/prebuilds\/[a-z0-9]+-[a-z0-9]+\/tree-sitter\.node$/,
      /^extension\/node_modules\/tree-sitter-c\/(package\.json|LICENSE|bindings\/node\/index\.js)$/,
      /^extension\/node_modules\/tree-sitter-c\/prebuilds\/[a-z0-9]+-[a-z0-9]+\/tree-sitter-c\.node$/,
    ];
    expect(names.filter((n) => !allowed.some((re) => re.test(n)))).toEqual([]);
    expect(names.filter((n) => /\.(ts|map)$|(^|\/)src\/|\.d\.ts$|\/build\//.test(n))).toEqual([]);
  });

  test('holds what the extension needs at run time', () => {
    for (const required of [
      'extension/package.json',
      'extension/changelog.md',
      'extension/LICENSE.txt',
      'extension/dist/client/extension.js',
      'extension/dist/server/analysis.js',
      'extension/dist/server/server.js',
      'extension/dist/worker/lint-worker.js',
      'extension/dist/worker/index-worker.js',
      'extension/node_modules/node-gyp-build/index.js',
      'extension/node_modules/tree-sitter/index.js',
      'extension/node_modules/tree-sitter-c/bindings/node/index.js',
    ])
      expect(names, required).toContain(required);
    if (existsSync(path.join(ROOT, 'README.md'))) expect(names).toContain('extension/readme.md');
    if (existsSync(path.join(ROOT, 'client', 'webview', 'main.ts'))) {
      for (const f of [
        'dist/webview/panel.js',
        'dist/webview/codicons/codicon.css',
        'dist/webview/codicons/codicon.ttf',
        'media/simulation.css',
      ])
        expect(names).toContain(`extension/${f}`);
    }
    const manifest = JSON.parse(
      entries
        .find((e) => e.name === 'extension/package.json')
        ?.data()
        .toString() ?? '{}',
    ) as { main?: string };
    expect(names).toContain(`extension/${(manifest.main ?? '').replace(/^\.\//, '')}`);
  });

  test('a prebuilt parser for every platform tree-sitter and tree-sitter-c ship', () => {
    const shipped = (module: string, file: string): string[] =>
      names
        .filter((n) => n.startsWith(`extension/node_modules/${module}/prebuilds/`) && n.endsWith(`/${file}`))
        .map((n) => n.split('/')[4] as string)
        .sort();
    expect(shipped('tree-sitter', 'tree-sitter.node')).toEqual(PLATFORMS('tree-sitter'));
    expect(shipped('tree-sitter-c', 'tree-sitter-c.node')).toEqual(PLATFORMS('tree-sitter-c'));
  });

  test('linux-x64: the locally built tree-sitter binary, not the upstream prebuild that needs GLIBCXX_3.4.31', () => {
    const local = path.join(
      ROOT,
      'node_modules',
      'tree-sitter',
      'build',
      'Release',
      'tree_sitter_runtime_binding.node',
    );
    const shipped = entries
      .find((e) => e.name === 'extension/node_modules/tree-sitter/prebuilds/linux-x64/tree-sitter.node')
      ?.data();
    if (!existsSync(local)) return; // not built from source on this machine: the upstream prebuild is shipped
    expect(shipped?.equals(readFileSync(local))).toBe(true);
    expect(shipped?.toString('latin1')).not.toContain('GLIBCXX_3.4.31');
  });

  test('the bundles are production builds (minified, no source map references)', () => {
    for (const name of names.filter((n) => n.startsWith('extension/dist/') && n.endsWith('.js'))) {
      const text =
        entries
          .find((e) => e.name === name)
          ?.data()
          .toString() ?? '';
      expect(text, name).not.toContain('sourceMappingURL');
      expect(text.length / text.split('\n').length, `${name}: average line length`).toBeGreaterThan(1000);
    }
  });

  test('the unpacked package runs on its own: the server analyses the fixture with the shipped parser', async () => {
    const unpacked = path.join(dir, 'unpacked');
    for (const e of entries) {
      if (e.name.endsWith('/')) continue;
      const target = path.join(unpacked, e.name);
      mkdirSync(path.dirname(target), { recursive: true });
      writeFileSync(target, e.data());
    }
    const server = path.join(unpacked, 'extension', 'dist', 'server', 'server.js');
    const client = await startClient({
      command: [process.execPath, server, '--stdio'],
      settings: { rules: onlyRules(RULES_UNDER_TEST) },
    });
    try {
      const uri = uriOf(DEMO);
      client.open(uri, readFixture(DEMO));
      expect((await client.waitForDiagnostics(uri)).diagnostics.map((d) => d.code)).toEqual([
        'longterm-get',
        'release-mismatch',
        'api-version',
        'internal-foll-flag',
      ]);
    } finally {
      await client.stop();
    }
  });
});
