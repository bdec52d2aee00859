import "server-only";
import { prewarm, type SpareProcess, type SpawnedProcess } from "@anthropic-ai/claude-agent-sdk";
import { log } from "../../log";
import { LiveProcess } from "./live";
import { hostOptions, processKey, type TurnConfig } from "./options";
import { endProcess, pidOf, processExit, restorePriority, SPARE_NICE, spawnClaude } from "./spawn";
import type { Placement } from "./workspace";

/** A process started ahead of use (the SDK's prewarm), which nobody has used yet. */
export interface Spare {
  spare: SpareProcess;
  child: SpawnedProcess | undefined;
  /**
   * Claimed ahead (its placement's workspace, Claude Code's default model, no system prompt, tools or output
   * format): the claim's own start-up work is done before a request comes, so its first token comes
   * about twice as soon; it serves any request without a system prompt, tools or output format (a
   * model is set on it). Else parked, claimed by a request.
   */
  live?: LiveProcess;
  preclaim: boolean;
  /** The workspace and level it was started for (workspace.ts): it serves only requests of this placement. */
  place: Placement;
  /** A request waits for its start (Spares.hurry). */
  hurried?: boolean;
  startedAt: number;
  readyAt: number;
}

/** What a pre-claimed spare of a placement is claimed for. */
export const defaultConfig = (place: Placement): TurnConfig => ({
  model: null,
  systemPrompt: null,
  tools: [],
  outputSchema: null,
  place,
});

/** The configurations a pre-claimed spare serves: no system prompt, tools or output format; any model (set on it). */
export const preclaimable = (c: TurnConfig) => !c.systemPrompt && !c.tools.length && !c.outputSchema;

/** What the spares tell their pool. */
export interface SpareHost {
  /** A process (by its token) exists until `gone` settles. */
  register(token: object, gone: Promise<unknown>): void;
  /** Something changed: a spare is ready, or failed. */
  changed(): void;
  /** Start-up time of a spare, spawn until ready (ms). */
  started(ms: number): void;
  readonly stopped: boolean;
}

/**
 * The ready spares: one is pre-claimed for the default configuration, the others parked. They are
 * started by the pool (Spares.start) when its demand and the CPU allow; a spare that fails to start
 * backs the starts off (1 s, 2 s, … up to a minute) instead of spinning on a missing binary.
 */
export class Spares {
  readonly ready: Spare[] = [];
  readonly starting = new Set<Spare>();
  private failures = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly host: SpareHost) {}

  get count(): number {
    return this.ready.length + this.starting.size;
  }

  /** Spares, ready or starting, of one placement. */
  countFor(place: string): number {
    return [...this.ready, ...this.starting].filter((s) => s.place.key === place).length;
  }

  /** Whether a start may be tried now (not backing off after failures). */
  get canStart(): boolean {
    return !this.retryTimer && !this.host.stopped;
  }

  /** A ready spare for a turn with this configuration, or null: one without a system prompt, tools or output format takes a pre-claimed one. */
  claim(config: TurnConfig): LiveProcess | null {
    const alive = (s: Spare) => s.child !== undefined && s.child.exitCode === null;
    for (const s of this.ready.filter((x) => !alive(x))) this.drop(s);
    const mine = this.ready.filter((s) => s.place.key === config.place.key);
    const pre = preclaimable(config) ? mine.find((s) => s.live) : undefined;
    const spare = pre ?? mine.find((s) => !s.live);
    if (!spare) return null;
    this.ready.splice(this.ready.indexOf(spare), 1);
    if (spare.live) return spare.live;
    const live = new LiveProcess(
      processKey(config),
      (prompt) =>
        spare.spare.claim({
          prompt,
          options: {
            cwd: spare.place.dir,
            ...(config.model ? { model: config.model } : {}),
            ...(config.systemPrompt ? { appendSystemPrompt: config.systemPrompt } : {}),
          },
        }),
      config.model,
      "spare",
    );
    if (spare.child) live.adopt(spare.child);
    return live;
  }

  /** What a claim for this configuration would give now: the pre-claimed spare, a parked one, or none. */
  peek(config: TurnConfig): "spare" | "parked" | null {
    const ready = this.ready.filter(
      (s) => s.child !== undefined && s.child.exitCode === null && s.place.key === config.place.key,
    );
    if (preclaimable(config) && ready.some((s) => s.live)) return "spare";
    return ready.some((s) => !s.live) ? "parked" : null;
  }

  /** Spares being started that could serve this configuration. */
  startingFor(config: TurnConfig): Spare[] {
    return [...this.starting].filter((s) => s.place.key === config.place.key && (!s.preclaim || preclaimable(config)));
  }

  /** A request waits for this spare's start: at the gateway's priority from now on (once). */
  hurry(s: Spare): void {
    if (s.hurried) return;
    s.hurried = true;
    restorePriority(s.child);
  }

  drop(s: Spare): void {
    const i = this.ready.indexOf(s);
    if (i >= 0) this.ready.splice(i, 1);
    if (s.live) void s.live.close();
    else s.spare?.close();
  }

  /** Starts one spare for a placement (pre-claimed when no other of it is). */
  start(place: Placement): void {
    const preclaim = ![...this.ready, ...this.starting].some((s) => s.preclaim && s.place.key === place.key);
    const entry: Spare = {
      spare: undefined as unknown as SpareProcess,
      child: undefined,
      preclaim,
      place,
      startedAt: Date.now(),
      readyAt: 0,
    };
    this.starting.add(entry);
    let spawned!: () => void;
    this.host.register(entry, new Promise((resolve) => (spawned = () => resolve(undefined))));
    void this.boot(entry)
      .catch(() => {})
      .finally(() => {
        this.starting.delete(entry);
        if (!entry.child) spawned();
        else void processExit(entry.child).then(spawned);
        this.host.changed();
      });
  }

  private async boot(entry: Spare): Promise<void> {
    const host = this.host;
    try {
      entry.spare = await prewarm({
        // Parked in its workspace, the folder its claims name: its process never sits elsewhere.
        options: {
          ...hostOptions(entry.place),
          spawnClaudeCodeProcess: (o) => (entry.child = spawnClaude(o, SPARE_NICE)),
        },
      });
      if (entry.preclaim && !host.stopped) {
        const live = new LiveProcess(
          processKey(defaultConfig(entry.place)),
          (prompt) => entry.spare.claim({ prompt, options: { cwd: entry.place.dir } }),
          null,
          "spare",
        );
        if (entry.child) live.adopt(entry.child);
        entry.live = live;
        await entry.spare.claimed;
      }
      if (host.stopped) {
        await this.end(entry);
        return;
      }
      this.failures = 0;
      restorePriority(entry.child);
      entry.readyAt = Date.now();
      host.started(entry.readyAt - entry.startedAt);
      this.ready.push(entry);
      void entry.spare.exited.then(() => {
        const i = this.ready.indexOf(entry);
        if (i >= 0) {
          this.ready.splice(i, 1);
          host.changed();
        }
      });
    } catch (e) {
      await this.end(entry);
      if (host.stopped) return; // ended by the shutdown, not failed
      this.failures++;
      if (this.failures === 1 || this.failures % 10 === 0) {
        log({ level: "warn", msg: "claude spare did not start", error: String(e).slice(0, 300) }, "stderr");
      }
      const delay = Math.min(60_000, 1_000 * 2 ** Math.min(this.failures - 1, 6));
      this.retryTimer = setTimeout(() => {
        this.retryTimer = undefined;
        host.changed();
      }, delay);
      this.retryTimer.unref?.();
    }
  }

  private async end(s: Spare): Promise<void> {
    if (s.live) await s.live.close();
    s.spare?.close();
    await endProcess(s.child);
  }

  /** Ends every spare, ready or starting (shutdown). */
  async shutdown(): Promise<void> {
    clearTimeout(this.retryTimer);
    const all = [...this.ready.splice(0), ...this.starting];
    await Promise.all(all.map((s) => this.end(s)));
  }

  pids(): Array<number | undefined> {
    return [...this.ready, ...this.starting].map((s) => pidOf(s.child));
  }
}
