import { describe, expect, it } from 'vitest';
import { devicesOf, fallbackMicrophone } from '../src/media/devices';
import { loadProcessing, saveProcessing } from '../src/media/processing';
import { MutedTalkDetector, NoticeLimiter } from '../src/call/muted-talk';
import { PushToTalk, spaceBelongsTo } from '../src/ui/push-to-talk';
import { AVATAR_COLOURS, colourFor, initials } from '../src/ui/avatar';
import { MAX_REMEMBERED, rememberVolume, volumeFor } from '../src/ui/volumes';
import { rosterChanges } from '../src/ui/announcements';
import { MemoryStorage } from './fake-signaling';

const mic = (deviceId: string, label = deviceId) => ({ deviceId, label });

describe('device fallback when the microphone in use goes away', () => {
  const inputs = [mic('default', 'Default'), mic('usb'), mic('builtin')];

  it('keeps the microphone in use while it is listed and its track lives', () => {
    expect(fallbackMicrophone('usb', inputs)).toEqual({ deviceId: 'usb', fellBack: false });
    expect(fallbackMicrophone(null, inputs)).toEqual({ deviceId: null, fellBack: false });
  });

  it('falls back to the system default when the one in use was unplugged', () => {
    expect(fallbackMicrophone('headset', inputs)).toEqual({ deviceId: 'default', fellBack: true });
  });

  it('without a listed default, takes another input; with none left, none', () => {
    expect(fallbackMicrophone('headset', [mic('usb')])).toEqual({ deviceId: 'usb', fellBack: true });
    expect(fallbackMicrophone('usb', [mic('usb'), mic('builtin')], true)).toEqual({ deviceId: 'builtin', fellBack: true });
    expect(fallbackMicrophone('usb', [])).toEqual({ deviceId: null, fellBack: true });
  });

  it('opens the default again when its own track ended (it follows the system choice)', () => {
    expect(fallbackMicrophone('default', inputs, true)).toEqual({ deviceId: 'default', fellBack: true });
  });

  it('offers inputs and outputs by kind, leaving out the ones a browser hides', () => {
    const all = [
      { deviceId: 'a', kind: 'audioinput', label: 'A' },
      { deviceId: '', kind: 'audioinput', label: '' },
      { deviceId: 'b', kind: 'audiooutput', label: 'B' },
      { deviceId: 'c', kind: 'videoinput', label: 'C' },
    ] as const;
    expect(devicesOf(all, 'audioinput')).toEqual([mic('a', 'A')]);
    expect(devicesOf(all, 'audiooutput')).toEqual([mic('b', 'B')]);
  });

  it('remembers voice processing, and reads anything unreadable as all on', () => {
    const s = new MemoryStorage();
    expect(loadProcessing(s)).toEqual({ noiseSuppression: true, echoCancellation: true, autoGainControl: true });
    saveProcessing({ noiseSuppression: false, echoCancellation: true, autoGainControl: false }, s);
    expect(loadProcessing(s)).toEqual({ noiseSuppression: false, echoCancellation: true, autoGainControl: false });
    s.setItem('meshtalk.audio-processing', '{"noiseSuppression":"no"');
    expect(loadProcessing(s).noiseSuppression).toBe(true);
  });
});

describe('push-to-talk on Space', () => {
  const page = { tagName: 'BODY', getAttribute: () => null };
  const field = { tagName: 'INPUT', getAttribute: () => null };
  const button = { tagName: 'BUTTON', getAttribute: () => null };
  const roleButton = { tagName: 'DIV', getAttribute: (n: string) => (n === 'role' ? 'button' : null) };
  const space = (target: object, repeat = false) => ({ key: ' ', repeat, target: target as EventTarget });

  function setup(muted = true, canTalk = true) {
    const calls: boolean[] = [];
    const state = { muted };
    const ptt = new PushToTalk({
      isMuted: () => state.muted,
      canTalk: () => canTalk,
      setMuted: (m) => {
        state.muted = m;
        calls.push(m);
      },
    });
    return { ptt, calls, state };
  }

  it('while muted, holding Space unmutes and releasing it mutes again', () => {
    const { ptt, calls } = setup();
    expect(ptt.keyDown(space(page))).toBe(true);
    expect(ptt.keyDown(space(page, true))).toBe(true);
    expect(ptt.keyDown(space(page, true))).toBe(true);
    expect(calls).toEqual([false]);
    expect(ptt.keyUp(space(page))).toBe(true);
    expect(calls).toEqual([false, true]);
  });

  it('does nothing while typing in a field or on a focused button', () => {
    for (const target of [field, button, roleButton, { tagName: 'DIV', isContentEditable: true, getAttribute: () => null }]) {
      const { ptt, calls } = setup();
      expect(ptt.keyDown(space(target))).toBe(false);
      expect(ptt.keyUp(space(target))).toBe(false);
      expect(calls).toEqual([]);
    }
    expect(spaceBelongsTo(null)).toBe(false);
  });

  it('does nothing when unmuted already, listen-only, or with a modifier; other keys are not its business', () => {
    expect(setup(false).ptt.keyDown(space(page))).toBe(false);
    expect(setup(true, false).ptt.keyDown(space(page))).toBe(false);
    const { ptt, calls } = setup();
    expect(ptt.keyDown({ key: ' ', ctrlKey: true, target: page as unknown as EventTarget })).toBe(false);
    expect(ptt.keyDown({ key: 'm', target: page as unknown as EventTarget })).toBe(false);
    // A repeat that arrives first (Space held since before the page had focus) starts nothing.
    expect(ptt.keyDown(space(page, true))).toBe(false);
    expect(calls).toEqual([]);
  });

  it('mutes again when focus leaves the window mid-hold (the keyup never comes)', () => {
    const { ptt, calls } = setup();
    ptt.keyDown(space(page));
    expect(ptt.release()).toBe(true);
    expect(calls).toEqual([false, true]);
    expect(ptt.keyUp(space(page))).toBe(false);
  });

  it('a person who unmuted by hand mid-hold is not muted on release', () => {
    const { ptt, calls, state } = setup();
    ptt.keyDown(space(page));
    state.muted = true; // muted again by M while holding
    ptt.keyUp(space(page));
    expect(calls).toEqual([false]);
  });
});

describe('"You are muted": about a second of voice, at most once per 30 s', () => {
  it('the limiter says yes once per interval', () => {
    const l = new NoticeLimiter(30_000);
    expect(l.tryShow(1_000)).toBe(true);
    expect(l.tryShow(2_000)).toBe(false);
    expect(l.tryShow(30_999)).toBe(false);
    expect(l.tryShow(31_000)).toBe(true);
  });

  const feed = (d: MutedTalkDetector, levels: number[], start = 0, every = 500, muted = true) => levels.map((v, i) => d.sample(v, muted, start + i * every));

  it('shows after about a second of voice while muted, not on a short sound', () => {
    expect(feed(new MutedTalkDetector(), [0.3, 0.3, 0.3])).toEqual([false, false, true]);
    expect(feed(new MutedTalkDetector(), [0.3, 0, 0, 0, 0.3, 0, 0])).not.toContain(true);
  });

  it('tolerates a short pause in speech', () => {
    expect(feed(new MutedTalkDetector(), [0.3, 0.01, 0.3])).toEqual([false, false, true]);
  });

  it('never while unmuted, and not when the level cannot be read', () => {
    expect(feed(new MutedTalkDetector(), [0.3, 0.3, 0.3, 0.3], 0, 500, false)).not.toContain(true);
    const d = new MutedTalkDetector();
    expect([0, 500, 1000, 1500].map((t) => d.sample(null, true, t))).not.toContain(true);
  });

  it('talking on keeps it quiet for 30 s, then it may show again', () => {
    const d = new MutedTalkDetector();
    const shown = feed(d, Array.from({ length: 70 }, () => 0.4)); // 35 s of talk
    const at = shown.flatMap((s, i) => (s ? [i * 500] : []));
    expect(at).toEqual([1_000, 31_000]);
  });
});

describe('tiles: initials on a colour from the name', () => {
  it('the same name always gets the same colour; different names spread over the palette', () => {
    expect(colourFor('Ann')).toBe(colourFor('Ann'));
    expect(colourFor('Ann')).toBe(colourFor(' ann '));
    const names = Array.from({ length: 60 }, (_, i) => `Person ${i}`);
    const used = new Set(names.map(colourFor));
    expect(used.size).toBeGreaterThanOrEqual(8);
    for (const c of used) expect(AVATAR_COLOURS).toContain(c);
  });

  it('every colour carries white initials at WCAG AA (4.5:1)', () => {
    const lum = (hex: string) => {
      const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255).map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
      return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
    };
    for (const c of AVATAR_COLOURS) expect((1.05 / (lum(c) + 0.05)), c).toBeGreaterThanOrEqual(4.5);
  });

  it('initials: first and last word, one character for a single word, any script', () => {
    expect(initials('Ann Lee')).toBe('AL');
    expect(initials('ann marie lee')).toBe('AL');
    expect(initials('Bob')).toBe('B');
    expect(initials('花子')).toBe('花');
    expect(initials('김 민수')).toBe('김민');
    expect(initials('  (Zoë) ')).toBe('Z');
    expect(initials('🙂')).toBe('?');
  });
});

describe('volume per person, remembered by name', () => {
  it('defaults to 100, keeps what was set, and clamps', () => {
    const s = new MemoryStorage();
    expect(volumeFor('Ann', s)).toBe(100);
    rememberVolume('Ann', 35, s);
    rememberVolume('Bob', 0, s);
    rememberVolume('Cid', 250, s);
    expect([volumeFor('Ann', s), volumeFor('Bob', s), volumeFor('Cid', s)]).toEqual([35, 0, 100]);
  });

  it('keeps only the most recently set names', () => {
    const s = new MemoryStorage();
    for (let i = 0; i < MAX_REMEMBERED + 20; i++) rememberVolume(`P${i}`, 10, s);
    expect(JSON.parse(s.getItem('meshtalk.volumes')!)).toHaveLength(MAX_REMEMBERED);
    expect(volumeFor('P0', s)).toBe(100);
    expect(volumeFor(`P${MAX_REMEMBERED + 19}`, s)).toBe(10);
  });
});

describe('join and leave announcements', () => {
  const p = (id: string, name: string, joinedAt: number) => ({ id, name, joinedAt });
  it('names who arrived after us and who left', () => {
    const before = [p('1', 'Bob', 5)];
    expect(rosterChanges(before, [p('1', 'Bob', 5), p('2', 'Cid', 20)], 10)).toEqual({ joined: ['Cid'], left: [] });
    expect(rosterChanges(before, [], 10)).toEqual({ joined: [], left: ['Bob'] });
  });
  it('people already there when we joined are no news', () => {
    expect(rosterChanges([], [p('1', 'Bob', 5)], 10)).toEqual({ joined: [], left: [] });
  });
});
