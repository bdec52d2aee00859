import { SessionList } from "@/components/sessions/list";
import { requireConsoleLogin, type SearchParams } from "@/server/console/auth";

export const metadata = { title: "Sessions · cc-bridge" };

export default async function SessionsPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  await requireConsoleLogin("/dashboard/sessions", searchParams);
  return <SessionList />;
}
