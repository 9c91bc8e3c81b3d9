export { ingestVersion } from './ingest'
export { reviewVersion } from './review'
