/**
 * The thread of a WorkerStore: opens the store at `workerData.url` and saves the batches posted to
 * it, answering each with its row count or its error (as data, rebuilt as a TickwireError).
 */
import { parentPort, workerData } from "node:worker_threads";
import { openDatabase } from "../../data/openDatabase.js";
import type { Database } from "../../data/types.js";
import { encodeError } from "../../workers/remoteError.js";
import type { StoreReply, StoreRequest } from "./WorkerStore.js";
import { decodeRows } from "./rowCodec.js";

const port = parentPort!;
let db: Database | undefined;

function reply(r: StoreReply): void {
  port.postMessage(r);
}

try {
  db = await openDatabase((workerData as { url: string }).url);
  reply({ id: 0, ok: true, n: 0 });
} catch (err) {
  reply({ id: 0, ok: false, error: encodeError(err) });
}

async function handle(req: StoreRequest): Promise<void> {
  try {
    if (!db) throw new Error("the store did not open");
    if (req.op === "close") {
      await db.close();
      reply({ id: req.id, ok: true, n: 0 });
      port.close();
      return;
    }
    const rows = req.encoded ? decodeRows(req.encoded) : req.rows;
    const n = req.op === "bars" ? await db.saveBars(rows as never) : await db.saveTicks(rows as never);
    reply({ id: req.id, ok: true, n });
  } catch (err) {
    reply({ id: req.id, ok: false, error: encodeError(err) });
  }
}

// One at a time, in the order posted: a close must not end the pool under a save still awaiting.
let queue: Promise<void> = Promise.resolve();
port.on("message", (req: StoreRequest) => {
  queue = queue.then(() => handle(req));
});
