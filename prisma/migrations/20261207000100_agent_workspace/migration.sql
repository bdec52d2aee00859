-- AlterTable: what a key's Claude Code tasks may do, and where (issue 24)
ALTER TABLE "ApiKey" ADD COLUMN "agentLevel" TEXT;
ALTER TABLE "ApiKey" ADD COLUMN "workspace" TEXT;
