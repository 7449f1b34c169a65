/**
 * Headers of `#define` lines alone, read without a parse (core/fileAnalysis/macroHeader.ts; issue
 * 12's index memory): on every text the reader accepts, the facts are exactly those of the parse
 * (fileFacts), asserted value for value; on every text it is not sure of, it answers null and the
 * file is parsed.
 */
import { describe, expect, it } from 'vitest';
import { defaultParser } from '../../core/lint';
import { defineHeaderFacts, fileFacts } from '../../core/fileAnalysis/fileFacts';
import { macrosOfDefineHeader } from '../../core/fileAnalysis/macroHeader';
import { parseKernelVersion, type KernelVersion } from '../../core/catalog/version';

const v612 = parseKernelVersion('6.12') as KernelVersion;
const lines = (...l: string[]): string => l.map((x) => `${x}\n`).join('');
const parsedFacts = (text: string, file: string): unknown => fileFacts(defaultParser().parse(text), v612, file);

describe('defineHeaderFacts: the same facts as the parse', () => {
  it('a register header: guard, comments of both kinds, size constants kept, registers not', () => {
    const text = lines(
      '/*',
      ' * Copyright (C) 2024  Advanced Micro Devices, Inc.',
      ' * #define NOT_A_MACRO_SIZE 1 (inside a comment)',
      ' */',
      '#ifndef _gc_11_0_0_OFFSET_HEADER',
      '#define _gc_11_0_0_OFFSET_HEADER',
      '',
      '// addressBlock: gc_sdma0_sdma0dec',
      '#define regSDMA0_DEC_START                                                                              0x0000',
      '#define regSDMA0_DEC_START_BASE_IDX\t0',
      '#define mmIH_RB_SIZE                                                                                    0x0040',
      '#define SDMA0_RING_BYTES (0x1000UL)',
      '#define SZ_REG_WINDOW 0x2000 ',
      '  /* an indented comment */',
      '#endif /* _gc_11_0_0_OFFSET_HEADER */',
    ).replace('0x2000 \n', '0x2000\n');
    const facts = defineHeaderFacts(text, 'drivers/gpu/gc_11_0_0_offset.h');
    expect(facts).toEqual(parsedFacts(text, 'drivers/gpu/gc_11_0_0_offset.h'));
    expect(facts?.macros.map((m) => [m.name, m.value, m.origin?.line, m.origin?.column, m.origin?.endColumn])).toEqual([
      ['mmIH_RB_SIZE', '0x0040', 11, 105, 111],
      ['SDMA0_RING_BYTES', '(0x1000UL)', 12, 26, 36],
      ['SZ_REG_WINDOW', '0x2000', 13, 23, 29],
    ]);
    expect(facts?.functions).toEqual([]);
    expect(facts?.wrappers).toEqual([]);
  });

  it('a macro defined twice keeps its first place and its last value; #undef changes nothing', () => {
    const text = lines(
      '#define SZ_A 0x10',
      '#define SZ_B 32',
      '#undef SZ_A',
      '#define SZ_A 0x20',
      '#define PLAIN',
      '#include <linux/sizes.h>',
      '#include "local.h"',
    );
    const facts = defineHeaderFacts(text, 'x.h');
    expect(facts).toEqual(parsedFacts(text, 'x.h'));
    expect(facts?.macros.map((m) => `${m.name}=${m.value}@${m.origin?.line}`)).toEqual(['SZ_A=0x20@4', 'SZ_B=32@2']);
  });

  it('flag macros and the macros they are built from, inside #ifdef … #endif', () => {
    const text = lines(
      '#ifdef CONFIG_XDRV',
      '#define XDRV_RW FOLL_WRITE',
      '#define XDRV_EXTRA 0x4',
      '#define XDRV_UNUSED 7',
      '#define XDRV_FLAGS (XDRV_RW | FOLL_LONGTERM | XDRV_EXTRA)',
      '#endif // CONFIG_XDRV',
    );
    const facts = defineHeaderFacts(text, 'drv/xdrv.h');
    expect(facts).toEqual(parsedFacts(text, 'drv/xdrv.h'));
    expect(facts?.macros.map((m) => m.name)).toEqual(['XDRV_RW', 'XDRV_FLAGS', 'XDRV_EXTRA']);
  });

  it('no macro worth keeping: empty facts, as the parse', () => {
    const text = lines('#define mmA 0x1', '#define mmA__SHIFT 0x0');
    expect(defineHeaderFacts(text, 'r.h')).toEqual({ functions: [], macros: [], wrappers: [] });
    expect(parsedFacts(text, 'r.h')).toEqual({ functions: [], macros: [], wrappers: [] });
  });

  it('a .c file is never read this way', () => {
    expect(defineHeaderFacts(lines('#define SZ_A 1'), 'a.c')).toBeNull();
  });
});

describe('macrosOfDefineHeader: null (parse it) whenever the text is not of the simple form', () => {
  const cases: [string, string][] = [
    ['a continued line', lines('#define SZ_A \\', '\t4096')],
    ['a comment after a value', lines('#define SZ_A 4096 /* 4 KiB */')],
    ['a line comment after a value', lines('#define SZ_A 4096 // 4 KiB')],
    ['a blank after a value', lines('#define SZ_A 4096 ')],
    ['#if 0', lines('#if 0', '#define SZ_A 1', '#endif')],
    ['#if with an expression', lines('#if defined(CONFIG_X)', '#define SZ_A 1', '#endif')],
    ['#else', lines('#ifdef X', '#define SZ_A 1', '#else', '#define SZ_A 2', '#endif')],
    ['#elif', lines('#ifdef X', '#define SZ_A 1', '#elif Y', '#define SZ_A 2', '#endif')],
    ['an #endif too many', lines('#define SZ_A 1', '#endif')],
    ['an #ifdef not closed', lines('#ifdef X', '#define SZ_A 1')],
    ['a comment not closed', lines('/* open', '#define SZ_A 1')],
    ['text after a comment', lines('/* c */ #define SZ_A 1')],
    ['a function-like macro', lines('#define XMAP(d, b) dma_map_single(d, b, 4, DMA_TO_DEVICE)')],
    ['a declaration', lines('#define SZ_A 1', 'extern int x;')],
    ['an indented directive', lines('  #define SZ_A 1')],
    ['a space after #', lines('# define SZ_A 1')],
    ['a string value', lines('#define NAME_SIZE "x"')],
    ['a value with braces', lines('#define INIT_SIZE { 1 }')],
    ['a kernel annotation the parse blanks', lines('#define PTR_SIZE __user')],
    ['non-ASCII', lines('/* Ünïcode */', '#define SZ_A 1')],
    ['CRLF line ends', '#define SZ_A 1\r\n'],
    ['no line end at the end', '#define SZ_A 1'],
  ];
  for (const [what, text] of cases) it(what, () => expect(macrosOfDefineHeader(text)).toBeNull());

  it('the simple form is read (the cases above are refused for what they add)', () => {
    expect([...(macrosOfDefineHeader(lines('#ifdef X', '#define SZ_A 1', '#endif')) ?? new Map()).keys()]).toEqual([
      'SZ_A',
    ]);
  });
});
