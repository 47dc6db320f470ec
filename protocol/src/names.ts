/**
 * Display names: the one rule both sides apply (the server at join, the lobby before it), and
 * how the room tells two people of the same name apart.
 *
 * A name is NFC-normalised; control characters and bidi overrides or isolates are refused (they
 * make a name display as something it is not); default-ignorable and format characters
 * (zero-width spaces and joiners, word joiners, soft hyphens, variation selectors, Hangul
 * fillers...) and Braille blanks are removed, since nobody sees them; runs of spaces become one
 * space; combining marks are kept up to MAX_MARKS_PER_BASE on one base (enough for pointed
 * Hebrew or Devanagari with a nukta, not for a tower of 63); and what is left must hold a
 * letter or a digit and be 1–64 characters. Emoji are welcome beside a letter, not alone: the
 * others need a name they can read out.
 */
import { z } from 'zod';

export const NAME_MAX_CHARS = 64;
/** Combining marks kept on one base character; the rest of a stack is dropped. */
export const MAX_MARKS_PER_BASE = 3;

/**
 * C0/C1 control characters plus the bidi overrides and isolates (U+202A–U+202E, U+2066–U+2069)
 * that let a name display differently from what it is.
 */
// eslint-disable-next-line no-control-regex
const REFUSED = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/u;
/** Invisible: default-ignorable code points, format characters, the Braille blank. */
const INVISIBLE = /[\p{Default_Ignorable_Code_Point}\p{Cf}\u2800]/gu;
const SPACES = /[\s\p{Zs}]+/gu;
const MARK = /\p{M}/u;
const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;

/** Why a name cannot be used; the lobby shows the same reasons in its own words. */
export const NameProblem = {
  empty: 'name must not be empty',
  too_long: `name must be at most ${NAME_MAX_CHARS} characters`,
  control: 'name must not contain control or bidi-override characters',
  no_letter: 'name needs a visible letter or digit',
} as const;
export type NameProblem = keyof typeof NameProblem;

/** The name as the room will show it (before making it unique), or why it cannot be used. */
export function cleanName(raw: string): { ok: true; name: string } | { ok: false; problem: NameProblem } {
  // However much of it is invisible, a name is never long: the work below stays small.
  if (raw.length > NAME_MAX_CHARS * 8) return { ok: false, problem: 'too_long' };
  const nfc = raw.normalize('NFC');
  if (REFUSED.test(nfc)) return { ok: false, problem: 'control' };
  let marks = 0;
  let name = '';
  for (const ch of nfc.replace(INVISIBLE, '').replace(SPACES, ' ').trim()) {
    marks = MARK.test(ch) ? marks + 1 : 0;
    if (marks <= MAX_MARKS_PER_BASE) name += ch;
  }
  if (nfc.trim() === '') return { ok: false, problem: 'empty' };
  if ([...name].length > NAME_MAX_CHARS) return { ok: false, problem: 'too_long' };
  if (!LETTER_OR_DIGIT.test(name)) return { ok: false, problem: 'no_letter' };
  return { ok: true, name };
}

/** A display name, cleaned (see above); the schema's error names the problem. */
export const DisplayName = z.string().transform((raw, ctx) => {
    const r = cleanName(raw);
    if (r.ok) return r.name;
    ctx.addIssue({ code: 'custom', message: NameProblem[r.problem] });
    return z.NEVER;
  });

/** Two names the others would take for the same person: case, width and compatibility forms aside. */
export const nameKey = (name: string): string => name.normalize('NFKC').toLowerCase();

/**
 * `name`, or, when someone in `taken` already goes by it, `name (2)`, `name (3)`…: the first
 * that is free, cut so the whole stays within NAME_MAX_CHARS.
 */
export function uniqueName(name: string, taken: Iterable<string>): string {
  const keys = new Set([...taken].map(nameKey));
  if (!keys.has(nameKey(name))) return name;
  for (let n = 2; ; n++) {
    const suffix = ` (${n})`;
    const candidate = `${[...name].slice(0, NAME_MAX_CHARS - suffix.length).join('').trimEnd()}${suffix}`;
    if (!keys.has(nameKey(candidate))) return candidate;
  }
}
