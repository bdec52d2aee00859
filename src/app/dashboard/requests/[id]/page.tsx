import { Suspense } from "react";
import { RequestDetail } from "@/components/requests/detail";

export const metadata = { title: "Request · cc-bridge" };

export default async function RequestPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return (
    <Suspense>
      <RequestDetail id={decodeURIComponent(id)} />
    </Suspense>
  );
}
