import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { num, renderView, signed, startView } from "../../src/cli/view.js";
import { compactData } from "../../src/cli/listen.js";
import { SimGateway } from "../../src/gateways/sim/index.js";
import { MainEngine } from "../../src/trader/index.js";
import { tickwire } from "./tickwire.js";

const engines: MainEngine[] = [];
after(async () => {
  await Promise.all(engines.map((e) => e.close()));
});

describe("the console view", () => {
  test("a value that rounds to zero shows as 0.00, never -0.00 or +0.00", () => {
    assert.equal(num(-0.001, 2), "0.00");
    assert.equal(num(-0, 2), "0.00");
    assert.equal(signed(-0.004, 2), "0.00");
    assert.equal(signed(0.004, 2), "0.00");
    assert.equal(signed(-0.006, 2), "-0.01");
    assert.equal(signed(1234.5, 2), "+1,234.50");
  });

  test("the LOG section is always there, and a view started late shows what was logged before it", async () => {
    const main = new MainEngine(undefined, { log: { console: false } });
    engines.push(main);
    main.addGateway(SimGateway);
    const empty = renderView(main, { eventsPerSecond: 0, queueDepth: 0, now: Date.now(), logs: [] });
    assert.ok(empty.includes("  (nothing logged yet)"), empty.join("\n"));
    await main.connect({ instruments: "rb2410.SHFE", seed: 1 }, "SIM");
    let out = "";
    let drew!: () => void;
    const drawn = new Promise<void>((resolve) => (drew = resolve));
    const stop = startView(main, {
      out: { write: (s: string) => ((out += s), drew(), true), isTTY: false, columns: 0 } as never,
      tty: false,
      interval: 60_000,
    });
    await drawn;
    stop();
    assert.match(out, /LOG \(wall clock, UTC\)\n[^]*MainEngine: Connecting gateway SIM\n[^]*SIM: Paper exchange open/);
  });
});

describe("tickwire listen lines", () => {
  test("compact data leaves out zero and empty fields and is cut to the width", () => {
    assert.equal(compactData({ p: 1, q: 0, s: "", n: null, ok: false, a: [] }, 100), '{"p":1}');
    const long = compactData({ vtSymbol: "rb2410.SHFE", text: "x".repeat(500) }, 60);
    assert.equal(long.length, 60);
    assert.ok(long.endsWith("…"));
    assert.equal(compactData("plain", 10), '"plain"');
  });
});

describe("tickwire keygen", () => {
  test("says where the secret key went and to keep it out of version control", { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "tickwire-keygen-newbie16-"));
    try {
      const p = tickwire("keygen", "k", "--dir", dir);
      assert.equal((await p.exit).code, 0, p.stderr());
      assert.match(p.stdout(), /wrote \S+k\.key_secret/);
      assert.match(
        p.stderr(),
        new RegExp(`the secret key is in ${dir.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}; keep it out of version control \\(add "[^"]+/" to \\.gitignore`),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
