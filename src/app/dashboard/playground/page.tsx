import { Suspense } from "react";
import { Playground } from "@/components/playground/playground";
import { requireConsoleLogin, type SearchParams } from "@/server/console/auth";

export const metadata = { title: "Playground · cc-bridge" };

export default async function PlaygroundPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  await requireConsoleLogin("/dashboard/playground", searchParams);
  return (
    <Suspense>
      <Playground />
    </Suspense>
  );
}
