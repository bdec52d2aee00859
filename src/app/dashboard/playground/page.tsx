import { Suspense } from "react";
import { Playground } from "@/components/playground/playground";

export const metadata = { title: "Playground · cc-bridge" };

export default function PlaygroundPage() {
  return (
    <Suspense>
      <Playground />
    </Suspense>
  );
}
