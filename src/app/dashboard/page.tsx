import { Overview } from "@/components/overview/overview";
import { requireConsoleLogin, type SearchParams } from "@/server/console/auth";

export const metadata = { title: "Overview · cc-bridge" };

export default async function DashboardPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  await requireConsoleLogin("/dashboard", searchParams);
  return <Overview />;
}
