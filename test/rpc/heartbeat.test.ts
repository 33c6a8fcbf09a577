import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { RpcClient, RpcServer } from "../../src/rpc/index.js";
import { once } from "./helpers.js";

async function freeEndpoints(): Promise<[string, string]> {
  const probe = new RpcServer();
  await probe.start("tcp://127.0.0.1:*", "tcp://127.0.0.1:*");
  const eps: [string, string] = [probe.repEndpoint, probe.pubEndpoint];
  await probe.stop();
  return eps;
}

describe("heartbeats", () => {
  test("a client emits connected on the first heartbeat", async () => {
    const server = new RpcServer({ heartbeatInterval: 50 });
    await server.start("tcp://127.0.0.1:*", "tcp://127.0.0.1:*");
    const client = new RpcClient({ heartbeatTolerance: 500 });
    const connected = once<[{ serverId: string }]>(client, "connected");
    client.start(server.repEndpoint, server.pubEndpoint);
    try {
      const [info] = await connected;
      assert.equal(info.serverId, server.id);
      assert.equal(client.state, "connected");
    } finally {
      await client.stop();
      await server.stop();
    }
  });

  test("losing the server's heartbeats emits disconnected", async () => {
    const server = new RpcServer({ heartbeatInterval: 50 });
    await server.start("tcp://127.0.0.1:*", "tcp://127.0.0.1:*");
    const client = new RpcClient({ heartbeatTolerance: 300 });
    client.start(server.repEndpoint, server.pubEndpoint);
    try {
      await client.waitForConnection(10_000);
      const disconnected = once<[{ reason: string; silentMs: number }]>(client, "disconnected");
      await server.stop();
      const [info] = await disconnected;
      assert.equal(info.reason, "silence");
      assert.ok(info.silentMs > 300);
      assert.equal(client.state, "disconnected");
    } finally {
      await client.stop();
      await server.stop();
    }
  });

  test("a restarted server brings reconnected with restarted = true, and calls work again", async () => {
    const [rep, pub] = await freeEndpoints();
    const first = new RpcServer({ heartbeatInterval: 50 });
    first.register("who", () => "first");
    await first.start(rep, pub);
    const client = new RpcClient({ heartbeatTolerance: 300 });
    client.start(rep, pub);
    let second: RpcServer | undefined;
    try {
      await client.waitForConnection(10_000);
      const firstId = first.id;
      const disconnected = once(client, "disconnected");
      await first.stop();
      await disconnected;
      const reconnected = once<[{ serverId: string; restarted: boolean }]>(client, "reconnected");
      second = new RpcServer({ heartbeatInterval: 50 });
      second.register("who", () => "second");
      await second.start(rep, pub);
      const [info] = await reconnected;
      assert.equal(info.restarted, true);
      assert.equal(info.serverId, second.id);
      assert.notEqual(info.serverId, firstId);
      assert.equal(await client.call("who", [], { timeout: 10_000 }), "second");
    } finally {
      await client.stop();
      await first.stop();
      await second?.stop();
    }
  });
});
