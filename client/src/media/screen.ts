/** Screen capture for sharing: text-sharp (contentHint 'detail') and frame-rate capped. */
import { SCREEN_MAX_FRAMERATE as SCREEN_FRAME_RATE } from '../mesh/Mesh';

export async function captureScreen(): Promise<MediaStreamTrack | null> {
  if (!navigator.mediaDevices?.getDisplayMedia) return null;
  try {
    const stream = await navigator.mediaDevices.getDisplayMedia({ video: { frameRate: { ideal: SCREEN_FRAME_RATE, max: SCREEN_FRAME_RATE } }, audio: false });
    const track = stream.getVideoTracks()[0] ?? null;
    if (track) track.contentHint = 'detail';
    return track;
  } catch {
    return null;
  }
}

/** Whether this browser can share a screen at all (phones have no getDisplayMedia). */
export function canShareScreen(): boolean {
  return typeof navigator !== 'undefined' && typeof navigator.mediaDevices?.getDisplayMedia === 'function';
}
