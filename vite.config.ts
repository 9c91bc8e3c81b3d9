import { vitePlugin as remix } from '@remix-run/dev'
import tailwindcss from '@tailwindcss/vite'
import { defineConfig } from 'vite'

declare module '@remix-run/node' {
  interface Future {
    v3_singleFetch: true
  }
}

export default defineConfig({
  server: {
    host: '127.0.0.1',
    // Data, tools and tests change while the dev server runs; reloading on them kills uploads.
    watch: { ignored: ['**/.data/**', '**/.tools/**', '**/tests/**', '**/scripts/**', '**/.cache/**'] },
  },
  // Server-only native modules: Vite's dependency scan must not try to bundle them.
  optimizeDeps: { exclude: ['@node-rs/argon2', 'sharp', '@temporalio/client'] },
  resolve: { alias: { '~': new URL('./app', import.meta.url).pathname } },
  plugins: [
    tailwindcss(),
    remix({
      // DAMSON_BUILD_DIR builds elsewhere than build/ (tests/support/served-app.ts; server.mjs reads the same variable).
      ...(process.env.DAMSON_BUILD_DIR ? { buildDirectory: process.env.DAMSON_BUILD_DIR } : {}),
      future: {
        v3_fetcherPersist: true,
        v3_relativeSplatPath: true,
        v3_throwAbortReason: true,
        v3_lazyRouteDiscovery: true,
        v3_singleFetch: true,
        v3_routeConfig: true,
      },
    }),
  ],
})
