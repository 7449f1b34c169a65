/**
 * Fingerprints (core/report/fingerprint.ts): the same finding keeps its fingerprint when lines
 * move, the code is re-indented, or the message's line references change; it gets another when
 * its line, function or rule changes; identical findings are told apart by an occurrence index.
 */
import { describe, expect, it } from 'vitest';
import { fingerprintFindings, lintText, parseKernelVersion, type KernelVersion } from '../../core/index';
import { normaliseMessage } from '../../core/report/fingerprint';

const kernelVersion = parseKernelVersion('6.12') as KernelVersion;

const FN = (name: string, indent = '\t') => `
static int ${name}(unsigned long uaddr, struct page **pages)
{
${indent}int got = get_user_pages_fast(uaddr, 1, FOLL_PIN, pages);

${indent}return got;
}
`;

function prints(text: string): string[] {
  const { findings } = lintText(text, { kernelVersion });
  return fingerprintFindings(findings, text);
}

describe('fingerprintFindings', () => {
  const one = prints(FN('pin_one'));

  it('one finding: a 32-hex-digit hash and occurrence 0', () => {
    expect(one).toEqual([expect.stringMatching(/^[0-9a-f]{32}:0$/)]);
  });

  it('survives lines moving and re-indenting', () => {
    expect(prints(`/* one\n * two\n * three */\n${FN('pin_one')}`)).toEqual(one);
    expect(prints(FN('pin_one', '        '))).toEqual(one);
  });

  it('changes with the function or the flagged line', () => {
    expect(prints(FN('pin_two'))).not.toEqual(one);
    expect(prints(FN('pin_one').replace('uaddr, 1,', 'uaddr, 2,'))).not.toEqual(one);
  });

  it('tells identical findings apart by their order: a second copy is occurrence 1', () => {
    const twice = `${FN('pin_one')}`.replace(
      '\tint got = get_user_pages_fast(uaddr, 1, FOLL_PIN, pages);\n',
      '\tint got = get_user_pages_fast(uaddr, 1, FOLL_PIN, pages);\n\tint got = get_user_pages_fast(uaddr, 1, FOLL_PIN, pages);\n',
    );
    const both = prints(twice);
    expect(both).toHaveLength(2);
    expect(both[0]).toBe(one[0]);
    expect(both[1]).toBe((one[0] as string).replace(/:0$/, ':1'));
  });
});

describe('normaliseMessage', () => {
  it('takes line references out, and nothing else', () => {
    expect(normaliseMessage('Pages pinned by pin_user_pages() (line 140) leak: `return ret` (line 187).')).toBe(
      'Pages pinned by pin_user_pages() (line #) leak: `return ret` (line #).',
    );
    expect(normaliseMessage('first at line 427; 2 parts did not parse (208:44)')).toBe(
      'first at line #; 2 parts did not parse (#:#)',
    );
    expect(normaliseMessage('[map count=4] [unmap count=3]')).toBe('[map count=4] [unmap count=3]');
  });
});
