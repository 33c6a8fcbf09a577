import type { Event } from "../event/Event.js";
import type { MainEngine } from "../trader/MainEngine.js";

/** Keyed duplicates ("eTick.rb2410.SHFE") of general events and timer beats stay out of the JSON stream. */
function streamed(type: string): boolean {
  if (type === "eTimer") return false;
  const dot = type.indexOf(".");
  return dot === -1 || dot === type.length - 1;
}

/**
 * `--json` of `tickwire run` and `tickwire client`: every event of `main` as one JSON line
 * `{ type, data }` on stdout, until the returned stop is called. It also holds the process open
 * (a sim's timers are unref'd) until then.
 */
export function streamEvents(main: MainEngine): () => void {
  const write = (e: Event) => {
    if (streamed(e.type)) process.stdout.write(JSON.stringify({ type: e.type, data: e.data }) + "\n");
  };
  main.eventEngine.registerGeneral(write);
  const hold = setInterval(() => {}, 60_000);
  return () => {
    clearInterval(hold);
    main.eventEngine.unregisterGeneral(write);
  };
}
