import { describe, expect, it, vi } from 'vitest';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import type { Call, CallSnapshot, PeerView } from '../src/call/Call';
import { pickLanguage, strings } from '../src/ui/i18n';
import { Room } from '../src/ui/Room';
import { SettingsDialog } from '../src/ui/SettingsDialog';
import { checkName } from '../src/ui/Lobby';
import { EMPTY_SNAPSHOT } from '../src/call/snapshot';

const EVIL = '<img src=x onerror=alert(1)>';

const peer = (over: Partial<PeerView>): PeerView => ({
  id: '00000000-0000-4000-8000-000000000002',
  name: 'Bob',
  muted: false,
  joinedAt: 1,
  connected: true,
  presenting: false,
  speaking: false,
  linkState: 'connected',
  quality: 'good',
  rttMs: 12,
  lossPct: 0,
  audio: null,
  ...over,
});

const snapshot = (over: Partial<CallSnapshot> = {}): CallSnapshot => ({
  ...EMPTY_SNAPSHOT,
  status: 'in-room',
  self: { id: '00000000-0000-4000-8000-000000000001', name: 'Ann', muted: false, joinedAt: 1, connected: true, speaking: false },
  ...over,
});

const noop = async () => {};
const call = { toggleMute: noop, startShare: noop, stopShare: noop, leave: noop, dismissNotice: () => {} } as unknown as Call;
const render = (snap: CallSnapshot) => renderToStaticMarkup(createElement(Room, { call, snap }));

describe('language', () => {
  it('picks Japanese when the browser prefers it, English otherwise', () => {
    expect(pickLanguage(['ja-JP', 'en-US'])).toBe('ja');
    expect(pickLanguage(['ja'])).toBe('ja');
    expect(pickLanguage(['en-GB', 'ja'])).toBe('en');
    expect(pickLanguage(['fr-FR', 'ja-JP'])).toBe('ja');
    expect(pickLanguage(['fr-FR', 'de'])).toBe('en');
    expect(pickLanguage([])).toBe('en');
  });

  it('has the controls’ exact names in both languages', () => {
    const en = strings('en');
    const ja = strings('ja');
    expect([en.join, en.mute, en.unmute, en.shareScreen, en.stopSharing, en.leave, en.copyLink, en.yourName]).toEqual([
      'Join',
      'Mute',
      'Unmute',
      'Share screen',
      'Stop sharing',
      'Leave',
      'Copy link',
      'Your name',
    ]);
    expect([ja.join, ja.mute, ja.unmute, ja.shareScreen, ja.stopSharing, ja.leave]).toEqual(['参加', 'ミュート', 'ミュート解除', '画面共有', '共有を停止', '退出']);
  });

  it('says the room is full with the capacity the server sent, and without a number when none came', () => {
    expect(strings('en').roomFull(12)).toBe('The room is full (12 people). Try again when someone leaves.');
    expect(strings('ja').roomFull(12)).toContain('12人');
    expect(strings('en').roomFull(null)).toBe('The room is full. Try again when someone leaves.');
    expect(strings('ja').roomFull(null)).not.toMatch(/\d/);
  });

  it('translates every string into Japanese and Korean', () => {
    const en = strings('en') as Record<string, unknown>;
    for (const lang of ['ja', 'ko'] as const) {
      const other = strings(lang) as Record<string, unknown>;
      expect(Object.keys(other).sort()).toEqual(Object.keys(en).sort());
      for (const [key, value] of Object.entries(other)) {
        if (typeof value === 'string' && key !== 'title') expect(value, `${lang}.${key}`).not.toBe(en[key]);
        if (value && typeof value === 'object') expect(Object.keys(value).sort(), `${lang}.${key}`).toEqual(Object.keys(en[key] as object).sort());
      }
    }
  });

  it('picks Korean when the browser prefers it', () => {
    expect(pickLanguage(['ko-KR', 'en'])).toBe('ko');
    expect(strings('ko').settings).toBe('설정');
  });
});

describe('Room rendering', () => {
  it('renders names from peers as text, never as markup', () => {
    const html = render(snapshot({ peers: [peer({ name: EVIL })], screen: { holderId: 'x', holderName: EVIL }, notice: { kind: 'screen_busy', name: EVIL } }));
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });

  it('every control is a real button with its accessible name', () => {
    vi.stubGlobal('navigator', { mediaDevices: { getDisplayMedia: async () => null } });
    const html = render(snapshot({ peers: [peer({})] }));
    const buttons = [...html.matchAll(/<button[^>]*>([^<]*)<\/button>/g)].map((m) => m[1]);
    expect(buttons).toEqual(expect.arrayContaining(['Copy link', 'Mute', 'Share screen', 'Settings', 'Leave']));
    expect(html).toContain('aria-label="Volume for Bob"');
    const muted = render(snapshot({ self: { ...snapshot().self!, muted: true }, presenting: true }));
    expect(muted).toContain('>Unmute</button>');
    expect(muted).toContain('>Stop sharing</button>');
    vi.unstubAllGlobals();
  });

  it('offers no Share screen where the browser cannot capture a screen (phones)', () => {
    vi.stubGlobal('navigator', { mediaDevices: {} });
    expect(render(snapshot())).not.toContain('Share screen');
    vi.unstubAllGlobals();
  });

  it('shows muted, speaking, presenting and link quality on a tile, and the reconnecting banner', () => {
    const html = render(
      snapshot({
        status: 'reconnecting',
        peers: [peer({ muted: true, speaking: true, presenting: true, quality: 'poor' })],
        screen: { holderId: '00000000-0000-4000-8000-000000000002', holderName: 'Bob' },
      }),
    );
    expect(html).toContain('aria-label="muted"');
    expect(html).toContain('aria-label="Speaking"');
    expect(html).toContain('Presenting');
    expect(html).toContain('Poor link');
    expect(html).toContain('Reconnecting');
  });

  it('tells the refused presenter who is presenting', () => {
    const html = render(snapshot({ notice: { kind: 'screen_busy', name: 'Pat' } }));
    expect(html).toMatch(/role="alert"[^>]*>Pat is presenting/);
  });
});

describe('Settings', () => {
  const devices = snapshot({
    microphones: [{ deviceId: 'mic-1', label: 'Desk microphone' }],
    speakers: [{ deviceId: 'default', label: 'Default' }, { deviceId: 'out-1', label: 'Headphones' }],
    microphoneId: 'mic-1',
  });
  const renderSettings = () => renderToStaticMarkup(createElement(SettingsDialog, { call, snap: devices, onClose: () => {} }));
  /** A browser's HTMLMediaElement, with or without setSinkId (Safari on iOS and Firefox before 116 have none). */
  const mediaElement = (sinkId: boolean) => {
    class Element {}
    if (sinkId) Object.assign(Element.prototype, { setSinkId: async () => {} });
    return Element;
  };

  it('offers a Speaker choice where the browser can route playback (setSinkId)', () => {
    vi.stubGlobal('HTMLMediaElement', mediaElement(true));
    const html = renderSettings();
    expect(html).toMatch(/<label for="settings-speaker">Speaker<\/label>/);
    expect(html).toContain('>Headphones</option>');
    expect(html).toContain('>Desk microphone</option>');
    vi.unstubAllGlobals();
  });

  it('hides the Speaker choice where setSinkId is missing, and keeps the microphone', () => {
    vi.stubGlobal('HTMLMediaElement', mediaElement(false));
    const html = renderSettings();
    expect(html).not.toContain('Speaker');
    expect(html).not.toContain('settings-speaker');
    expect(html).not.toContain('Headphones');
    expect(html).toMatch(/<label for="settings-mic">Microphone<\/label>/);
    vi.unstubAllGlobals();
  });
});

describe('[L3] the lobby checks a name as the server will', () => {
  it('says why an invisible or letterless name cannot be used, and what a good one becomes', () => {
    expect(checkName('')).toEqual({ name: null, problem: null });
    expect(checkName('\u200B\u3164')).toEqual({ name: null, problem: strings('en').nameProblem.no_letter });
    expect(checkName('abc\u202Egnp')).toEqual({ name: null, problem: strings('en').nameProblem.control });
    expect(checkName('N'.repeat(65))).toEqual({ name: null, problem: strings('en').nameProblem.too_long });
    expect(checkName('  Zoe\u0308\u200B  ')).toEqual({ name: 'Zoë', problem: null });
  });

  it('shows the name the server assigned on one’s own tile', () => {
    const html = render(snapshot({ self: { id: '00000000-0000-4000-8000-000000000001', name: 'Ann (2)', muted: false, joinedAt: 1, connected: true, speaking: false } }));
    expect(html).toContain('Ann (2) (you)');
  });
});

describe('the host in the room page (SPEC.md A1–A6, K1)', () => {
  const host = { makeHost: noop, mute: noop, remove: noop, setLocked: noop, admit: noop, deny: noop, endForEveryone: noop };
  const hostCall = { ...call, host } as unknown as Call;
  const ann = '00000000-0000-4000-8000-000000000001';
  const bob = '00000000-0000-4000-8000-000000000002';
  const renderAs = (snap: CallSnapshot) => renderToStaticMarkup(createElement(Room, { call: hostCall, snap }));

  it('the host sees the badge on their own tile, the tile menus, the lock and End for everyone, and who knocks', () => {
    const html = renderAs(
      snapshot({ peers: [peer({})], host: { hostId: ann, locked: true }, knocks: [{ id: '00000000-0000-4000-8000-000000000070', name: EVIL, at: 1, expiresAt: 2 }] }),
    );
    expect(html).toContain('aria-label="Options for Bob"');
    expect(html).toContain('>Unlock room<');
    expect(html).toContain('>End for everyone<');
    expect(html).toMatch(/data-testid="tile-self".*?>Host</);
    // A knocker's name is text, never markup.
    expect(html).toContain(`${EVIL.replaceAll('<', '&lt;').replaceAll('>', '&gt;')} wants to join`);
    expect(html).not.toContain(EVIL);
  });

  it('a member sees who the host is, and none of the host controls', () => {
    const html = renderAs(snapshot({ peers: [peer({})], host: { hostId: bob, locked: false } }));
    expect(html).toMatch(/data-testid="tile".*?>Host</);
    expect(html).not.toContain('Options for');
    expect(html).not.toContain('Lock room');
    expect(html).not.toContain('End for everyone');
  });

  it('the notices say who muted you and who is host now', () => {
    expect(renderAs(snapshot({ notice: { kind: 'muted_by_host', by: 'Ann' } }))).toContain('Ann muted you');
    expect(renderAs(snapshot({ notice: { kind: 'muted_by_host', by: null } }))).toContain('An admin muted you');
    expect(renderAs(snapshot({ notice: { kind: 'host_changed', name: 'Bob', you: false } }))).toContain('Bob is now the host');
  });
});
