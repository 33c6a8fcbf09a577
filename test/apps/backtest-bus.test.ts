import { after, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import amqplib from "amqplib";
import { openDatabase } from "../../src/data/index.js";
import { busEvaluator, runGridOptimization, toJob, type OptimizationTarget } from "../../src/apps/backtest/index.js";
import { AMQP_URL, skipRabbit, unique } from "../bus/rabbit.js";
import { tickwire, type Proc } from "../support/tickwire.js";
import { GOLDEN_PARAMETERS, goldenBars } from "./golden.js";

const GUARD = { timeout: 180_000, skip: skipRabbit };
const STRATEGY = fileURLToPath(new URL("../../examples/strategies/double-ma.ts", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "tw-optimize-bus-"));
const workers: Proc[] = [];
after(async () => {
  for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
});

async function deleteQueue(queue: string): Promise<void> {
  const conn = await amqplib.connect(AMQP_URL);
  const ch = await conn.createChannel();
  await ch.deleteQueue(queue);
  await conn.close();
}

test("two tickwire workers over RabbitMQ, one killed mid-task, give every result exactly once", GUARD, async () => {
  const url = `sqlite:${join(dir, "golden.sqlite")}`;
  const db = await openDatabase(url);
  await db.saveBars(goldenBars());
  await db.close();
  const queue = unique("optimize");
  const target: OptimizationTarget = { strategy: STRATEGY, parameters: { ...GOLDEN_PARAMETERS }, history: { database: url } };
  const space = { fastWindow: { start: 4, end: 16, step: 4 }, slowWindow: [20, 30, 45] };
  try {
    const a = tickwire("worker", "--bus", AMQP_URL, "--queue", queue);
    const b = tickwire("worker", "--bus", AMQP_URL, "--queue", queue);
    workers.push(a, b);
    await Promise.all([a.until(/worker ready/), b.until(/worker ready/)]);
    // Kill A as soon as it starts its first task: that task is unacked and must go to B.
    const killed = a.until(/^start (\S+)$/m).then((m) => {
      a.child.kill("SIGKILL");
      return m[1];
    });
    const ev = await busEvaluator(AMQP_URL, toJob(target), "totalNetPnl", { queue });
    let results;
    try {
      results = await runGridOptimization(target, space, { target: "totalNetPnl", evaluator: ev });
    } finally {
      await ev.close();
    }
    const killedTask = await killed;
    assert.doesNotMatch(a.stdout(), new RegExp(`done ${killedTask}`), "worker A finished its task before the kill");
    assert.match(b.stdout(), new RegExp(`done ${killedTask}`), "worker B ran the task A was killed on");
    assert.equal(results.length, 12);
    assert.equal(new Set(results.map((r) => JSON.stringify(r.setting))).size, 12);
    const local = await runGridOptimization({ ...target, history: goldenBars() }, space, { target: "totalNetPnl", threads: 1 });
    assert.deepEqual(results, local);
    b.child.kill("SIGTERM");
    assert.equal((await b.exit).code, 0, b.stderr());
  } finally {
    await deleteQueue(queue);
  }
});

test("a result that arrives twice for one task is counted once", GUARD, async () => {
  const queue = unique("optimize-dup");
  const target: OptimizationTarget = { strategy: STRATEGY, parameters: { ...GOLDEN_PARAMETERS }, history: goldenBars().slice(0, 2000) };
  const ev = await busEvaluator(AMQP_URL, toJob(target), "totalNetPnl", { queue });
  const conn = await amqplib.connect(AMQP_URL);
  const ch = await conn.createChannel();
  try {
    // Play the worker by hand: answer the one task twice, as a worker killed between send and ack would.
    const seen: number[] = [];
    const run = ev.evaluate([{ fastWindow: 5 }], (r) => seen.push(r.target));
    let msg: amqplib.GetMessage | false = false;
    while (!(msg = await ch.get(queue))) await new Promise((r) => setTimeout(r, 20));
    const task = JSON.parse(msg.content.toString()) as { runId: string; taskId: string };
    const result = { setting: { fastWindow: 5 }, target: 1, statistics: {} };
    for (let i = 0; i < 2; i++)
      ch.sendToQueue(msg.properties.replyTo as string, Buffer.from(JSON.stringify({ runId: task.runId, taskId: task.taskId, result })));
    ch.ack(msg);
    const results = await run;
    while (ev.duplicates === 0) await new Promise((r) => setTimeout(r, 20));
    assert.equal(results.length, 1);
    assert.deepEqual(seen, [1]);
    assert.equal(ev.duplicates, 1);
  } finally {
    await ev.close();
    await ch.deleteQueue(queue);
    await conn.close();
  }
});

test("a worker whose task queue is deleted stops instead of idling for ever", GUARD, async () => {
  const queue = unique("optimize-gone");
  const w = tickwire("worker", "--bus", AMQP_URL, "--queue", queue);
  workers.push(w);
  await w.until(/worker ready/);
  await deleteQueue(queue);
  assert.equal((await w.exit).code, 0, w.stderr());
  assert.match(w.stdout(), /was deleted/);
});
