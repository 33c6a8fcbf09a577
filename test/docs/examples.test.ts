/**
 * Every ```ts block of README.md and docs/*.md compiles with tsc --strict in a consumer project
 * that imports `tickwire/…`, and runs (scripts/check-doc-examples.ts). Needs `npm run build`.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkDocExamples, docFiles, extractBlocks } from "../../scripts/check-doc-examples.js";
import { AMQP_URL, skipRabbit } from "../bus/rabbit.js";

describe("doc examples", () => {
  test("the extractor reads markers, module names and // prints: comments, with the fence line", () => {
    const md = [
      "# t",
      "",
      "```ts no-run",
      "const a = 1; // prints: 1",
      "```",
      "",
      "<!-- fragment -->",
      "```ts",
      "x.y",
      "```",
      "```ts",
      "// h.ts",
      "export const h = 1;",
      "```",
      "```ts bogus",
      "```",
    ].join("\n");
    const { blocks, errors } = extractBlocks("t.md", md);
    assert.equal(blocks.length, 4);
    assert.equal(blocks[0].fence, 3);
    assert.ok(blocks[0].flags.has("no-run"));
    assert.deepEqual(blocks[0].prints, ["1"]);
    assert.ok(blocks[1].flags.has("fragment"));
    assert.equal(blocks[2].moduleName, "h.ts");
    assert.deepEqual(errors, ['t.md:15: unknown marker "bogus" after ```ts (known: fragment, no-run, sigint)']);
  });

  test("a failing block is reported with its file, line and block", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tickwire-doc-test-"));
    try {
      const md = join(dir, "bad.md");
      writeFileSync(
        md,
        [
          "# bad", // 1
          "```ts", // 2
          'import { Event } from "tickwire/event";', // 3
          'const n: string = new Event("a", 1).type.length;', // 4: a number is not a string
          "```", // 5
          "```ts", // 6
          'import { Event } from "./src/event/index.js";', // 7: not a tickwire import
          "console.log(Event);", // 8
          "```", // 9
          "```ts", // 10
          'console.log("hello"); // prints: goodbye', // 11
          "```", // 12
        ].join("\n"),
      );
      const r = await checkDocExamples([md]);
      const text = r.failures.join("\n");
      assert.match(text, new RegExp(`${md}:4:\\d+ \\(block at ${md}:2\\): error TS2322`));
      assert.match(text, new RegExp(`${md}:7 \\(block at ${md}:6\\): imports "./src/event/index.js"`));
      assert.match(text, new RegExp(`${md}:11 \\(block at ${md}:10\\): the output lacks "goodbye"`));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("every ```ts block of README.md and docs/ type-checks and the runnable ones run as written", { timeout: 600_000 }, async () => {
    // The bus examples take TICKWIRE_AMQP_URL (memory:// without it): on RabbitMQ when it is up
    // (in CI it must be: test/bus/rabbit.ts fails loudly), in memory otherwise.
    if (skipRabbit) console.log(`doc examples: the bus examples run in memory; ${skipRabbit}`);
    const r = await checkDocExamples(docFiles(), skipRabbit ? {} : { env: { TICKWIRE_AMQP_URL: AMQP_URL } });
    assert.deepEqual(r.failures, [], `doc examples failed:\n${r.failures.join("\n")}`);
    assert.ok(r.ran > 0);
    console.log(
      `doc examples: ${r.blocks.length} blocks, ${r.blocks.length - r.fragments.length} type-checked, ${r.ran} run; fragments: ${r.fragments.map((f) => `${f.file}:${f.fence}`).join(", ")}`,
    );
  });
});
