/** The page's chat and hands: the Conversation core, links, and how the room renders messages and hands. */
import { describe, expect, it } from 'vitest';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import type { Ack, ChatMessage } from '@meshtalk/protocol';
import type { Call, CallSnapshot } from '../src/call/Call';
import { CLIENT_MESSAGES_MAX, Conversation, EMPTY_CHAT } from '../src/call/Conversation';
import { EMPTY_SNAPSHOT } from '../src/call/snapshot';
import { ChatPanel, messageTime } from '../src/ui/ChatPanel';
import { linkify } from '../src/ui/linkify';
import { Room } from '../src/ui/Room';
import { strings } from '../src/ui/i18n';
import { id } from './fake-room';

const ANN = id(1);
const BOB = id(2);
const msg = (n: number, authorId = BOB, text = `m${n}`): ChatMessage => ({ id: id(100 + n), authorId, authorName: authorId === ANN ? 'Ann' : 'Bob', at: 1_000 + n, text });

function conversation(answer: (event: string, payload: unknown) => Ack<unknown> = () => ({ ok: true, data: {} })) {
  const sent: { event: string; payload: unknown }[] = [];
  let changes = 0;
  const c = new Conversation({
    request: ((event: string, payload: unknown) => {
      sent.push({ event, payload });
      return Promise.resolve(answer(event, payload));
    }) as never,
    selfId: () => ANN,
    onChange: () => changes++,
  });
  return { c, sent, changes: () => changes };
}

describe('Conversation', () => {
  it('counts messages from others as unread while the panel is closed; opening reads them; one’s own never count', () => {
    const { c } = conversation();
    c.joined([msg(1)], [], false);
    expect(c.view.unread).toBe(0);
    c.receive(msg(2));
    c.receive(msg(3, ANN));
    c.receive(msg(2));
    expect(c.view.messages.map((m) => m.text)).toEqual(['m1', 'm2', 'm3']);
    expect(c.view.unread).toBe(1);
    expect(c.view.latest?.text).toBe('m2');
    c.setOpen(true);
    expect(c.view.unread).toBe(0);
    c.receive(msg(4));
    expect(c.view.unread).toBe(0);
  });

  it('a re-join’s history adds what was said while away, as unread, without doubling what was seen', () => {
    const { c } = conversation();
    c.joined([msg(1)], [], false);
    c.receive(msg(2));
    c.joined([msg(1), msg(2), msg(3), msg(4, ANN)], [BOB], true);
    expect(c.view.messages.map((m) => m.text)).toEqual(['m1', 'm2', 'm3', 'm4']);
    expect(c.view.unread).toBe(2);
    expect(c.hands).toEqual([BOB]);
  });

  it('keeps at most CLIENT_MESSAGES_MAX messages', () => {
    const { c } = conversation();
    for (let i = 0; i < CLIENT_MESSAGES_MAX + 5; i++) c.receive(msg(i));
    expect(c.view.messages).toHaveLength(CLIENT_MESSAGES_MAX);
    expect(c.view.messages[0]!.text).toBe('m5');
  });

  it('refuses an empty or oversized message before sending, and says why; a rate-limited one says so too', async () => {
    const { c, sent } = conversation((event) =>
      event === 'chat:send' ? { ok: false, error: { code: 'rate_limited', message: 'You are sending messages too fast' } } : { ok: true, data: {} },
    );
    expect(await c.send('  \n ')).toEqual({ kind: 'text', problem: 'empty' });
    expect(await c.send('x'.repeat(2_001))).toEqual({ kind: 'text', problem: 'too_long' });
    expect(await c.send('a\u0007b')).toEqual({ kind: 'text', problem: 'control' });
    expect(sent).toEqual([]);
    expect(await c.send('hello')).toEqual({ kind: 'too_fast' });
    expect(sent).toEqual([{ event: 'chat:send', payload: { text: 'hello' } }]);
    expect(c.view.messages).toEqual([]);
  });

  it('a sent message shows once, whether its ack or its broadcast comes first', async () => {
    const mine = msg(7, ANN, 'hello');
    const { c } = conversation(() => ({ ok: true, data: mine }));
    expect(await c.send('hello')).toBeNull();
    c.receive(mine);
    expect(c.view.messages).toEqual([mine]);
    expect(c.view.unread).toBe(0);
  });

  it('R raises the hand, and again lowers it', async () => {
    let hands: string[] = [];
    const { c, sent } = conversation((event) => {
      hands = event === 'hand:raise' ? [BOB, ANN] : [BOB];
      return { ok: true, data: { hands } };
    });
    await c.toggleHand();
    expect(c.hands).toEqual([BOB, ANN]);
    await c.toggleHand();
    expect(sent.map((s) => s.event)).toEqual(['hand:raise', 'hand:lower']);
    expect(c.hands).toEqual([BOB]);
  });

  it('a hand change the room refuses says why, and the queue stays as it was', async () => {
    const refusals: unknown[] = [];
    const c = new Conversation({
      request: ((event: string) =>
        Promise.resolve(
          event === 'hand:raise'
            ? { ok: false, error: { code: 'rate_limited', message: 'slow down' } }
            : { ok: false, error: { code: 'forbidden', message: 'only the host can lower someone else’s hand' } },
        )) as never,
      selfId: () => ANN,
      onChange: () => {},
      onHandRefused: (r) => refusals.push(r),
    });
    c.joined([], [BOB], false);
    await c.toggleHand();
    await c.lowerHandOf(BOB);
    expect(refusals).toEqual([{ kind: 'too_fast' }, { kind: 'error', message: 'only the host can lower someone else’s hand' }]);
    expect(c.hands).toEqual([BOB]);
    const html = renderToStaticMarkup(createElement(Room, { call: fakeCall, snap: snapshot({ notice: { kind: 'hand_too_fast' } }) }));
    expect(html).toMatch(/role="alert"[^>]*>You are raising and lowering your hand too fast/);
  });
});

describe('links in messages', () => {
  it('turns http(s) URLs into links and leaves everything else as text', () => {
    expect(linkify('see https://example.com/a?b=1, then (http://x.test/wiki/A_(b)).')).toEqual([
      { kind: 'text', text: 'see ' },
      { kind: 'link', text: 'https://example.com/a?b=1', href: 'https://example.com/a?b=1' },
      { kind: 'text', text: ', then (' },
      { kind: 'link', text: 'http://x.test/wiki/A_(b)', href: 'http://x.test/wiki/A_(b)' },
      { kind: 'text', text: ').' },
    ]);
    for (const text of ['javascript:alert(1)', 'data:text/html,<b>x</b>', 'ftp://example.com', 'www.example.com', 'file:///etc/passwd']) {
      expect(linkify(text), text).toEqual([{ kind: 'text', text }]);
    }
    expect(linkify('')).toEqual([]);
  });
});

const noop = async () => {};
const fakeCall = { toggleMute: noop, startShare: noop, stopShare: noop, leave: noop, dismissNotice: () => {}, conversation: { setOpen: () => {}, toggleHand: noop, send: noop } } as unknown as Call;
const snapshot = (over: Partial<CallSnapshot> = {}): CallSnapshot => ({
  ...EMPTY_SNAPSHOT,
  status: 'in-room',
  self: { id: ANN, name: 'Ann', muted: false, joinedAt: 1, connected: true, speaking: false },
  peers: [{ id: BOB, name: 'Bob', muted: false, joinedAt: 1, connected: true, presenting: false, speaking: false, linkState: 'connected', quality: 'good', rttMs: 1, lossPct: 0, audio: null }],
  ...over,
});

describe('the chat and hands in the room', () => {
  it('has the exact accessible names, in English and Japanese', () => {
    const en = strings('en');
    expect([en.chat, en.message, en.raiseHand, en.lowerHand, en.chatTooFast]).toEqual(['Chat', 'Message', 'Raise hand', 'Lower hand', 'You are sending messages too fast']);
    const ja = strings('ja');
    expect([ja.chat, ja.message, ja.raiseHand, ja.lowerHand]).toEqual(['チャット', 'メッセージ', '手を挙げる', '手を下ろす']);
  });

  it('a message shows its time on the day it was written, and its date too on a later day', () => {
    const en = { clock: new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit' }), dated: new Intl.DateTimeFormat('en-GB', { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' }) };
    const at = new Date(2026, 11, 6, 23, 58).getTime();
    expect(messageTime(at, new Date(2026, 11, 6, 23, 59).getTime(), en)).toBe('23:58');
    expect(messageTime(at, new Date(2026, 11, 7, 0, 1).getTime(), en)).toBe('6 Dec, 23:58');
  });

  it('shows markup as text and links as new-tab links with noopener noreferrer', () => {
    const chat = { ...EMPTY_CHAT, open: true, messages: [msg(1, BOB, '<img src=x onerror=alert(1)> see https://example.com/x')] };
    const html = renderToStaticMarkup(createElement(ChatPanel, { call: fakeCall, chat, selfId: ANN }));
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('<a href="https://example.com/x" target="_blank" rel="noopener noreferrer">https://example.com/x</a>');
    expect(html).toContain('aria-label="Message"');
  });

  it('the Chat button keeps its name and shows the unread count only while the panel is closed; the hand button says what it will do', () => {
    const closed = renderToStaticMarkup(createElement(Room, { call: fakeCall, snap: snapshot({ chat: { ...EMPTY_CHAT, unread: 3, latest: msg(3) } }) }));
    expect(closed).toMatch(/<button[^>]*aria-label="Chat"[^>]*>Chat<span class="unread"[^>]*>3/);
    expect(closed).toContain('aria-live="polite"');
    expect(closed).toContain('Bob: m3');
    expect(closed).toContain('>Raise hand</button>');
    const open = renderToStaticMarkup(createElement(Room, { call: fakeCall, snap: snapshot({ chat: { ...EMPTY_CHAT, open: true, unread: 0 } }) }));
    expect(open).not.toContain('class="unread"');
    expect(open).toContain('aria-label="Message"');
  });

  it('every tile with a raised hand shows its place in the queue', () => {
    const html = renderToStaticMarkup(createElement(Room, { call: fakeCall, snap: snapshot({ hands: [BOB, ANN] }) }));
    expect(html).toContain('aria-label="Hand raised (1 in line)"');
    expect(html).toContain('aria-label="Hand raised (2 in line)"');
    expect(html).toContain('>Lower hand</button>');
  });
});
