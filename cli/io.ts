/**
 * Where a command's output goes: one line at a time to stdout (results) or stderr (everything a
 * person reads). Commands take an `Io` rather than touching `process`, so tests can capture them.
 */
export interface Io {
  out(line: string): void;
  err(line: string): void;
}

export const stdio: Io = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};
