import { Suspense } from "react";
import { RequestList } from "@/components/requests/list";
import { requireConsoleLogin, type SearchParams } from "@/server/console/auth";

export const metadata = { title: "Requests · cc-bridge" };

export default async function RequestsPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  await requireConsoleLogin("/dashboard/requests", searchParams);
  return (
    <Suspense>
      <RequestList />
    </Suspense>
  );
}
