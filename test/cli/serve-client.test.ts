import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePorts } from "../support/ports.js";
import { tickwire } from "../support/tickwire.js";

/** A guard against a hung child, not a speed requirement. */
const GUARD = { timeout: 90_000 };

const ENDPOINTS = /requests (tcp:\/\/127\.0\.0\.1:\d+) publications (tcp:\/\/127\.0\.0\.1:\d+)/;

describe("tickwire serve and tickwire client", () => {
  test("two processes exchange ticks and an order round trip, and both exit 0 on SIGINT", GUARD, async () => {
    const server = tickwire(
      "serve",
      "--rep",
      "tcp://127.0.0.1:*",
      "--pub",
      "tcp://127.0.0.1:*",
      "--tick-rate",
      "20",
      "--instruments",
      "rb2410.SHFE,IF2412.CFFEX",
    );
    try {
      const [, req, sub] = await server.until(ENDPOINTS);
      const client = tickwire("client", "--req", req, "--sub", sub, "--demo-orders");
      try {
        await client.until(/rb2410\.SHFE +[\d,.]+ +[\d,.]+ +[\d,.]+/);
        await client.until(/\(order RPC\.\d+\)/);
        assert.match(client.stdout(), /RPC\.\d+ +BUY/);
        assert.match(client.stdout(), /RPC\.PAPER +balance/);
      } finally {
        client.child.kill("SIGINT");
      }
      const { code } = await client.exit;
      assert.equal(code, 0);
      assert.match(client.stderr(), /SIGINT, closed/);
    } finally {
      server.child.kill("SIGINT");
    }
    const { code } = await server.exit;
    assert.equal(code, 0);
    assert.match(server.stderr(), /SIGINT, closed/);
  });

  test("a client started before its server connects once the server is up", GUARD, async () => {
    const [req, sub] = (await freePorts(2)).map((port) => `tcp://127.0.0.1:${port}`);
    const client = tickwire("client", "--req", req, "--sub", sub);
    const server = tickwire("serve", "--rep", req, "--pub", sub, "--tick-rate", "20", "--instruments", "rb2410.SHFE");
    try {
      await client.until(/rb2410\.SHFE +[\d,.]+/);
    } finally {
      client.child.kill("SIGINT");
      server.child.kill("SIGINT");
    }
    assert.equal((await client.exit).code, 0);
    assert.equal((await server.exit).code, 0);
  });

  test("with CURVE keys from tickwire keygen, an allowed client trades and the server says CURVE", GUARD, async () => {
    const dir = mkdtempSync(join(tmpdir(), "tw-cli-keys-"));
    try {
      for (const name of ["server", "alice"]) {
        const gen = tickwire("keygen", name, "--dir", dir);
        assert.equal((await gen.exit).code, 0);
        assert.match(gen.stdout(), /wrote .*\.key_secret/);
      }
      const server = tickwire(
        "serve",
        "--rep",
        "tcp://127.0.0.1:*",
        "--pub",
        "tcp://127.0.0.1:*",
        "--tick-rate",
        "20",
        "--instruments",
        "rb2410.SHFE",
        "--curve-secret",
        join(dir, "server.key_secret"),
        "--allow",
        join(dir, "alice.key"),
      );
      try {
        const [, req, sub] = await server.until(ENDPOINTS);
        assert.match(server.stdout(), /\(CURVE\)/);
        const client = tickwire("client", "--req", req, "--sub", sub, "--server-key", join(dir, "server.key"), "--curve-secret", join(dir, "alice.key_secret"));
        try {
          await client.until(/rb2410\.SHFE +[\d,.]+/);
        } finally {
          client.child.kill("SIGINT");
        }
        assert.equal((await client.exit).code, 0);
      } finally {
        server.child.kill("SIGINT");
      }
      assert.equal((await server.exit).code, 0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
