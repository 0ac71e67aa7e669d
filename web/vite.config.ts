import { defineConfig } from 'vite';

/**
 * Preact through Vite's own JSX transform (no Babel preset needed). In development the dev server
 * proxies /v1 and the docs to the API (`npm start` runs it on :3000, or set MEDSTOCK_API_URL).
 */
const api = process.env.MEDSTOCK_API_URL ?? 'http://127.0.0.1:3000';

export default defineConfig({
  root: import.meta.dirname,
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  resolve: { alias: { react: 'preact/compat', 'react-dom': 'preact/compat' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    reportCompressedSize: false,
  },
  server: {
    host: '127.0.0.1',
    port: 5173,
    proxy: { '/v1': api, '/docs': api, '/.well-known': api, '/healthz': api, '/readyz': api },
  },
});
