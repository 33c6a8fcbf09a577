import { dirname, extname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { TickwireError } from "../../event/errors.js";
import { decodeError, type SerializedError } from "../../workers/remoteError.js";
import type { BarData, TickData } from "../../trader/objects.js";
import type { RecorderStore } from "./DataRecorderEngine.js";
import { encodeRows, type EncodedRows } from "./rowCodec.js";

/** @internal A request to the store thread: rows as columns when they fit, else as they are. */
export type StoreRequest = { id: number; op: "bars" | "ticks"; rows?: readonly (BarData | TickData)[]; encoded?: EncodedRows } | { id: number; op: "close" };
/** @internal Its answer; id 0 answers the opening. */
export type StoreReply = { id: number; ok: true; n: number } | { id: number; ok: false; error: SerializedError };

// The sibling entry: .js from dist; .ts under tsx, whose ESM hooks Node 20 does not carry into
// worker threads, so a small bootstrap registers them there first (as importModule.ts does).
const here = fileURLToPath(import.meta.url);
const ENTRY = pathToFileURL(join(dirname(here), "storeWorker" + extname(here))).href;
const TSX_API = extname(here) === ".ts" ? tsxApi() : undefined;
const BOOTSTRAP = `
const { workerData } = require("node:worker_threads");
(async () => {
  if (workerData.tsxApi) (await import(workerData.tsxApi)).register();
  await import(workerData.entry);
})().catch((err) => { setImmediate(() => { throw err; }); });
`;

function tsxApi(): string | undefined {
  try {
    return import.meta.resolve("tsx/esm/api");
  } catch {
    return undefined;
  }
}

interface Waiter {
  /** The thread the request went to: only its death fails this waiter. */
  worker: Worker;
  resolve: (n: number) => void;
  reject: (e: Error) => void;
}

/**
 * A store on its own thread, for the recorder: better-sqlite3 writes synchronously, and a batch of
 * 5,000 ticks held the event loop for 75-260 ms; here the main thread only encodes the batch into
 * columns it transfers (rowCodec.ts) and the thread does the transaction. A thread that dies fails its pending saves
 * with TW_DATA_UNAVAILABLE (the recorder keeps the rows and retries) and is started again by the
 * next save.
 */
export class WorkerStore implements RecorderStore {
  readonly url: string;
  private worker: Worker | undefined;
  private opening: Promise<void> | undefined;
  private readonly waiters = new Map<number, Waiter>();
  private nextId = 1;
  private closed = false;

  private constructor(url: string) {
    this.url = url;
  }

  /** Starts the thread and opens the store there; rejects as `openDatabase(url)` would. */
  static async open(url: string): Promise<WorkerStore> {
    const store = new WorkerStore(url);
    await store.start();
    return store;
  }

  saveBars(bars: readonly BarData[]): Promise<number> {
    return this.request("bars", bars);
  }

  saveTicks(ticks: readonly TickData[]): Promise<number> {
    return this.request("ticks", ticks);
  }

  /** Closes the store and ends the thread (after the saves already posted). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // A thread still opening would otherwise come up after this returned and keep the process alive.
    if (this.opening) await this.opening.catch(() => undefined);
    const worker = this.worker;
    if (!worker) return;
    await new Promise<void>((resolve) => {
      const id = this.nextId++;
      this.waiters.set(id, { worker, resolve: () => resolve(), reject: () => resolve() });
      worker.postMessage({ id, op: "close" } satisfies StoreRequest);
    });
    await worker.terminate();
    this.worker = undefined;
  }

  private async request(op: "bars" | "ticks", rows: readonly (BarData | TickData)[]): Promise<number> {
    if (this.closed) throw new TickwireError("TW_DATA_CLOSED", `The store ${this.url} is closed; open it again.`);
    if (!this.worker) await this.start();
    const worker = this.worker!;
    return new Promise<number>((resolve, reject) => {
      const id = this.nextId++;
      this.waiters.set(id, { worker, resolve, reject });
      const encoded = encodeRows(rows);
      if (encoded) worker.postMessage({ id, op, encoded } satisfies StoreRequest, [encoded.nums.buffer as ArrayBuffer, encoded.strRefs.buffer as ArrayBuffer]);
      else worker.postMessage({ id, op, rows } satisfies StoreRequest);
    });
  }

  private start(): Promise<void> {
    this.opening ??= new Promise<void>((resolve, reject) => {
      const worker = new Worker(BOOTSTRAP, { eval: true, workerData: { url: this.url, entry: ENTRY, tsxApi: TSX_API } });
      worker.on("message", (r: StoreReply) => {
        if (r.id === 0) {
          if (r.ok) {
            this.worker = worker;
            resolve();
          } else {
            void worker.terminate();
            reject(decodeError(r.error));
          }
          return;
        }
        const w = this.waiters.get(r.id);
        if (!w) return;
        this.waiters.delete(r.id);
        if (r.ok) w.resolve(r.n);
        else w.reject(decodeError(r.error));
      });
      const died = (why: string) => {
        if (this.worker === worker) this.worker = undefined;
        const error = new TickwireError("TW_DATA_UNAVAILABLE", `The store thread of ${this.url} ended (${why}); the next save starts it again.`, {
          details: { url: this.url },
        });
        reject(error);
        for (const [id, w] of this.waiters) {
          if (w.worker !== worker) continue;
          this.waiters.delete(id);
          w.reject(error);
        }
      };
      worker.on("error", (e) => died(e.message));
      worker.on("exit", (code) => died(`exit code ${code}`));
    }).finally(() => {
      this.opening = undefined;
    });
    return this.opening;
  }
}
