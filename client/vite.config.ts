import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// `npm run dev -w client` serves on :5173 and forwards the server's paths to :3000 (or
// MESHTALK_SERVER), where `npm run dev` runs the server. The proxy keeps the Host header, so the
// socket passes the same-origin check.
const server = process.env.MESHTALK_SERVER ?? 'http://localhost:3000';

export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true },
  server: {
    port: 5173,
    proxy: {
      '/socket.io': { target: server, ws: true },
      // /admin is not forwarded: that page is part of this client (Vite serves it here, with
      // hot reload) and reads its figures from /api/admin, which is.
      '/api': server,
      '/metrics': server,
      '/healthz': server,
      '/readyz': server,
    },
  },
});
