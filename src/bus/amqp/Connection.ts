import amqplib from "amqplib";
import type { ChannelModel } from "amqplib";
import { TickwireError } from "../../event/errors.js";
import { errorText, type DeliveryStats } from "../DeliveryRunner.js";
import type { CenterState } from "../EventCenter.js";
import { closedError } from "../shutdown.js";
import type { AmqpSettings } from "./options.js";

/** What the center does on each connection: set everything up on it, and let go of it. */
export interface ConnectionUser {
  /**
   * Sets up everything on a fresh connection of generation `gen` (`lost()` says whether it broke
   * meanwhile); throw to give it up. Returns what to run once the connection is the current one.
   */
  restore(conn: ChannelModel, gen: number, lost: () => Error | undefined): Promise<() => void>;
  /** The current connection is lost: drop what belonged to it. */
  lost(): void;
}

/**
 * The connection state machine: idle → connecting → connected ⇄ reconnecting → closed. A loss is
 * noticed from the socket at once ("error"/"close") and the connection re-opened with exponential
 * backoff and equal jitter; every generation of connection is numbered so that late callbacks of
 * an older one are ignored.
 */
export class Connection {
  state: CenterState = "idle";
  /** close() was called: nothing reconnects any more. */
  closing = false;
  reconnects = 0;
  /** The current connection, while connected. */
  conn: ChannelModel | undefined;
  /** Bumped on every connection; deliveries and sends of an older one are stale. */
  private generation = 0;
  private attempt = 0;
  private opening: Promise<void> | undefined;
  /** A reconnect attempt in progress; close() waits for it so no connection outlives the center. */
  private reopening: Promise<void> | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly settings: AmqpSettings,
    private readonly stats: DeliveryStats,
    private readonly user: ConnectionUser,
  ) {}

  /** Connects once; fails with TW_BUS_CONNECT if the broker cannot be reached now. */
  connect(): Promise<void> {
    if (this.closing) return Promise.reject(closedError());
    if (this.state === "connected" || this.state === "reconnecting") return Promise.resolve();
    if (this.opening) return this.opening;
    this.state = "connecting";
    this.opening = this.open().then(
      () => {
        this.opening = undefined;
      },
      (cause: unknown) => {
        this.opening = undefined;
        if (this.state === "connecting") this.state = "idle";
        throw new TickwireError(
          "TW_BUS_CONNECT",
          `Cannot connect to ${this.settings.url}: ${errorText(cause)}. Is RabbitMQ running (rabbitmq-server -detached)?`,
          { cause },
        );
      },
    );
    return this.opening;
  }

  /** The connection, or TW_BUS_NOT_CONNECTED. */
  require(): ChannelModel {
    if (this.state !== "connected" || !this.conn) {
      throw new TickwireError("TW_BUS_NOT_CONNECTED", "Not connected to RabbitMQ: call connect() first (or wait for the reconnect).");
    }
    return this.conn;
  }

  /** Opens a connection and restores everything on it; throws if any step fails. */
  private async open(): Promise<void> {
    const conn = await amqplib.connect(this.settings.target, {
      noDelay: this.settings.noDelay,
      clientProperties: { connection_name: `tickwire ${this.settings.nodeId}` },
    });
    let lost: Error | undefined;
    const onLost = (err?: Error): void => {
      if (lost) return;
      lost = err ?? new Error("connection closed");
      if (conn === this.conn) this.connectionLost(lost);
    };
    conn.on("error", onLost);
    conn.on("close", onLost);
    try {
      const gen = this.generation + 1;
      const commit = await this.user.restore(conn, gen, () => lost);
      if (lost) throw lost;
      if (this.closing) throw closedError(); // close() was called while we were connecting
      this.generation = gen;
      this.conn = conn;
      this.state = "connected";
      this.attempt = 0;
      commit();
    } catch (err) {
      await conn.close().catch(() => undefined);
      throw err;
    }
  }

  /**
   * Gives up `conn` at once (publishes wait, in order, for the next connection) and closes it:
   * for errors that leave it half-working, such as a closed channel or a cancelled consumer.
   */
  readonly startOver = (conn: ChannelModel, err: Error): void => {
    if (this.closing) return;
    if (conn === this.conn) this.connectionLost(err);
    void conn.close().catch(() => undefined);
  };

  private connectionLost(err: Error): void {
    if (this.closing || this.state === "reconnecting") return;
    this.stats.lastError = `connection lost: ${err.message}`;
    this.state = "reconnecting";
    this.conn = undefined;
    this.user.lost();
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.closing) return;
    const { reconnectDelayMs, maxReconnectDelayMs } = this.settings;
    const base = Math.min(maxReconnectDelayMs, reconnectDelayMs * 2 ** this.attempt);
    this.attempt++;
    const delay = base / 2 + Math.random() * (base / 2); // "equal jitter": spread clients apart
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      this.reopening = this.open().then(
        () => {
          this.reopening = undefined;
          this.reconnects++;
        },
        (err: unknown) => {
          this.reopening = undefined;
          this.stats.lastError = `reconnect failed: ${errorText(err)}`;
          this.scheduleReconnect();
        },
      );
    }, delay);
  }

  /** Stops reconnecting (call `close` after). */
  stopReconnecting(): void {
    this.closing = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
  }

  /** Closes the connection and waits for any attempt still opening one. */
  async close(): Promise<void> {
    this.stopReconnecting();
    const conn = this.conn;
    this.conn = undefined;
    this.state = "closed";
    if (conn) await conn.close().catch(() => undefined);
    if (this.opening) await this.opening.catch(() => undefined);
    if (this.reopening) await this.reopening;
  }
}
