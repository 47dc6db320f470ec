/** What the UI renders: an immutable picture of the call at one moment. */
import type { HandQueue, HostView, Knock, LinkQualityLevel, Participant } from '@meshtalk/protocol';
import type { DeviceChoice } from '../media/devices';
import type { Processing } from '../media/processing';
import { EMPTY_CHAT, type ChatView } from './Conversation';
import type { AudioNotice } from './LocalAudio';
import type { SessionStatus } from './Session';

export type CallStatus = SessionStatus;
export type Quality = LinkQualityLevel;

export interface PeerView extends Participant {
  presenting: boolean;
  speaking: boolean;
  /** The peer connection's state, as this browser sees it. */
  linkState: RTCPeerConnectionState;
  quality: Quality;
  rttMs: number | null;
  lossPct: number | null;
  audio: MediaStream | null;
}

export type Notice =
  | { kind: 'screen_busy'; name: string }
  | { kind: 'share_failed' }
  | { kind: 'error'; message: string }
  /** The host muted us (null: an admin). */
  | { kind: 'muted_by_host'; by: string | null }
  /** Someone else became host: handed on, or the host left. */
  | { kind: 'host_changed'; name: string; you: boolean }
  /** Our hand went up and down faster than the room allows. */
  | { kind: 'hand_too_fast' }
  | AudioNotice;

export interface CallSnapshot {
  status: CallStatus;
  self: (Participant & { speaking: boolean }) | null;
  peers: PeerView[];
  screen: { holderId: string; holderName: string } | null;
  /** The presenter's screen, when someone else presents. */
  screenTrack: MediaStreamTrack | null;
  /** True while this browser shares its screen. */
  presenting: boolean;
  /** Joined without a microphone. */
  listenOnly: boolean;
  notice: Notice | null;
  /** How many people the room holds, once a full room said so. */
  capacity?: number;
  chat: ChatView;
  /** Raised hands, first raised first (a tile's place is its index + 1). */
  hands: HandQueue;
  /** Who is host and whether the room is locked. */
  host: HostView;
  /** The people at the door (for the host). */
  knocks: Knock[];
  /** Who removed us or ended the call (null: an admin), once that happened. */
  closedBy?: string | null;
  /** The inputs and outputs to choose from, the input in use (null: none) and its processing. */
  microphones: DeviceChoice[];
  speakers: DeviceChoice[];
  microphoneId: string | null;
  processing: Processing;
  /** True for a few seconds after we spoke while muted ("You are muted"). */
  mutedTalk: boolean;
}

/** The snapshot before anything happened (and after a call ended, with its status). */
export const EMPTY_SNAPSHOT: CallSnapshot = {
  status: 'idle',
  self: null,
  peers: [],
  screen: null,
  screenTrack: null,
  presenting: false,
  listenOnly: false,
  notice: null,
  chat: EMPTY_CHAT,
  hands: [],
  host: { hostId: null, locked: false },
  knocks: [],
  microphones: [],
  speakers: [],
  microphoneId: null,
  processing: { noiseSuppression: true, echoCancellation: true, autoGainControl: true },
  mutedTalk: false,
};
