/**
 * How loud each person plays on this device, 0–100 % (default 100), remembered across reloads
 * by their display name (ids change with every visit, names do not). Bounded: the most recently
 * set names are kept, so a long history of rooms cannot grow the store without end.
 */

const KEY = 'meshtalk.volumes';
export const MAX_REMEMBERED = 200;

type Stored = [name: string, volume: number][];

/** This browser's localStorage; none where there is none (rendering in Node). */
const NO_STORAGE: Pick<Storage, 'getItem' | 'setItem'> = { getItem: () => null, setItem: () => undefined };
const local = (): Pick<Storage, 'getItem' | 'setItem'> => (typeof localStorage === 'undefined' ? NO_STORAGE : localStorage);

function read(storage: Pick<Storage, 'getItem'>): Stored {
  try {
    const v: unknown = JSON.parse(storage.getItem(KEY) ?? '[]');
    if (!Array.isArray(v)) return [];
    return v.filter((e): e is [string, number] => Array.isArray(e) && typeof e[0] === 'string' && typeof e[1] === 'number');
  } catch {
    return [];
  }
}

export function clampVolume(v: number): number {
  return Number.isFinite(v) ? Math.min(100, Math.max(0, Math.round(v))) : 100;
}

export function volumeFor(name: string, storage: Pick<Storage, 'getItem'> = local()): number {
  const hit = read(storage).find(([n]) => n === name);
  return hit ? clampVolume(hit[1]) : 100;
}

export function rememberVolume(name: string, volume: number, storage: Pick<Storage, 'getItem' | 'setItem'> = local()): void {
  const rest = read(storage).filter(([n]) => n !== name);
  const next: Stored = [...rest, [name, clampVolume(volume)]];
  storage.setItem(KEY, JSON.stringify(next.slice(-MAX_REMEMBERED)));
}
