-- CreateTable
CREATE TABLE "ClaudePlan" (
    "window" TEXT NOT NULL PRIMARY KEY,
    "status" TEXT NOT NULL,
    "utilization" REAL,
    "resetsAt" DATETIME,
    "overageStatus" TEXT,
    "overageDisabledReason" TEXT,
    "overageResetsAt" DATETIME,
    "usingOverage" BOOLEAN NOT NULL DEFAULT false,
    "observedAt" DATETIME NOT NULL
);
