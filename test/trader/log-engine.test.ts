import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Event, isTickwireError } from "../../src/event/index.js";
import { LogLevel, MainEngine, createLog, type LogEngineOptions } from "../../src/trader/index.js";

const dirs: string[] = [];
const mains: MainEngine[] = [];
after(async () => {
  for (const main of mains) await main.close();
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function withFile(options: Omit<LogEngineOptions, "file"> = {}): Promise<{ main: MainEngine; file: string }> {
  const dir = await mkdtemp(join(tmpdir(), "tickwire-log-"));
  dirs.push(dir);
  const file = join(dir, "nested", "trader.log");
  const main = new MainEngine(undefined, { log: { console: false, file, ...options }, eventEngine: { interval: null } });
  mains.push(main);
  return { main, file };
}

async function lines(file: string): Promise<Array<Record<string, unknown>>> {
  const text = await readFile(file, "utf8");
  return text
    .split("\n")
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe("LogEngine", () => {
  test("eLog events are written to the file as JSON lines with level, time, source and message", async () => {
    const { main, file } = await withFile();
    main.writeLog("first", "SIM");
    main.writeLog('second, with "quotes"', "MainEngine", LogLevel.ERROR);
    await main.eventEngine.waitForIdle();
    const got = await lines(file);
    assert.equal(got.length, 2);
    assert.deepEqual(
      got.map((l) => [l.level, l.source, l.msg]),
      [
        [30, "SIM", "first"],
        [50, "MainEngine", 'second, with "quotes"'],
      ],
    );
    assert.equal(typeof got[0].time, "number");
  });

  test("the time written is the LogData's own time", async () => {
    const { main, file } = await withFile();
    main.eventEngine.put(new Event("eLog", createLog({ msg: "old", datetime: 1_600_000_000_123, gatewayName: "X" })));
    await main.eventEngine.waitForIdle();
    assert.equal((await lines(file))[0].time, 1_600_000_000_123);
  });

  test("lines below the configured level are not written", async () => {
    const { main, file } = await withFile({ level: LogLevel.WARNING });
    main.writeLog("debug", "X", LogLevel.DEBUG);
    main.writeLog("info", "X", LogLevel.INFO);
    main.writeLog("warning", "X", LogLevel.WARNING);
    main.writeLog("critical", "X", LogLevel.CRITICAL);
    await main.eventEngine.waitForIdle();
    assert.deepEqual(
      (await lines(file)).map((l) => [l.msg, l.level]),
      [
        ["warning", 40],
        ["critical", 60],
      ],
    );
  });

  test("an app's own log event type is written once registered with registerLog", async () => {
    const { main, file } = await withFile();
    main.logEngine!.registerLog("eCtaLog");
    main.eventEngine.put(new Event("eCtaLog" as "eLog", createLog({ msg: "strategy started", gatewayName: "CtaStrategy" })));
    await main.eventEngine.waitForIdle();
    assert.deepEqual(
      (await lines(file)).map((l) => l.msg),
      ["strategy started"],
    );
  });

  test("an unknown level option is refused with TW_TRADER_BAD_OPTION", () => {
    assert.throws(
      () => new MainEngine(undefined, { log: { console: false, level: "LOUD" as LogLevel }, eventEngine: { interval: null } }),
      (err: unknown) => isTickwireError(err, "TW_TRADER_BAD_OPTION"),
    );
  });

  test("the pretty console shows the source and message, and the logger never keeps a process alive", async () => {
    const entry = fileURLToPath(new URL("../../src/trader/index.ts", import.meta.url));
    const script = `
      import { MainEngine } from ${JSON.stringify(entry)};
      const main = new MainEngine();
      main.writeLog("hello from the child", "CHILD");
      await main.eventEngine.waitForIdle();
      await main.close();
    `;
    const { code, stdout } = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
      const child = execFile(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { timeout: 30_000 }, (error, out) => {
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout: out });
      });
      child.stdin?.end();
    });
    assert.equal(code, 0);
    assert.match(stdout, /CHILD \| hello from the child/);
  });
});
