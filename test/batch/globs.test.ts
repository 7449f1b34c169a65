/**
 * `exclude` globs (batch/files.ts globMatcher, picomatch underneath): what `**`, `*` and `?`
 * match, the tail rule (a glob matches the path or any tail of it that starts at a folder
 * boundary), and what picomatch added over the hand-written matcher.
 */
import { describe, expect, it } from 'vitest';
import { globMatcher } from '../../batch/files';

const matches = (glob: string, paths: readonly string[]): string[] => paths.filter(globMatcher(glob));

describe('globMatcher', () => {
  const tree = [
    'drivers/misc/a.c',
    'drivers/misc/sub/b.c',
    'drivers/misc.c',
    'drivers/miscx/c.c',
    'tools/testing/t.c',
    'mytest',
    'test',
    'lib/test',
    'x/.hidden.c',
    '/abs/ws/drivers/misc/a.c',
  ];

  it('** spans folders; it does not end inside a name', () => {
    expect(matches('drivers/misc/**', tree)).toEqual([
      'drivers/misc/a.c',
      'drivers/misc/sub/b.c',
      '/abs/ws/drivers/misc/a.c',
    ]);
    expect(matches('**/test', tree)).toEqual(['test', 'lib/test']);
  });

  it('* stays inside one name and matches names starting with a dot', () => {
    expect(matches('drivers/*/a.c', tree)).toEqual(['drivers/misc/a.c', '/abs/ws/drivers/misc/a.c']);
    expect(matches('*.c', ['a.c', 'x/.hidden.c', 'x/y.h'])).toEqual(['a.c', 'x/.hidden.c']);
  });

  it('? is one character, never a slash', () => {
    expect(matches('drivers/misc?/c.c', tree)).toEqual(['drivers/miscx/c.c']);
    expect(matches('drivers?misc.c', tree)).toEqual([]);
  });

  it('a glob matches any tail of the path that starts at a folder boundary (as .gitignore, unlike files.exclude)', () => {
    expect(matches('test', tree)).toEqual(['test', 'lib/test']);
    expect(matches('testing/*.c', tree)).toEqual(['tools/testing/t.c']);
    expect(matches('est', tree)).toEqual([]);
  });

  it('braces and classes work as in VS Code (they were literal characters before picomatch)', () => {
    expect(matches('drivers/{misc,miscx}/*.c', tree)).toEqual([
      'drivers/misc/a.c',
      'drivers/miscx/c.c',
      '/abs/ws/drivers/misc/a.c',
    ]);
    expect(matches('drivers/misc[x]/*.c', tree)).toEqual(['drivers/miscx/c.c']);
  });
});
