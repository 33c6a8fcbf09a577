import type { Event } from "./Event.js";

type AnyHandler = (event: Event<never, never>) => unknown;

/** What `engine.mount` takes: a list of (type or null for general, handler). */
export interface Mountable {
  entries(): Array<[string | null, AnyHandler]>;
}

/**
 * Handlers declared in a module, apart from any engine, and mounted on one at once
 * (`engine.mount(bp)`), then removed together (`engine.unmount(bp)`). The same blueprint can be
 * mounted on several engines.
 */
export class Blueprint<M extends object = Record<string, unknown>> implements Mountable {
  readonly name: string;
  private readonly list: Array<[string | null, AnyHandler]> = [];

  constructor(name = "blueprint") {
    this.name = name;
  }

  /** Declares a handler for events of exactly `type`. */
  on<K extends keyof M & string>(type: K, handler: (event: Event<M[K], K>) => unknown): this {
    this.list.push([type, handler as AnyHandler]);
    return this;
  }

  /** Declares a general handler (every event). */
  onAny(handler: (event: Event<M[keyof M], keyof M & string>) => unknown): this {
    this.list.push([null, handler as AnyHandler]);
    return this;
  }

  /** The declared handlers, in declaration order (`null` type = general). */
  entries(): Array<[string | null, AnyHandler]> {
    return this.list.map(([t, h]) => [t, h]);
  }
}
