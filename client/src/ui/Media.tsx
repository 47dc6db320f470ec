/** Elements that play a MediaStream or track (srcObject cannot be set from JSX). */
import { useEffect, useRef } from 'react';
import { play, setVolume, stopPlaying } from './playback';

/**
 * Plays a remote voice. The audio element is made in playback.ts and never enters the
 * document: it has nothing to show, and an <audio> rendered by React gets React's listeners for
 * every media event (timeupdate four times a second, per voice), which in a room of ten was a
 * measurable share of each page's main thread while people joined.
 */
export function AudioOut({ id, stream, volume }: { id: string; stream: MediaStream; volume: number }) {
  const volumeNow = useRef(volume);
  volumeNow.current = volume;
  useEffect(() => {
    play(id, stream, volumeNow.current);
    return () => stopPlaying(id);
  }, [id, stream]);
  useEffect(() => setVolume(id, volume), [id, volume]);
  return null;
}

export function VideoOut({ track, label }: { track: MediaStreamTrack; label: string }) {
  const ref = useRef<HTMLVideoElement>(null);
  useEffect(() => {
    if (!ref.current) return;
    ref.current.srcObject = new MediaStream([track]);
    void ref.current.play().catch(() => {});
  }, [track]);
  return <video ref={ref} autoPlay playsInline muted aria-label={label} />;
}
