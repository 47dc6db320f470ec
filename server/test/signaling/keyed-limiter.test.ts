import { describe, expect, it } from 'vitest';
import { KeyedLimiter } from '../../src/signaling/KeyedLimiter';

describe('KeyedLimiter (knocks per address, host actions per actor)', () => {
  it('[K2][A2] gives each key its own burst, refills over time, and never holds more than maxKeys', () => {
    let now = 0;
    const l = new KeyedLimiter({ burst: 3, perSec: 1, maxKeys: 100, now: () => now });
    expect([1, 2, 3, 4].map(() => l.take('a'))).toEqual([true, true, true, false]);
    expect(l.take('b')).toBe(true);
    now += 1_000;
    expect([l.take('a'), l.take('a')]).toEqual([true, false]);
    for (let i = 0; i < 10_000; i++) l.take(`addr-${i}`);
    expect(l.size).toBe(100);
    // A key just used stays; the least recently used went first.
    expect(l.take('addr-9999')).toBe(true);
  });
});
