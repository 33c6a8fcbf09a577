import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, statSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Subscriber } from "zeromq";
import { RpcClient, RpcErrorCode, RpcServer, generateKeyPair, readKeyFile, writeKeyPair } from "../../src/rpc/index.js";
import { isTickwireError } from "../../src/event/errors.js";
import { TickwireError } from "../../src/event/errors.js";
import { once } from "./helpers.js";

describe("CURVE encryption and client authentication", () => {
  test("an allowed client key connects and calls; a client with another key is refused", async () => {
    const serverKeys = generateKeyPair();
    const good = generateKeyPair();
    const bad = generateKeyPair();
    const server = new RpcServer({ heartbeatInterval: 50, curve: { secretKey: serverKeys.secretKey, allowedClients: [good.publicKey] } });
    server.register("ping", () => "pong");
    await server.start("tcp://127.0.0.1:*", "tcp://127.0.0.1:*");
    const ok = new RpcClient({ curve: { serverPublicKey: serverKeys.publicKey, ...good } });
    const refused = new RpcClient({ curve: { serverPublicKey: serverKeys.publicKey, ...bad } });
    try {
      ok.start(server.repEndpoint, server.pubEndpoint);
      await ok.waitForConnection(10_000);
      assert.equal(await ok.call("ping"), "pong");

      const authFailed = once<[TickwireError]>(refused, "authFailed");
      refused.start(server.repEndpoint, server.pubEndpoint);
      const [err] = await authFailed;
      assert.equal(err.code, RpcErrorCode.AUTH);
      await assert.rejects(refused.call("ping", [], { timeout: 300 }), (e: unknown) => isTickwireError(e, RpcErrorCode.TIMEOUT));
      assert.equal(refused.state, "connecting");
      assert.ok(server.stats().authRefused >= 1);
      assert.ok(server.stats().authAccepted >= 2);
    } finally {
      await ok.stop();
      await refused.stop();
      await server.stop();
    }
  });

  test("a plain (non-CURVE) subscriber gets nothing from a CURVE server", async () => {
    const serverKeys = generateKeyPair();
    const server = new RpcServer({ heartbeatInterval: 20, curve: { secretKey: serverKeys.secretKey } });
    await server.start("tcp://127.0.0.1:*", "tcp://127.0.0.1:*");
    const sub = new Subscriber({ linger: 0, receiveTimeout: 300 });
    sub.connect(server.pubEndpoint);
    sub.subscribe();
    try {
      for (let i = 0; i < 20; i++) server.publish("secret", i);
      await assert.rejects(sub.receive());
    } finally {
      sub.close();
      await server.stop();
    }
  });

  test("a CURVE server may bind beyond loopback", async () => {
    const serverKeys = generateKeyPair();
    const server = new RpcServer({ curve: { secretKey: serverKeys.secretKey } });
    await server.start("tcp://0.0.0.0:*", "tcp://0.0.0.0:*");
    assert.ok(server.isActive);
    await server.stop();
  });

  test("key files round-trip and the secret file is readable by its owner only", () => {
    const dir = mkdtempSync(join(tmpdir(), "tw-keys-"));
    try {
      const { pair, publicFile, secretFile } = writeKeyPair(dir, "server");
      assert.deepEqual(readKeyFile(publicFile), { publicKey: pair.publicKey });
      assert.deepEqual(readKeyFile(secretFile), pair);
      assert.equal(statSync(secretFile).mode & 0o077, 0);
      assert.throws(
        () => readKeyFile(join(dir, "missing.key")),
        (e: unknown) => isTickwireError(e, RpcErrorCode.KEY_FILE),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
