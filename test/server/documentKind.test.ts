/**
 * A document's kind is decided once, when it opens: the client's language id, else the file name.
 * Every handler then asks the kind (server/documentKind.ts) instead of testing the document.
 */
import { describe, expect, it } from 'vitest';
import { documentKindOf } from '../../server/documentKind';
import { DocumentStore } from '../../server/documents';

describe('document kinds', () => {
  it('pinsim by language id or by a .pinsim name (any case); everything else is C', () => {
    expect(documentKindOf('pinsim', 'file:///t/trace.txt')).toBe('pinsim');
    expect(documentKindOf('plaintext', 'file:///t/a.PinSim')).toBe('pinsim');
    expect(documentKindOf('c', 'file:///t/a.c')).toBe('c');
    expect(documentKindOf('cpp', 'file:///t/a.pinsim.c')).toBe('c');
  });

  it('the store decides at open and keeps the kind across edits', () => {
    const store = new DocumentStore();
    const doc = store.open('untitled:Untitled-1', 'pinsim', 1, 'kernel 6.12\n');
    expect(doc.kind).toBe('pinsim');
    const changed = store.change('untitled:Untitled-1', 2, [{ text: 'int x;\n' }]);
    expect(changed?.doc.kind).toBe('pinsim');
    expect(store.open('file:///t/a.c', 'c', 1, '').kind).toBe('c');
  });
});
