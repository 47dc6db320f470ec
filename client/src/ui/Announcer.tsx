/** A polite live region that says who joined and who left ("Bob joined"). */
import { useEffect, useRef, useState } from 'react';
import type { PeerView } from '../call/Call';
import { rosterChanges, type Seen } from './announcements';
import { t } from './i18n';

export function Announcer({ peers, since }: { peers: readonly PeerView[]; since: number }) {
  const seen = useRef<Seen[] | null>(null);
  const [message, setMessage] = useState('');
  useEffect(() => {
    const now = peers.map((p) => ({ id: p.id, name: p.name, joinedAt: p.joinedAt }));
    const before = seen.current;
    seen.current = now;
    if (!before) return;
    const { joined, left } = rosterChanges(before, now, since);
    const said = [...joined.map(t.joinedAnnounce), ...left.map(t.leftAnnounce)];
    if (said.length > 0) setMessage(said.join('. '));
  }, [peers, since]);
  return (
    <div className="sr-only" role="status" aria-live="polite" data-testid="announcer">
      {message}
    </div>
  );
}
