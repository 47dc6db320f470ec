/**
 * The chat: the control bar's Chat button (with the unread count), the panel with the
 * conversation and the Message box, the polite live region that reads new messages out, and the
 * raised-hand badge of a tile. Renders the snapshot's `chat` and `hands`; sends through
 * `call.conversation`. Message text is only ever rendered as text (links as <a>, nothing else).
 */
import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import type { ChatMessage } from '@meshtalk/protocol';
import type { Call, CallSnapshot } from '../call/Call';
import type { ChatRefusal } from '../call/Conversation';
import { linkify } from './linkify';
import { t } from './i18n';
import './chat.css';

const PANEL_ID = 'chat-panel';
const clock = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const dated = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });

/**
 * When a message was written, in the reader's locale: the time alone on the day it was written,
 * with the date on a later day (a call that runs past midnight, history kept over a restart).
 */
export function messageTime(at: number, now = Date.now(), formats = { clock, dated }): string {
  return new Date(at).toDateString() === new Date(now).toDateString() ? formats.clock.format(at) : formats.dated.format(at);
}

export function ChatButton({ call, chat }: { call: Call; chat: CallSnapshot['chat'] }) {
  const unread = !chat.open && chat.unread > 0 ? chat.unread : 0;
  return (
    <button
      type="button"
      aria-label={t.chat}
      aria-expanded={chat.open}
      aria-controls={PANEL_ID}
      aria-describedby={unread ? 'chat-unread' : undefined}
      onClick={() => call.conversation.setOpen(!chat.open)}
    >
      {t.chat}
      {unread > 0 && (
        <span className="unread" id="chat-unread" data-testid="chat-unread">
          {unread}
          <span className="sr-only"> {t.unread(unread)}</span>
        </span>
      )}
    </button>
  );
}

export function HandButton({ call, raised }: { call: Call; raised: boolean }) {
  return (
    <button type="button" onClick={() => void call.conversation.toggleHand()}>
      {raised ? t.lowerHand : t.raiseHand}
    </button>
  );
}

/** A tile's raised hand and its place in the queue (none when the hand is down). */
export function HandBadge({ place }: { place: number }) {
  if (place < 1) return null;
  return (
    <span className="badge hand-badge" role="img" aria-label={t.handRaised(place)} title={t.handRaised(place)} data-place={place}>
      ✋ {place}
    </span>
  );
}

/** Reads out the newest message from someone else, politely (after what is being said). */
export function ChatAnnouncer({ latest }: { latest: ChatMessage | null }) {
  return (
    <div className="sr-only" aria-live="polite" data-testid="chat-announcer">
      {latest ? t.newMessage(latest.authorName, latest.text) : ''}
    </div>
  );
}

function refusalText(r: ChatRefusal): string {
  if (r.kind === 'text') return t.chatProblem[r.problem];
  if (r.kind === 'too_fast') return t.chatTooFast;
  return t.chatFailed(r.message);
}

export function ChatPanel({ call, chat, selfId }: { call: Call; chat: CallSnapshot['chat']; selfId: string | null }) {
  const [text, setText] = useState('');
  const [refused, setRefused] = useState<string | null>(null);
  const [sending, setSending] = useState(false);
  const log = useRef<HTMLOListElement>(null);
  const box = useRef<HTMLTextAreaElement>(null);

  // The newest message in view.
  useEffect(() => {
    const el = log.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [chat.messages.length]);
  useEffect(() => box.current?.focus(), []);

  const send = async () => {
    if (sending) return;
    setSending(true);
    const refusal = await call.conversation.send(text);
    setSending(false);
    // A refused message stays in the box, with the reason beside it.
    if (refusal) return setRefused(refusalText(refusal));
    setRefused(null);
    setText('');
  };
  const onKey = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    // Enter sends; Shift+Enter is a new line; Enter that ends an IME composition is neither.
    if (e.key !== 'Enter' || e.shiftKey || e.nativeEvent.isComposing) return;
    e.preventDefault();
    void send();
  };

  return (
    <section id={PANEL_ID} className="chat-panel" aria-label={t.chat}>
      <h2>{t.chat}</h2>
      {chat.messages.length === 0 && <p className="muted small">{t.noMessages}</p>}
      <ol className="chat-log" ref={log}>
        {chat.messages.map((m) => (
          <li key={m.id} className={m.authorId === selfId ? 'mine' : undefined} data-testid="chat-message">
            <span className="author">{m.authorName}</span> <time dateTime={new Date(m.at).toISOString()}>{messageTime(m.at)}</time>
            <p className="text">
              {linkify(m.text).map((p, i) =>
                p.kind === 'link' ? (
                  <a key={i} href={p.href} target="_blank" rel="noopener noreferrer">
                    {p.text}
                  </a>
                ) : (
                  <span key={i}>{p.text}</span>
                ),
              )}
            </p>
          </li>
        ))}
      </ol>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void send();
        }}
      >
        <textarea
          ref={box}
          aria-label={t.message}
          rows={2}
          value={text}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={onKey}
          aria-invalid={refused !== null}
          aria-describedby={refused ? 'chat-refused' : undefined}
        />
        <button type="submit" disabled={sending}>
          {t.send}
        </button>
      </form>
      {refused && (
        <p className="chat-refused" id="chat-refused" role="alert">
          {refused}
        </p>
      )}
    </section>
  );
}
