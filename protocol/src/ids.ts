/** Identifiers shared by every part of the protocol (a module of its own, so the others can import it without a cycle). */
import { z } from 'zod';

/**
 * A participant's id: a UUID the server issued, always compared in lower case (so an upper-cased
 * copy names the same participant, as it does in PostgreSQL's uuid type).
 */
export const ParticipantId = z
  .string()
  .uuid()
  .transform((s) => s.toLowerCase());
export type ParticipantId = z.infer<typeof ParticipantId>;
