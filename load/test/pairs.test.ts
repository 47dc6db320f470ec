/** The load run's bookkeeping: which pairs a room has, when they count as done, and the verdict. */
import { describe, expect, it } from 'vitest';
import { HEARD_FRAMES, PairBook, percentile, verdict, type LinkSeen, type Observation, type RunFacts } from '../src/pairs';

const link = (peerId: string, state = 'connected', loudFrames = HEARD_FRAMES, connectMs: number | null = 100): LinkSeen => ({ peerId, state, connectMs, candidateType: 'host', rttMs: 1, loudFrames });
const obs = (id: string, peers: [string, string][], links: LinkSeen[]): Observation => ({ id, name: id.toUpperCase(), roster: new Map(peers), links });
const facts = (over: Partial<RunFacts>): RunFacts => ({
  pairs: [],
  refusedFull: 0,
  capacity: null,
  participants: 2,
  failed: [],
  relay: false,
  relayCandidates: 0,
  turnServers: 0,
  turnErrors: new Map(),
  ...over,
});

describe('PairBook', () => {
  it('a pair of two of ours is one pair, done when both ends are connected and heard the other', () => {
    const book = new PairBook();
    book.update([obs('a', [['b', 'B']], [link('b')]), obs('b', [['a', 'A']], [link('a', 'connected', HEARD_FRAMES - 1)])], 1_000);
    expect(book.pairs).toHaveLength(1);
    expect(book.pairs[0]).toMatchObject({ connected: true, audio: false, readyAtMs: null });
    expect(book.fullAtMs).toBeNull();
    book.update([obs('a', [['b', 'B']], [link('b')]), obs('b', [['a', 'A']], [link('a', 'connected', HEARD_FRAMES, 300)])], 2_000);
    expect(book.pairs[0]).toMatchObject({ connected: true, audio: true, readyAtMs: 2_000, connectMs: 300 });
    expect(book.fullAtMs).toBe(2_000);
  });

  it('a pair with someone not ours (a browser) is judged by our end alone', () => {
    const book = new PairBook();
    book.update([obs('a', [['page', 'Page']], [link('page')])], 500);
    expect(book.pairs).toHaveLength(1);
    expect(book.pairs[0]!.ends[1]).toEqual({ id: 'page', name: 'Page', seen: null });
    expect(book.pairs[0]!.audio).toBe(true);
  });

  it('a peer listed but without a link yet counts as not connected; a leaver takes its pairs along', () => {
    const book = new PairBook();
    book.update([obs('a', [['b', 'B'], ['c', 'C']], [link('b')])], 0);
    expect(book.pairs.map((p) => [p.key, p.connected])).toEqual([
      ['a b', true],
      ['a c', false],
    ]);
    book.update([obs('a', [['b', 'B']], [link('b')])], 1);
    expect(book.pairs.map((p) => p.key)).toEqual(['a b']);
  });

  it('remembers that a pair was connected once, so a drop reads as lost, not never', () => {
    const book = new PairBook();
    book.update([obs('a', [['b', 'B']], [link('b')])], 0);
    book.update([obs('a', [['b', 'B']], [link('b', 'disconnected')])], 1);
    expect(book.pairs[0]).toMatchObject({ connected: false, everConnected: true });
    expect(verdict(facts({ pairs: book.pairs })).reason).toBe('1 pair connected, then lost the connection: A–B');
  });
});

describe('verdict', () => {
  const book = new PairBook();
  book.update(
    [obs('a', [['b', 'B'], ['c', 'C'], ['d', 'D'], ['e', 'E'], ['f', 'F'], ['g', 'G'], ['h', 'H']], ['b', 'c', 'd', 'e', 'f', 'g', 'h'].map((p) => link(p, 'connecting')))],
    0,
  );

  it('lists the pairs that never connected, five by name', () => {
    expect(verdict(facts({ pairs: book.pairs }))).toEqual({ ok: false, reason: '7 pairs never connected: A–B, A–C, A–D, A–E, A–F and 2 more' });
  });

  it('a full room explains itself first', () => {
    expect(verdict(facts({ pairs: book.pairs, refusedFull: 1, capacity: 10, participants: 9 })).reason).toBe('room is full (it holds 10): 1 of 9 participants were refused');
  });

  it('relay-only: no TURN in the grant, or no relay candidate, is "check TURN"', () => {
    expect(verdict(facts({ pairs: book.pairs, relay: true })).reason).toMatch(/^no relay candidate: check TURN \(the room handed out no TURN server/);
    expect(verdict(facts({ pairs: book.pairs, relay: true, turnServers: 2, turnErrors: new Map([[401, 6]]) })).reason).toBe('no relay candidate: check TURN (TURN errors: 6× 401)');
  });

  it('connected without audio is its own reason; all good is ok', () => {
    const quiet = new PairBook();
    quiet.update([obs('a', [['b', 'B']], [link('b', 'connected', 0)])], 0);
    expect(verdict(facts({ pairs: quiet.pairs })).reason).toBe('1 pair connected but carried no audio: A–B');
    const good = new PairBook();
    good.update([obs('a', [['b', 'B']], [link('b')])], 0);
    expect(verdict(facts({ pairs: good.pairs }))).toEqual({ ok: true, reason: 'all 1 pairs connected with audio' });
  });

  it('percentiles are nearest-rank', () => {
    expect(percentile([5, 1, 4, 2, 3], 50)).toBe(3);
    expect(percentile(Array.from({ length: 20 }, (_, i) => i + 1), 95)).toBe(19);
    expect(percentile([], 50)).toBeNull();
  });
});
