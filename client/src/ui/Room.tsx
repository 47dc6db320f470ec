/** In the room: tiles, the shared screen, notices and the controls. Renders the snapshot only. */
import { useCallback, useState, useSyncExternalStore } from 'react';
import type { Call, CallSnapshot } from '../call/Call';
import type { Notice } from '../call/snapshot';
import { canShareScreen } from '../media/screen';
import { Announcer } from './Announcer';
import { ChatAnnouncer, ChatButton, ChatPanel, HandButton } from './ChatPanel';
import { HostBar, Knocks, hostNotice } from './HostPanel';
import { VideoOut } from './Media';
import { autoplayBlocked, onAutoplayBlocked, resumePlayback } from './playback';
import { SettingsDialog } from './SettingsDialog';
import { ShortcutsDialog } from './ShortcutsDialog';
import { SelfTile, Tile } from './Tiles';
import { useCallKeys } from './useCallKeys';
import { t } from './i18n';
import './controls.css';

function noticeText(n: Notice): string {
  switch (n.kind) {
    case 'screen_busy':
      return t.screenBusy(n.name);
    case 'share_failed':
      return t.shareFailed;
    case 'hand_too_fast':
      return t.handTooFast;
    case 'mic_fallback':
      return t.micFallback(n.label);
    case 'mic_gone':
      return t.micGone;
    case 'mic_failed':
      return t.micFailed;
    case 'error':
      return n.message;
    case 'muted_by_host':
    case 'host_changed':
      return hostNotice(n) ?? '';
  }
}

export function Room({ call, snap }: { call: Call; snap: CallSnapshot }) {
  const [copied, setCopied] = useState(false);
  const [dialog, setDialog] = useState<'settings' | 'shortcuts' | null>(null);
  const blocked = useSyncExternalStore(onAutoplayBlocked, autoplayBlocked, () => false);
  const self = snap.self;
  const closeDialog = useCallback(() => setDialog(null), []);
  useCallKeys(
    call,
    useCallback(() => setDialog('shortcuts'), []),
  );

  const presenter = snap.screen && snap.screen.holderId !== self?.id ? snap.screen.holderName : null;
  const warnings = snap.peers.filter((p) => p.quality !== 'good');
  const isHost = !!self && snap.host.hostId === self.id;
  const place = (id: string | undefined) => (id === undefined ? 0 : snap.hands.indexOf(id) + 1);

  return (
    <main className="room">
      {snap.status === 'reconnecting' && (
        <div className="banner" role="status">
          {t.reconnecting}
        </div>
      )}
      <header>
        <h1>{t.title}</h1>
        <span className="count">{t.participants(snap.peers.length + (self ? 1 : 0))}</span>
        <button
          type="button"
          onClick={() => {
            void navigator.clipboard?.writeText(location.origin + location.pathname).then(() => setCopied(true));
            setTimeout(() => setCopied(false), 2_000);
          }}
        >
          {t.copyLink}
        </button>
        {copied && <span role="status">{t.linkCopied}</span>}
        {snap.host.locked && <span className="locked-note">🔒 {t.lockedNote}</span>}
      </header>

      {blocked && (
        <button type="button" className="primary tap-to-hear" onClick={() => void resumePlayback()}>
          {t.tapToHear}
        </button>
      )}
      {snap.notice && (
        <div className="notice" role="alert">
          {noticeText(snap.notice)}
          <button type="button" onClick={() => call.dismissNotice()}>
            {t.dismiss}
          </button>
        </div>
      )}
      {isHost && <Knocks knocks={snap.knocks} host={call.host} />}
      <div className={snap.mutedTalk ? 'muted-talk' : 'sr-only'} role="status">
        {snap.mutedTalk ? t.youAreMuted : ''}
      </div>
      <Announcer peers={snap.peers} since={self?.joinedAt ?? Infinity} />
      {warnings.map((p) => (
        <div key={p.id} className={`warning ${p.quality}`} role="status" data-peer={p.id}>
          {p.quality === 'bad' ? t.badLink(p.name) : t.poorLink(p.name)}
        </div>
      ))}

      {snap.screenTrack && presenter && (
        <section className="stage" aria-label={t.isPresenting(presenter)}>
          <p>{t.isPresenting(presenter)}</p>
          <VideoOut track={snap.screenTrack} label={t.isPresenting(presenter)} />
        </section>
      )}
      {snap.presenting && <p className="presenting-self">{t.presentingNow}</p>}

      <ul className="tiles" aria-label={t.participants(snap.peers.length + 1)}>
        {self && (
          <SelfTile
            name={self.name}
            muted={self.muted}
            speaking={self.speaking}
            presenting={snap.presenting}
            listenOnly={snap.listenOnly}
            host={isHost}
            hand={place(self.id)}
          />
        )}
        {snap.peers.map((p) => (
          <Tile key={p.id} peer={p} hand={place(p.id)} host={snap.host.hostId === p.id} manage={isHost ? call : null} />
        ))}
      </ul>
      {snap.peers.length === 0 && <p className="muted">{t.alone}</p>}

      <nav className="controls" aria-label={t.controls}>
        <button type="button" onClick={() => void call.toggleMute()} disabled={snap.listenOnly} aria-pressed={!!self?.muted}>
          {self?.muted ? t.unmute : t.mute}
        </button>
        {snap.presenting ? (
          <button type="button" onClick={() => void call.stopShare()}>
            {t.stopSharing}
          </button>
        ) : (
          canShareScreen() && (
            <button type="button" onClick={() => void call.startShare()} disabled={snap.status !== 'in-room'}>
              {t.shareScreen}
            </button>
          )
        )}
        <HandButton call={call} raised={place(self?.id) > 0} />
        <ChatButton call={call} chat={snap.chat} />
        {isHost && <HostBar host={call.host} locked={snap.host.locked} />}
        <button type="button" onClick={() => setDialog('settings')} aria-haspopup="dialog">
          {t.settings}
        </button>
        <button type="button" className="danger" onClick={() => void call.leave()}>
          {t.leave}
        </button>
      </nav>
      <p className="muted small">{t.shortcuts}</p>
      {dialog === 'settings' && <SettingsDialog call={call} snap={snap} onClose={closeDialog} />}
      {dialog === 'shortcuts' && <ShortcutsDialog onClose={closeDialog} />}
      {snap.chat.open && <ChatPanel call={call} chat={snap.chat} selfId={self?.id ?? null} />}
      <ChatAnnouncer latest={snap.chat.latest} />
    </main>
  );
}
