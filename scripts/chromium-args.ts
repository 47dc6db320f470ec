/**
 * The flags every Chromium this project starts gets: the e2e tests (playwright.config.ts) and the
 * browser benchmark (bench/mesh.ts). Fake devices (with both fake flags, getDisplayMedia returns
 * a 1280×720 screen without a picker), ICE on loopback inside the test network namespace, real
 * IPs instead of mDNS names, audio that plays without a gesture, and a quiet, sandbox-free,
 * GPU-free browser fit for CI.
 */
export const CHROMIUM_ARGS: readonly string[] = [
  '--use-fake-ui-for-media-stream',
  '--use-fake-device-for-media-stream',
  '--allow-loopback-in-peer-connection',
  '--disable-features=WebRtcHideLocalIpsWithMdns',
  '--autoplay-policy=no-user-gesture-required',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  // No speakers in CI: pages still play every remote voice, the audio service just discards it.
  '--mute-audio',
];
