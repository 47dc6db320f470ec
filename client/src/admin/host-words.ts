/** The host's steps in a session timeline, in words (SPEC.md A1–A6, K1–K5, E1). */
import type { SessionDetail } from './api';

type TimelineEvent = SessionDetail['events'][number];

/** A line for a host event, or null for any other event. `detail.byName` null means the admin did it. */
export function hostWords(e: TimelineEvent): string | null {
  const d = e.detail;
  const str = (v: unknown) => (typeof v === 'string' ? v : '?');
  const actor = typeof d.byName === 'string' ? d.byName : 'The admin';
  const who = e.name ?? str(d.name);
  switch (e.type) {
    case 'host_changed':
      if (d.reason === 'first') return `${str(d.name)} is the host (first to join)`;
      if (d.reason === 'transfer') return `${actor} made ${str(d.name)} host`;
      if (d.reason === 'restored') return `${str(d.name)} is the host again after the restart`;
      return `${str(d.name)} became host (the host left)`;
    case 'muted_by_host':
      return `${actor} muted ${who}`;
    case 'removed':
      return `${actor} removed ${who}`;
    case 'locked':
      return `${actor} locked the room`;
    case 'unlocked':
      return d.auto ? 'The room unlocked (everyone left)' : `${actor} unlocked the room`;
    case 'knocked':
      return `${str(d.name)} knocked`;
    case 'admitted':
      return `${actor} let ${str(d.name)} in`;
    case 'denied':
      return `${actor} did not let ${str(d.name)} in`;
    case 'ended_by_host':
      return `${actor} ended the call for everyone`;
    default:
      return null;
  }
}
