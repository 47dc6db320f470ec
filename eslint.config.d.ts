/** Types of eslint.config.js, for server/test/lint.test.ts. */
import type { Linter } from 'eslint';

export interface Boundary {
  name: string;
  /** Globs of the guarded files, relative to the repository root. */
  files: string[];
  /** A regular expression over import specifiers that the guarded files may not use. */
  forbidden: string;
  message: string;
  /** The rule that enforces it (default `no-restricted-imports`). */
  rule?: string;
}

export const BOUNDARIES: Boundary[];
declare const config: Linter.Config[];
export default config;
