/** Two gateway instances on one PostgreSQL database (a private cluster, migrated from empty as `npm start` does) and a fake Ollama. */
import { type FakeOllama, startFakeOllama } from "../fakes/ollama";
import { type Gateway, startGateway } from "./gateway";
import { migratePg, type PgCluster, startPostgres } from "./postgres";

export interface PgInstances {
  cluster: PgCluster;
  /** The database both instances share (its name on the cluster). */
  database: string;
  fake: FakeOllama;
  a: Gateway;
  b: Gateway;
  stop(): Promise<void>;
}

export async function twoInstancesOnPg(env: Record<string, string>, database = "shared"): Promise<PgInstances> {
  const cluster = await startPostgres();
  const url = await cluster.createDatabase(database);
  await migratePg(url);
  const fake = await startFakeOllama();
  const all = { DATABASE_URL: url, OLLAMA_URL: fake.url, ...env };
  const [a, b] = await Promise.all([startGateway(all), startGateway(all)]);
  return {
    cluster,
    database,
    fake,
    a,
    b,
    async stop() {
      await Promise.all([a.stop(), b.stop()]);
      await fake.close();
      cluster.stop();
    },
  };
}
