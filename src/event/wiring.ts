import { EVENT_TIMER, Event } from "./Event.js";
import type { Mountable } from "./Blueprint.js";
import type { Handler, HandlerTable } from "./HandlerTable.js";

/** Something that runs handlers elsewhere (a worker pool, a child process) and returns results. */
export interface RemoteDispatcher {
  dispatch(type: string, data: unknown, options?: { context?: Readonly<Record<string, unknown>> }): PromiseLike<unknown[]>;
}

/** The part of another engine that `listen` uses. */
export interface ListenedEngine {
  readonly name: string;
  registerGeneral(handler: Handler): void;
  unregisterGeneral(handler: Handler): void;
}

export interface ListenOptions {
  /** The types to take (a list or a predicate). Default: every type but the timer's. */
  allow?: readonly string[] | ((type: string) => boolean);
}

/** Blueprints mounted on one engine, each with the handlers it registered. */
export class Mounts {
  private readonly mounted = new Map<Mountable, ReturnType<Mountable["entries"]>>();

  constructor(private readonly table: HandlerTable) {}

  mount(bp: Mountable): void {
    if (this.mounted.has(bp)) return;
    const entries = bp.entries();
    for (const [type, h] of entries) {
      if (type === null) this.table.addGeneral(h as Handler);
      else this.table.add(type, h as Handler);
    }
    this.mounted.set(bp, entries);
  }

  unmount(bp: Mountable): void {
    const entries = this.mounted.get(bp);
    if (entries === undefined) return;
    for (const [type, h] of entries) {
      if (type === null) this.table.removeGeneral(h as Handler);
      else this.table.remove(type, h as Handler);
    }
    this.mounted.delete(bp);
  }
}

/** Registers one handler for `types` that hands their events to `target`; returns its undo. */
export function routeTo(table: HandlerTable, types: readonly string[], target: RemoteDispatcher): () => void {
  const handler: Handler = function routed(event) {
    return event.context === undefined ? target.dispatch(event.type, event.data) : target.dispatch(event.type, event.data, { context: event.context });
  };
  for (const t of types) table.add(t, handler);
  return () => {
    for (const t of types) table.remove(t, handler);
  };
}

/** Puts into `here` (named `hereName`) every allowed event `other` dispatches, with
 * `context.origin` and `context.route`; an event never goes back where it came from. */
export function listenTo(hereName: string, put: (event: Event) => void, other: ListenedEngine, options: ListenOptions): () => void {
  const allow = options.allow;
  const allowed = allow === undefined ? () => true : typeof allow === "function" ? allow : (t: string) => allow.includes(t);
  const forward: Handler = (event) => {
    if (!allowed(event.type) || event.type === EVENT_TIMER) return;
    const route = (event.context?.route as readonly string[] | undefined) ?? [];
    if (route.includes(hereName)) return; // it came from here: forwarding it back would loop
    const context = { ...event.context, origin: other.name, route: [...route, other.name] };
    put(new Event(event.type, event.data, context));
  };
  other.registerGeneral(forward);
  return () => other.unregisterGeneral(forward);
}
