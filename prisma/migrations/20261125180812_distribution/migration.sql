-- CreateEnum
CREATE TYPE "DistributionEventKind" AS ENUM ('published', 'removed', 'failed');

-- DropForeignKey
ALTER TABLE "Distribution" DROP CONSTRAINT "Distribution_versionId_fkey";

-- DropIndex
DROP INDEX "Distribution_versionId_channelId_key";

-- AlterTable
ALTER TABLE "Channel" ADD COLUMN     "autoPublish" BOOLEAN NOT NULL DEFAULT true,
ADD COLUMN     "republishRequestedAt" TIMESTAMP(3),
ADD COLUMN     "republishRequestedById" TEXT,
ADD COLUMN     "republishTotal" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "scopeCollectionIds" TEXT[] DEFAULT ARRAY[]::TEXT[],
ADD COLUMN     "scopeFolders" TEXT[] DEFAULT ARRAY[]::TEXT[],
ADD COLUMN     "scopeTags" TEXT[] DEFAULT ARRAY[]::TEXT[],
ADD COLUMN     "secretsCipher" TEXT,
ADD COLUMN     "updatedAt" TIMESTAMP(3) NOT NULL;

-- AlterTable
ALTER TABLE "Distribution" DROP COLUMN "versionId",
ADD COLUMN     "assetId" TEXT NOT NULL,
ADD COLUMN     "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
ADD COLUMN     "failedAttempts" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "held" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "lastAttemptAt" TIMESTAMP(3),
ADD COLUMN     "liveRenditionKey" TEXT,
ADD COLUMN     "liveVersionId" TEXT,
ADD COLUMN     "publishedById" TEXT,
ADD COLUMN     "releasedVersionId" TEXT,
ADD COLUMN     "removalReason" TEXT;

-- AlterTable
ALTER TABLE "TakedownRequest" ADD COLUMN     "outcome" TEXT;

-- CreateTable
CREATE TABLE "DistributionEvent" (
    "id" TEXT NOT NULL,
    "assetId" TEXT NOT NULL,
    "channelId" TEXT NOT NULL,
    "versionId" TEXT,
    "kind" "DistributionEventKind" NOT NULL,
    "actorId" TEXT,
    "detail" TEXT NOT NULL DEFAULT '',
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "DistributionEvent_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "DistributionEvent_channelId_at_idx" ON "DistributionEvent"("channelId", "at");

-- CreateIndex
CREATE INDEX "DistributionEvent_assetId_at_idx" ON "DistributionEvent"("assetId", "at");

-- CreateIndex
CREATE INDEX "DistributionEvent_at_idx" ON "DistributionEvent"("at");

-- CreateIndex
CREATE INDEX "Distribution_channelId_state_idx" ON "Distribution"("channelId", "state");

-- CreateIndex
CREATE UNIQUE INDEX "Distribution_assetId_channelId_key" ON "Distribution"("assetId", "channelId");

-- AddForeignKey
ALTER TABLE "Distribution" ADD CONSTRAINT "Distribution_assetId_fkey" FOREIGN KEY ("assetId") REFERENCES "Asset"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Distribution" ADD CONSTRAINT "Distribution_liveVersionId_fkey" FOREIGN KEY ("liveVersionId") REFERENCES "AssetVersion"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Distribution" ADD CONSTRAINT "Distribution_publishedById_fkey" FOREIGN KEY ("publishedById") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;
