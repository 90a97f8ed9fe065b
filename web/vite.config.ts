import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// The web UI that `lore serve` serves at `/`: Preact, bundled here into web/dist (no CDN at run time).
// The server's Content-Security-Policy allows only same-origin scripts and styles, so the build must emit
// no inline script or style: one module script, one stylesheet, no inlined assets.
export default defineConfig({
  root: dirname(fileURLToPath(import.meta.url)),
  base: '/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    reportCompressedSize: false,
  },
  server: {
    // `npm run dev:web` against a `lore serve` on the default port. The Host header is passed on as it is
    // (localhost:5173), so the keyless server sees a same-origin loopback request and needs no --cors.
    proxy: Object.fromEntries(['/api', '/v1', '/openapi.json'].map((path) => [path, { target: `http://127.0.0.1:${process.env['LORE_PORT'] ?? 8340}`, changeOrigin: false }])),
  },
});
