/**
 * A finding's message is a headline and its explanation: "Pages from get_user_pages_fast()
 * (FOLL_GET) must be pinned: they are marked dirty, … Use pin_user_pages_fast() and
 * unpin_user_page*()." A gcc-style line shows the headline; `--explain` adds the rest beneath it;
 * JSON and SARIF keep the whole message.
 *
 * The headline ends at the first sentence end (". ") or colon (": ") that is outside parentheses,
 * brackets, `code` and "quotes": a message's first clause says what is wrong, and the rest says why
 * and what to do.
 */

export interface SplitMessage {
  readonly headline: string;
  /** What follows the headline, or '' when the message is one clause. */
  readonly explanation: string;
}

const OPENERS: Readonly<Record<string, string>> = { '(': ')', '[': ']' };

export function splitMessage(message: string): SplitMessage {
  const closers: string[] = [];
  let quote: string | null = null;
  for (let i = 0; i < message.length - 1; i++) {
    const c = message[i] as string;
    if (quote !== null) {
      if (c === quote) quote = null;
      continue;
    }
    if (c === '`' || c === '"') quote = c;
    else if (OPENERS[c]) closers.push(OPENERS[c]);
    else if (c === closers.at(-1)) closers.pop();
    else if (closers.length === 0 && (c === '.' || c === ':') && message[i + 1] === ' ') {
      const explanation = message.slice(i + 2).trim();
      if (explanation === '') break;
      return { headline: c === '.' ? message.slice(0, i + 1) : message.slice(0, i), explanation };
    }
  }
  return { headline: message, explanation: '' };
}
