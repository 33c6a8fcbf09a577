// The spawner lives in test/support/tickwire.ts; this path stays for the files that import it from here.
export { CLI, ROOT, tickwire, type Proc } from "../support/tickwire.js";
