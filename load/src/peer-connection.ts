/**
 * The RTCPeerConnection factory a headless participant hands the client's mesh: libwebrtc for
 * Node (@roamhq/wrtc), adapted where it lags the browser API the mesh uses, so PeerLink runs
 * unchanged:
 *
 * - argument-less setLocalDescription() (perfect negotiation): creates the offer or answer the
 *   signaling state calls for, inside one operations chain so nothing slips between the two;
 * - implicit rollback: an offer that meets our own offer rolls ours back first (the polite
 *   side's half of perfect negotiation); libwebrtc here refuses it in `have-local-offer`;
 * - RTCRtpSender.setParameters: refused here for any change (InvalidModificationError), so a
 *   bitrate cap is accepted and not applied (caps are an optimisation, never a contract);
 * - the stats carry no audio levels: speaking detection would read silence (Participant.ts
 *   turns it off), so a headless participant never shows as speaking.
 *
 * With a ptime other than 20, every description we make says `a=ptime:<ms>` for Opus: each
 * sender to us, browser or headless, then packs that much audio per packet (libwebrtc takes the
 * frame length from the receiver's description).
 *
 * restartIce, setConfiguration, getStats and the transceiver API exist and are used as they are.
 * The factory also counts the local candidate types gathered, so a relay-only run can say
 * "no relay candidate" when TURN gave none.
 */
import wrtc from '@roamhq/wrtc';
import { BROWSER_PTIME } from './args';

export interface GatheredCandidates {
  host: number;
  srflx: number;
  relay: number;
  /** The most TURN URLs one ICE grant held (0: the room hands out no TURN server). */
  turnServers: number;
  /** TURN or STUN errors by code (401: credentials refused). */
  errors: Map<number, number>;
}

export interface PeerConnectionFactory {
  create: (config: RTCConfiguration) => RTCPeerConnection;
  gathered: GatheredCandidates;
  /** Peer connections made and not closed yet. */
  open(): number;
}

type Description = RTCLocalSessionDescriptionInit | undefined;
type Native = InstanceType<typeof wrtc.RTCPeerConnection>;

/**
 * The sender cap this libwebrtc build refuses: resolve, leave the encoding as it is. Native
 * prototypes are frozen, so each sender gets its own method as it appears (same object, so
 * PeerLink's identity checks hold).
 */
function tolerant(sender: RTCRtpSender): RTCRtpSender {
  if (Object.prototype.hasOwnProperty.call(sender, 'setParameters')) return sender;
  const original = sender.setParameters.bind(sender);
  Object.defineProperty(sender, 'setParameters', {
    value: (p: RTCRtpSendParameters) => original(p).catch(() => undefined),
  });
  return sender;
}

/** `a=ptime:<ms>` after each Opus rtpmap line (BROWSER_PTIME: the description as it is). */
export function withPtime(sdp: string, ptime: number): string {
  return ptime === BROWSER_PTIME ? sdp : sdp.replace(/^(a=rtpmap:\d+ opus\/48000\/2\r?\n)/gm, `$1a=ptime:${ptime}\r\n`);
}

class NodePeerConnection extends wrtc.RTCPeerConnection {
  #chain: Promise<unknown> = Promise.resolve();
  readonly #ptime: number;

  constructor(config: RTCConfiguration, ptime: number) {
    super(config as never);
    this.#ptime = ptime;
  }

  #queue<T>(op: () => Promise<T>): Promise<T> {
    const next = this.#chain.then(op, op);
    this.#chain = next.catch(() => undefined);
    return next;
  }

  override setLocalDescription(description?: Description): Promise<void> {
    const native = (d: RTCLocalSessionDescriptionInit) => super.setLocalDescription(d as never) as Promise<void>;
    return this.#queue(async () => {
      if (description?.type) return native(description);
      const answering = this.signalingState === 'have-remote-offer' || this.signalingState === 'have-local-pranswer';
      const made = (answering ? await this.createAnswer() : await this.createOffer()) as RTCLocalSessionDescriptionInit;
      return native({ type: made.type, sdp: withPtime(made.sdp ?? '', this.#ptime) });
    });
  }

  override setRemoteDescription(description: RTCSessionDescriptionInit): Promise<void> {
    const rollback = () => super.setLocalDescription({ type: 'rollback' } as never) as Promise<void>;
    const native = () => super.setRemoteDescription(description as never) as Promise<void>;
    return this.#queue(async () => {
      if (description.type === 'offer' && this.signalingState === 'have-local-offer') await rollback();
      return native();
    });
  }

  override addTransceiver(trackOrKind: MediaStreamTrack | string, init?: RTCRtpTransceiverInit): RTCRtpTransceiver {
    const t = super.addTransceiver(trackOrKind as never, init as never) as unknown as RTCRtpTransceiver;
    tolerant(t.sender);
    return t;
  }

  override getTransceivers(): RTCRtpTransceiver[] {
    const all = super.getTransceivers() as unknown as RTCRtpTransceiver[];
    for (const t of all) tolerant(t.sender);
    return all;
  }

  override addIceCandidate(candidate: RTCIceCandidateInit): Promise<void> {
    const native = () => super.addIceCandidate(candidate as never) as Promise<void>;
    return this.#queue(native);
  }
}

export function peerConnectionFactory({ relayOnly = false, ptime = BROWSER_PTIME } = {}): PeerConnectionFactory {
  const gathered: GatheredCandidates = { host: 0, srflx: 0, relay: 0, turnServers: 0, errors: new Map() };
  const live = new Set<Native>();
  return {
    gathered,
    open: () => live.size,
    create(config) {
      const turn = (config.iceServers ?? []).flatMap((s) => (Array.isArray(s.urls) ? s.urls : [s.urls])).filter((u) => /^turns?:/.test(u));
      gathered.turnServers = Math.max(gathered.turnServers, turn.length);
      const pc = new NodePeerConnection({ ...config, ...(relayOnly && { iceTransportPolicy: 'relay' }) }, ptime);
      live.add(pc);
      pc.addEventListener('icecandidate', (e: { candidate: { type?: string | null } | null }) => {
        const type = e.candidate?.type;
        if (type === 'host' || type === 'srflx' || type === 'relay') gathered[type] += 1;
      });
      pc.addEventListener('icecandidateerror', (e: { errorCode?: number }) => {
        const code = e.errorCode ?? 0;
        gathered.errors.set(code, (gathered.errors.get(code) ?? 0) + 1);
      });
      const close = pc.close.bind(pc);
      pc.close = () => {
        live.delete(pc);
        close();
      };
      return pc as unknown as RTCPeerConnection;
    },
  };
}
