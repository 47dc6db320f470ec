/** In the room: tiles, the shared screen, notices and the controls. Renders the snapshot only. */
import { memo, useEffect, useState } from 'react';
import type { Call, CallSnapshot, PeerView } from '../call/Call';
import { HostBadge, HostBar, Knocks, TileMenu, hostNotice } from './HostPanel';
import { AudioOut, VideoOut } from './Media';
import { ChatAnnouncer, ChatButton, ChatPanel, HandBadge, HandButton } from './ChatPanel';
import { t } from './i18n';

export function Room({ call, snap }: { call: Call; snap: CallSnapshot }) {
  const [copied, setCopied] = useState(false);
  const self = snap.self;

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const target = e.target as HTMLElement | null;
      if (target && /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName)) return;
      if (e.key === 'm' || e.key === 'M') void call.toggleMute();
      if ((e.key === 'r' || e.key === 'R') && !e.ctrlKey && !e.metaKey && !e.altKey) void call.conversation.toggleHand();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [call]);

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

      {snap.notice && (
        <div className="notice" role="alert">
          {hostNotice(snap.notice) ??
            (snap.notice.kind === 'screen_busy' ? t.screenBusy(snap.notice.name) : snap.notice.kind === 'share_failed' ? t.shareFailed : snap.notice.kind === 'error' ? snap.notice.message : '')}
          <button type="button" onClick={() => call.dismissNotice()}>
            {t.dismiss}
          </button>
        </div>
      )}
      {isHost && <Knocks knocks={snap.knocks} host={call.host} />}
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
          <li className={`tile self${self.speaking ? ' speaking' : ''}`} data-testid="tile-self">
            <span className="name">
              {self.name} ({t.you})
            </span>
            <Badges muted={self.muted} speaking={self.speaking} presenting={snap.presenting} />
            {isHost && <HostBadge />}
            <HandBadge place={place(self.id)} />
            {snap.listenOnly && <span className="note">{t.listenOnly}</span>}
          </li>
        )}
        {snap.peers.map((p) => (
          <Tile key={p.id} peer={p} hand={place(p.id)} host={snap.host.hostId === p.id} manage={isHost ? call : null} />
        ))}
      </ul>
      {snap.peers.length === 0 && <p className="muted">{t.alone}</p>}

      <nav className="controls" aria-label="Controls">
        <button type="button" onClick={() => void call.toggleMute()} disabled={snap.listenOnly} aria-pressed={!!self?.muted}>
          {self?.muted ? t.unmute : t.mute}
        </button>
        {snap.presenting ? (
          <button type="button" onClick={() => void call.stopShare()}>
            {t.stopSharing}
          </button>
        ) : (
          <button type="button" onClick={() => void call.startShare()} disabled={snap.status !== 'in-room'}>
            {t.shareScreen}
          </button>
        )}
        <HandButton call={call} raised={place(self?.id) > 0} />
        <ChatButton call={call} chat={snap.chat} />
        {isHost && <HostBar host={call.host} locked={snap.host.locked} />}
        <button type="button" className="danger" onClick={() => void call.leave()}>
          {t.leave}
        </button>
      </nav>
      <p className="muted small">
        {t.shortcuts} {t.handShortcut}
      </p>
      {snap.chat.open && <ChatPanel call={call} chat={snap.chat} selfId={self?.id ?? null} />}
      <ChatAnnouncer latest={snap.chat.latest} />
    </main>
  );
}

function Badges(props: { muted: boolean; speaking: boolean; presenting: boolean }) {
  return (
    <span className="badges">
      {props.muted && (
        <span className="badge muted-badge" role="img" aria-label={t.muted} title={t.muted}>
          🔇
        </span>
      )}
      {props.speaking && (
        <span className="badge speaking-badge" role="img" aria-label={t.speaking} title={t.speaking}>
          🔊
        </span>
      )}
      {props.presenting && <span className="badge presenting-badge">{t.presenting}</span>}
    </span>
  );
}

/** Same fields, same values: the snapshot rebuilds every PeerView, most of them unchanged. */
function samePeer(a: PeerView, b: PeerView): boolean {
  const keys = Object.keys(a) as (keyof PeerView)[];
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}

/** One remote person. Re-rendered only when something about them changed. */
const Tile = memo(function Tile({ peer, hand, host, manage }: { peer: PeerView; hand: number; host: boolean; manage: Call | null }) {
  const link =
    peer.linkState === 'connected'
      ? t.link[peer.quality]
      : peer.linkState === 'failed' || peer.linkState === 'disconnected'
        ? t.link.lost
        : t.link.connecting;
  return (
    <li className={`tile${peer.speaking ? ' speaking' : ''}${peer.connected ? '' : ' away'}`} data-testid="tile" data-peer={peer.id}>
      <span className="name">{peer.name}</span>
      <Badges muted={peer.muted} speaking={peer.speaking} presenting={peer.presenting} />
      <HandBadge place={hand} />
      {host && <HostBadge />}
      {manage && (
        <TileMenu id={peer.id} name={peer.name} host={manage.host} lowerHand={hand > 0 ? () => void manage.conversation.lowerHandOf(peer.id) : undefined} />
      )}
      <span className={`link ${peer.linkState === 'connected' ? peer.quality : 'pending'}`} data-state={peer.linkState}>
        {link}
        {peer.rttMs !== null && peer.linkState === 'connected' ? ` · ${Math.round(peer.rttMs)} ms` : ''}
      </span>
      {peer.audio && <AudioOut stream={peer.audio} />}
    </li>
  );
}, (a, b) => a.hand === b.hand && a.host === b.host && a.manage === b.manage && samePeer(a.peer, b.peer));
