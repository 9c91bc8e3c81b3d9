export { ingestVersion } from './ingest'
export { reviewVersion } from './review'
export { housekeeping } from './housekeeping'
export { rightsWindow } from './rights-window'
