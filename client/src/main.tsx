import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { Call } from './call/Call';
import { PREPARE_VIDEO_AFTER_MS } from './mesh/Mesh';
import { connectSignaling } from './signaling/SignalingClient';
import { AdminPage } from './admin/AdminPage';
import { App } from './ui/App';
import { debugPlayers } from './ui/playback';
import { lang } from './ui/i18n';
import './ui/styles.css';

const makeCall = () => {
  const call = new Call({
    connect: () => connectSignaling(),
    createPeerConnection: (config) => new RTCPeerConnection(config),
    // Links get their video line once the join is over: a share then starts without signaling.
    prepareVideoAfterMs: PREPARE_VIDEO_AFTER_MS,
  });
  // A window hook for end-to-end tests and benchmarks (media figures straight from getStats),
  // built in only when VITE_TEST_HOOK=1 (npm run test:e2e, npm run bench); never in production.
  if (import.meta.env.VITE_TEST_HOOK === '1') {
    (window as unknown as { __meshtalk: unknown }).__meshtalk = {
      stats: () => call.debugStats(),
      inboundAudio: () => call.debugInboundAudio(),
      snapshot: () => call.getSnapshot(),
      microphone: () => call.debugMicrophone(),
      players: () => debugPlayers(),
    };
  }
  return call;
};

document.documentElement.lang = lang;
const root = createRoot(document.getElementById('root')!);
root.render(<StrictMode>{location.pathname.replace(/\/+$/, '') === '/admin' ? <AdminPage /> : <App makeCall={makeCall} />}</StrictMode>);
