import { test } from "node:test";
import assert from "node:assert/strict";
import { tickwire } from "../support/tickwire.js";

/** A guard against a hung child, not a speed requirement. */
const GUARD = { timeout: 60_000 };

test("tickwire run --web prints the URL with its token on its own line and the API answers to that token", GUARD, async () => {
  const run = tickwire("run", "--json", "--no-demo-orders", "--web", "--web-port", "0");
  await run.until(/^http:\/\/127\.0\.0\.1:\d+\/\?token=\S+$/m);
  const url = new URL(run.stdout().match(/^http:\/\/127\.0\.0\.1:\d+\/\?token=\S+$/m)![0]);
  const token = url.searchParams.get("token")!;
  const refused = await fetch(`${url.origin}/api/contracts`);
  assert.equal(refused.status, 401);
  const res = await fetch(`${url.origin}/api/contracts`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(res.status, 200);
  assert.ok(((await res.json()) as unknown[]).length > 0);
  run.child.kill("SIGINT");
  assert.equal((await run.exit).code, 0);
});

test("tickwire run --web refuses a non-loopback address without a password and exits 2", GUARD, async () => {
  const run = tickwire("run", "--json", "--no-demo-orders", "--web", "--web-port", "0", "--web-host", "0.0.0.0");
  const { code } = await run.exit;
  assert.equal(code, 2);
  assert.match(run.stderr(), /without a password/);
});
