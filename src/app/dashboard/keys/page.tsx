import { KeysPage } from "@/components/keys/keys-page";

export const metadata = { title: "API keys · cc-bridge" };

export default function KeysRoute() {
  return <KeysPage />;
}
