/**
 * The icon a file without a picture of its own is shown with: one per family of
 * formats (app/domain/media-kind.ts gives each accepted format its icon id).
 */
import type { TypeIconId } from '~/domain/media-kind'
import { cn } from './ui'

/** Heroicons-style outlines (24 × 24, 1.5 stroke): a page with a mark for the family. */
const PATHS: Record<TypeIconId, string[]> = {
  image: ['M4 16l4.5-4.5a2 2 0 012.8 0L16 16m-2-2l1.5-1.5a2 2 0 012.8 0L20 14', 'M4 5h16v14H4z', 'M14 8h.01'],
  video: ['M4 6h11v12H4z', 'M15 10l5-3v10l-5-3'],
  audio: ['M9 18V6l11-2v12', 'M9 18a3 3 0 11-6 0 3 3 0 016 0z', 'M20 16a3 3 0 11-6 0 3 3 0 016 0z'],
  pdf: ['M7 3h7l5 5v13H7z', 'M14 3v5h5', 'M9.5 13h5M9.5 16.5h5'],
  document: ['M7 3h7l5 5v13H7z', 'M14 3v5h5', 'M10 12h6M10 15h6M10 18h4'],
  spreadsheet: ['M7 3h7l5 5v13H7z', 'M14 3v5h5', 'M9.5 12h7v7h-7zM9.5 15.5h7M13 12v7'],
  presentation: ['M4 5h16v10H4z', 'M12 15v4M8 21h8', 'M8 12l3-3 2 2 3-3'],
  design: ['M12 3l8 8-8 8-8-8z', 'M12 3v16', 'M4 11h16'],
  model: ['M12 3l8 4.5v9L12 21l-8-4.5v-9z', 'M12 12l8-4.5M12 12L4 7.5M12 12v9'],
  archive: ['M4 7h16v13H4z', 'M3 4h18v3H3z', 'M10 11h4'],
  file: ['M7 3h7l5 5v13H7z', 'M14 3v5h5'],
}

export function TypeIcon({ icon, className, title }: { icon: TypeIconId; className?: string; title?: string }) {
  return (
    <svg viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth={1.5} strokeLinecap="round" strokeLinejoin="round" className={cn('size-10', className)} role={title ? 'img' : undefined} aria-hidden={title ? undefined : true}>
      {title ? <title>{title}</title> : null}
      {PATHS[icon].map((d) => (
        <path key={d} d={d} />
      ))}
    </svg>
  )
}
