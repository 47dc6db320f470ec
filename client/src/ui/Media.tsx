/** Elements that play a MediaStream or track (srcObject cannot be set from JSX). */
import { useEffect, useRef } from 'react';

export function AudioOut({ stream }: { stream: MediaStream }) {
  const ref = useRef<HTMLAudioElement>(null);
  useEffect(() => {
    if (ref.current && ref.current.srcObject !== stream) {
      ref.current.srcObject = stream;
      void ref.current.play().catch(() => {});
    }
  }, [stream]);
  return <audio ref={ref} autoPlay />;
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
