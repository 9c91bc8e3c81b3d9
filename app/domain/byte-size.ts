/**
 * Sizes in words, the one way for server messages, the command line and the pages
 * (pure, so the browser bundle can use it too).
 */

/** "20 GB", "512 MB", "37.5 KB", "900 bytes" (binary units, as limits are configured). */
export function formatSize(value: number): string {
  const units = [
    ['GB', 1024 ** 3],
    ['MB', 1024 ** 2],
    ['KB', 1024],
  ] as const
  for (const [unit, size] of units) {
    if (value >= size) return `${Number((value / size).toFixed(1)).toString()} ${unit}`
  }
  return `${value} bytes`
}
