import type { PrismaPg } from "@prisma/adapter-pg";

// Two workarounds for `prisma migrate deploy` with Prisma 6.19.3's JS engine on @prisma/adapter-pg
// 6.19.3, both at the adapter's edge (tests/integration/postgres-migrate.test.ts applies every
// migration to an empty database through them):
//  1. Migrate reads catalog columns of type `name` (OID 19), which the adapter cannot map
//     ("Column type 'name' could not be deserialized", prisma/orm#27403): report them as text (OID 25);
//     a `name` value is text on the wire.
//  2. executeScript() splits a migration on every `;`, which cuts a `$$ … $$` function body apart:
//     send the whole script as one simple-protocol query instead (PostgreSQL runs it statement by
//     statement, and migrate wraps it in its own transaction handling as before).
const NAME_OID = 19;
const TEXT_OID = 25;

type Adapter = Awaited<ReturnType<PrismaPg["connect"]>>;
type Fields = { fields: Array<{ dataTypeID: number }> };

function patch(adapter: Adapter): Adapter {
  const a = adapter as unknown as {
    performIO(q: unknown): Promise<Fields>;
    underlyingDriver(): { query(sql: string): Promise<unknown> };
    onError(e: unknown): never;
  };
  const performIO = a.performIO.bind(a);
  a.performIO = async (q) => {
    const res = await performIO(q);
    for (const f of res.fields) if (f.dataTypeID === NAME_OID) f.dataTypeID = TEXT_OID;
    return res;
  };
  adapter.executeScript = async (script: string) => {
    try {
      await a.underlyingDriver().query(script);
    } catch (e) {
      a.onError(e);
    }
  };
  return adapter;
}

/** The pg adapter factory with the two fixes above applied to every connection it makes. */
export function pgMigrateAdapter(factory: PrismaPg): PrismaPg {
  const connect = factory.connect.bind(factory);
  const shadow = factory.connectToShadowDb.bind(factory);
  factory.connect = async () => patch(await connect());
  factory.connectToShadowDb = async () => patch(await shadow());
  return factory;
}
