/**
 * The people in the room, one tile each: initials on the colour of their name, a ring while
 * they speak, a muted icon, "Presenting", the link quality this browser has to them, and (for
 * the others) a volume slider for this device only. Tiles render what the snapshot says.
 */
import { memo, useState } from 'react';
import type { Call, PeerView } from '../call/Call';
import { HandBadge } from './ChatPanel';
import { HostBadge, TileMenu } from './HostPanel';
import { colourFor, initials } from './avatar';
import { MicOffIcon, SpeakerIcon, SpeakerOffIcon } from './icons';
import { AudioOut } from './Media';
import { rememberVolume, volumeFor } from './volumes';
import { t } from './i18n';

function Avatar({ name }: { name: string }) {
  return (
    <span className="avatar" aria-hidden="true" style={{ background: colourFor(name) }}>
      {initials(name)}
    </span>
  );
}

export function Badges(props: { muted: boolean; speaking: boolean; presenting: boolean; mutedForYou?: boolean }) {
  return (
    <span className="badges">
      {props.muted && (
        <span className="badge muted-badge" role="img" aria-label={t.muted} title={t.muted}>
          <MicOffIcon />
        </span>
      )}
      {props.mutedForYou && (
        <span className="badge muted-for-you" role="img" aria-label={t.mutedForYou} title={t.mutedForYou}>
          <SpeakerOffIcon />
        </span>
      )}
      {props.speaking && (
        <span className="badge speaking-badge" role="img" aria-label={t.speaking} title={t.speaking}>
          <SpeakerIcon />
        </span>
      )}
      {props.presenting && <span className="badge presenting-badge">{t.presenting}</span>}
    </span>
  );
}

export function SelfTile(props: { name: string; muted: boolean; speaking: boolean; presenting: boolean; listenOnly: boolean; host: boolean; hand: number }) {
  return (
    <li className={`tile self${props.speaking ? ' speaking' : ''}`} data-testid="tile-self">
      <Avatar name={props.name} />
      <span className="who">
        <span className="name">
          {props.name} ({t.you})
        </span>
        <Badges muted={props.muted} speaking={props.speaking} presenting={props.presenting} />
        {props.host && <HostBadge />}
        <HandBadge place={props.hand} />
      </span>
      {props.listenOnly && <span className="note">{t.listenOnly}</span>}
    </li>
  );
}

/** Same fields, same values: the snapshot rebuilds every PeerView, most of them unchanged. */
function samePeer(a: PeerView, b: PeerView): boolean {
  const keys = Object.keys(a) as (keyof PeerView)[];
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}

function linkLabel(peer: PeerView): string {
  if (peer.linkState === 'connected') return t.link[peer.quality];
  return peer.linkState === 'failed' || peer.linkState === 'disconnected' ? t.link.lost : t.link.connecting;
}

/** One remote person. Re-rendered only when something about them changed. */
export const Tile = memo(
  function Tile({ peer, hand, host, manage }: { peer: PeerView; hand: number; host: boolean; manage: Call | null }) {
    // Keyed by name: a person's volume here outlives their participant id (a new one each visit).
    const [volume, setVolume] = useState(() => volumeFor(peer.name));
    const [volumeOf, setVolumeOf] = useState(peer.name);
    if (volumeOf !== peer.name) {
      setVolumeOf(peer.name);
      setVolume(volumeFor(peer.name));
    }
    const silenced = volume === 0;
    const speaking = peer.speaking;
    return (
      <li className={`tile${speaking ? ' speaking' : ''}${peer.connected ? '' : ' away'}${silenced ? ' silenced' : ''}`} data-testid="tile" data-peer={peer.id}>
        <Avatar name={peer.name} />
        <span className="who">
          <span className="name">{peer.name}</span>
          <Badges muted={peer.muted} speaking={speaking} presenting={peer.presenting} mutedForYou={silenced} />
          {host && <HostBadge />}
          <HandBadge place={hand} />
        </span>
        {manage && (
          <TileMenu id={peer.id} name={peer.name} host={manage.host} lowerHand={hand > 0 ? () => void manage.conversation.lowerHandOf(peer.id) : undefined} />
        )}
        <span className={`link ${peer.linkState === 'connected' ? peer.quality : 'pending'}`} data-state={peer.linkState}>
          {linkLabel(peer)}
          {peer.rttMs !== null && peer.linkState === 'connected' ? ` · ${Math.round(peer.rttMs)} ms` : ''}
        </span>
        <input
          type="range"
          className="volume"
          min={0}
          max={100}
          step={5}
          value={volume}
          aria-label={t.volumeFor(peer.name)}
          aria-valuetext={`${volume} %`}
          onChange={(e) => {
            const v = Number(e.target.value);
            setVolume(v);
            rememberVolume(peer.name, v);
          }}
        />
        {peer.audio && <AudioOut id={peer.id} stream={peer.audio} volume={volume} />}
      </li>
    );
  },
  (a, b) => a.hand === b.hand && a.host === b.host && a.manage === b.manage && samePeer(a.peer, b.peer),
);
