import { Overview } from "@/components/overview/overview";

export const metadata = { title: "Overview · cc-bridge" };

export default function DashboardPage() {
  return <Overview />;
}
