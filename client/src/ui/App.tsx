/** The room page: the lobby until joined, then the room; messages when the call ends. */
import { useState, useSyncExternalStore } from 'react';
import type { Call } from '../call/Call';
import { Lobby } from './Lobby';
import { Waiting, closedMessage } from './HostPanel';
import { Room } from './Room';
import { t } from './i18n';

export function App({ makeCall }: { makeCall: () => Call }) {
  const [call, setCall] = useState(makeCall);
  const snap = useSyncExternalStore(call.subscribe, call.getSnapshot);

  if (snap.status === 'in-room' || snap.status === 'reconnecting' || (snap.status === 'joining' && snap.self)) {
    return <Room call={call} snap={snap} />;
  }
  if (snap.status === 'knocking') return <Waiting onCancel={() => void call.leave()} />;
  const message =
    closedMessage(snap) ??
    (snap.status === 'room-full'
      ? t.roomFull(snap.capacity ?? null)
      : snap.status === 'replaced'
        ? t.replaced
        : snap.status === 'left'
          ? t.left
          : snap.notice?.kind === 'error'
            ? snap.notice.message
            : null);
  return (
    <Lobby
      message={message}
      busy={snap.status === 'joining'}
      onJoin={(name, mic) => {
        // A finished call cannot be joined again: start a fresh one.
        const next = snap.status === 'idle' ? call : makeCall();
        if (next !== call) setCall(next);
        void next.join(name, mic);
      }}
    />
  );
}
