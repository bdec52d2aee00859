import { type NextRequest, NextResponse } from "next/server";
import { pageRedirect } from "@/server/access/policy";
import { CONSOLE_COOKIE } from "@/server/console/auth";

/**
 * Console pages ask the access policy before they render: without a login (when one is needed)
 * a 307 to the login page, which brings the visitor back to this very path and query.
 */
export function proxy(request: NextRequest) {
  const { pathname, search } = request.nextUrl;
  const to = pageRedirect(`${pathname}${search}`, request.cookies.get(CONSOLE_COOKIE)?.value);
  return to ? NextResponse.redirect(new URL(to, request.url), 307) : NextResponse.next();
}

export const config = { matcher: ["/dashboard", "/dashboard/:path*"] };
