import { Suspense } from "react";
import { RequestDetail } from "@/components/requests/detail";
import { requireConsoleLogin, type SearchParams } from "@/server/console/auth";

export const metadata = { title: "Request · cc-bridge" };

export default async function RequestPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<SearchParams>;
}) {
  const { id } = await params;
  await requireConsoleLogin(`/dashboard/requests/${encodeURIComponent(decodeURIComponent(id))}`, searchParams);
  return (
    <Suspense>
      <RequestDetail id={decodeURIComponent(id)} />
    </Suspense>
  );
}
