/**
 * vite.config.ts with the build written to .data/test/served-app-build instead of
 * build/, for tests/support/served-app.ts when build/ is stale: a build of its own is
 * never emptied by another run's build under its feet. Keep the future flags in step
 * with vite.config.ts.
 */
import { vitePlugin as remix } from '@remix-run/dev'
import { defineConfig, type PluginOption } from 'vite'
import base from '../../vite.config'

export const SERVED_APP_BUILD_DIRECTORY = '.data/test/served-app-build'

function withoutRemix(plugins: PluginOption[] | undefined): PluginOption[] {
  return (plugins ?? []).flat(Infinity as 1).filter((plugin) => {
    const name = plugin && typeof plugin === 'object' && 'name' in plugin ? String(plugin.name) : ''
    return !name.startsWith('remix')
  })
}

export default defineConfig({
  ...base,
  plugins: [
    ...withoutRemix(base.plugins),
    remix({
      buildDirectory: SERVED_APP_BUILD_DIRECTORY,
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
