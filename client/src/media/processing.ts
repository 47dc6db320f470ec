/**
 * The browser's voice processing a person can switch (noise suppression, echo cancellation,
 * automatic gain control), remembered in this browser and applied to the microphone both at
 * capture and on the live track (applyConstraints, no rejoin).
 */

export interface Processing {
  noiseSuppression: boolean;
  echoCancellation: boolean;
  autoGainControl: boolean;
}

export const PROCESSING_KEYS = ['noiseSuppression', 'echoCancellation', 'autoGainControl'] as const;

const KEY = 'meshtalk.audio-processing';
const DEFAULT: Processing = { noiseSuppression: true, echoCancellation: true, autoGainControl: true };

/** The remembered choice; anything unreadable or missing is the default (all on). */
export function loadProcessing(storage?: Pick<Storage, 'getItem'>): Processing {
  try {
    storage ??= localStorage;
    const v = JSON.parse(storage.getItem(KEY) ?? 'null') as Partial<Record<keyof Processing, unknown>> | null;
    const out = { ...DEFAULT };
    for (const k of PROCESSING_KEYS) if (typeof v?.[k] === 'boolean') out[k] = v[k];
    return out;
  } catch {
    return { ...DEFAULT };
  }
}

export function saveProcessing(p: Processing, storage?: Pick<Storage, 'setItem'>): void {
  if (!storage && typeof localStorage === 'undefined') return;
  (storage ?? localStorage).setItem(KEY, JSON.stringify({ noiseSuppression: p.noiseSuppression, echoCancellation: p.echoCancellation, autoGainControl: p.autoGainControl }));
}
