import { Transcript } from "@/components/sessions/transcript";
import { requireConsoleLogin, type SearchParams } from "@/server/console/auth";

export const metadata = { title: "Session · cc-bridge" };

export default async function SessionPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<SearchParams>;
}) {
  const { id } = await params;
  await requireConsoleLogin(`/dashboard/sessions/${encodeURIComponent(decodeURIComponent(id))}`, searchParams);
  return <Transcript id={decodeURIComponent(id)} />;
}
