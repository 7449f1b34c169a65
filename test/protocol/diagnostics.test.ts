/**
 * Diagnostics over stdio from the built server: exact codes, ranges, severities, links, related
 * information only for clients that declare it, severities and enablement from the settings.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { DiagnosticSeverity } from 'vscode-languageserver-protocol';
import {
  DEMO,
  FULL_CAPABILITIES,
  onlyRules,
  rangeOf,
  readFixture,
  RULES_UNDER_TEST,
  startClient,
  uriOf,
  type LspClient,
} from './harness';

const text = readFixture(DEMO);
const uri = uriOf(DEMO);
const PIN_DOCS = 'https://docs.kernel.org/core-api/pin_user_pages.html';
let client: LspClient | undefined;

afterEach(async () => {
  await client?.stop();
  client = undefined;
});

/** What the fixture must produce with the four rules under test (kernel 6.12 from ws/Makefile). */
const EXPECTED = [
  {
    code: 'longterm-get',
    range: rangeOf(text, 'FOLL_LONGTERM', 1),
    severity: DiagnosticSeverity.Error,
    href: `${PIN_DOCS}#case-2-rdma`,
    message: /^FOLL_LONGTERM passed to get_user_pages_fast\(\): long-term access needs a FOLL_PIN pin/,
  },
  {
    code: 'release-mismatch',
    range: rangeOf(text, 'put_page(pages[i])'),
    severity: DiagnosticSeverity.Error,
    href: `${PIN_DOCS}#basic-description-of-foll-pin`,
    message: /^Pages pinned by pin_user_pages_fast\(\) \(line 35\) are released with a put_page\(\) loop\./,
  },
  {
    code: 'api-version',
    range: rangeOf(text, 'pin_user_pages(uaddr, n, FOLL_WRITE | FOLL_GET, pages, NULL)'),
    severity: DiagnosticSeverity.Error,
    href: 'https://docs.kernel.org/core-api/mm-api.html#c.get_user_pages',
    message:
      /^pin_user_pages\(\) takes 4 arguments in Linux 6\.12 \(start, nr_pages, gup_flags, pages\); this call passes 5\./,
  },
  {
    code: 'internal-foll-flag',
    range: rangeOf(text, 'FOLL_GET', 1),
    severity: DiagnosticSeverity.Error,
    href: `${PIN_DOCS}#basic-description-of-foll-pin`,
    message: /^FOLL_GET passed to pin_user_pages\(\): pin_user_pages\*\(\) take FOLL_PIN pins and reject FOLL_GET/,
  },
];

describe('publishDiagnostics', () => {
  test('exact diagnostics for the fixture driver, with the document version', async () => {
    client = await startClient({ settings: { rules: onlyRules(RULES_UNDER_TEST) } });
    client.open(uri, text, 7);
    const published = await client.waitForDiagnostics(uri, 7);
    expect(published.version).toBe(7);
    expect(
      published.diagnostics.map((d) => ({
        code: d.code,
        range: d.range,
        severity: d.severity,
        source: d.source,
        href: d.codeDescription?.href,
      })),
    ).toEqual(
      EXPECTED.map((e) => ({ code: e.code, range: e.range, severity: e.severity, source: 'pinscope', href: e.href })),
    );
    published.diagnostics.forEach((d, i) => expect(d.message).toMatch(EXPECTED[i]?.message as RegExp));
    // Related information: the acquire site of the release-mismatch, the call of the flag findings.
    const mismatch = published.diagnostics.find((d) => d.code === 'release-mismatch');
    expect(mismatch?.relatedInformation).toEqual([
      {
        location: { uri, range: rangeOf(text, 'pin_user_pages_fast(uaddr, n, 0, pages)') },
        message: 'pages pinned by pin_user_pages_fast() here',
      },
    ]);
    const status = await client.waitFor('status', () => client?.statuses.find((s) => s.uri === uri && s.version === 7));
    expect(status).toMatchObject({
      state: 'analysed',
      errors: 4,
      warnings: 0,
      infos: 0,
      kernelVersion: '6.12',
      notes: [],
    });
  });

  test('no relatedInformation and no version for a client that does not declare them', async () => {
    client = await startClient({
      settings: { rules: onlyRules(RULES_UNDER_TEST) },
      capabilities: { ...FULL_CAPABILITIES, textDocument: { publishDiagnostics: {} } },
    });
    client.open(uri, text, 1);
    const published = await client.waitForDiagnostics(uri);
    expect(published.version).toBeUndefined();
    expect(published.diagnostics).toHaveLength(4);
    for (const d of published.diagnostics) expect(d.relatedInformation).toBeUndefined();
  });

  test('per-rule severity and enablement from the settings; kernelVersion from the settings', async () => {
    client = await startClient({
      settings: {
        kernelVersion: '6.1',
        rules: onlyRules(['longterm-get', 'release-mismatch', 'api-version'], {
          'release-mismatch': { severity: 'info' },
        }),
      },
    });
    client.open(uri, text);
    const published = await client.waitForDiagnostics(uri);
    // On 6.1 the vmas argument still exists: no api-version finding. internal-foll-flag is off.
    expect(published.diagnostics.map((d) => [d.code, d.severity])).toEqual([
      ['longterm-get', DiagnosticSeverity.Error],
      ['release-mismatch', DiagnosticSeverity.Information],
    ]);
  });

  test('a pinscope-ignore comment silences a finding', async () => {
    client = await startClient({ settings: { rules: onlyRules(RULES_UNDER_TEST) } });
    const suppressed = text.replace(
      '\tgot = pin_user_pages(uaddr',
      '\t/* pinscope-ignore internal-foll-flag */\n\tgot = pin_user_pages(uaddr',
    );
    client.open(uri, suppressed);
    const published = await client.waitForDiagnostics(uri);
    expect(published.diagnostics.map((d) => d.code)).toEqual(['longterm-get', 'release-mismatch', 'api-version']);
  });

  test('a file matching pinscope.exclude gets no diagnostics and the status says excluded', async () => {
    client = await startClient({ settings: { exclude: ['drivers/misc/**'] } });
    client.open(uri, text);
    const published = await client.waitForDiagnostics(uri);
    expect(published.diagnostics).toEqual([]);
    const status = await client.waitFor('status', () => client?.statuses.find((s) => s.uri === uri));
    expect(status.state).toBe('excluded');
  });

  test('didClose clears the diagnostics', async () => {
    client = await startClient({ settings: { rules: onlyRules(RULES_UNDER_TEST) } });
    client.open(uri, text);
    await client.waitForDiagnostics(uri);
    const before = client.published.length;
    client.close(uri);
    const cleared = await client.waitFor('cleared diagnostics', () =>
      client?.published.slice(before).find((p) => p.uri === uri),
    );
    expect(cleared.diagnostics).toEqual([]);
  });
});
