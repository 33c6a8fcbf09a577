import type { Event, HandlerErrorData, SlowHandlerData, TimerData } from "./Event.js";

/** Payload types by event type. Template-literal keys (`eTick.${string}`) are allowed. */
export type EventMap = Record<string, unknown>;

/** The events every engine knows, whatever its map says. */
export interface BuiltinEvents {
  eTimer: TimerData;
  eHandlerError: HandlerErrorData;
  eSlowHandler: SlowHandlerData;
}

export type AllEvents<M> = M & BuiltinEvents;
export type EventType<M> = keyof AllEvents<M> & string;
export type Handler<T = unknown, K extends string = string> = (event: Event<T, K>) => unknown;
/** A general handler sees every event, so its payload is the union of the map's payloads. */
export type GeneralHandler<M = EventMap> = (event: Event<AllEvents<M>[EventType<M>], EventType<M>>) => unknown;

/** How many handler-less types stats() counts one by one; the rest are counted together. Keyed
 * types (`eOrder.` + every order id) would otherwise grow the engine without bound. */
export const MAX_COUNTED_UNHANDLED_TYPES = 1024;

const NO_HANDLERS: Handler[] = [];

/** One event type: its handlers, the list a dispatch runs, and how many events it had. */
export interface TypeSlot {
  handlers: Handler[];
  /** The type's handlers then the general ones: the list a dispatch runs, rebuilt on change. */
  all: Handler[];
  dispatched: number;
}

/**
 * Who handles what: handlers by exact type in registration order, then the general handlers.
 * Lists are copied on write, so a dispatch in progress keeps iterating the list it started with.
 */
export class HandlerTable {
  /** Types with handlers, in a null-prototype dictionary: on the hot path a keyed property load beats Map#get. */
  private readonly slots: Record<string, TypeSlot | undefined> = Object.create(null) as Record<string, TypeSlot | undefined>;
  /** Dispatch counts of types without handlers (bounded), each with the general handlers as its list. */
  private readonly unhandled = new Map<string, TypeSlot>();
  /** Handler-less types past the bound share this slot. */
  private readonly otherTypes: TypeSlot = { handlers: NO_HANDLERS, all: [], dispatched: 0 };
  private lastType: string | undefined = undefined;
  private lastSlot: TypeSlot | undefined = undefined;
  private general: Handler[] = [];

  /** Adds `h` for events of exactly `type`; a second time is a no-op. */
  add(type: string, h: Handler): void {
    const slot = this.slots[type];
    if (slot === undefined) {
      const counted = this.unhandled.get(type);
      this.unhandled.delete(type);
      this.slots[type] = { handlers: [h], all: [h, ...this.general], dispatched: counted?.dispatched ?? 0 };
      this.lastType = undefined;
      return;
    }
    if (slot.handlers.includes(h)) return;
    slot.handlers = [...slot.handlers, h];
    slot.all = [...slot.handlers, ...this.general];
  }

  /** Removes `h` from `type`; removing the last one removes the type. Unknown: no-op. */
  remove(type: string, h: Handler): void {
    const slot = this.slots[type];
    if (slot === undefined) return;
    const i = slot.handlers.indexOf(h);
    if (i < 0) return;
    if (slot.handlers.length === 1) {
      // The last handler: the type goes; its count stays with the handler-less ones.
      delete this.slots[type];
      this.lastType = undefined;
      this.countedUnhandled(type).dispatched += slot.dispatched;
      return;
    }
    slot.handlers = slot.handlers.filter((_, j) => j !== i);
    slot.all = [...slot.handlers, ...this.general];
  }

  addGeneral(h: Handler): void {
    if (!this.general.includes(h)) this.setGeneral([...this.general, h]);
  }

  removeGeneral(h: Handler): void {
    const i = this.general.indexOf(h);
    if (i >= 0) this.setGeneral(this.general.filter((_, j) => j !== i));
  }

  private setGeneral(list: Handler[]): void {
    this.general = list;
    for (const slot of Object.values(this.slots)) slot!.all = [...slot!.handlers, ...list];
    for (const slot of this.unhandled.values()) slot.all = list;
    this.otherTypes.all = list;
  }

  /** The types that have at least one handler. */
  types(): string[] {
    return Object.keys(this.slots);
  }

  /** The handlers of `type`, in the order they run (a copy). */
  handlersOf(type: string): Handler[] {
    return [...(this.slots[type]?.handlers ?? [])];
  }

  has(type: string): boolean {
    return this.slots[type] !== undefined;
  }

  /** The slot of a type. Runs of one type (ticks) skip the lookup; every change of registration
   * clears that cache. A type without handlers gets a counting slot (bounded). */
  slotFor(type: string): TypeSlot {
    if (type === this.lastType) return this.lastSlot!;
    const slot = this.slots[type] ?? this.countedUnhandled(type);
    this.lastType = type;
    this.lastSlot = slot;
    return slot;
  }

  private countedUnhandled(type: string): TypeSlot {
    let slot = this.unhandled.get(type);
    if (slot === undefined) {
      if (this.unhandled.size >= MAX_COUNTED_UNHANDLED_TYPES) return this.otherTypes;
      slot = { handlers: NO_HANDLERS, all: this.general, dispatched: 0 };
      this.unhandled.set(type, slot);
    }
    return slot;
  }

  /** Dispatch counts: every type with handlers and the first handler-less ones; the rest together. */
  counts(): { byType: Record<string, number>; otherTypes: number } {
    const byType: Record<string, number> = {};
    for (const [type, slot] of Object.entries(this.slots)) if (slot!.dispatched > 0) byType[type] = slot!.dispatched;
    for (const [type, slot] of this.unhandled) if (slot.dispatched > 0) byType[type] = slot.dispatched;
    return { byType, otherTypes: this.otherTypes.dispatched };
  }
}
