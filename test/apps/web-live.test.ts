import { test } from "node:test";
import assert from "node:assert/strict";
import { once } from "node:events";
import WebSocket from "ws";
import { webTrader } from "./webFixture.js";

type Trader = Awaited<ReturnType<typeof webTrader>>;

function connect(t: Trader): Promise<WebSocket> {
  const ws = new WebSocket(`${t.web.url.replace("http", "ws")}/ws`, { headers: { authorization: `Bearer ${t.web.token}` } });
  return once(ws, "open").then(() => ws);
}

async function stats(t: Trader): Promise<{ web: { clients: number; dropped: number } }> {
  const res = await fetch(`${t.web.url}/api/stats`, { headers: { authorization: `Bearer ${t.web.token}` } });
  return (await res.json()) as { web: { clients: number; dropped: number } };
}

test("a client that stops reading is dropped while a fast one keeps receiving every log in order", async () => {
  const t = await webTrader({ maxBufferedBytes: 64 * 1024 });
  try {
    const fast = await connect(t);
    const slow = await connect(t);
    const seen: string[] = [];
    fast.on("message", (raw) => {
      const m = JSON.parse(String(raw)) as { type: string; data: { msg: string } };
      if (m.type === "logs" && m.data.msg.startsWith("n=")) seen.push(m.data.msg.slice(0, m.data.msg.indexOf(" ")));
    });
    const snapshots = Promise.all([once(fast, "message"), once(slow, "message")]);
    fast.send(JSON.stringify({ op: "watch", ticks: [], topics: ["logs"] }));
    slow.send(JSON.stringify({ op: "watch", ticks: [], topics: ["logs"] }));
    await snapshots;
    // The slow one stops reading: its kernel buffers fill, then the server's send buffer.
    (slow as unknown as { _socket: { pause(): void } })._socket.pause();
    const pad = "x".repeat(4096);
    let n = 0;
    for (let batch = 0; batch < 500 && (await stats(t)).web.dropped === 0; batch++) {
      for (let i = 0; i < 100; i++) t.main.writeLog(`n=${n++} ${pad}`, "test");
      // Wait until the fast client has everything so far: it never falls behind.
      while (seen.length < n) await new Promise((r) => setTimeout(r, 5));
    }
    const s = await stats(t);
    assert.equal(s.web.dropped, 1);
    assert.equal(s.web.clients, 1);
    t.main.writeLog("n=last after the drop", "test");
    while (seen.length < n + 1) await new Promise((r) => setTimeout(r, 5));
    assert.deepEqual(seen, [...Array.from({ length: n }, (_, i) => `n=${i}`), "n=last"]);
    const closed = once(slow, "close");
    (slow as unknown as { _socket: { resume(): void } })._socket.resume();
    await closed;
    fast.close();
  } finally {
    await t.close();
  }
});

test("ticks are conflated per symbol: a client watching one symbol gets only that symbol's latest ticks", async () => {
  const t = await webTrader({ maxTicksPerSecond: 5 });
  try {
    const ws = await connect(t);
    const batches: Array<Array<{ vtSymbol: string }>> = [];
    ws.on("message", (raw) => {
      const m = JSON.parse(String(raw)) as { type: string; data: Array<{ vtSymbol: string }> };
      if (m.type === "ticks") batches.push(m.data);
    });
    ws.send(JSON.stringify({ op: "watch", ticks: ["rb2410.SHFE"], topics: [] }));
    while (batches.length < 3) await new Promise((r) => setTimeout(r, 20));
    for (const b of batches)
      assert.deepEqual(
        b.map((x) => x.vtSymbol),
        ["rb2410.SHFE"],
      );
    ws.close();
  } finally {
    await t.close();
  }
});

test("an unauthenticated WebSocket upgrade is refused", async () => {
  const t = await webTrader();
  try {
    const ws = new WebSocket(`${t.web.url.replace("http", "ws")}/ws`);
    const [err] = (await once(ws, "error")) as [Error];
    assert.match(err.message, /401/);
  } finally {
    await t.close();
  }
});
