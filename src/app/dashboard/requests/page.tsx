import { Suspense } from "react";
import { RequestList } from "@/components/requests/list";

export const metadata = { title: "Requests · cc-bridge" };

export default function RequestsPage() {
  return (
    <Suspense>
      <RequestList />
    </Suspense>
  );
}
