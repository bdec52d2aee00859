import { Transcript } from "@/components/sessions/transcript";

export const metadata = { title: "Session · cc-bridge" };

export default async function SessionPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <Transcript id={decodeURIComponent(id)} />;
}
