/**
 * The call's keyboard: M mutes or unmutes, Space held while muted talks (push-to-talk), R
 * raises or lowers one's hand, "?" opens the shortcuts. None of them act while typing in a field; Space also leaves a focused
 * button or box alone (push-to-talk.ts).
 */
import { useEffect, useRef } from 'react';
import type { Call } from '../call/Call';
import { PushToTalk } from './push-to-talk';

const inField = (target: EventTarget | null) => {
  const el = target as HTMLElement | null;
  return !!el && (/^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName) || el.isContentEditable);
};

export function useCallKeys(call: Call, onShortcuts: () => void): void {
  const shortcuts = useRef(onShortcuts);
  useEffect(() => {
    shortcuts.current = onShortcuts;
  }, [onShortcuts]);

  useEffect(() => {
    const ptt = new PushToTalk({
      isMuted: () => call.getSnapshot().self?.muted ?? false,
      canTalk: () => !call.getSnapshot().listenOnly && call.getSnapshot().self !== null,
      setMuted: (muted) => void call.setMuted(muted),
    });
    const onDown = (e: KeyboardEvent) => {
      if (ptt.keyDown(e)) return e.preventDefault();
      if (inField(e.target) || e.ctrlKey || e.metaKey || e.altKey) return;
      if ((e.key === 'm' || e.key === 'M') && !e.repeat) void call.toggleMute();
      else if ((e.key === 'r' || e.key === 'R') && !e.repeat) void call.conversation.toggleHand();
      else if (e.key === '?') {
        e.preventDefault();
        shortcuts.current();
      }
    };
    const onUp = (e: KeyboardEvent) => {
      if (ptt.keyUp(e)) e.preventDefault();
    };
    const onBlur = () => ptt.release();
    window.addEventListener('keydown', onDown);
    window.addEventListener('keyup', onUp);
    window.addEventListener('blur', onBlur);
    return () => {
      window.removeEventListener('keydown', onDown);
      window.removeEventListener('keyup', onUp);
      window.removeEventListener('blur', onBlur);
      ptt.release();
    };
  }, [call]);
}
