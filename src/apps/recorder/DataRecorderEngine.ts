import { EVENT_TIMER, Event } from "../../event/Event.js";
import type { EventEngine } from "../../event/EventEngine.js";
import { TickwireError, isTickwireError } from "../../event/errors.js";
import { BarGenerator } from "../../trader/BarGenerator.js";
import { BaseEngine } from "../../trader/BaseEngine.js";
import { EVENT_TICK } from "../../trader/events.js";
import { LogLevel } from "../../trader/constants.js";
import { createSubscribeRequest, type BarData, type TickData } from "../../trader/objects.js";
import type { MainEngine } from "../../trader/MainEngine.js";
import type { TraderEventEngine } from "../../trader/BaseGateway.js";
import { RowQueue } from "./RowQueue.js";

export const DATA_RECORDER_APP_NAME = "DataRecorder";

/** Status reports of the recorder: outages, resumptions, drops, close. */
export const EVENT_RECORDER = "eRecorder";

/**
 * The part of a store the recorder writes to. tickwire/data's `Database` is one; anything that
 * saves a batch whole or not at all fits.
 */
export interface RecorderStore {
  readonly url?: string;
  saveBars(bars: readonly BarData[]): Promise<number>;
  saveTicks(ticks: readonly TickData[]): Promise<number>;
}

export interface RecorderOptions {
  /** Write at most every this many ms (the first row waits at most this long). Default 1000. */
  batchMs?: number;
  /** Rows per write (one transaction each); this many rows waiting are written at once. Default 5000. */
  batchRows?: number;
  /**
   * Rows kept in memory while the store is unavailable (plus, briefly, the batch being written);
   * past it the oldest are dropped and counted. Default 1,000,000.
   */
  maxBufferRows?: number;
  /** How often writing is retried while the store is unavailable, ms. Default 1000. */
  retryMs?: number;
  /** How long `close()` keeps trying to write what is buffered, ms. Default 10,000. */
  closeTimeoutMs?: number;
  /** Grace of the bar generators for late ticks before a finished minute is written, ms. Default 1000. */
  graceMs?: number;
}

/** Counters of a recorder. */
export interface RecorderStats {
  barsWritten: number;
  ticksWritten: number;
  /** Rows waiting in memory (including a batch being written). */
  buffered: number;
  /** Rows dropped because the buffer was full during an outage. */
  dropped: number;
  /** Rows the store refused as invalid (TW_DATA_INVALID_*): each logged, the rest of its batch saved. */
  rejected: number;
  /** Ticks the bar generators dropped as late (their minute had been written). */
  lateTicks: number;
  /** True while the store is failing. */
  outage: boolean;
}

/** Payload of `eRecorder` events. */
export interface RecorderStatus extends RecorderStats {
  /** "outage": writes fail, rows are kept; "resumed": written again; "dropping": buffer full; "closed". */
  state: "outage" | "resumed" | "dropping" | "closed";
  msg: string;
  datetime: number;
}

/** The recorder's event, for `EventEngine<TraderEvents & RecorderEvents>`. */
export type RecorderEvents = { eRecorder: RecorderStatus };

type Kind = "bar" | "tick";

/**
 * The data recorder (vnpy_datarecorder): records the ticks and/or 1-minute bars (made by a
 * BarGenerator per instrument) of chosen instruments into a store. The tick handler only queues
 * rows; writes happen later, in batches of one transaction, at most every `batchMs` or
 * `batchRows` rows, one batch per turn of the event loop. If the store fails, rows stay in a
 * bounded buffer, the outage is reported (eRecorder + log) and writing is retried until it works;
 * vnpy's recorder stops recording at the first write error instead.
 * `close()` writes everything, including the bars in progress.
 *
 *   const recorder = main.addApp(DataRecorderApp);
 *   recorder.start(await openDatabase("sqlite:data.sqlite"));
 *   recorder.addBarRecording("rb2410.SHFE");
 *   recorder.addTickRecording("rb2410.SHFE");
 */
export class DataRecorderEngine extends BaseEngine {
  private store: RecorderStore | undefined;
  private options: Required<RecorderOptions> = defaults({});
  private readonly tickSymbols = new Set<string>();
  private readonly generators = new Map<string, BarGenerator>();
  private readonly bars = new RowQueue<BarData>();
  private readonly ticks = new RowQueue<TickData>();
  private inFlight = 0;
  private writing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  private outageSince = 0;
  private outageError = "";
  private droppingReported = false;
  private closing: Promise<void> | undefined;
  private readonly counters = { barsWritten: 0, ticksWritten: 0, dropped: 0, rejected: 0, lateTicksOfRemoved: 0 };

  constructor(mainEngine: MainEngine, eventEngine: TraderEventEngine) {
    super(mainEngine, eventEngine, DATA_RECORDER_APP_NAME);
  }

  /** Starts recording into `store` (what was added with add*Recording before is recorded from now). */
  start(store: RecorderStore, options: RecorderOptions = {}): void {
    if (this.store) throw new TickwireError("TW_RECORDER_RUNNING", "The recorder is already started: close() it before starting another.");
    if (this.closing) throw new TickwireError("TW_RECORDER_CLOSED", "The recorder was closed: add a new DataRecorder app to record again.");
    this.options = defaults(options);
    this.store = store;
    // Generators added before start() take this start's grace (they have seen no data yet).
    for (const vtSymbol of this.generators.keys()) this.generators.set(vtSymbol, new BarGenerator(this.onBar, { graceMs: this.options.graceMs }));
    this.eventEngine.register(EVENT_TICK, this.onTick);
    this.eventEngine.register(EVENT_TIMER, this.onTimer);
  }

  /** Records the ticks of `vtSymbol` ("rb2410.SHFE"). */
  addTickRecording(vtSymbol: string): void {
    checkVtSymbol(vtSymbol);
    this.tickSymbols.add(vtSymbol);
    this.subscribe(vtSymbol);
  }

  /** Records the 1-minute bars of `vtSymbol`, made from its ticks. */
  addBarRecording(vtSymbol: string): void {
    checkVtSymbol(vtSymbol);
    if (this.generators.has(vtSymbol)) return;
    this.generators.set(vtSymbol, new BarGenerator(this.onBar, { graceMs: this.options.graceMs }));
    this.subscribe(vtSymbol);
  }

  removeTickRecording(vtSymbol: string): void {
    this.tickSymbols.delete(vtSymbol);
  }

  /** Stops making bars of `vtSymbol`; the bar in progress is queued for writing. */
  removeBarRecording(vtSymbol: string): void {
    const bg = this.generators.get(vtSymbol);
    if (!bg) return;
    this.generators.delete(vtSymbol);
    bg.generate();
    this.counters.lateTicksOfRemoved += bg.stats().lateTicks;
  }

  get tickRecordings(): string[] {
    return [...this.tickSymbols];
  }

  get barRecordings(): string[] {
    return [...this.generators.keys()];
  }

  stats(): RecorderStats {
    let lateTicks = this.counters.lateTicksOfRemoved;
    for (const bg of this.generators.values()) lateTicks += bg.stats().lateTicks;
    return {
      barsWritten: this.counters.barsWritten,
      ticksWritten: this.counters.ticksWritten,
      buffered: this.bars.length + this.ticks.length + this.inFlight,
      dropped: this.counters.dropped,
      rejected: this.counters.rejected,
      lateTicks,
      outage: this.outageSince !== 0,
    };
  }

  /** Writes everything queued now (bars in progress stay in progress); resolves when written or failed. */
  async flush(): Promise<void> {
    await this.writeAll(true);
  }

  /**
   * Stops recording, queues the bars in progress and writes everything, retrying for up to
   * `closeTimeoutMs` if the store fails; what could not be written is logged with its count.
   * Does not close the store (its owner does).
   */
  override close(): Promise<void> {
    this.closing ??= this.closeNow();
    return this.closing;
  }

  private async closeNow(): Promise<void> {
    if (!this.store) return;
    this.eventEngine.unregister(EVENT_TICK, this.onTick);
    this.eventEngine.unregister(EVENT_TIMER, this.onTimer);
    for (const bg of this.generators.values()) bg.generate();
    const deadline = Date.now() + this.options.closeTimeoutMs;
    await this.writeAll(true);
    while (this.bufferedRows() > 0 && Date.now() < deadline) {
      await sleep(Math.min(this.options.retryMs, Math.max(0, deadline - Date.now())));
      await this.writeAll(true);
    }
    this.clearSchedule();
    const left = this.bufferedRows();
    const s = this.stats();
    const msg =
      left > 0
        ? `Recorder closed with ${left} rows NOT written (the store at ${this.storeName()} stayed unavailable for ${this.options.closeTimeoutMs} ms: ${this.outageError}).`
        : `Recorder closed: ${s.barsWritten} bars and ${s.ticksWritten} ticks written${s.dropped ? `, ${s.dropped} rows dropped during outages` : ""}.`;
    this.report("closed", msg, left > 0 ? LogLevel.ERROR : LogLevel.INFO);
    this.store = undefined;
  }

  // ------------------------------------------------------------------ event handlers (cheap)

  private readonly onTick = (event: Event<TickData>): void => {
    const tick = event.data;
    const bg = this.generators.get(tick.vtSymbol);
    if (bg) bg.updateTick(tick);
    if (this.tickSymbols.has(tick.vtSymbol)) this.enqueue(this.ticks, tick);
  };

  private readonly onBar = (bar: BarData): void => {
    this.enqueue(this.bars, bar);
  };

  private readonly onTimer = (): void => {
    const now = Date.now();
    for (const bg of this.generators.values()) bg.onTimer(now);
  };

  private enqueue<T extends BarData | TickData>(queue: RowQueue<T>, row: T): void {
    queue.push(row);
    // Rows of a batch being written are older than any queued one but cannot be dropped: the
    // bound applies to the queue now, and to everything once a failed batch is back in it.
    if (this.bars.length + this.ticks.length > this.options.maxBufferRows) this.dropOldest();
    if (this.writing || this.outageSince !== 0) return;
    if (this.bars.length + this.ticks.length >= this.options.batchRows) {
      if (this.timer) {
        clearTimeout(this.timer);
        this.timer = undefined;
      }
      this.immediate ??= setImmediate(this.runWrites);
    } else {
      this.timer ??= setTimeout(this.runWrites, this.options.batchMs);
    }
  }

  // ------------------------------------------------------------------ writing

  private readonly runWrites = (): void => {
    this.timer = undefined;
    this.immediate = undefined;
    void this.writeAll(false);
  };

  /** Writes batches while there are `batchRows` waiting (or anything, with `all`); one at a time. */
  private writeAll(all: boolean): Promise<void> {
    if (this.writing) {
      // A write is running: when it ends, write the rest too.
      return this.writing.then(() => this.writeAll(all));
    }
    this.clearSchedule();
    const run = this.writeLoop(all).finally(() => {
      this.writing = undefined;
      this.scheduleNext();
    });
    this.writing = run;
    return run;
  }

  private async writeLoop(all: boolean): Promise<void> {
    let first = true;
    while (this.store) {
      const waiting = this.bars.length + this.ticks.length;
      if (waiting === 0 || (!all && !first && waiting < this.options.batchRows)) return;
      if (!first) await yieldTurn();
      first = false;
      // Bars first: few and the more valuable; then ticks, oldest first.
      const kind: Kind = this.bars.length > 0 ? "bar" : "tick";
      const ok = kind === "bar" ? await this.writeBatch(this.bars, "bar") : await this.writeBatch(this.ticks, "tick");
      if (!ok) return;
    }
  }

  /** Writes one batch; false when the store is unavailable (the rows are back in the queue). */
  private async writeBatch<T extends BarData | TickData>(queue: RowQueue<T>, kind: Kind): Promise<boolean> {
    const rows = queue.take(this.options.batchRows);
    this.inFlight = rows.length;
    // Ranges still to save, next first; a batch the store refuses as invalid is split in halves
    // until the bad rows are alone, so one bad row costs log2(batch) extra saves, not the batch.
    const pending: Array<[number, number]> = [[0, rows.length]];
    try {
      while (pending.length > 0) {
        const [lo, hi] = pending[pending.length - 1];
        const part = lo === 0 && hi === rows.length ? rows : rows.slice(lo, hi);
        try {
          await this.save(kind, part);
          pending.pop();
          this.inFlight -= part.length;
          if (kind === "bar") this.counters.barsWritten += part.length;
          else this.counters.ticksWritten += part.length;
        } catch (error) {
          if (isTickwireError(error) && error.code.startsWith("TW_DATA_INVALID_")) {
            pending.pop();
            if (hi - lo === 1) {
              this.inFlight--;
              this.counters.rejected++;
              this.log(
                `Recorder: the store refused a ${kind} of ${rows[lo].vtSymbol} at ${new Date(rows[lo].datetime).toISOString()}: ${error.message}`,
                LogLevel.ERROR,
              );
            } else {
              const mid = (lo + hi) >> 1;
              pending.push([mid, hi], [lo, mid]);
            }
            continue;
          }
          const unsaved: T[] = [];
          for (let i = pending.length - 1; i >= 0; i--) for (let j = pending[i][0]; j < pending[i][1]; j++) unsaved.push(rows[j]);
          this.inFlight = 0;
          queue.putBack(unsaved);
          while (this.bufferedRows() > this.options.maxBufferRows) this.dropOldest();
          this.enterOutage(error);
          return false;
        }
      }
    } finally {
      this.inFlight = 0;
    }
    if (this.outageSince !== 0) this.leaveOutage();
    return true;
  }

  private save(kind: Kind, rows: readonly (BarData | TickData)[]): Promise<number> {
    const store = this.store!;
    return kind === "bar" ? store.saveBars(rows as BarData[]) : store.saveTicks(rows as TickData[]);
  }

  private scheduleNext(): void {
    if (!this.store || this.closing) return;
    if (this.outageSince !== 0) {
      this.timer ??= setTimeout(this.runWrites, this.options.retryMs);
    } else if (this.bars.length + this.ticks.length >= this.options.batchRows) {
      this.immediate ??= setImmediate(this.runWrites);
    } else if (this.bars.length + this.ticks.length > 0) {
      this.timer ??= setTimeout(this.runWrites, this.options.batchMs);
    }
  }

  private clearSchedule(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.timer = undefined;
    this.immediate = undefined;
  }

  private bufferedRows(): number {
    return this.bars.length + this.ticks.length + this.inFlight;
  }

  private dropOldest(): void {
    const dropped = this.bars.oldestTime <= this.ticks.oldestTime ? this.bars.dropOldest() : this.ticks.dropOldest();
    if (!dropped) return;
    this.counters.dropped++;
    if (!this.droppingReported) {
      this.droppingReported = true;
      this.report(
        "dropping",
        `Recorder: buffer full (${this.options.maxBufferRows} rows): dropping the oldest rows until the store at ${this.storeName()} is back.`,
        LogLevel.ERROR,
      );
    }
  }

  // ------------------------------------------------------------------ outage reporting

  private enterOutage(error: unknown): void {
    this.outageError = error instanceof Error ? error.message : String(error);
    if (this.outageSince !== 0) return;
    this.outageSince = Date.now();
    this.report(
      "outage",
      `Recorder: writing to ${this.storeName()} failed (${this.outageError}); keeping up to ${this.options.maxBufferRows} rows in memory and retrying every ${this.options.retryMs} ms.`,
      LogLevel.WARNING,
    );
  }

  private leaveOutage(): void {
    const seconds = ((Date.now() - this.outageSince) / 1000).toFixed(1);
    this.outageSince = 0;
    this.droppingReported = false;
    const dropped = this.counters.dropped;
    this.report(
      "resumed",
      `Recorder: writing to ${this.storeName()} again after ${seconds} s${dropped ? `; ${dropped} rows dropped so far` : "; nothing lost"}.`,
      LogLevel.INFO,
    );
  }

  private report(state: RecorderStatus["state"], msg: string, level: LogLevel): void {
    this.log(msg, level);
    const status: RecorderStatus = { state, msg, datetime: Date.now(), ...this.stats() };
    (this.eventEngine as unknown as EventEngine<RecorderEvents>).put(new Event(EVENT_RECORDER, status));
  }

  private log(msg: string, level: LogLevel): void {
    this.mainEngine.writeLog(msg, DATA_RECORDER_APP_NAME, level);
  }

  private storeName(): string {
    return this.store?.url ?? "the store";
  }

  private subscribe(vtSymbol: string): void {
    const contract = this.mainEngine.getContract(vtSymbol);
    if (!contract) return;
    const req = createSubscribeRequest({ symbol: contract.symbol, exchange: contract.exchange });
    Promise.resolve()
      .then(() => this.mainEngine.subscribe(req, contract.gatewayName))
      .catch((e: unknown) => this.log(`Recorder: subscribing ${vtSymbol} failed: ${String(e)}`, LogLevel.WARNING));
  }
}

function defaults(o: RecorderOptions): Required<RecorderOptions> {
  const r: Required<RecorderOptions> = {
    batchMs: o.batchMs ?? 1000,
    batchRows: o.batchRows ?? 5000,
    maxBufferRows: o.maxBufferRows ?? 1_000_000,
    retryMs: o.retryMs ?? 1000,
    closeTimeoutMs: o.closeTimeoutMs ?? 10_000,
    graceMs: o.graceMs ?? 1000,
  };
  for (const [key, value] of Object.entries(r)) {
    if (!(Number.isFinite(value) && value >= 0) || (key !== "graceMs" && key !== "closeTimeoutMs" && value === 0)) {
      throw new TickwireError("TW_RECORDER_BAD_OPTION", `Recorder option ${key} must be a number > 0 (graceMs, closeTimeoutMs: >= 0), not ${String(value)}.`, {
        details: { [key]: value },
      });
    }
  }
  return r;
}

function checkVtSymbol(vtSymbol: string): void {
  const dot = vtSymbol.lastIndexOf(".");
  if (dot <= 0 || dot === vtSymbol.length - 1) {
    throw new TickwireError("TW_RECORDER_BAD_SYMBOL", `Cannot record ${JSON.stringify(vtSymbol)}: give a vtSymbol as symbol.EXCHANGE, e.g. "rb2410.SHFE".`);
  }
}

function yieldTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
