/**
 * lucia v3 `Adapter` over the Prisma 7 client. Ours rather than
 * @lucia-auth/adapter-prisma, whose peer range stops at Prisma 5
 * (docs/decisions/002-lucia-adapter.md).
 */
import type { Adapter, DatabaseSession, DatabaseUser } from 'lucia'
import type { Db } from '~/db.server'

/** Columns of User that lucia hands back with a validated session. */
export type SessionUserAttributes = {
  email: string
  name: string
  disabledAt: Date | null
}

/** Extra columns written with each session. */
export type SessionAttributes = {
  ipAddress: string | null
  userAgent: string | null
}

declare module 'lucia' {
  interface Register {
    DatabaseUserAttributes: SessionUserAttributes
    DatabaseSessionAttributes: SessionAttributes
  }
}

type SessionRow = {
  id: string
  userId: string
  expiresAt: Date
  ipAddress: string | null
  userAgent: string | null
}

function toDatabaseSession(row: SessionRow): DatabaseSession {
  return {
    id: row.id,
    userId: row.userId,
    expiresAt: row.expiresAt,
    attributes: { ipAddress: row.ipAddress, userAgent: row.userAgent },
  }
}

const sessionColumns = { id: true, userId: true, expiresAt: true, ipAddress: true, userAgent: true } as const

export class PrismaSessionAdapter implements Adapter {
  constructor(private readonly db: Db) {}

  async getSessionAndUser(sessionId: string): Promise<[session: DatabaseSession | null, user: DatabaseUser | null]> {
    const row = await this.db.session.findUnique({
      where: { id: sessionId },
      select: {
        ...sessionColumns,
        user: { select: { id: true, email: true, name: true, disabledAt: true } },
      },
    })
    if (!row) return [null, null]
    const { user, ...session } = row
    return [
      toDatabaseSession(session),
      { id: user.id, attributes: { email: user.email, name: user.name, disabledAt: user.disabledAt } },
    ]
  }

  async getUserSessions(userId: string): Promise<DatabaseSession[]> {
    const rows = await this.db.session.findMany({ where: { userId }, select: sessionColumns })
    return rows.map(toDatabaseSession)
  }

  async setSession(session: DatabaseSession): Promise<void> {
    await this.db.session.create({
      data: {
        id: session.id,
        userId: session.userId,
        expiresAt: session.expiresAt,
        ipAddress: session.attributes.ipAddress,
        userAgent: session.attributes.userAgent,
      },
    })
  }

  async updateSessionExpiration(sessionId: string, expiresAt: Date): Promise<void> {
    // updateMany: a session deleted meanwhile (sign-out in another tab) is not an error.
    await this.db.session.updateMany({ where: { id: sessionId }, data: { expiresAt } })
  }

  async deleteSession(sessionId: string): Promise<void> {
    await this.db.session.deleteMany({ where: { id: sessionId } })
  }

  async deleteUserSessions(userId: string): Promise<void> {
    await this.db.session.deleteMany({ where: { userId } })
  }

  async deleteExpiredSessions(): Promise<void> {
    await this.db.session.deleteMany({ where: { expiresAt: { lte: new Date() } } })
  }
}
