-- CreateTable
CREATE TABLE "ClaudePlan" (
    "window" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "utilization" DOUBLE PRECISION,
    "resetsAt" TIMESTAMP(3),
    "overageStatus" TEXT,
    "overageDisabledReason" TEXT,
    "overageResetsAt" TIMESTAMP(3),
    "usingOverage" BOOLEAN NOT NULL DEFAULT false,
    "observedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ClaudePlan_pkey" PRIMARY KEY ("window")
);
