/**
 * How many ready `claude` processes the recent demand calls for, and how long things take. Pure: the
 * pool feeds it events with their times and asks it for numbers.
 *
 * - The rate of requests that want a ready process (stateless requests, sessions' first turns) is
 *   an exponentially decaying count over `horizonMs`, and so is the time a request holds its process
 *   (until it is ready again). Their product is the offered load `a`, in processes.
 * - The processes that load needs: the fewest `c` with Erlang's loss formula B(c, a) ≤ 10 %, i.e. at
 *   most one request in ten finds every process busy. Never fewer than the most requests that held
 *   a process at once within the horizon (a burst is remembered for as long as idle processes are
 *   kept).
 * - Estimates (moving averages) of a start, a `/clear`, a stateless turn and a turn's first answer
 *   on each kind of process, which the pool uses to choose, for a request that finds no process of
 *   its own ready, what gives it its first token soonest.
 */

/** Erlang B: the share of arrivals that find all `c` servers busy under offered load `a`. */
export function erlangB(c: number, a: number): number {
  let b = 1;
  for (let k = 1; k <= c; k++) b = (a * b) / (k + a * b);
  return b;
}

/** The fewest servers for load `a` with at most `loss` of the arrivals finding none free. */
export function serversFor(a: number, loss = 0.1): number {
  if (!(a > 0)) return 0;
  let c = 0;
  while (erlangB(c, a) > loss && c < 1_000) c++;
  return c;
}

/** A moving average that starts from `initial` until the first sample. */
export class Ewma {
  private v: number;
  samples = 0;
  constructor(
    initial: number,
    private readonly weight = 0.3,
  ) {
    this.v = initial;
  }
  add(x: number): void {
    this.v = this.samples === 0 ? x : this.v + this.weight * (x - this.v);
    this.samples++;
  }
  get value(): number {
    return this.v;
  }
}

export class Demand {
  /** Decayed count of arrivals (its rate per ms is this / horizon). */
  private arrivals = 0;
  private at = 0;
  /** Most requests holding a process at once, with when that was seen. */
  private peaks: Array<{ at: number; n: number }> = [];
  /** Requests that want or hold a ready process now. */
  holding = 0;
  /** How long a request holds a ready process until it is ready again (ms). */
  readonly hold = new Ewma(1_000);
  /** A new process for a request: spawn until its first answer (ms); unknown at first, so taken as a second. */
  readonly start = new Ewma(1_000);
  /** A spare: spawn until ready (ms). */
  readonly spareStart = new Ewma(1_000);
  /**
   * A turn's message until its first answer (ms), by the process it runs on: a reused (cleared) one,
   * a pre-claimed spare, a parked spare (claimed by the request). First values measured here
   * (`npm run bench:claude`: about 100 and 200 ms; a claim when the request comes took about twice the
   * pre-claimed spare's), until the pool's own turns replace them.
   */
  readonly firstAnswer = { reused: new Ewma(100), spare: new Ewma(200), parked: new Ewma(300) };
  readonly clear = new Ewma(100);
  /** A stateless turn from its message to its result (ms): unknown (never wait for one) until seen. */
  readonly turn = new Ewma(Number.POSITIVE_INFINITY);

  constructor(private horizonMs: number) {}

  setHorizon(ms: number): void {
    this.horizonMs = ms;
  }

  private decay(now: number): void {
    if (now > this.at) this.arrivals *= Math.exp(-(now - this.at) / this.horizonMs);
    this.at = Math.max(this.at, now);
  }

  /** A request wants a ready process (and holds one until `release`). */
  arrive(now: number): void {
    this.decay(now);
    this.arrivals += 1;
    this.holding++;
    this.peaks.push({ at: now, n: this.holding });
  }

  release(now: number, heldMs: number | null): void {
    this.holding = Math.max(0, this.holding - 1);
    if (heldMs !== null) this.hold.add(heldMs);
    this.peaks.push({ at: now, n: this.holding });
  }

  /** Requests per second over the horizon. */
  rate(now: number): number {
    this.decay(now);
    return (this.arrivals / this.horizonMs) * 1_000;
  }

  /** The most requests that held a process at once within the horizon. */
  peak(now: number): number {
    this.peaks = this.peaks.filter((p) => now - p.at <= this.horizonMs);
    return this.peaks.reduce((m, p) => Math.max(m, p.n), this.holding);
  }

  /** Processes (busy and ready) the recent demand calls for. */
  wanted(now: number): number {
    // Less than one request within the horizon is no demand (the decay never reaches zero itself).
    const rate = this.rate(now);
    const load = this.arrivals < 1 ? 0 : (rate * this.hold.value) / 1_000;
    return Math.max(serversFor(load), this.peak(now));
  }
}
