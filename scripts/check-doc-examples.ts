/**
 * `npm run check:docs`: every ```ts block of README.md and docs/*.md, as a user would copy it.
 *
 * Each block is written into a temporary consumer project whose node_modules/tickwire links to this
 * package (its "exports" map, so dist/ must be built), type-checked with `tsc --strict` (every
 * import must be `tickwire` / `tickwire/…`, a `node:` built-in or a file another block of the same
 * page names), and run with `node --import tsx` (timeout 60 s) unless marked otherwise. Where a line
 * says `// prints: TEXT`, the output must contain TEXT, in the order of the comments.
 *
 * Markers, written after the fence's language (```ts no-run):
 * - `fragment`: not checked at all (a signature or a piece of a larger example); keep them few.
 * - `no-run`: type-checked, not run (needs something a consumer project has not got).
 * - `sigint`: a program that runs until Ctrl+C (`await main.run()`): once every `// prints:` text
 *   has appeared and then MainEngine.run()'s log line "Running until SIGINT…", it is sent SIGINT
 *   and must exit with code 0.
 * A block whose first line is `// name.ts` is a module file of that name, imported by later blocks
 * of the page as "./name.js"; it is type-checked, not run.
 *
 * Usage: tsx scripts/check-doc-examples.ts [--no-run] [--keep] [--only README.md] [files…]
 * Exit code 1 with one line per failure: `FILE:LINE (block at FILE:FENCE_LINE): what`.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const RUN_TIMEOUT_MS = 60_000;

export interface DocBlock {
  /** The markdown file, relative to the repository root. */
  file: string;
  /** 1-based line of the opening fence. */
  fence: number;
  code: string;
  flags: Set<string>;
  /** The module file name from a first line `// name.ts`, if any. */
  moduleName?: string;
  /** Texts of `// prints:` comments, in order. */
  prints: string[];
}

export interface CheckResult {
  blocks: DocBlock[];
  fragments: DocBlock[];
  compiled: number;
  ran: number;
  failures: string[];
}

const FLAGS = new Set(["fragment", "no-run", "sigint"]);

/** The ```ts blocks of one markdown text. */
export function extractBlocks(file: string, text: string): { blocks: DocBlock[]; errors: string[] } {
  const blocks: DocBlock[] = [];
  const errors: string[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const m = /^(\s*)```(ts|typescript)(?:\s+(.*))?$/.exec(lines[i]);
    if (!m) continue;
    const fence = i + 1;
    const flags = new Set((m[3] ?? "").split(/\s+/).filter(Boolean));
    for (const f of flags) if (!FLAGS.has(f)) errors.push(`${file}:${fence}: unknown marker "${f}" after \`\`\`ts (known: ${[...FLAGS].join(", ")})`);
    // <!-- fragment --> on the line before (blank lines allowed) marks a fragment too
    for (let j = i - 1; j >= 0 && j >= i - 3; j--) {
      if (/^\s*$/.test(lines[j])) continue;
      if (/^\s*<!--\s*fragment\s*-->\s*$/.test(lines[j])) flags.add("fragment");
      break;
    }
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length && !/^\s*```\s*$/.test(lines[j]); j++) body.push(lines[j].slice(m[1].length));
    if (j >= lines.length) errors.push(`${file}:${fence}: the \`\`\`ts block is never closed`);
    i = j;
    const code = body.join("\n");
    const name = /^\/\/\s*([\w.-]+\.ts)\s*$/.exec(body[0] ?? "")?.[1];
    const prints = body.flatMap((l) => {
      const p = /\/\/\s*prints:\s*(.*?)\s*$/.exec(l);
      return p ? [p[1]] : [];
    });
    blocks.push({ file, fence, code, flags, moduleName: name, prints });
  }
  return { blocks, errors };
}

function importsOf(code: string): Array<{ spec: string; line: number }> {
  const out: Array<{ spec: string; line: number }> = [];
  code.split("\n").forEach((l, i) => {
    for (const m of l.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)["']([^"']+)["']/g)) out.push({ spec: m[1], line: i + 1 });
  });
  return out;
}

function link(target: string, path: string): void {
  mkdirSync(dirname(path), { recursive: true });
  if (!existsSync(path)) symlinkSync(target, path, "dir");
}

function slug(file: string): string {
  return file.replace(/\.md$/, "").replace(/[^\w]+/g, "_");
}

/** The consumer project: node_modules/tickwire → this repository (its exports), tsx and @types/node for checking and running. */
function makeConsumer(dir: string, tickwire: string): void {
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "doc-examples", version: "1.0.0", private: true, type: "module" }, null, 2));
  link(tickwire, join(dir, "node_modules", "tickwire"));
  link(join(ROOT, "node_modules", "tsx"), join(dir, "node_modules", "tsx"));
  link(join(ROOT, "node_modules", "@types", "node"), join(dir, "node_modules", "@types", "node"));
}

async function runBlock(cwd: string, file: string, b: DocBlock, env: Record<string, string> = {}): Promise<string | null> {
  const where = `${b.file}:${b.fence + 1} (block at ${b.file}:${b.fence})`;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", file], {
      cwd,
      env: { ...process.env, ...env, NO_COLOR: "1", FORCE_COLOR: "0" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    let signalled = false;
    const seen = () => {
      let at = 0;
      for (const p of b.prints) {
        const k = out.indexOf(p, at);
        if (k < 0) return false;
        at = k + p.length;
      }
      return out.indexOf("Running until SIGINT", at) >= 0;
    };
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      out += d;
      if (b.flags.has("sigint") && !signalled && seen()) {
        signalled = true;
        child.kill("SIGINT");
      }
    });
    child.stderr.setEncoding("utf8").on("data", (d: string) => void (err += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), RUN_TIMEOUT_MS);
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      const tail = `\n    stdout: ${out.slice(-1500).replace(/\n/g, "\n    | ")}\n    stderr: ${err.slice(-1500).replace(/\n/g, "\n    | ")}`;
      if (signal === "SIGKILL")
        return resolve(
          `${where}: did not exit within ${RUN_TIMEOUT_MS / 1000} s (a runnable example must end: close what it opened, or mark it \`\`\`ts no-run / sigint)${tail}`,
        );
      if (b.flags.has("sigint") && !signalled)
        return resolve(`${where}: exited (code ${code}) before it was sent SIGINT; a \`\`\`ts sigint block runs until Ctrl+C${tail}`);
      if (code !== 0) return resolve(`${where}: exited with code ${code ?? signal}${tail}`);
      let at = 0;
      for (const p of b.prints) {
        const k = out.indexOf(p, at);
        if (k < 0) {
          const line = b.fence + 1 + b.code.split("\n").findIndex((l) => l.includes(`prints: ${p}`));
          return resolve(`${b.file}:${line} (block at ${b.file}:${b.fence}): the output lacks "${p}" (after what the earlier // prints: matched)${tail}`);
        }
        at = k + p.length;
      }
      resolve(null);
    });
  });
}

/** Check the blocks of the given markdown files (relative to the repository root). */
export async function checkDocExamples(
  files: string[],
  opts: {
    run?: boolean;
    keep?: boolean;
    log?: (s: string) => void;
    /** The tickwire package the examples import: default this repository; check:pack passes the one installed from the tarball. */
    tickwire?: string;
    /** Only the blocks this picks (default all). */
    filter?: (b: DocBlock) => boolean;
    /** More environment for the runs (e.g. TICKWIRE_AMQP_URL, so the bus examples use RabbitMQ). */
    env?: Record<string, string>;
  } = {},
): Promise<CheckResult> {
  const log = opts.log ?? (() => {});
  const failures: string[] = [];
  const blocks: DocBlock[] = [];
  for (const f of files) {
    const r = extractBlocks(f, readFileSync(resolve(ROOT, f), "utf8"));
    blocks.push(...(opts.filter ? r.blocks.filter(opts.filter) : r.blocks));
    failures.push(...r.errors);
  }
  const fragments = blocks.filter((b) => b.flags.has("fragment"));
  const checked = blocks.filter((b) => !b.flags.has("fragment"));
  if (opts.tickwire === undefined && !existsSync(join(ROOT, "dist", "index.d.ts"))) {
    failures.push("dist/ is not built: run `npm run build` first (the examples import the package through its exports)");
    return { blocks, fragments, compiled: 0, ran: 0, failures };
  }
  const work = mkdtempSync(join(tmpdir(), "tickwire-doc-examples-"));
  try {
    makeConsumer(work, opts.tickwire ?? ROOT);
    const fileOf = new Map<DocBlock, string>();
    const byPage = new Map<string, DocBlock[]>();
    for (const b of checked) byPage.set(b.file, [...(byPage.get(b.file) ?? []), b]);
    for (const [page, bs] of byPage) {
      const dir = join(work, slug(page));
      mkdirSync(dir, { recursive: true });
      const modules = new Set(bs.flatMap((b) => (b.moduleName ? [b.moduleName.replace(/\.ts$/, ".js")] : [])));
      for (const b of bs) {
        const name = b.moduleName ?? `block-${String(b.fence).padStart(4, "0")}.ts`;
        if (existsSync(join(dir, name))) failures.push(`${b.file}:${b.fence + 1} (block at ${b.file}:${b.fence}): a second block names the module ${name}`);
        // `export {}` keeps a block without imports a module (top-level await, names of its own)
        writeFileSync(join(dir, name), `${b.code}\nexport {};\n`);
        fileOf.set(b, join(dir, name));
        for (const { spec, line } of importsOf(b.code)) {
          const ok = spec === "tickwire" || spec.startsWith("tickwire/") || spec.startsWith("node:") || (spec.startsWith("./") && modules.has(spec.slice(2)));
          if (!ok)
            failures.push(
              `${b.file}:${b.fence + line} (block at ${b.file}:${b.fence}): imports "${spec}"; an example imports only "tickwire/…" subpaths, node: built-ins or "./x.js" of a \`// x.ts\` block on the same page`,
            );
        }
      }
    }
    writeFileSync(
      join(work, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          target: "ES2022",
          module: "NodeNext",
          moduleResolution: "NodeNext",
          lib: ["ES2023"],
          types: ["node"],
          strict: true,
          skipLibCheck: true,
          noEmit: true,
          esModuleInterop: true,
        },
        include: ["*/*.ts"],
      }),
    );
    const tsc = spawnSync(process.execPath, [join(ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.json", "--pretty", "false"], {
      cwd: work,
      encoding: "utf8",
    });
    const tscOut = `${tsc.stdout}${tsc.stderr}`;
    const failedFiles = new Set<string>();
    const byFile = new Map([...fileOf].map(([b, f]) => [relative(work, f), b]));
    for (const line of tscOut.split("\n")) {
      const m = /^(.+?)\((\d+),(\d+)\): (error TS\d+: .*)$/.exec(line);
      if (m && byFile.has(m[1])) {
        const b = byFile.get(m[1])!;
        failedFiles.add(m[1]);
        failures.push(`${b.file}:${b.fence + Number(m[2])}:${m[3]} (block at ${b.file}:${b.fence}): ${m[4]}`);
      } else if (/error TS/.test(line)) failures.push(`tsc: ${line}`);
    }
    if (tsc.status !== 0 && failedFiles.size === 0 && !/error TS/.test(tscOut)) failures.push(`tsc failed (exit ${tsc.status}): ${tscOut.slice(0, 2000)}`);
    const compiled = checked.length - new Set([...failedFiles].map((f) => byFile.get(f))).size;
    log(`type-checked ${checked.length} blocks (tsc --strict), ${compiled} clean`);
    let ran = 0;
    if (opts.run !== false) {
      const runnable = checked.filter((b) => !b.flags.has("no-run") && !b.moduleName);
      // two at a time: the blocks are independent (each page has its directory)
      const queue = [...runnable];
      const worker = async () => {
        for (let b = queue.shift(); b; b = queue.shift()) {
          const f = fileOf.get(b)!;
          const failure = await runBlock(dirname(f), basename(f), b, opts.env);
          ran++;
          log(`${failure ? "FAIL" : "ok  "} run ${b.file}:${b.fence}`);
          if (failure) failures.push(failure);
        }
      };
      await Promise.all([worker(), worker()]);
    }
    return { blocks, fragments, compiled, ran, failures };
  } finally {
    if (opts.keep) log(`kept ${work}`);
    else rmSync(work, { recursive: true, force: true });
  }
}

/** README.md and every docs/*.md. */
export function docFiles(): string[] {
  return [
    "README.md",
    ...readdirSync(join(ROOT, "docs"))
      .filter((f) => f.endsWith(".md"))
      .sort()
      .map((f) => `docs/${f}`),
  ];
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const argv = process.argv.slice(2);
  const files = argv.filter((a) => !a.startsWith("--"));
  const r = await checkDocExamples(files.length ? files : docFiles(), { run: !argv.includes("--no-run"), keep: argv.includes("--keep"), log: console.log });
  console.log(
    `blocks: ${r.blocks.length}; fragments (not checked): ${r.fragments.length}; type-checked: ${r.blocks.length - r.fragments.length}, clean: ${r.compiled}; run: ${r.ran}`,
  );
  for (const f of r.fragments) console.log(`  fragment ${f.file}:${f.fence}`);
  if (r.failures.length) {
    console.error(`\n${r.failures.length} failure(s):\n${r.failures.join("\n")}`);
    process.exit(1);
  }
}
