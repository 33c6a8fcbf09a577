// The waiting helpers live in test/support/wait.ts; this path stays for the files that import them from here.
export { sleep, until } from "../support/wait.js";
