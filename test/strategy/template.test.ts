import { test } from "node:test";
import assert from "node:assert/strict";
import { CtaTemplate, createStrategy, getClassParameters, TW_STRATEGY_BAD_OPTION, type StrategyHost } from "../../src/strategy/index.js";
import type { BarData } from "../../src/trader/index.js";
import { isTickwireError } from "../../src/event/errors.js";
import { RecordingHost, randomBars } from "./host.js";

class FieldStrategy extends CtaTemplate {
  static override author = "test";
  static override parameters = ["fastWindow", "slowWindow", "label"];
  static override variables = ["seen"];
  fastWindow = 10;
  slowWindow = 30;
  label = "x";
  notAParameter = 1;
  seen = 0;
  override onBar(_bar: BarData): void {
    this.seen++;
  }
}

function make(host: StrategyHost, setting: Record<string, unknown>): FieldStrategy {
  return createStrategy(FieldStrategy, host, "s1", "rb2410.SHFE", setting);
}

test("parameters declared as class fields with defaults get the values of the setting", () => {
  const s = make(new RecordingHost(), { fastWindow: 5, label: "y" });
  assert.equal(s.fastWindow, 5);
  assert.equal(s.slowWindow, 30);
  assert.equal(s.label, "y");
});

test("a setting sets only the names listed in parameters", () => {
  const s = make(new RecordingHost(), { notAParameter: 7, pos: 3 });
  assert.equal(s.notAParameter, 1);
  assert.equal(s.pos, 0);
});

test("a setting of the wrong type is refused with TW_STRATEGY_BAD_OPTION", () => {
  assert.throws(
    () => make(new RecordingHost(), { fastWindow: "5" }),
    (e) => isTickwireError(e, TW_STRATEGY_BAD_OPTION),
  );
});

test("orders are sent only while trading and return the host's ids", () => {
  const host = new RecordingHost();
  const s = make(host, {});
  assert.deepEqual(s.buy(100, 1), []);
  s.cancelAll();
  assert.equal(host.orders.length, 0);
  assert.deepEqual(host.cancels, []);
  s.trading = true;
  assert.deepEqual(s.buy(100, 1), ["TEST.1"]);
  assert.deepEqual(s.short(99, 2, { stop: true }), ["TEST.2"]);
  assert.deepEqual(
    host.orders.map((o) => [o.direction, o.offset, o.stop]),
    [
      ["LONG", "OPEN", false],
      ["SHORT", "OPEN", true],
    ],
  );
  s.sell(1, 1);
  s.cover(1, 1);
  assert.deepEqual(
    host.orders.slice(2).map((o) => [o.direction, o.offset]),
    [
      ["SHORT", "CLOSE"],
      ["LONG", "CLOSE"],
    ],
  );
});

test("getData reports class, author, parameters and variables with inited, trading and pos first", () => {
  const s = make(new RecordingHost(), { slowWindow: 40 });
  const d = s.getData();
  assert.equal(d.className, "FieldStrategy");
  assert.equal(d.author, "test");
  assert.deepEqual(d.parameters, { fastWindow: 10, slowWindow: 40, label: "x" });
  assert.deepEqual(Object.keys(d.variables), ["inited", "trading", "pos", "seen"]);
});

test("loadBar replays the host's bars synchronously when the host has them at hand", () => {
  const host = new RecordingHost();
  host.bars = randomBars(5);
  const s = make(host, {});
  const r = s.loadBar(1);
  assert.equal(r, undefined);
  assert.equal(s.seen, 5);
});

test("loadBar returns a promise that replays every bar when the host's history is asynchronous", async () => {
  const host = new RecordingHost();
  host.bars = randomBars(5);
  host.asyncHistory = true;
  const s = make(host, {});
  await s.loadBar(1);
  assert.equal(s.seen, 5);
});

test("getClassParameters gives the defaults of the class fields", () => {
  assert.deepEqual(getClassParameters(FieldStrategy), { fastWindow: 10, slowWindow: 30, label: "x" });
});
