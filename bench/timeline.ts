/**
 * Where a join's time goes, link by link, the same way for both subjects: an init script wraps
 * the page's RTCPeerConnection and stamps (ms since the page pressed Join) when each connection
 * was made, sent or took its offer, took its answer, and reached `connected`, and first heard the peer. bench/mesh.ts prints,
 * per join, the median and the latest of each stamp over every link of every page
 * (BENCH_TIMELINE=1), so a slow join says whether the links were late to be made (signaling),
 * late to negotiate (offer to answer), late to connect (ICE, DTLS) or late to carry audio once
 * connected (`heard`: the remote audio track's first packet).
 */
import type { Page } from '@playwright/test';

export interface LinkTimes {
  created: number;
  /** This end made the offer (setLocalDescription gave an offer). */
  offerer?: boolean;
  /** The first offer was asked for (offerer: setLocalDescription called; answerer: the offer arrived). */
  asked?: number;
  offer?: number;
  answer?: number;
  connected?: number;
  /** The first audio packet from the peer arrived (the remote audio track unmuted). */
  heard?: number;
}

/** The init script (as `timelineScript`): runs in the page before its own scripts. */
export function timelineProbe(): void {
  const w = window as unknown as { __links: LinkTimes[]; __joinAt: number; RTCPeerConnection: typeof RTCPeerConnection };
  w.__links = [];
  w.__joinAt = performance.now();
  const Base = w.RTCPeerConnection;
  const at = () => Math.round(performance.now() - w.__joinAt);
  class Stamped extends Base {
    constructor(config?: RTCConfiguration) {
      super(config);
      const times: LinkTimes = { created: at() };
      w.__links.push(times);
      const mark = (d: RTCSessionDescriptionInit | null | undefined) => {
        if (d?.type === 'offer') times.offer ??= at();
        if (d?.type === 'answer') times.answer ??= at();
      };
      const setLocal = this.setLocalDescription.bind(this);
      const setRemote = this.setRemoteDescription.bind(this);
      this.setLocalDescription = async (d?: RTCLocalSessionDescriptionInit) => {
        if (this.signalingState === 'stable') times.asked ??= at();
        await setLocal(d);
        if (this.localDescription?.type === 'offer') times.offerer ??= true;
        mark(this.localDescription);
      };
      this.setRemoteDescription = async (d: RTCSessionDescriptionInit) => {
        if (d.type === 'offer') times.asked ??= at();
        await setRemote(d);
        mark(d);
      };
      // A remote track is muted until its first packet: the moment this end hears the peer.
      this.addEventListener('track', (e: RTCTrackEvent) => {
        if (e.track.kind !== 'audio') return;
        if (!e.track.muted) times.heard ??= at();
        else e.track.addEventListener('unmute', () => (times.heard ??= at()), { once: true });
      });
      this.addEventListener('connectionstatechange', () => {
        if (this.connectionState === 'connected') times.connected ??= at();
      });
    }
  }
  w.RTCPeerConnection = Stamped;
  // The page's signaling connection: when it was opened and when it was up.
  const WS = window.WebSocket;
  const socket: { created?: number; open?: number } = {};
  (w as unknown as { __socket: typeof socket }).__socket = socket;
  window.WebSocket = class extends WS {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      socket.created ??= at();
      this.addEventListener('open', () => (socket.open ??= at()));
    }
  };
}

/** The probe as page source; tsx names functions with a helper the page lacks, given here. */
export const timelineScript = { content: `var __name = (f) => f; (${timelineProbe.toString()})();` };

/** Starts every page's clock: called right before the pages press Join. */
export const markJoin = (pages: Page[]) =>
  Promise.all(pages.map((p) => p.evaluate(() => void ((window as unknown as { __joinAt: number }).__joinAt = performance.now()))));

/** One line: per stamp, the median and the latest over these pages' sockets and links, in seconds. */
export async function timelineLine(pages: Page[]): Promise<string> {
  const read = (p: Page) =>
    p.evaluate(() => {
      const w = window as unknown as { __links: LinkTimes[]; __socket: { created?: number; open?: number } };
      return { links: w.__links, socket: w.__socket };
    });
  const readings = await Promise.all(pages.map((p) => Promise.race([read(p), new Promise<null>((r) => setTimeout(() => r(null), 5_000))]).catch(() => null)));
  const all = readings.flatMap((x) => x?.links ?? []);
  const sockets = readings.map((x) => x?.socket ?? {});
  const stamp = (label: string, xs: number[]) => {
    xs.sort((a, b) => a - b);
    return xs.length ? `${label} ${(xs[Math.floor(xs.length / 2)]! / 1000).toFixed(1)}/${(xs.at(-1)! / 1000).toFixed(1)} (${xs.length})` : `${label} –`;
  };
  const socketPart = (['created', 'open'] as const).map((k) => stamp(`socket ${k}`, sockets.map((s) => s[k]).filter((x): x is number => x !== undefined)));
  const part = (key: keyof LinkTimes) => stamp(key, all.map((l) => l[key]).filter((x): x is number => x !== undefined));
  // Each role's steps as durations: where a late link lost its time.
  const steps = (offerer: boolean) => {
    const links = all.filter((l) => !!l.offerer === offerer);
    const keys = ['created', 'asked', 'offer', 'answer', 'connected', 'heard'] as const;
    return keys
      .slice(1)
      .map((k, i) => stamp(`${keys[i]}→${k}`, links.flatMap((l) => (l[k] !== undefined && l[keys[i]!] !== undefined ? [(l[k] as number) - (l[keys[i]!] as number)] : []))))
      .join(', ');
  };
  return (
    `links ${all.length}; median/latest s: ${[...socketPart, ...(['created', 'offer', 'answer', 'connected', 'heard'] as const).map(part)].join(', ')}\n` +
    `    offering ends: ${steps(true)}\n    answering ends: ${steps(false)}`
  );
}
