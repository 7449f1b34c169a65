/**
 * Cross-file facts (issue 12): a multi-file driver (test/fixtures/xfile/tree) whose helpers live in
 * a header (a release helper like block/blk.h's bio_release_page(), a flag macro, a DMA wrapper
 * macro) and in sibling .c files (an unmap helper, a map helper that returns 0 on failure, a pin
 * helper). Each caller's finding is asserted exactly, with the file its reasoning used; then the
 * index is edited and rebuilt, and shown never to be read under another pinscope or kernel version.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { updateIndex } from '../../batch/index/build';
import { crossFileFactsHash, externalForFile } from '../../batch/index/forLint';
import { hasIndex, indexFolder, indexKey, loadIndex } from '../../batch/index/store';
import type { TreeFacts } from '../../batch/index/treeFacts';
import { defaultParser, lintText } from '../../core/lint';
import { fileFacts } from '../../core/fileAnalysis/fileFacts';
import { parseKernelVersion, type KernelVersion } from '../../core/catalog/version';

const FIXTURE = path.join(__dirname, '..', 'fixtures', 'xfile', 'tree');
const v612 = parseKernelVersion('6.12') as KernelVersion;

/** `rule L:C-L:C` and, for each place in another file the finding names, ` file:line`. */
function rows(root: string, rel: string, tree: TreeFacts | null): string[] {
  const text = readFileSync(path.join(root, rel), 'utf8');
  const external = tree ? tree.externalFor(rel, text) : undefined;
  return lintText(text, { kernelVersion: v612, ...(external ? { external } : {}) }).findings.map(
    (f) =>
      `${f.rule} ${f.range.line}:${f.range.column}-${f.range.endLine}:${f.range.endColumn}` +
      f.related
        .filter((r) => r.file !== undefined)
        .map((r) => ` ${path.relative(root, r.file as string)}:${r.range.line}`)
        .join(''),
  );
}

const scratch: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'pinscope-xfile-'));
  scratch.push(dir);
  return dir;
}
afterEach(() => {
  for (const d of scratch.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('findings through other files’ helpers and macros', () => {
  let tree: TreeFacts;
  beforeAll(async () => {
    ({ tree } = await updateIndex({ root: FIXTURE, pinscopeVersion: 'test', kernelVersion: '6.12', persist: false }));
  });

  it('the header and sibling files export what their helpers do', () => {
    expect(tree.factsOf('include/xdrv.h')?.functions.map((f) => [f.summary.name, f.isStatic])).toEqual([
      ['xdrv_release_page', true],
      ['xdrv_put_page', true],
    ]);
    expect(tree.factsOf('include/xdrv.h')?.macros.map((m) => `${m.name}=${m.value}`)).toEqual([
      'XDRV_FLAGS=(FOLL_WRITE | FOLL_PIN)',
      'XDRV_RING_SIZE=4096',
    ]);
    expect(tree.factsOf('include/xdrv.h')?.wrappers).toEqual([
      expect.objectContaining({ name: 'xdrv_map_to_dev', api: 'dma_map_single' }),
    ]);
    const dma = tree.factsOf('xdrv_dma.c')?.functions.map((f) => f.summary);
    expect(
      dma?.map((s) => [s.name, s.dma.map((e) => `${e.kind} ${e.paramIndex}${e.fieldSuffix} ${e.dir} ${e.failure}`)]),
    ).toEqual([
      ['xdrv_unmap_buf', ['unmap 1->dma DMA_TO_DEVICE null']],
      ['xdrv_map_buf', ['map 1->dma DMA_TO_DEVICE zero']],
    ]);
    expect(tree.factsOf('xdrv_pin.c')?.functions.map((f) => [f.summary.name, f.summary.acquires[0]?.countOut])).toEqual(
      [['xdrv_pin_one', { kind: 'return' }]],
    );
  });

  it('each caller: found or silent, exactly, naming the file it used', () => {
    expect(rows(FIXTURE, 'xdrv_main.c', tree)).toEqual([
      // xdrv_touch(): released once through the header's helper: silent.
      // xdrv_touch_twice(): the header's release helper called twice.
      'double-release 29:2-29:25 include/xdrv.h:17',
      // xdrv_touch_put(): a pin released with the header's put_page() helper.
      'release-mismatch 42:2-42:21 include/xdrv.h:23',
      // xdrv_pin_flags(): FOLL_PIN hidden in the header's flag macro, reported where it is used.
      'internal-foll-flag 51:39-51:49 include/xdrv.h:5',
      // xdrv_send(): the sibling's map helper (0 on failure) and its unmap pair: silent.
      // xdrv_send_busy(): the mapping lives in the caller's buffer, but this function unmaps it on its
      // success path: the busy return leaks it (the caller, told the call failed, does not undo it).
      'dma-mapping-leak 73:3-73:17 xdrv_dma.c:12',
      // xdrv_recv(): mapped DMA_FROM_DEVICE, unmapped DMA_TO_DEVICE by the sibling's helper.
      'dma-unmap-mismatch 84:2-84:26 xdrv_dma.c:6',
      // xdrv_post(): the header's wrapper macro is dma_map_single(), never checked.
      'dma-mapping-unchecked 94:9-94:10 include/xdrv.h:8',
      // xdrv_send_twice(): mapped by the helper that returns 0 on failure, unmapped twice.
      'dma-double-unmap 104:2-104:26 xdrv_dma.c:12 xdrv_dma.c:6',
      // xdrv_grab(): pinned by the sibling's helper, released by the header's: silent.
      // xdrv_grab_ready(): the not-ready path keeps the pin (the failed pin's path is silent).
      'missing-release 127:3-127:18 xdrv_pin.c:7',
    ]);
    // The helpers' own files are clean.
    for (const rel of ['xdrv_dma.c', 'xdrv_pin.c', 'include/xdrv.h']) expect(rows(FIXTURE, rel, tree), rel).toEqual([]);
  });

  it('a catalogued name a header defines is the catalog’s, never a summary', () => {
    const parsed = defaultParser().parse(
      'static inline void put_page(struct page *page) { folio_put(page_folio(page)); }\n' +
        'static inline void xdrv_put(struct page *p) { put_page(p); }\n',
    );
    expect(fileFacts(parsed, v612, 'include/linux/mm.h').functions.map((f) => f.summary.name)).toEqual(['xdrv_put']);
  });

  it('only releases every call makes are exported: a release loop is, a release under a branch is not', () => {
    const parsed = defaultParser().parse(
      'void xput_pages(struct page **pages, int n)\n{\n\tint i;\n\tfor (i = 0; i < n; i++)\n\t\tput_page(pages[i]);\n}\n' +
        'void xmaybe(struct page *p, int drop)\n{\n\tif (drop)\n\t\tput_page(p);\n}\n' +
        'void xguess(struct page **p, int n)\n{\n\tfoo_release_pages(p, n);\n}\n',
    );
    expect(fileFacts(parsed, v612, 'x.c').functions.map((f) => f.summary.name)).toEqual(['xput_pages']);
  });

  it('without the index, only the guesses by name remain', () => {
    expect(rows(FIXTURE, 'xdrv_main.c', null)).toEqual(['double-release 29:2-29:25', 'release-mismatch 42:2-42:21']);
  });
});

describe('the index on disk', () => {
  function copyTree(): { root: string; env: NodeJS.ProcessEnv } {
    const root = path.join(tempDir(), 'tree');
    cpSync(FIXTURE, root, { recursive: true });
    return { root, env: { PINSCOPE_CACHE_DIR: tempDir() } };
  }

  it('editing a header helper changes the finding of the file that calls it, and only what changed is read', async () => {
    const { root, env } = copyTree();
    const first = await updateIndex({ root, pinscopeVersion: 'test', kernelVersion: '6.12', env });
    expect([first.fresh, first.hashed]).toEqual([true, 4]);
    expect(rows(root, 'xdrv_main.c', first.tree)).toContain('double-release 29:2-29:25 include/xdrv.h:17');
    const request = { factsFile: first.factsFile as string, key: indexKey('test', '6.12') };
    const main = path.join(root, 'xdrv_main.c');
    const mainText = readFileSync(main, 'utf8');
    const hashBefore = crossFileFactsHash(request, main, mainText);

    // Unchanged: nothing is read again or summarised.
    const again = await updateIndex({ root, pinscopeVersion: 'test', kernelVersion: '6.12', env });
    expect([again.fresh, again.hashed, again.summarised]).toEqual([false, 0, 0]);

    // The header's release helper now drops a reference instead of unpinning.
    const header = path.join(root, 'include', 'xdrv.h');
    writeFileSync(header, readFileSync(header, 'utf8').replace('\tunpin_user_page(page);', '\tput_page(page);'));
    const after = await updateIndex({ root, pinscopeVersion: 'test', kernelVersion: '6.12', env });
    expect(after.hashed).toBe(1);
    const found = rows(root, 'xdrv_main.c', after.tree);
    // Every release through it is now a put_page() of a pin: xdrv_touch(), both of
    // xdrv_touch_twice()'s (still a double release), xdrv_grab() and xdrv_grab_ready().
    expect(found.filter((r) => r.includes('include/xdrv.h:17'))).toEqual([
      'release-mismatch 15:2-15:25 include/xdrv.h:17',
      'release-mismatch 28:2-28:25 include/xdrv.h:17',
      'double-release 29:2-29:25 include/xdrv.h:17',
      'release-mismatch 29:2-29:25 include/xdrv.h:17',
      'release-mismatch 115:2-115:25 xdrv_pin.c:7 include/xdrv.h:17',
      'release-mismatch 128:2-128:25 xdrv_pin.c:7 include/xdrv.h:17',
    ]);
    // The result cache's key for the caller moves with it; a file that uses nothing of it does not.
    expect(crossFileFactsHash(request, main, mainText)).not.toBe(hashBefore);
    expect(externalForFile(request, main, mainText)?.helpers.get('xdrv_release_page')?.releases[0]?.family).toBe('get');
  });

  it('an index is never read under another pinscope version or kernel version', async () => {
    const { root, env } = copyTree();
    await updateIndex({ root, pinscopeVersion: 'A', kernelVersion: '6.12', env });
    const folder = indexFolder(root, env);
    expect(hasIndex(folder, indexKey('A', '6.12'), root)).toBe(true);
    expect(hasIndex(folder, indexKey('B', '6.12'), root)).toBe(false);
    expect(hasIndex(folder, indexKey('A', '6.1'), root)).toBe(false);
    expect(loadIndex(folder, indexKey('B', '6.12'), root)).toBeNull();
    // A lint worker given the old facts file under the new key sees nothing.
    const stale = { factsFile: path.join(folder, 'facts.json'), key: indexKey('B', '6.12') };
    expect(externalForFile(stale, path.join(root, 'xdrv_main.c'), 'xdrv_release_page(p);')).toBeUndefined();
    // Another version rebuilds from scratch: every file is read again.
    const other = await updateIndex({ root, pinscopeVersion: 'B', kernelVersion: '6.12', env });
    expect([other.fresh, other.hashed]).toEqual([true, 4]);
    const kernel = await updateIndex({ root, pinscopeVersion: 'B', kernelVersion: '6.1', env });
    expect([kernel.fresh, kernel.hashed]).toEqual([true, 4]);
  });
});
