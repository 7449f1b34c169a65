/**
 * Turning bytes into text we can analyse, and saying clearly why when we can't: binary data, files
 * too large for the budget, text that is not UTF-8 (read as Latin-1, as old kernel files need).
 * `encodeSource(decodeSource(bytes))` gives back exactly `bytes`: a UTF-8 byte-order mark is
 * taken off the text (editors hide it too, so columns agree with theirs) and put back on encoding.
 */
export const DEFAULT_MAX_BYTES = 8 * 1024 * 1024;

export type Encoding = 'utf-8' | 'latin1';

export type Decoded =
  | {
      readonly ok: true;
      readonly text: string;
      readonly encoding: Encoding;
      /** The bytes began with a UTF-8 byte-order mark (not part of `text`). */
      readonly bom: boolean;
      readonly warning?: string;
    }
  | { readonly ok: false; readonly reason: 'binary' | 'too-large'; readonly message: string };

function formatSize(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / (1024 * 1024)).toFixed(1)} MB` : `${(bytes / 1024).toFixed(1)} KB`;
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
const UTF8_BOM = [0xef, 0xbb, 0xbf] as const;

function startsWithBom(bytes: Uint8Array): boolean {
  return bytes[0] === UTF8_BOM[0] && bytes[1] === UTF8_BOM[1] && bytes[2] === UTF8_BOM[2];
}

/** Where the first NUL byte is in the first 8 KiB, or -1: the classic binary-file test. */
function nulOffset(bytes: Uint8Array): number {
  const limit = Math.min(bytes.length, 8192);
  for (let i = 0; i < limit; i++) if (bytes[i] === 0) return i;
  return -1;
}

export function tooLargeMessage(size: number, maxBytes: number): string {
  return `skipped: ${formatSize(size)} is over the ${formatSize(maxBytes)} analysis limit (--max-file-size)`;
}

export function decodeSource(bytes: Uint8Array, maxBytes = DEFAULT_MAX_BYTES): Decoded {
  if (bytes.length > maxBytes) {
    return {
      ok: false,
      reason: 'too-large',
      message: `skipped: ${formatSize(bytes.length)} is over the ${formatSize(maxBytes)} analysis limit (--max-file-size)`,
    };
  }
  const nul = nulOffset(bytes);
  if (nul >= 0) return { ok: false, reason: 'binary', message: `skipped: binary data (NUL byte at offset ${nul})` };
  try {
    // The decoder drops a leading BOM (ignoreBOM: false); remember it so encoding restores it.
    return { ok: true, text: utf8.decode(bytes), encoding: 'utf-8', bom: startsWithBom(bytes) };
  } catch {
    return {
      ok: true,
      text: Buffer.from(bytes).toString('latin1'),
      encoding: 'latin1',
      bom: false,
      warning: 'not valid UTF-8; read as Latin-1',
    };
  }
}

export function encodeSource(text: string, encoding: Encoding, bom = false): Buffer {
  const body = Buffer.from(text, encoding === 'utf-8' ? 'utf8' : 'latin1');
  return bom ? Buffer.concat([Buffer.from(UTF8_BOM), body]) : body;
}
