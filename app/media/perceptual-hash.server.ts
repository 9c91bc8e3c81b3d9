/**
 * The perceptual hash of an image (sharp-phash: a DCT hash of a 32 × 32 greyscale
 * copy). Pass a small rendition rather than a huge original: the hash only looks at
 * 32 × 32 pixels, and the caller has usually decoded the original already.
 */
import phash from 'sharp-phash'
import { perceptualHashFromBits } from '~/domain/perceptual-hash'

export async function perceptualHash(image: Buffer | string): Promise<string> {
  return perceptualHashFromBits(await phash(image, { failOn: 'error' }))
}
