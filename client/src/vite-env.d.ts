/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** "1" builds in the window.__meshtalk test hook (end-to-end tests, benchmarks). */
  readonly VITE_TEST_HOOK?: string;
}
