#!/usr/bin/env node
// Creates S3_BUCKET if missing and proves a write and a read back, with retries. Used by the
// docker-compose `app` service before it starts; the local launcher does the same inline.
//   node scripts/stack/ensure-bucket.mjs
import { ensureBucket } from './services.mjs'
import { errorText, muteAwsNodeVersionWarning } from './util.mjs'

muteAwsNodeVersionWarning()
try {
  await ensureBucket()
  console.log(`S3 bucket ${process.env.S3_BUCKET} at ${process.env.S3_ENDPOINT} is ready`)
} catch (error) {
  console.error(errorText(error))
  process.exit(1)
}
