/**
 * Push-to-talk on Space: while muted, holding Space unmutes until it is released. Space keeps
 * its usual meaning where it has one (typing in a field, pressing a focused button, ticking a
 * box), so it only talks when focus is on the page itself. Key repeats while held do nothing
 * but keep the page from scrolling. Pure: the keyboard events and the mute come in, so the
 * rules are tested without a browser.
 */

export interface KeyLike {
  key: string;
  repeat?: boolean;
  altKey?: boolean;
  ctrlKey?: boolean;
  metaKey?: boolean;
  target: EventTarget | null;
}

interface ElementLike {
  tagName?: string;
  isContentEditable?: boolean;
  getAttribute?: (name: string) => string | null;
}

const OWN_SPACE_TAGS = /^(INPUT|TEXTAREA|SELECT|BUTTON|A|SUMMARY|OPTION|VIDEO|AUDIO)$/;
const OWN_SPACE_ROLES = /^(button|checkbox|switch|radio|slider|menuitem|option|tab|textbox|combobox|link|spinbutton)$/;

/** Whether Space on this element already does something (type, press, toggle, scroll a list). */
export function spaceBelongsTo(target: EventTarget | null): boolean {
  const el = target as ElementLike | null;
  if (!el || typeof el.tagName !== 'string') return false;
  if (OWN_SPACE_TAGS.test(el.tagName.toUpperCase()) || el.isContentEditable) return true;
  return OWN_SPACE_ROLES.test(el.getAttribute?.('role') ?? '');
}

const isSpace = (e: KeyLike) => e.key === ' ' || e.key === 'Spacebar';

export class PushToTalk {
  #held = false;

  constructor(
    private readonly deps: {
      isMuted: () => boolean;
      /** False while a talk is not possible at all (listen only, not in the room). */
      canTalk: () => boolean;
      setMuted: (muted: boolean) => void;
    },
  ) {}

  get held(): boolean {
    return this.#held;
  }

  /** A keydown; true when it was ours (the caller prevents its default). */
  keyDown(e: KeyLike): boolean {
    if (!isSpace(e) || e.altKey || e.ctrlKey || e.metaKey || spaceBelongsTo(e.target)) return false;
    if (this.#held) return true;
    if (e.repeat || !this.deps.canTalk() || !this.deps.isMuted()) return false;
    this.#held = true;
    this.deps.setMuted(false);
    return true;
  }

  /** A keyup; true when it ended a push-to-talk. */
  keyUp(e: KeyLike): boolean {
    if (!isSpace(e) || !this.#held) return false;
    return this.release();
  }

  /** Focus left the window while held (the keyup will never come): mute again. */
  release(): boolean {
    if (!this.#held) return false;
    this.#held = false;
    if (!this.deps.isMuted()) this.deps.setMuted(true);
    return true;
  }
}
