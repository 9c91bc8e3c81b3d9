-- CreateTable
CREATE TABLE "RightsChangeHandled" (
    "key" TEXT NOT NULL,
    "assetId" TEXT NOT NULL,
    "grantId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,
    "handledAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "RightsChangeHandled_pkey" PRIMARY KEY ("key")
);

-- CreateIndex
CREATE INDEX "RightsChangeHandled_assetId_idx" ON "RightsChangeHandled"("assetId");
