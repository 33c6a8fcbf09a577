import { test } from "node:test";
import assert from "node:assert/strict";
import { topicMatches } from "../../src/bus/index.js";

const cases: Array<[string, string, boolean]> = [
  ["#", "", true],
  ["#", "SIM.rb2410", true],
  ["SIM.*", "SIM.rb2410", true],
  ["SIM.*", "SIM.rb2410.x", false],
  ["SIM.*", "SIM", false],
  ["SIM.#", "SIM", true],
  ["SIM.#", "SIM.a.b.c", true],
  ["*.rb2410", "SIM.rb2410", true],
  ["*.rb2410", "rb2410", false],
  ["#.rb2410", "rb2410", true],
  ["#.rb2410", "A.B.rb2410", true],
  ["#.rb2410.#", "A.rb2410.B", true],
  ["#.rb2410.#", "A.rb2411.B", false],
  ["a.#.z", "a.z", true],
  ["a.#.z", "a.b.c.z", true],
  ["a.#.z", "a.b.c.y", false],
  ["a.*.#", "a", false],
  ["a.*.#", "a.b", true],
  ["SIM.rb2410", "SIM.rb2410", true],
  ["SIM.rb2410", "SIM.rb2411", false],
  ["#.#", "x", true],
];

test("binding keys with * and # match routing keys as RabbitMQ's topic exchange does", () => {
  for (const [binding, key, want] of cases) assert.equal(topicMatches(binding, key), want, `${binding} vs ${key}`);
});
