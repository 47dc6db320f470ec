/** The vocabulary of one peer link: what it sends, what it is told, what it reports. */
import type { IceCandidate, SessionDescription } from '@meshtalk/protocol';
import type { RecoveryOptions } from './Recovery';

export interface SignalMessage {
  description?: SessionDescription;
  candidate?: IceCandidate | null;
}

export interface PeerLinkOptions {
  selfId: string;
  peerId: string;
  config: RTCConfiguration;
  createPeerConnection: (config: RTCConfiguration) => RTCPeerConnection;
  send: (message: SignalMessage) => void;
  audioTrack: MediaStreamTrack | null;
  /** False: muted from the start (the sender keeps the track but sends nothing). */
  audioSending?: boolean;
  screenTrack: MediaStreamTrack | null;
  screenLimits?: RTCRtpEncodingParameters;
  now?: () => number;
  recovery?: RecoveryOptions;
  /** Whether the peer is still connected to signaling (a witness that it is slow, not gone). */
  peerPresent?: () => boolean;
  /**
   * Waits for this link's turn to make its first offer, resolving with the function that ends
   * the turn (see Mesh: a joiner's offers go one after another). Unset: at once.
   */
  offerTurn?: () => Promise<() => void>;
}

export type LinkEvent =
  | { type: 'state'; state: RTCPeerConnectionState }
  | { type: 'audio'; track: MediaStreamTrack }
  | { type: 'screen'; track: MediaStreamTrack }
  /**
   * Restarts did not bring the link back, or the peer started afresh (an offer this connection
   * cannot take): the mesh should replace this link, handing `replay` to the new one.
   */
  | { type: 'exhausted'; replay?: SignalMessage };

/** What the test hook and diagnostics read of a link. */
export interface LinkDebug {
  state: RTCPeerConnectionState;
  signaling: RTCSignalingState;
  ice: RTCIceConnectionState;
  audioMaxBitrate: number | null;
  /** The audio transceiver's negotiated direction, and whether its sender has a track. */
  audioDirection: string | null;
  audioTrack: boolean;
  /** The id of the track the audio sender sends (null: none). */
  audioTrackId: string | null;
  /** Whether the audio sender's encodings are active (false while muted). */
  audioActive: boolean;
  /** The video transceiver's negotiated direction (null: no video line, or not negotiated yet). */
  videoDirection: string | null;
}
