/**
 * The host's part of the room page (SPEC.md A1–A6, K1–K5, E1): the Host badge, a tile's menu
 * (Make host, Mute, Remove with a confirmation), the lock and End for everyone, the people at the
 * door; and what the others see of it (notices, the waiting page, why a call ended). Renders the
 * snapshot only; every action goes to the server through `call.host`.
 */
import { useState } from 'react';
import type { Knock } from '@meshtalk/protocol';
import type { CallSnapshot } from '../call/Call';
import type { HostControls } from '../call/HostControls';
import { t } from './i18n';

export function HostBadge() {
  return <span className="badge host-badge">{t.host}</span>;
}

/** A question with a confirming button and Cancel, in place of what asked it. */
function Confirm(props: { question: string; yes: string; onYes: () => void; onNo: () => void }) {
  return (
    <div className="confirm" role="alertdialog" aria-label={props.question}>
      <p>{props.question}</p>
      <button type="button" className="danger" onClick={props.onYes}>
        {props.yes}
      </button>
      <button type="button" onClick={props.onNo} autoFocus>
        {t.cancel}
      </button>
    </div>
  );
}

/** The host's menu on another person's tile. */
export function TileMenu({ id, name, host, lowerHand }: { id: string; name: string; host: HostControls; lowerHand?: (() => void) | undefined }) {
  const [open, setOpen] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const choose = (run: () => void) => () => {
    setOpen(false);
    run();
  };
  if (confirming) {
    return <Confirm question={t.confirmRemove(name)} yes={t.confirmRemoveYes(name)} onYes={() => void host.remove(id)} onNo={() => setConfirming(false)} />;
  }
  return (
    <div className="tile-menu">
      <button type="button" aria-haspopup="menu" aria-expanded={open} aria-label={t.tileMenu(name)} onClick={() => setOpen(!open)}>
        ⋯
      </button>
      {open && (
        <ul role="menu" aria-label={t.tileMenu(name)}>
          <li role="none">
            <button type="button" role="menuitem" onClick={choose(() => void host.makeHost(id))}>
              {t.makeHost(name)}
            </button>
          </li>
          <li role="none">
            <button type="button" role="menuitem" onClick={choose(() => void host.mute(id))}>
              {t.muteOther(name)}
            </button>
          </li>
          {lowerHand && (
            <li role="none">
              <button type="button" role="menuitem" onClick={choose(lowerHand)}>
                {t.lowerHandOf(name)}
              </button>
            </li>
          )}
          <li role="none">
            <button type="button" role="menuitem" onClick={choose(() => setConfirming(true))}>
              {t.removeOther(name)}
            </button>
          </li>
        </ul>
      )}
    </div>
  );
}

/** The host's controls in the control bar: the lock (a toggle) and End for everyone. */
export function HostBar({ host, locked }: { host: HostControls; locked: boolean }) {
  const [confirming, setConfirming] = useState(false);
  return (
    <>
      <button type="button" aria-pressed={locked} onClick={() => void host.setLocked(!locked)}>
        {locked ? t.unlockRoom : t.lockRoom}
      </button>
      {confirming ? (
        <Confirm question={t.confirmEnd} yes={t.confirmEndYes} onYes={() => void host.endForEveryone()} onNo={() => setConfirming(false)} />
      ) : (
        <button type="button" className="danger" onClick={() => setConfirming(true)}>
          {t.endForEveryone}
        </button>
      )}
    </>
  );
}

/** The people at the door, for the host to admit or deny. */
export function Knocks({ knocks, host }: { knocks: Knock[]; host: HostControls }) {
  return (
    <>
      {knocks.map((k) => (
        <div key={k.id} className="knock" role="group" aria-label={t.wantsToJoin(k.name)}>
          <span role="status">{t.wantsToJoin(k.name)}</span>
          <button type="button" className="primary" onClick={() => void host.admit(k.id)}>
            {t.admit}
          </button>
          <button type="button" onClick={() => void host.deny(k.id)}>
            {t.deny}
          </button>
        </div>
      ))}
    </>
  );
}

/** A host notice in words, or null when the notice is not the host's. */
export function hostNotice(notice: CallSnapshot['notice']): string | null {
  if (notice?.kind === 'muted_by_host') return t.mutedBy(notice.by);
  if (notice?.kind === 'host_changed') return notice.you ? t.youAreHost : t.isNowHost(notice.name);
  return null;
}

/** Why the call is over here, when the host or the door ended it; null otherwise. */
export function closedMessage(snap: CallSnapshot): string | null {
  switch (snap.status) {
    case 'removed':
      return t.removedBy(snap.closedBy ?? null);
    case 'ended':
      return snap.closedBy === undefined ? t.callEnded : t.endedBy(snap.closedBy);
    case 'denied':
      return t.denied;
    case 'knock-expired':
      return t.knockExpired;
    case 'locked-out':
      return t.lockedOut;
    default:
      return null;
  }
}

/** At a locked room's door. */
export function Waiting({ onCancel }: { onCancel: () => void }) {
  return (
    <main className="lobby">
      <h1>{t.title}</h1>
      <p role="status">{t.waitingForHost}</p>
      <button type="button" onClick={onCancel}>
        {t.cancel}
      </button>
    </main>
  );
}
