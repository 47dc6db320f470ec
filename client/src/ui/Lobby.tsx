/** Before joining: a name (remembered), a microphone with a live level, and Join. */
import { useEffect, useRef, useState } from 'react';
import { cleanName } from '@meshtalk/protocol';
import { listMicrophones, openMicrophone, rememberedMicrophone } from '../media/microphone';
import { level, unwatchLevel, watchLevel } from '../media/levels';
import { t } from './i18n';

const NAME_KEY = 'meshtalk.name';
/** How long Join waits for the microphone (an unanswered permission prompt) before allowing listen-only. */
const MIC_WAIT_MS = 8_000;

/**
 * What Join would send, or why the name cannot be used: the server's own rule (the protocol's
 * `cleanName`), so the lobby says what the server would answer. Nothing typed yet is no error.
 */
export function checkName(typed: string): { name: string | null; problem: string | null } {
  if (typed.trim() === '') return { name: null, problem: null };
  const r = cleanName(typed);
  return r.ok ? { name: r.name, problem: null } : { name: null, problem: t.nameProblem[r.problem] };
}

export function Lobby(props: { message: string | null; onJoin: (name: string, mic: MediaStream | null) => void; busy: boolean }) {
  const [name, setName] = useState(() => localStorage.getItem(NAME_KEY) ?? '');
  const [mics, setMics] = useState<MediaDeviceInfo[]>([]);
  const [micId, setMicId] = useState<string>(() => rememberedMicrophone() ?? '');
  const [stream, setStream] = useState<MediaStream | null>(null);
  const [micProblem, setMicProblem] = useState<'denied' | 'missing' | 'unsupported' | null>(null);
  const [meter, setMeter] = useState(0);
  // Join waits until the microphone is open or has failed: joining earlier would join listen-only.
  const [micSettled, setMicSettled] = useState(false);
  const handedOver = useRef(false);

  useEffect(() => {
    let alive = true;
    let opened: MediaStream | null = null;
    setMicSettled(false);
    const giveUp = setTimeout(() => setMicSettled(true), MIC_WAIT_MS);
    void openMicrophone(micId || null).then(async (r) => {
      if (!alive) return r.ok && r.stream.getTracks().forEach((x) => x.stop());
      clearTimeout(giveUp);
      setMicSettled(true);
      if (r.ok) {
        opened = r.stream;
        setStream(r.stream);
        setMicProblem(null);
        watchLevel('lobby', r.stream);
        setMics(await listMicrophones());
      } else {
        setStream(null);
        setMicProblem(r.reason);
      }
    });
    return () => {
      alive = false;
      clearTimeout(giveUp);
      unwatchLevel('lobby');
      if (!handedOver.current) opened?.getTracks().forEach((x) => x.stop());
    };
  }, [micId]);

  useEffect(() => {
    const timer = setInterval(() => setMeter(Math.min(1, level('lobby') * 4)), 100);
    return () => clearInterval(timer);
  }, []);

  const { name: cleaned, problem } = checkName(name);
  return (
    <main className="lobby">
      <h1>{t.title}</h1>
      <p className="tagline">{t.tagline}</p>
      {props.message && (
        <p className="notice" role="alert">
          {props.message}
        </p>
      )}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (!cleaned || props.busy || !micSettled) return;
          localStorage.setItem(NAME_KEY, cleaned);
          handedOver.current = true;
          props.onJoin(cleaned, stream);
        }}
      >
        <label htmlFor="name">{t.yourName}</label>
        <input
          id="name"
          value={name}
          autoComplete="nickname"
          autoFocus
          onChange={(e) => setName(e.target.value)}
          required
          aria-invalid={problem !== null}
          aria-describedby={problem ? 'name-problem' : undefined}
        />
        {problem && (
          <p className="note" id="name-problem" role="alert">
            {problem}
          </p>
        )}
        <label htmlFor="mic">{t.microphone}</label>
        <select id="mic" value={micId} onChange={(e) => setMicId(e.target.value)} disabled={!stream}>
          <option value="">{t.defaultMic}</option>
          {mics.map((m, i) => (
            <option key={m.deviceId || i} value={m.deviceId}>
              {m.label || `${t.microphone} ${i + 1}`}
            </option>
          ))}
        </select>
        <div className="meter" role="meter" aria-label={t.micLevel} aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(meter * 100)}>
          <span style={{ width: `${Math.round(meter * 100)}%` }} />
        </div>
        {micProblem && <p className="note">{micProblem === 'denied' ? t.micDenied : t.micMissing}</p>}
        <button type="submit" className="primary" disabled={!cleaned || props.busy || !micSettled}>
          {t.join}
        </button>
        {(props.busy || !micSettled) && (
          <p className="muted small" role="status">
            {props.busy ? t.joining : t.micStarting}
          </p>
        )}
      </form>
    </main>
  );
}
