"use client";
import { useEffect } from "react";

/** The login page's address for coming back to where the user is now. */
export const loginHref = (path: string) => `/login?next=${encodeURIComponent(path)}`;

/** Sends the browser to the login page, which brings it back to this page (path and query) after. */
export function LoginRedirect() {
  useEffect(() => {
    window.location.replace(loginHref(window.location.pathname + window.location.search));
  }, []);
  return (
    <main className="mx-auto mt-24 max-w-sm p-6 text-sm text-zinc-400">
      <p>
        Signing in is needed.{" "}
        <a className="text-sky-400 underline" href="/login">
          Go to the login page
        </a>
        .
      </p>
    </main>
  );
}
