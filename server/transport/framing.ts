/**
 * Reading LSP messages from a byte stream (the base protocol: `Content-Length` header, blank line,
 * UTF-8 JSON body), saying what was wrong instead of going quiet. vscode-jsonrpc's own stream reader
 * drops a body that is not JSON without a word, and after one bad header it never reads another
 * message (`lsp-repro.py` case 2): the server looks alive and answers nothing.
 *
 * Here every problem is reported (`onProblem`) and reading goes on:
 *  - a header block without a numeric Content-Length (or a runaway header without a blank line):
 *    the bytes up to the next `Content-Length:` are skipped, and framing resumes there;
 *  - a body that is not JSON: a parse error (the caller answers -32700, as JSON-RPC says);
 *  - JSON that is not one message object (a number, a JSON-RPC batch array): an invalid request
 *    (the caller answers -32600).
 * https://microsoft.github.io/language-server-protocol/specifications/lsp/3.17/specification/#baseProtocol
 */
import { AbstractMessageReader, type DataCallback, type Disposable, type Message } from 'vscode-languageserver/node';

export type FramingProblem =
  /** The header block was malformed; `skipped` bytes were dropped to find the next message. */
  | { readonly kind: 'header'; readonly message: string; readonly skipped: number }
  /** A framed body that is not JSON. */
  | { readonly kind: 'parse'; readonly message: string }
  /** JSON that is not a message object. */
  | { readonly kind: 'invalid'; readonly message: string };

/** A header block is a few dozen bytes; past this without a blank line, it is not a header. */
const MAX_HEADER_BYTES = 8192;
/** V8 cannot make a string much longer than this; a larger Content-Length is a framing error. */
const MAX_BODY_BYTES = 512 * 1024 * 1024;
const HEADER_END = Buffer.from('\r\n\r\n', 'ascii');
const CONTENT_LENGTH = /content-length:/i;
/** A header line as only a header can have it: with a raw line break, which JSON escapes. */
const HEADER_IN_BODY = /content-length:[ \t]*\d+\r\n/i;
/** Bytes of the previous chunk searched again, for a header split across chunks. */
const HEADER_CARRY = 40;

interface Input {
  on(event: 'data', listener: (chunk: Buffer) => void): unknown;
  on(event: 'end' | 'close', listener: () => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
}

export class FramedMessageReader extends AbstractMessageReader {
  /** Bytes received and not yet consumed, in arrival order (concatenated only when complete). */
  private chunks: Buffer[] = [];
  private length = 0;
  /** The body length of the message being read, once its header was read. */
  private expected: number | null = null;
  private callback: DataCallback | null = null;
  /** How much of the body being read was searched for a header already (headerInBody). */
  private scanned = 0;
  private closed = false;

  constructor(
    private readonly input: Input,
    private readonly onProblem: (problem: FramingProblem) => void,
  ) {
    super();
  }

  listen(callback: DataCallback): Disposable {
    this.callback = callback;
    this.input.on('data', (chunk: Buffer) => this.onData(chunk));
    this.input.on('error', (error: Error) => this.fireError(error));
    const close = (): void => {
      if (this.closed) return;
      this.closed = true;
      this.fireClose();
    };
    this.input.on('end', close);
    this.input.on('close', close);
    return { dispose: () => (this.callback = null) };
  }

  private onData(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.length += chunk.length;
    for (;;) {
      if (this.expected === null) {
        const header = this.readHeader();
        if (header === 'more') return;
        if (header === 'skipped') continue;
      }
      const expected = this.expected as number;
      if (this.length < expected) {
        const cut = this.headerInBody(expected);
        if (cut === null) return;
        this.truncated(cut, expected);
        continue;
      }
      const all = this.take();
      this.expected = null;
      const body = all.subarray(0, expected);
      const value = this.decode(body);
      // A body that is not JSON may be a short one that ran into the next message (whose header
      // may straddle the body's end): read that message.
      const cut = value === undefined ? nextHeader(all, expected) : -1;
      if (cut > 0) {
        this.keep(all.subarray(cut));
        this.reportTruncated(cut, expected);
        continue;
      }
      this.keep(all.subarray(expected));
      if (value === undefined) this.onProblem({ kind: 'parse', message: this.lastError });
      else this.deliver(value);
    }
  }

  /** The body being read stops at `cut`, where a header starts: read on from there. */
  private truncated(cut: number, expected: number): void {
    const all = this.take();
    this.expected = null;
    this.keep(all.subarray(cut));
    this.reportTruncated(cut, expected);
  }

  private reportTruncated(cut: number, expected: number): void {
    this.onProblem({
      kind: 'parse',
      message: `the body ended after ${cut} of its ${expected} bytes (Content-Length), where the next message's header starts`,
    });
  }

  /**
   * Where a message header starts inside the body being read, or null. A client that sends fewer
   * bytes than its Content-Length says would otherwise have its next messages eaten as the rest
   * of that body (and the requests among them never answered). A header inside a body is
   * unambiguous: `Content-Length: N` followed by a raw CR LF cannot occur in JSON, where a line
   * break inside a string is always escaped. Each byte is scanned once, chunk by chunk.
   */
  private headerInBody(expected: number): number | null {
    let offset = 0;
    for (const chunk of this.chunks) {
      const end = offset + chunk.length;
      if (end > this.scanned && offset < expected) {
        const from = Math.max(0, this.scanned - offset - HEADER_CARRY);
        const to = Math.min(chunk.length, expected - offset);
        const at = chunk.subarray(from, to).toString('latin1').search(HEADER_IN_BODY);
        if (at >= 0 && offset + from + at > 0) return offset + from + at;
      }
      offset = end;
    }
    this.scanned = Math.min(this.length, expected);
    return null;
  }

  /** Everything pending, as one buffer (pending is emptied). */
  private take(): Buffer {
    const all = this.chunks.length === 1 ? (this.chunks[0] as Buffer) : Buffer.concat(this.chunks, this.length);
    this.chunks = [];
    this.length = 0;
    return all;
  }

  private keep(rest: Buffer): void {
    this.scanned = 0;
    if (rest.length === 0) return;
    this.chunks = [rest];
    this.length = rest.length;
  }

  /**
   * Reads one header block: 'header' (the body length is known), 'more' (wait for bytes), or
   * 'skipped' (a broken header was skipped up to the next `Content-Length:`; read again).
   */
  private readHeader(): 'header' | 'more' | 'skipped' {
    const all = this.take();
    const end = all.indexOf(HEADER_END);
    if (end < 0) {
      if (all.length > MAX_HEADER_BYTES)
        return this.resync(all, `no blank line after ${MAX_HEADER_BYTES} bytes of header`);
      this.keep(all);
      return 'more';
    }
    const length = contentLength(all.subarray(0, end).toString('latin1'));
    if (typeof length === 'string') return this.resync(all, length);
    this.expected = length;
    this.keep(all.subarray(end + HEADER_END.length));
    return 'header';
  }

  /** Drops bytes up to the next `Content-Length:` after the broken header (or all but a tail). */
  private resync(all: Buffer, why: string): 'more' | 'skipped' {
    const next = all.toString('latin1').slice(1).search(CONTENT_LENGTH);
    // Without a next header, keep a tail that may be the start of one ("Content-Len").
    const skipped = next < 0 ? Math.max(0, all.length - 15) : next + 1;
    this.onProblem({ kind: 'header', message: why, skipped });
    this.keep(all.subarray(skipped));
    return next < 0 ? 'more' : 'skipped';
  }

  private lastError = '';

  /** The body as JSON, or undefined (and `lastError` says why). */
  private decode(body: Buffer): unknown {
    try {
      return JSON.parse(body.toString('utf8')) as unknown;
    } catch (e) {
      this.lastError = e instanceof Error ? e.message : String(e);
      return undefined;
    }
  }

  private deliver(value: unknown): void {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      this.onProblem({
        kind: 'invalid',
        message: Array.isArray(value) ? 'a JSON array (batches are not part of LSP)' : `a JSON ${typeof value}`,
      });
      return;
    }
    this.callback?.(value as Message);
  }
}

/** Where a `Content-Length:` starts after the first byte and before `before`, or -1. */
function nextHeader(bytes: Buffer, before: number): number {
  const at = bytes.toString('latin1', 1, Math.min(bytes.length, before + 16)).search(CONTENT_LENGTH);
  return at >= 0 && at + 1 < before ? at + 1 : -1;
}

/** The Content-Length of a header block, or what is wrong with it. */
function contentLength(header: string): number | string {
  let length: number | string = 'no Content-Length header';
  for (const line of header.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) return `a header line without a name: ${JSON.stringify(line.slice(0, 80))}`;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name !== 'content-length') continue;
    if (!/^\d+$/.test(value)) return `Content-Length is not a number: ${JSON.stringify(value.slice(0, 40))}`;
    length = Number(value);
    if (length > MAX_BODY_BYTES) return `Content-Length ${value} is over the ${MAX_BODY_BYTES} byte limit`;
  }
  return length;
}
