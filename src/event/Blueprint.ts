import type { Event } from "./Event.js";

type AnyHandler = (event: Event<never, never>) => unknown;

const DECLARED = Symbol("tickwire.handlers");

interface Declaring {
  [DECLARED]?: Array<[string | null, AnyHandler]>;
}

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

  /** A blueprint of the handlers an object's methods declared with `@handles`. */
  static from(object: object, name = object.constructor.name || "blueprint"): Blueprint {
    const bp = new Blueprint(name);
    bp.list.push(...((object as Declaring)[DECLARED] ?? []));
    return bp;
  }

  /** The declared handlers, in declaration order (`null` type = general). */
  entries(): Array<[string | null, AnyHandler]> {
    return this.list.map(([t, h]) => [t, h]);
  }
}

/**
 * A method decorator (TypeScript 5 standard decorators) that declares the method a handler of
 * `type` (or of every event when `type` is omitted), bound to its instance. Collect an object's
 * declared handlers with `Blueprint.from(object)`:
 *
 *     class Strategy {
 *       @handles("eTick.") onTick(e: Event<TickData>) { ... }
 *       @handles() onAny(e: Event) { ... }
 *     }
 *     engine.mount(Blueprint.from(new Strategy()));
 */
export function handles(type?: string) {
  return function declare<This extends object>(method: (this: This, event: Event<never, never>) => unknown, context: ClassMethodDecoratorContext<This>): void {
    context.addInitializer(function (this: This) {
      const self = this as This & Declaring;
      (self[DECLARED] ??= []).push([type ?? null, method.bind(this) as AnyHandler]);
    });
  };
}
