/**
 * The panel's keyboard: arrows (and j/k, n/p) step, Home/End jump, Space plays, [ and ] jump
 * between violations, Enter shows the step's line in the editor, Escape stops playing. Keys typed
 * into a field, or with a modifier, are not the panel's.
 */

export type KeyCommand =
  'next' | 'previous' | 'first' | 'last' | 'nextViolation' | 'previousViolation' | 'play' | 'reveal' | 'stop';

const KEYS: ReadonlyMap<string, KeyCommand> = new Map(
  Object.entries({
    ArrowRight: 'next',
    ArrowDown: 'next',
    j: 'next',
    n: 'next',
    ArrowLeft: 'previous',
    ArrowUp: 'previous',
    k: 'previous',
    p: 'previous',
    Home: 'first',
    End: 'last',
    ']': 'nextViolation',
    '[': 'previousViolation',
    ' ': 'play',
    Enter: 'reveal',
    Escape: 'stop',
  } satisfies Record<string, KeyCommand>),
);

function isEditable(target: EventTarget | null): boolean {
  return (
    target instanceof HTMLElement &&
    (target.tagName === 'INPUT' ||
      target.tagName === 'SELECT' ||
      target.tagName === 'TEXTAREA' ||
      target.isContentEditable)
  );
}

function isClickable(target: EventTarget | null): boolean {
  return (
    target instanceof HTMLElement &&
    (target.tagName === 'BUTTON' || target.tagName === 'A' || target.tagName === 'SUMMARY')
  );
}

/** The command a key press stands for, or null when the panel should leave it alone. */
export function keyCommand(e: KeyboardEvent): KeyCommand | null {
  if (e.altKey || e.ctrlKey || e.metaKey || isEditable(e.target)) return null;
  const command = KEYS.get(e.key);
  if (command === undefined) return null;
  // Space and Enter on a button, a link or a disclosure's summary are that element's own click.
  if ((command === 'play' || command === 'reveal') && isClickable(e.target)) return null;
  return command;
}
