-- CreateEnum
CREATE TYPE "TakedownStatus" AS ENUM ('requested', 'done');

-- AlterEnum
-- This migration adds more than one value to an enum.
-- With PostgreSQL versions 11 and earlier, this is not possible
-- in a single migration. This can be worked around by creating
-- multiple migrations, each migration adding only one value to
-- the enum.


ALTER TYPE "NotificationKind" ADD VALUE 'rights_expiring';
ALTER TYPE "NotificationKind" ADD VALUE 'rights_expired';
ALTER TYPE "NotificationKind" ADD VALUE 'takedown_notice';

-- CreateTable
CREATE TABLE "RightsChannel" (
    "key" TEXT NOT NULL,
    "label" TEXT NOT NULL,
    "builtIn" BOOLEAN NOT NULL DEFAULT false,
    "position" INTEGER NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "RightsChannel_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "DownloadRecord" (
    "id" TEXT NOT NULL,
    "assetId" TEXT NOT NULL,
    "versionId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "organisationId" TEXT,
    "channel" TEXT NOT NULL,
    "territory" TEXT NOT NULL,
    "deliverable" TEXT NOT NULL DEFAULT 'original',
    "ipAddress" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "DownloadRecord_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "TakedownNotice" (
    "id" TEXT NOT NULL,
    "assetId" TEXT NOT NULL,
    "versionId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "channels" TEXT[],
    "territories" TEXT[],
    "reason" TEXT NOT NULL,
    "effectiveAt" TIMESTAMP(3) NOT NULL,
    "dedupeKey" TEXT NOT NULL,
    "notificationId" TEXT,
    "sentAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "acknowledgedAt" TIMESTAMP(3),

    CONSTRAINT "TakedownNotice_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "TakedownRequest" (
    "id" TEXT NOT NULL,
    "assetId" TEXT NOT NULL,
    "channel" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "effectiveAt" TIMESTAMP(3) NOT NULL,
    "status" "TakedownStatus" NOT NULL DEFAULT 'requested',
    "dedupeKey" TEXT NOT NULL,
    "completedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "TakedownRequest_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DeclaredUsePreference" (
    "userId" TEXT NOT NULL,
    "channel" TEXT NOT NULL,
    "territory" TEXT NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "DeclaredUsePreference_pkey" PRIMARY KEY ("userId")
);

-- CreateIndex
CREATE INDEX "DownloadRecord_assetId_createdAt_idx" ON "DownloadRecord"("assetId", "createdAt");

-- CreateIndex
CREATE INDEX "DownloadRecord_userId_createdAt_idx" ON "DownloadRecord"("userId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "TakedownNotice_dedupeKey_key" ON "TakedownNotice"("dedupeKey");

-- CreateIndex
CREATE UNIQUE INDEX "TakedownNotice_notificationId_key" ON "TakedownNotice"("notificationId");

-- CreateIndex
CREATE INDEX "TakedownNotice_assetId_sentAt_idx" ON "TakedownNotice"("assetId", "sentAt");

-- CreateIndex
CREATE INDEX "TakedownNotice_userId_acknowledgedAt_idx" ON "TakedownNotice"("userId", "acknowledgedAt");

-- CreateIndex
CREATE UNIQUE INDEX "TakedownRequest_dedupeKey_key" ON "TakedownRequest"("dedupeKey");

-- CreateIndex
CREATE INDEX "TakedownRequest_status_createdAt_idx" ON "TakedownRequest"("status", "createdAt");

-- CreateIndex
CREATE INDEX "TakedownRequest_assetId_idx" ON "TakedownRequest"("assetId");

-- AddForeignKey
ALTER TABLE "DownloadRecord" ADD CONSTRAINT "DownloadRecord_assetId_fkey" FOREIGN KEY ("assetId") REFERENCES "Asset"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DownloadRecord" ADD CONSTRAINT "DownloadRecord_versionId_fkey" FOREIGN KEY ("versionId") REFERENCES "AssetVersion"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DownloadRecord" ADD CONSTRAINT "DownloadRecord_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DownloadRecord" ADD CONSTRAINT "DownloadRecord_organisationId_fkey" FOREIGN KEY ("organisationId") REFERENCES "Organisation"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "TakedownNotice" ADD CONSTRAINT "TakedownNotice_assetId_fkey" FOREIGN KEY ("assetId") REFERENCES "Asset"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "TakedownNotice" ADD CONSTRAINT "TakedownNotice_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "TakedownRequest" ADD CONSTRAINT "TakedownRequest_assetId_fkey" FOREIGN KEY ("assetId") REFERENCES "Asset"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DeclaredUsePreference" ADD CONSTRAINT "DeclaredUsePreference_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Built-in rights channels (admins add more in the app).
INSERT INTO "RightsChannel" ("key", "label", "builtIn", "position") VALUES ('web', 'Web', true, 1), ('social', 'Social media', true, 2), ('email', 'Email', true, 3), ('print', 'Print', true, 4), ('broadcast', 'Broadcast', true, 5), ('out_of_home', 'Out of home', true, 6), ('internal', 'Internal', true, 7);
