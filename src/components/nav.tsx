"use client";
import Link from "next/link";
import { usePathname } from "next/navigation";

const LINKS = [
  { href: "/dashboard", label: "Overview" },
  { href: "/dashboard/requests", label: "Requests" },
  { href: "/dashboard/sessions", label: "Sessions" },
  { href: "/dashboard/playground", label: "Playground" },
  { href: "/dashboard/keys", label: "Keys" },
];

export function Nav() {
  const path = usePathname();
  return (
    <nav aria-label="Console" className="flex flex-wrap gap-1">
      {LINKS.map((l) => {
        const active = l.href === "/dashboard" ? path === l.href : path.startsWith(l.href);
        return (
          <Link
            key={l.href}
            href={l.href}
            aria-current={active ? "page" : undefined}
            className={`rounded px-3 py-1.5 text-sm ${active ? "bg-zinc-800 text-white" : "text-zinc-400 hover:bg-zinc-900 hover:text-zinc-100"}`}
          >
            {l.label}
          </Link>
        );
      })}
    </nav>
  );
}
