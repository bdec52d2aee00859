import { SessionList } from "@/components/sessions/list";

export const metadata = { title: "Sessions · cc-bridge" };

export default function SessionsPage() {
  return <SessionList />;
}
