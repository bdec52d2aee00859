import "server-only";
import { db } from "../db";
import { PLAN_ROW, type PlanKind, type PlanState, type PlanWindow, planKindOf } from "./info";

/** The ClaudePlan table: one row per window and the `plan` row (the login last seen). */

const SELECT = {
  window: true,
  status: true,
  utilization: true,
  resetsAt: true,
  overageStatus: true,
  overageDisabledReason: true,
  overageResetsAt: true,
  usingOverage: true,
  observedAt: true,
} as const;

export async function loadPlan(): Promise<PlanState> {
  const prisma = await db();
  const rows = await prisma.claudePlan.findMany({ select: SELECT });
  const planRow = rows.find((r) => r.window === PLAN_ROW)?.status ?? null;
  const windows: PlanWindow[] = rows.filter((r) => r.window !== PLAN_ROW);
  return { plan: planKindOf(planRow, windows), windows };
}

export async function saveWindows(windows: PlanWindow[]): Promise<void> {
  if (windows.length === 0) return;
  const prisma = await db();
  await prisma.$transaction(
    windows.map((w) => prisma.claudePlan.upsert({ where: { window: w.window }, create: w, update: w })),
  );
}

export async function savePlanKind(plan: PlanKind, at: Date): Promise<void> {
  const prisma = await db();
  const row = { window: PLAN_ROW, status: plan, observedAt: at };
  await prisma.claudePlan.upsert({ where: { window: PLAN_ROW }, create: row, update: row });
}
