import { redirect } from "next/navigation";
import { consoleLocked, safeNextPath } from "@/server/console/auth";

export const dynamic = "force-dynamic";

export default async function Login({
  searchParams,
}: {
  searchParams: Promise<{ error?: string; next?: string; wait?: string }>;
}) {
  const { error, next: rawNext, wait } = await searchParams;
  const next = safeNextPath(rawNext);
  if (!consoleLocked()) redirect(next);
  return (
    <main className="mx-auto mt-24 max-w-sm p-6">
      <h1 className="text-xl font-semibold">cc-bridge console</h1>
      <p className="mt-1 text-sm text-zinc-400">Sign in with the gateway key (CLAUDE_AUTH_KEY).</p>
      <form method="post" action="/auth/login" className="mt-6 flex flex-col gap-3">
        <input type="hidden" name="next" value={next} />
        <label htmlFor="key" className="text-sm text-zinc-300">
          Key
        </label>
        <input
          id="key"
          name="key"
          type="password"
          required
          autoComplete="current-password"
          className="rounded border border-zinc-700 bg-zinc-900 px-3 py-2 outline-none focus:border-sky-500"
        />
        {error && (
          <p role="alert" className="text-sm text-red-400">
            {error === "wait"
              ? `Too many failed attempts: wait ${Number(wait) || 1} s before trying again.`
              : "That key is not right."}
          </p>
        )}
        <button type="submit" className="rounded bg-sky-600 px-3 py-2 font-medium hover:bg-sky-500 focus:outline-2">
          Sign in
        </button>
      </form>
    </main>
  );
}
