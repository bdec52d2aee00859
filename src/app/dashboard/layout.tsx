import { redirect } from "next/navigation";
import type { ReactNode } from "react";
import { consoleAuthorized, consoleLocked } from "@/server/console/auth";

export const dynamic = "force-dynamic";

export default async function DashboardLayout({ children }: { children: ReactNode }) {
  if (!(await consoleAuthorized())) redirect("/login?next=/dashboard");
  const locked = consoleLocked();
  return (
    <div>
      <header className="flex items-center justify-between border-b border-zinc-800 px-6 py-3">
        <a href="/dashboard" className="font-semibold">
          cc-bridge
        </a>
        {locked ? (
          <form method="post" action="/auth/logout">
            <button type="submit" className="text-sm text-zinc-400 hover:text-zinc-100">
              Log out
            </button>
          </form>
        ) : (
          <span className="text-sm text-amber-400">Console open: no CLAUDE_AUTH_KEY set</span>
        )}
      </header>
      {children}
    </div>
  );
}
