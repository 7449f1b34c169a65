/**
 * Turning bytes into text we can analyse, and saying clearly why when we can't: binary data, files
 * too large for the budget, text that is not UTF-8 (read as Latin-1, as old kernel files need).
 */
export const DEFAULT_MAX_BYTES = 8 * 1024 * 1024;

export type Encoding = 'utf-8' | 'latin1';

export type Decoded =
  | { readonly ok: true; readonly text: string; readonly encoding: Encoding; readonly warning?: string }
  | { readonly ok: false; readonly reason: 'binary' | 'too-large'; readonly message: string };

function formatSize(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / (1024 * 1024)).toFixed(1)} MB` : `${(bytes / 1024).toFixed(1)} KB`;
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

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
    return { ok: true, text: utf8.decode(bytes), encoding: 'utf-8' };
  } catch {
    return {
      ok: true,
      text: Buffer.from(bytes).toString('latin1'),
      encoding: 'latin1',
      warning: 'not valid UTF-8; read as Latin-1',
    };
  }
}

export function encodeSource(text: string, encoding: Encoding): Buffer {
  return Buffer.from(text, encoding === 'utf-8' ? 'utf8' : 'latin1');
}
