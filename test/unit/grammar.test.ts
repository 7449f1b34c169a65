/**
 * The .pinsim TextMate grammar, tokenized the way VS Code does it (vscode-textmate with the
 * Oniguruma WASM build): each kind of token gets the scope the theme colours.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import * as oniguruma from 'vscode-oniguruma';
import * as vsctm from 'vscode-textmate';

const root = path.join(__dirname, '..', '..');

async function grammar(): Promise<vsctm.IGrammar> {
  const wasm = readFileSync(path.join(root, 'node_modules', 'vscode-oniguruma', 'release', 'onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns: string[]) => new oniguruma.OnigScanner(patterns),
      createOnigString: (s: string) => new oniguruma.OnigString(s),
    }),
    loadGrammar: (scopeName: string) =>
      Promise.resolve(
        scopeName === 'source.pinsim'
          ? vsctm.parseRawGrammar(
              readFileSync(path.join(root, 'syntaxes', 'pinsim.tmLanguage.json'), 'utf8'),
              'pinsim.tmLanguage.json',
            )
          : null,
      ),
  });
  const g = await registry.loadGrammar('source.pinsim');
  if (!g) throw new Error('grammar did not load');
  return g;
}

function scopesOf(g: vsctm.IGrammar, line: string): [string, string][] {
  const { tokens } = g.tokenizeLine(line, vsctm.INITIAL);
  const pairs: [string, string][] = tokens.map((t) => [
    line.slice(t.startIndex, t.endIndex),
    t.scopes[t.scopes.length - 1] ?? '',
  ]);
  return pairs.filter(([text]) => text.trim() !== '');
}

describe('pinsim grammar', () => {
  it('scopes a step with flags, a result, a location and a comment', async () => {
    const g = await grammar();
    expect(scopesOf(g, 'pin_user_pages_fast nr=8 flags=FOLL_WRITE|FOLL_LONGTERM -> 3 @18:11  # partial')).toEqual([
      ['pin_user_pages_fast', 'entity.name.function.call.pinsim'],
      ['nr', 'variable.parameter.pinsim'],
      ['=', 'keyword.operator.assignment.pinsim'],
      ['8', 'constant.numeric.pinsim'],
      ['flags', 'variable.parameter.pinsim'],
      ['=', 'keyword.operator.assignment.pinsim'],
      ['FOLL_WRITE', 'constant.language.flag.pinsim'],
      ['|', 'keyword.operator.bitwise.pinsim'],
      ['FOLL_LONGTERM', 'constant.language.flag.pinsim'],
      ['->', 'keyword.operator.result.pinsim'],
      ['3', 'constant.numeric.pinsim'],
      ['@18:11', 'constant.other.location.pinsim'],
      ['# partial', 'comment.line.number-sign.pinsim'],
    ]);
  });

  it('scopes directives, branches and returns', async () => {
    const g = await grammar();
    expect(scopesOf(g, 'pages 512 thp movable')).toEqual([
      ['pages', 'keyword.control.directive.pinsim'],
      ['512', 'constant.numeric.pinsim'],
      ['thp', 'support.type.page-kind.pinsim'],
      ['movable', 'storage.modifier.pinsim'],
    ]);
    expect(scopesOf(g, 'branch "ret < 0" false')).toEqual([
      ['branch', 'keyword.control.branch.pinsim'],
      ['"ret < 0"', 'string.quoted.double.pinsim'],
      ['false', 'constant.language.boolean.pinsim'],
    ]);
    expect(scopesOf(g, 'return -EFAULT @38')).toEqual([
      ['return', 'keyword.control.return.pinsim'],
      ['-EFAULT', 'constant.language.errno.pinsim'],
      ['@38', 'constant.other.location.pinsim'],
    ]);
  });
});

describe('pinsim grammar: characters the parser rejects', () => {
  it('marks a no-break space, a form feed and an ideographic space between words as invalid', async () => {
    const g = await grammar();
    const invalid = (line: string): string[] =>
      g
        .tokenizeLine(line, vsctm.INITIAL)
        .tokens.filter((t) => t.scopes.includes('invalid.illegal.character.pinsim'))
        .map((t) => line.slice(t.startIndex, t.endIndex));
    expect(invalid('return\u00a00')).toEqual(['\u00a0']);
    expect(invalid('kernel 6.12\f')).toEqual(['\f']);
    expect(invalid('pin_user_pages_fast\u3000nr=4')).toEqual(['\u3000']);
    expect(invalid('pin_user_pages_fast nr=4 # a\u00a0comment')).toEqual([]);
  });
});
