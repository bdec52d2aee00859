import type { ReactNode } from "react";
import { Nav } from "@/components/nav";
import { consoleLocked } from "@/server/console/auth";
import { TRPCReactProvider } from "@/trpc/client";

export const dynamic = "force-dynamic";

/** The console's frame. Access is decided before any page renders (src/proxy.ts → access/policy.ts). */
export default function DashboardLayout({ children }: { children: ReactNode }) {
  const locked = consoleLocked();
  return (
    <TRPCReactProvider>
      <header className="sticky top-0 z-10 flex flex-wrap items-center gap-x-6 gap-y-2 border-b border-zinc-800 bg-zinc-950/90 px-4 py-2 backdrop-blur sm:px-6">
        <span className="font-semibold tracking-tight">cc-bridge</span>
        <Nav />
        <div className="ml-auto">
          {locked ? (
            <form method="post" action="/auth/logout">
              <button type="submit" className="rounded px-2 py-1 text-sm text-zinc-400 hover:text-zinc-100">
                Log out
              </button>
            </form>
          ) : (
            <span className="text-xs text-amber-400" title="Set CLAUDE_AUTH_KEY to require a login">
              Console open: no CLAUDE_AUTH_KEY set
            </span>
          )}
        </div>
      </header>
      <main className="mx-auto max-w-7xl px-4 py-6 sm:px-6">{children}</main>
    </TRPCReactProvider>
  );
}
