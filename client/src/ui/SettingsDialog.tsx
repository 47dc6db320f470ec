/**
 * "Settings" in the call: the microphone (switched on every link at once), the speaker where
 * the browser can route audio (setSinkId), and the voice processing of the live track.
 */
import { useState } from 'react';
import type { Call, CallSnapshot } from '../call/Call';
import { canChooseSpeaker } from '../media/devices';
import { PROCESSING_KEYS } from '../media/processing';
import { Dialog } from './Dialog';
import { chosenSpeaker, setSpeaker } from './playback';
import { t } from './i18n';

/** The select's value for "the default microphone" when the browser lists none by id. */
const DEFAULT_MIC = '*default';
const NO_MIC = '';

export function SettingsDialog({ call, snap, onClose }: { call: Call; snap: CallSnapshot; onClose: () => void }) {
  const [speaker, setSpeakerState] = useState(chosenSpeaker);
  const mics = snap.microphones;
  const micValue = snap.microphoneId ?? NO_MIC;
  return (
    <Dialog title={t.settings} onClose={onClose}>
      <div className="field">
        <label htmlFor="settings-mic">{t.microphone}</label>
        <select
          id="settings-mic"
          value={micValue}
          onChange={(e) => {
            const v = e.target.value;
            if (v !== NO_MIC) void call.useMicrophone(v === DEFAULT_MIC ? null : v);
          }}
        >
          {snap.microphoneId === null && <option value={NO_MIC}>{t.noMicrophone}</option>}
          {mics.length === 0 && <option value={DEFAULT_MIC}>{t.defaultMic}</option>}
          {snap.microphoneId !== null && !mics.some((m) => m.deviceId === snap.microphoneId) && <option value={snap.microphoneId}>{t.defaultMic}</option>}
          {mics.map((m, i) => (
            <option key={m.deviceId} value={m.deviceId}>
              {m.label || `${t.microphone} ${i + 1}`}
            </option>
          ))}
        </select>
        {snap.listenOnly && <p className="muted small">{t.pickMicToTalk}</p>}
      </div>
      {canChooseSpeaker() && (
        <div className="field">
          <label htmlFor="settings-speaker">{t.speaker}</label>
          <select
            id="settings-speaker"
            value={speaker}
            onChange={(e) => {
              setSpeaker(e.target.value);
              setSpeakerState(e.target.value);
            }}
          >
            <option value="">{t.defaultSpeaker}</option>
            {snap.speakers
              .filter((s) => s.deviceId !== 'default')
              .map((s, i) => (
                <option key={s.deviceId} value={s.deviceId}>
                  {s.label || `${t.speaker} ${i + 1}`}
                </option>
              ))}
          </select>
        </div>
      )}
      <fieldset className="field">
        <legend>{t.voiceProcessing}</legend>
        {PROCESSING_KEYS.map((k) => (
          <label key={k} className="check">
            <input type="checkbox" checked={snap.processing[k]} onChange={(e) => void call.setProcessing({ ...snap.processing, [k]: e.target.checked })} />
            {t[k]}
          </label>
        ))}
      </fieldset>
    </Dialog>
  );
}
