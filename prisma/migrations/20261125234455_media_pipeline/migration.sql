-- AlterEnum
ALTER TYPE "VersionStatus" ADD VALUE 'awaiting_metadata';

-- AlterTable
ALTER TABLE "AssetVersion" ADD COLUMN     "duplicateDecision" TEXT,
ADD COLUMN     "embeddedMetadata" JSONB NOT NULL DEFAULT '{}',
ADD COLUMN     "extractedText" TEXT NOT NULL DEFAULT '',
ADD COLUMN     "focalX" DOUBLE PRECISION,
ADD COLUMN     "focalY" DOUBLE PRECISION,
ADD COLUMN     "perceptualHash" TEXT;

-- AlterTable
ALTER TABLE "MetadataSchema" ADD COLUMN     "assetKinds" "AssetKind"[] DEFAULT ARRAY[]::"AssetKind"[],
ADD COLUMN     "folderPaths" TEXT[] DEFAULT ARRAY[]::TEXT[],
ADD COLUMN     "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP;

-- AlterTable
ALTER TABLE "Rendition" ALTER COLUMN "bytes" SET DATA TYPE BIGINT;

-- CreateTable
CREATE TABLE "RenditionPreset" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "label" TEXT NOT NULL,
    "preset" JSONB NOT NULL,
    "createdById" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "RenditionPreset_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "RenditionPreset_name_key" ON "RenditionPreset"("name");

-- CreateIndex
CREATE INDEX "AssetVersion_perceptualHash_idx" ON "AssetVersion"("perceptualHash");
