import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The portal is served at the issuer's origin (by the platform, or nginx in distributed mode),
// so every call is same-origin. `nx serve portal` proxies the APIs to a platform on :3000.
const platform = process.env['TESSERA_DEV_PLATFORM'] ?? 'http://127.0.0.1:3000';

export default defineConfig({
  root: import.meta.dirname,
  cacheDir: '../../node_modules/.vite/apps/portal',
  plugins: [react()],
  server: {
    port: 4200,
    host: '127.0.0.1',
    proxy: Object.fromEntries(['/auth', '/oauth2', '/.well-known', '/admin/api'].map((path) => [path, { target: platform, changeOrigin: false }])),
  },
  build: {
    outDir: '../../dist/apps/portal',
    emptyOutDir: true,
    reportCompressedSize: false,
    // No inline scripts or styles anywhere: the Content-Security-Policy allows only 'self'.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
    target: 'es2022',
  },
});
