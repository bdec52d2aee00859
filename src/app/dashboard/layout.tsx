import type { ReactNode } from "react";
import { LoginRedirect } from "@/components/login-redirect";
import { Nav } from "@/components/nav";
import { consoleAuthorized, consoleLocked } from "@/server/console/auth";
import { TRPCReactProvider } from "@/trpc/client";

export const dynamic = "force-dynamic";

export default async function DashboardLayout({ children }: { children: ReactNode }) {
  // The layout does not know the page's path (and its query): the browser sends the user on with it.
  if (!(await consoleAuthorized())) return <LoginRedirect />;
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
