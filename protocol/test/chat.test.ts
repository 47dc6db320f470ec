import { describe, expect, it } from 'vitest';
import { CHAT_LIMITS, ChatMessage, ChatSendRequest, ClientRequests, HandLowerRequest, HandRaiseRequest, JoinResponse, ServerEvents, cleanChatText } from '../src/index';

describe('[V1] chat messages', () => {
  it('are NFC-normalised, with CRLF and CR made newlines; tabs and newlines stay', () => {
    expect(ChatSendRequest.parse({ text: 'Zoe\u0308\r\nnext\rlast\tend' })).toEqual({ text: 'Zoë\nnext\nlast\tend' });
  });
  it('count characters, not UTF-16 units, against the 2,000 limit (after NFC)', () => {
    expect(ChatSendRequest.safeParse({ text: '😀'.repeat(CHAT_LIMITS.textMaxChars) }).success).toBe(true);
    expect(cleanChatText('😀'.repeat(CHAT_LIMITS.textMaxChars + 1))).toEqual({ ok: false, problem: 'too_long' });
    // 2,000 decomposed characters are 2,000 composed ones: NFC first, then the count.
    expect(cleanChatText('e\u0301'.repeat(CHAT_LIMITS.textMaxChars)).ok).toBe(true);
    expect(cleanChatText('x'.repeat(1_000_000))).toEqual({ ok: false, problem: 'too_long' });
  });
  it.each([
    ['empty', '', 'empty'],
    ['white space only', ' \n\t\u3000', 'empty'],
    ['a NUL', 'a\u0000b', 'control'],
    ['an escape sequence', 'a\u001b[31mred', 'control'],
    ['a DEL', 'a\u007f', 'control'],
    ['a C1 control', 'a\u0085b', 'control'],
    ['a lone surrogate', 'a\ud800b', 'control'],
  ])('refuses %s', (_label, text, problem) => {
    expect(cleanChatText(text)).toEqual({ ok: false, problem });
    expect(ChatSendRequest.safeParse({ text }).success).toBe(false);
  });
  it('keeps markup as plain text (rendering escapes it), and refuses other fields or types', () => {
    expect(ChatSendRequest.parse({ text: '<img src=x onerror=alert(1)>' }).text).toBe('<img src=x onerror=alert(1)>');
    expect(ChatSendRequest.safeParse({ text: 'hi', authorId: 'me' }).success).toBe(false);
    expect(ChatSendRequest.safeParse({ text: 7 }).success).toBe(false);
    expect(ChatSendRequest.safeParse({}).success).toBe(false);
  });
  it('a message on the wire names its author by a lower-case id', () => {
    const m = ChatMessage.parse({ id: '0f0f0f0f-0f0f-4f0f-8f0f-0f0f0f0f0f0f', authorId: 'ABCDEF00-0000-4000-8000-000000000001', authorName: 'Ann', at: 1, text: 'hi' });
    expect(m.authorId).toBe('abcdef00-0000-4000-8000-000000000001');
    expect(ChatMessage.safeParse({ ...m, at: 'now' }).success).toBe(false);
  });
});

describe('[V1] hands', () => {
  it('raise takes nothing; lower takes an optional participant id', () => {
    expect(HandRaiseRequest.safeParse({}).success).toBe(true);
    expect(HandRaiseRequest.safeParse({ participantId: 'x' }).success).toBe(false);
    expect(HandLowerRequest.parse({})).toEqual({});
    expect(HandLowerRequest.parse({ participantId: '0F0F0F0F-0F0F-4F0F-8F0F-0F0F0F0F0F0F' })).toEqual({ participantId: '0f0f0f0f-0f0f-4f0f-8f0f-0f0f0f0f0f0f' });
    expect(HandLowerRequest.safeParse({ participantId: 'bob' }).success).toBe(false);
  });
  it('the events are in the maps both sides use, and a join answer carries the chat and the hands', () => {
    expect(Object.keys(ClientRequests)).toEqual(expect.arrayContaining(['chat:send', 'hand:raise', 'hand:lower']));
    expect(Object.keys(ServerEvents)).toEqual(expect.arrayContaining(['chat:message', 'hand:changed']));
    expect(JoinResponse.shape.chat).toBeDefined();
    expect(JoinResponse.shape.hands).toBeDefined();
  });
});
