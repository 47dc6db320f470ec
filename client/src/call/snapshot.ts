/** What the UI renders: an immutable picture of the call at one moment. */
import type { LinkQualityLevel, Participant } from '@meshtalk/protocol';
import type { DeviceChoice } from '../media/devices';
import type { Processing } from '../media/processing';
import type { AudioNotice } from './LocalAudio';

export type CallStatus = 'idle' | 'joining' | 'in-room' | 'reconnecting' | 'room-full' | 'replaced' | 'left' | 'failed';
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
  microphones: [],
  speakers: [],
  microphoneId: null,
  processing: { noiseSuppression: true, echoCancellation: true, autoGainControl: true },
  mutedTalk: false,
};
