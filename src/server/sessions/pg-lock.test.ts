// The cross-instance session lock on PostgreSQL: another instance (here a plain connection holding the
// same advisory lock) makes acquireSessionLock wait, answer 409 after the wait, or go ahead once it
// lets go, or dies (its connection ends).
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type PgCluster, startPostgres } from "../../../tests/helpers/postgres";
import { ApiError } from "../openai/errors";

let cluster: PgCluster;
let url: string;
let L: typeof import("./lock");
const never = new AbortController().signal;
const NAMESPACE = 0x63636273;

beforeAll(async () => {
  cluster = await startPostgres();
  url = await cluster.createDatabase("locks");
  process.env.DATABASE_URL = url;
  L = await import("./lock");
});
afterAll(() => cluster?.stop());

async function otherInstance(id: string) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  const { rows } = await c.query("SELECT pg_try_advisory_lock($1, hashtext($2)) AS ok", [NAMESPACE, id]);
  expect(rows[0].ok).toBe(true);
  return c;
}

describe("acquireSessionLock on PostgreSQL", () => {
  it("waits for another instance's holder and goes ahead when it releases", async () => {
    const other = await otherInstance("s1");
    let granted = false;
    const p = L.acquireSessionLock("s1", 5_000, never).then((r) => {
      granted = true;
      return r;
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(granted).toBe(false);
    await other.query("SELECT pg_advisory_unlock($1, hashtext($2))", [NAMESPACE, "s1"]);
    const release = await p;
    // Now this instance holds it: the other one cannot take it until release.
    const { rows } = await other.query("SELECT pg_try_advisory_lock($1, hashtext($2)) AS ok", [NAMESPACE, "s1"]);
    expect(rows[0].ok).toBe(false);
    release();
    await new Promise((r) => setTimeout(r, 200));
    const again = await other.query("SELECT pg_try_advisory_lock($1, hashtext($2)) AS ok", [NAMESPACE, "s1"]);
    expect(again.rows[0].ok).toBe(true);
    await other.end();
  });

  it("answers 409 session_busy after the wait, and leaves the local queue free", async () => {
    const other = await otherInstance("s2");
    const e = await L.acquireSessionLock("s2", 300, never).catch((x) => x);
    expect(e).toBeInstanceOf(ApiError);
    expect(e.status).toBe(409);
    expect(e.code).toBe("session_busy");
    await other.end(); // the other instance dies: its lock goes with its connection
    const release = await L.acquireSessionLock("s2", 2_000, never);
    release();
  });

  it("gives up waiting when the request is aborted", async () => {
    const other = await otherInstance("s3");
    const ac = new AbortController();
    const p = L.acquireSessionLock("s3", 10_000, ac.signal).catch((x) => x);
    setTimeout(() => ac.abort(new Error("client went away")), 100);
    expect(String(await p)).toMatch(/client went away/);
    await other.end();
  });
});
