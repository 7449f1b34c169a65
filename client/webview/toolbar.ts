/**
 * The stepping toolbar: first, back, play/pause, forward, last, next violation, the position, and
 * Export Trace / Copy as Markdown. One row at any width: on a narrow panel the two text buttons
 * keep only their icons (their names stay in aria-label and title).
 */
import { h, icon, replace, setText, toggleClass } from './dom';

interface ToolbarHandlers {
  first(): void;
  back(): void;
  togglePlay(): void;
  forward(): void;
  last(): void;
  nextViolation(): void;
  exportTrace(): void;
  copyMarkdown(): void;
}

/** What the buttons can do at the current position. */
interface ToolbarState {
  /** A path is shown. */
  readonly hasPath: boolean;
  readonly atStart: boolean;
  readonly atEnd: boolean;
  readonly violationAhead: boolean;
}

function iconButton(id: string, codicon: string, label: string, keys: string): HTMLButtonElement {
  return h(
    'button',
    {
      id,
      class: 'icon-button',
      type: 'button',
      title: `${label} (${keys})`,
      'aria-label': label,
      'aria-keyshortcuts': keys,
    },
    icon(codicon),
  );
}

function textButton(id: string, codicon: string, label: string, title: string): HTMLButtonElement {
  return h(
    'button',
    { id, class: 'text-button', type: 'button', title, 'aria-label': label },
    icon(codicon),
    h('span', { class: 'button-label' }, ` ${label}`),
  );
}

export class Toolbar {
  readonly root: HTMLElement;
  private readonly first = iconButton('first', 'debug-reverse-continue', 'First step', 'Home');
  private readonly back = iconButton('back', 'debug-step-back', 'Step back', 'ArrowLeft');
  private readonly play = iconButton('play', 'debug-start', 'Play', 'Space');
  private readonly forward = iconButton('forward', 'debug-step-over', 'Step forward', 'ArrowRight');
  private readonly last = iconButton('last', 'debug-continue', 'Last step', 'End');
  private readonly nextViolation = iconButton('next-violation', 'warning', 'Next violation', ']');
  private readonly position = h('span', { class: 'position', id: 'position', 'aria-live': 'off' });
  private readonly exportButton = textButton('export', 'export', 'Export Trace', 'Save this path as a .pinsim trace');
  private readonly copyButton = textButton(
    'copy-markdown',
    'markdown',
    'Copy as Markdown',
    'Copy the step table as Markdown',
  );

  constructor(handlers: ToolbarHandlers) {
    this.root = h(
      'div',
      { class: 'toolbar', role: 'toolbar', 'aria-label': 'Stepping' },
      this.first,
      this.back,
      this.play,
      this.forward,
      this.last,
      this.nextViolation,
      this.position,
      h('span', { class: 'spacer' }),
      this.exportButton,
      this.copyButton,
    );
    this.first.addEventListener('click', () => handlers.first());
    this.back.addEventListener('click', () => handlers.back());
    this.play.addEventListener('click', () => handlers.togglePlay());
    this.forward.addEventListener('click', () => handlers.forward());
    this.last.addEventListener('click', () => handlers.last());
    this.nextViolation.addEventListener('click', () => handlers.nextViolation());
    this.exportButton.addEventListener('click', () => handlers.exportTrace());
    this.copyButton.addEventListener('click', () => handlers.copyMarkdown());
  }

  update(s: ToolbarState): void {
    this.first.disabled = !s.hasPath || s.atStart;
    this.back.disabled = !s.hasPath || s.atStart;
    this.forward.disabled = !s.hasPath || s.atEnd;
    this.last.disabled = !s.hasPath || s.atEnd;
    this.play.disabled = !s.hasPath || (s.atStart && s.atEnd);
    this.nextViolation.disabled = !s.violationAhead;
    this.exportButton.disabled = !s.hasPath;
    this.copyButton.disabled = !s.hasPath;
  }

  setPosition(text: string): void {
    setText(this.position, text);
  }

  /** The play button shows pause while playing. */
  setPlaying(playing: boolean): void {
    replace(this.play, icon(playing ? 'debug-pause' : 'debug-start'));
    const label = playing ? 'Pause' : 'Play';
    this.play.setAttribute('aria-label', label);
    this.play.title = `${label} (Space)`;
    toggleClass(this.play, 'playing', playing);
  }
}
