/**
 * Channel destination secrets at rest: AES-256-GCM under DAMSON_SECRETS_KEY, stored as
 * `v1.<iv>.<tag>.<ciphertext>` (base64url). The channel's id is the additional data, so a
 * cipher copied onto another channel does not decrypt. Secrets are decrypted only where
 * a delivery needs them, and never sent to a browser.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'
import { ChannelSecretsSchema, type ChannelSecrets } from '~/domain/channel-destination'
import { getEnv } from '~/env.server'
import { AppError } from '~/errors.server'

const VERSION = 'v1'

function secretsKey(hexKey: string | undefined): Buffer {
  if (!hexKey) {
    throw new AppError('CONFLICT', 'DAMSON_SECRETS_KEY is not set, so channel secrets cannot be stored or read. Set it to 64 hex digits (openssl rand -hex 32).')
  }
  return Buffer.from(hexKey, 'hex')
}

export function encryptChannelSecrets(channelId: string, secrets: ChannelSecrets, hexKey = getEnv().DAMSON_SECRETS_KEY): string {
  const key = secretsKey(hexKey)
  const iv = randomBytes(12)
  const cipher = createCipheriv('aes-256-gcm', key, iv)
  cipher.setAAD(Buffer.from(channelId))
  const ciphertext = Buffer.concat([cipher.update(JSON.stringify(secrets), 'utf8'), cipher.final()])
  return [VERSION, iv, cipher.getAuthTag(), ciphertext].map((part) => (typeof part === 'string' ? part : part.toString('base64url'))).join('.')
}

export function decryptChannelSecrets(channelId: string, stored: string | null, hexKey = getEnv().DAMSON_SECRETS_KEY): ChannelSecrets {
  if (!stored) return {}
  const [version, iv, tag, ciphertext] = stored.split('.')
  if (version !== VERSION || !iv || !tag || !ciphertext) throw new AppError('CONFLICT', 'The channel’s stored secrets are in an unknown format')
  const decipher = createDecipheriv('aes-256-gcm', secretsKey(hexKey), Buffer.from(iv, 'base64url'))
  decipher.setAAD(Buffer.from(channelId))
  decipher.setAuthTag(Buffer.from(tag, 'base64url'))
  let plain: string
  try {
    plain = Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8')
  } catch {
    throw new AppError('CONFLICT', 'The channel’s secrets cannot be decrypted: DAMSON_SECRETS_KEY differs from the one they were stored with. Enter them again.')
  }
  return ChannelSecretsSchema.parse(JSON.parse(plain))
}
