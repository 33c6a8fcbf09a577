import type { Channel, ChannelModel, Options } from "amqplib";
import { DEFAULT_EXCHANGES, type ExchangeType } from "../EventCenter.js";

/** AMQP reply codes worth recognising. */
const PRECONDITION_FAILED = 406;

/**
 * The exchanges the center knows, and what of them is declared on the current connection. A new
 * connection declares them all again (a broker restart loses the transient ones); declarations
 * run on their own admin channel, so one the broker refuses closes only that channel.
 */
export class Topology {
  /** Every exchange publishes or subscriptions named, with its type. */
  private readonly exchanges = new Map<string, ExchangeType>();
  /** Exchanges declared on the current connection. */
  private readonly declared = new Set<string>();
  private adminCh: Channel | undefined;
  private adminConn: ChannelModel | undefined;

  constructor(private readonly durableExchanges: boolean) {
    for (const name of DEFAULT_EXCHANGES) this.exchanges.set(name, "topic");
  }

  /** Notes an exchange to declare (a topic one unless said otherwise); "" is the default exchange. */
  know(name: string, type?: ExchangeType): void {
    if (name === "") return;
    if (type !== undefined) this.exchanges.set(name, type);
    else if (!this.exchanges.has(name)) this.exchanges.set(name, "topic");
  }

  forget(name: string): void {
    this.exchanges.delete(name);
    this.declared.delete(name);
  }

  isDeclared(name: string): boolean {
    return this.declared.has(name);
  }

  /** On a fresh connection: declares every known exchange again. */
  async restore(conn: ChannelModel): Promise<void> {
    this.adminCh = await this.openAdmin(conn);
    this.adminConn = conn;
    this.declared.clear();
    for (const [name, type] of this.exchanges) await this.declareExchange(conn, name, type);
  }

  /** The connection was lost: nothing is declared on the next one yet. */
  reset(): void {
    this.adminCh = undefined;
    this.declared.clear();
  }

  /** Declares an exchange on `conn`; one declared already with other flags is used as it is. */
  async declareExchange(conn: ChannelModel, name: string, type: ExchangeType = this.exchanges.get(name) ?? "topic"): Promise<void> {
    try {
      await this.admin(conn, (ch) => ch.assertExchange(name, type, { durable: this.durableExchanges }));
    } catch (err) {
      // Declared already with other flags (e.g. durable by another system): use it as it is.
      if ((err as { code?: number }).code !== PRECONDITION_FAILED) throw err;
      this.adminCh = undefined; // the broker closed it with the refusal
      await this.admin(conn, (ch) => ch.checkExchange(name));
    }
    this.declared.add(name);
  }

  /** Declares a queue; one that exists with other arguments (a dead-letter queue, say) is used as it is. */
  async declareQueue(conn: ChannelModel, name: string, options: Options.AssertQueue): Promise<void> {
    try {
      await this.admin(conn, (ch) => ch.assertQueue(name, options));
    } catch (err) {
      if ((err as { code?: number }).code !== PRECONDITION_FAILED) throw err;
      this.adminCh = undefined; // the broker closed it with the refusal
      await this.admin(conn, (ch) => ch.checkQueue(name));
    }
  }

  async deleteExchange(conn: ChannelModel, name: string): Promise<void> {
    this.forget(name);
    await this.admin(conn, (ch) => ch.deleteExchange(name));
  }

  async deleteQueue(conn: ChannelModel, name: string): Promise<void> {
    await this.admin(conn, (ch) => ch.deleteQueue(name));
  }

  private async openAdmin(conn: ChannelModel): Promise<Channel> {
    const ch = await conn.createChannel();
    ch.on("error", () => undefined);
    ch.on("close", () => {
      if (this.adminCh === ch) this.adminCh = undefined;
    });
    return ch;
  }

  /** Runs one declaration on the admin channel (a refused one closes only that channel). */
  private async admin<T>(conn: ChannelModel, fn: (ch: Channel) => Promise<T>): Promise<T> {
    if (!this.adminCh || this.adminConn !== conn) {
      this.adminCh = await this.openAdmin(conn);
      this.adminConn = conn;
    }
    return fn(this.adminCh);
  }
}
