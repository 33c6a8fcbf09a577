import { TickwireError } from "../../event/errors.js";
import { RpcClient, type RemoteApi } from "../../rpc/RpcClient.js";
import { isZ85Key } from "../../rpc/curve.js";
import { BaseGateway, refuseUnknownSettings, type GatewaySetting, type TraderEventEngine } from "../../trader/BaseGateway.js";
import { EVENT_ACCOUNT, EVENT_CONTRACT, EVENT_GATEWAY, EVENT_LOG, EVENT_ORDER, EVENT_POSITION, EVENT_TICK, EVENT_TRADE } from "../../trader/events.js";
import { Exchange, LogLevel } from "../../trader/constants.js";
import { parseVtOrderid, vtAccountidOf, vtOrderidOf, vtPositionidOf, vtTradeidOf } from "../../trader/ids.js";
import type {
  AccountData,
  BarData,
  CancelRequest,
  ContractData,
  GatewayStatusData,
  HistoryRequest,
  LogData,
  OrderData,
  OrderRequest,
  PositionData,
  SubscribeRequest,
  TickData,
  TradeData,
} from "../../trader/objects.js";
import { TRADER_RPC_TOPICS, type TraderRpcApi, type TraderSnapshot } from "./contract.js";

interface Buffered {
  topic: string;
  data: unknown;
  seq: number;
}

/** The connect settings of RpcGateway; every one is optional (defaults in RpcGateway.defaultSetting). */
export type RpcGatewaySetting = {
  /** The server's request address ("tcp://127.0.0.1:2014"). */
  reqAddress?: string;
  /** The server's publication address ("tcp://127.0.0.1:4102"). */
  subAddress?: string;
  /** Milliseconds per call (30,000). */
  timeout?: number;
  /** Milliseconds without a heartbeat before the server counts as gone (10,000). */
  heartbeatTolerance?: number;
  /** A CURVE server's public key (Z85, from tickwire keygen). */
  serverKey?: string;
  /** This client's CURVE public key. */
  publicKey?: string;
  /** This client's CURVE secret key. */
  secretKey?: string;
};

declare module "../../trader/BaseGateway.js" {
  interface GatewaySettingsByName {
    RPC: RpcGatewaySetting;
  }
}

/**
 * The client side of tickwire's multi-process mode (vnpy's RpcGateway): trades through the
 * gateways of a process running the rpc service. Everything the server publishes comes back out
 * of this gateway under its own name — gatewayName, vtOrderid, vtTradeid, vtPositionid,
 * vtAccountid and the keyed event types ("eOrder.RPC.7") are all rebuilt locally.
 *
 * On each (re)connection it loads a snapshot and reconciles it with the stream by sequence
 * number: publications that arrive while the snapshot loads are held, and only those newer than
 * the snapshot are applied after it, so an older snapshot never overwrites newer state.
 *
 * Settings: reqAddress, subAddress, timeout (ms per call), heartbeatTolerance (ms), and for a
 * CURVE server: serverKey (its public key), publicKey + secretKey (this client's pair).
 */
export class RpcGateway extends BaseGateway {
  static override readonly defaultName: string = "RPC";
  static override readonly defaultSetting: GatewaySetting = {
    reqAddress: "tcp://127.0.0.1:2014",
    subAddress: "tcp://127.0.0.1:4102",
    timeout: 30_000,
    heartbeatTolerance: 10_000,
    serverKey: "",
    publicKey: "",
    secretKey: "",
  };
  static override readonly exchanges: readonly Exchange[] = Object.values(Exchange);

  private client: RpcClient | undefined = undefined;
  /** The service's functions through `client`, typed by the contract. */
  private api: RemoteApi<TraderRpcApi> | undefined = undefined;
  /** vtSymbol -> the server-side gateway that trades it. */
  private readonly symbolGateway = new Map<string, string>();
  private readonly subscriptions = new Map<string, SubscribeRequest>();
  private buffer: Buffered[] | undefined = [];
  private syncing: Promise<void> | undefined = undefined;
  private syncWaiters: Array<() => void> = [];
  private lastSeq = 0;
  private closed = false;

  constructor(eventEngine: TraderEventEngine, gatewayName?: string) {
    super(eventEngine, gatewayName);
  }

  /** The rpc client (for its stats and events). */
  get rpcClient(): RpcClient | undefined {
    return this.client;
  }

  /** Sequence number of the last publication applied. */
  get appliedSeq(): number {
    return this.lastSeq;
  }

  /**
   * Connects (ZeroMQ connects in the background, so the server may come up later) and returns.
   * State arrives once the server answers: await `whenSynced()` to wait for it.
   */
  async connect(setting: RpcGatewaySetting = {}): Promise<void> {
    refuseUnknownSettings(setting, Object.keys(RpcGateway.defaultSetting), "TW_RPC_GATEWAY_BAD_OPTION", this.gatewayName);
    if (this.client) return;
    const s = { ...RpcGateway.defaultSetting, ...setting };
    const reqAddress = stringSetting(s, "reqAddress");
    const subAddress = stringSetting(s, "subAddress");
    const timeout = numberSetting(s, "timeout");
    const heartbeatTolerance = numberSetting(s, "heartbeatTolerance");
    const serverKey = stringSetting(s, "serverKey");
    const publicKey = stringSetting(s, "publicKey");
    const secretKey = stringSetting(s, "secretKey");
    for (const [name, key] of [
      ["serverKey", serverKey],
      ["publicKey", publicKey],
      ["secretKey", secretKey],
    ] as const) {
      if (key && !isZ85Key(key))
        throw new TickwireError(
          "TW_RPC_GATEWAY_BAD_OPTION",
          `Setting ${name} is not a 40-character Z85 CURVE key: copy it from a file written by "tickwire keygen".`,
        );
    }
    if ((publicKey || secretKey) && !(publicKey && secretKey && serverKey)) {
      throw new TickwireError("TW_RPC_GATEWAY_BAD_OPTION", "CURVE needs serverKey, publicKey and secretKey together (or none of them).");
    }
    const client = new RpcClient({
      timeout,
      heartbeatTolerance,
      ...(serverKey ? { curve: { serverPublicKey: serverKey, ...(publicKey ? { publicKey, secretKey } : {}) } } : {}),
    });
    this.client = client;
    this.api = client.proxy<TraderRpcApi>();
    this.closed = false;
    for (const topic of TRADER_RPC_TOPICS) client.subscribeTopic(topic);
    client.on("message", this.onMessage);
    client.on("connected", () => this.resync("connected"));
    client.on("reconnected", (info) => this.resync(info.restarted ? "the server restarted" : "reconnected"));
    client.on("disconnected", (info) => {
      this.buffer = [];
      this.onDisconnected(
        info.reason === "restart"
          ? "server restarted"
          : info.reason === "dropped"
            ? "ZeroMQ dropped a connection after a message over maxMessageSize; reconnecting"
            : `no heartbeat from the server for ${info.silentMs} ms`,
      );
      this.writeLog(`Lost the rpc server (${info.reason}); waiting for it to come back`, LogLevel.WARNING);
    });
    client.on("authFailed", (err) => this.writeLog(err.message, LogLevel.ERROR));
    this.onConnecting(`connecting to ${reqAddress} / ${subAddress}`);
    client.start(reqAddress, subAddress);
  }

  /** Resolves once the next (or current) snapshot has been applied (and dispatched) and the stream is live. */
  whenSynced(): Promise<void> {
    if (this.buffer === undefined) return Promise.resolve();
    return new Promise((resolve) => this.syncWaiters.push(resolve));
  }

  async close(): Promise<void> {
    if (!this.client) return;
    this.closed = true;
    const client = this.client;
    this.client = undefined;
    this.api = undefined;
    await client.stop();
    this.onDisconnected("closed");
  }

  async subscribe(req: SubscribeRequest): Promise<void> {
    this.subscriptions.set(req.vtSymbol, req);
    await this.remote().subscribe(req, this.serverGateway(req.vtSymbol));
  }

  async sendOrder(req: OrderRequest): Promise<string> {
    const remoteId = await this.remote().sendOrder(req, this.serverGateway(req.vtSymbol));
    if (!remoteId) return "";
    return vtOrderidOf(this.gatewayName, parseVtOrderid(remoteId).orderid);
  }

  async cancelOrder(req: CancelRequest): Promise<void> {
    await this.remote().cancelOrder(req, this.serverGateway(req.vtSymbol));
  }

  /** Account and positions are streamed; nothing to ask for. */
  queryAccount(): void {}

  queryPosition(): void {}

  async queryHistory(req: HistoryRequest): Promise<BarData[]> {
    const bars = await this.remote().queryHistory(req, this.serverGateway(req.vtSymbol));
    return bars.map((bar) => ({ ...bar, gatewayName: this.gatewayName }));
  }

  private remote(): RemoteApi<TraderRpcApi> {
    if (!this.api) throw new TickwireError("TW_RPC_GATEWAY_NOT_CONNECTED", `Gateway ${this.gatewayName} is not connected: call connect() first.`);
    return this.api;
  }

  private serverGateway(vtSymbol: string): string {
    const gw = this.symbolGateway.get(vtSymbol);
    if (gw === undefined) {
      throw new TickwireError(
        "TW_RPC_GATEWAY_UNKNOWN_SYMBOL",
        `The rpc server has no contract ${vtSymbol} (yet): wait for whenSynced(), or check the symbol.`,
        {
          details: { vtSymbol },
        },
      );
    }
    return gw;
  }

  // ------------------------------------------------------------------ state sync

  private resync(why: string): void {
    if (this.closed) return;
    this.buffer ??= [];
    if (this.syncing) return;
    this.syncing = this.loadSnapshot(why).finally(() => {
      this.syncing = undefined;
    });
  }

  private async loadSnapshot(why: string): Promise<void> {
    for (let attempt = 0; !this.closed; attempt++) {
      const client = this.client;
      if (!client || !client.connected) return; // a later connected/reconnected event syncs again
      try {
        const api = client.proxy<TraderRpcApi>();
        const snap = await api.snapshot();
        if (this.closed) return;
        this.applySnapshot(snap);
        const held = this.buffer ?? [];
        this.buffer = undefined;
        for (const m of held) if (m.seq > snap.seq) this.apply(m.topic, m.data, m.seq);
        for (const req of this.subscriptions.values()) {
          if (this.symbolGateway.has(req.vtSymbol)) void api.subscribe(req, this.serverGateway(req.vtSymbol)).catch(() => undefined);
        }
        this.writeLog(
          `Synced with the rpc server (${why}): ${snap.contracts.length} contracts, ${snap.orders.length} orders, ${snap.trades.length} trades at seq ${snap.seq}`,
        );
        this.onConnected(`synced at seq ${snap.seq}`);
        // Waiters resume once the engine has dispatched what the snapshot pushed (FIFO), so the
        // OMS already holds it when whenSynced() resolves.
        const waiters = this.syncWaiters.splice(0);
        if (waiters.length > 0) void Promise.resolve(this.eventEngine.submit(() => undefined)).finally(() => waiters.forEach((w) => w()));
        return;
      } catch (err) {
        this.writeLog(`Loading the snapshot from the rpc server failed (${String(err)}); retrying`, LogLevel.WARNING);
        await new Promise((resolve) => setTimeout(resolve, Math.min(5000, 200 * 2 ** attempt)));
      }
    }
  }

  private applySnapshot(snap: TraderSnapshot): void {
    for (const c of snap.contracts) this.applyContract(c);
    for (const a of snap.accounts) this.applyAccount(a);
    for (const p of snap.positions) this.applyPosition(p);
    for (const o of snap.orders) this.applyOrder(o);
    for (const t of snap.trades) this.applyTrade(t);
    for (const t of snap.ticks) this.applyTick(t);
    this.lastSeq = Math.max(this.lastSeq, snap.seq);
  }

  private readonly onMessage = (topic: string, data: unknown, seq: number): void => {
    if (this.buffer) {
      this.buffer.push({ topic, data, seq });
      return;
    }
    this.apply(topic, data, seq);
  };

  /** Re-issues a published update as this gateway's own, with every id rebuilt under its name. */
  private apply(topic: string, data: unknown, seq: number): void {
    this.lastSeq = seq;
    if (data === null || typeof data !== "object") return;
    if (topic.startsWith(EVENT_TICK)) this.applyTick(data as TickData);
    else if (topic.startsWith(EVENT_ORDER)) this.applyOrder(data as OrderData);
    else if (topic.startsWith(EVENT_TRADE)) this.applyTrade(data as TradeData);
    else if (topic.startsWith(EVENT_POSITION)) this.applyPosition(data as PositionData);
    else if (topic.startsWith(EVENT_ACCOUNT)) this.applyAccount(data as AccountData);
    else if (topic.startsWith(EVENT_CONTRACT)) this.applyContract(data as ContractData);
    else if (topic.startsWith(EVENT_GATEWAY)) {
      const st = data as GatewayStatusData;
      this.writeLog(`Server gateway ${st.gatewayName} is ${st.status}${st.msg ? `: ${st.msg}` : ""}`);
    } else if (topic === EVENT_LOG) {
      const log = data as LogData;
      // Server logs keep their source, marked as remote so they are not mistaken for local ones.
      this.onLog({ ...log, gatewayName: `${this.gatewayName}:${log.gatewayName}` });
    }
  }

  private applyContract(c: ContractData): void {
    this.symbolGateway.set(c.vtSymbol, c.gatewayName);
    this.onContract({ ...c, gatewayName: this.gatewayName });
  }

  private applyTick(t: TickData): void {
    this.onTick({ ...t, gatewayName: this.gatewayName });
  }

  private applyOrder(o: OrderData): void {
    this.onOrder({ ...o, gatewayName: this.gatewayName, vtOrderid: vtOrderidOf(this.gatewayName, o.orderid) });
  }

  private applyTrade(t: TradeData): void {
    this.onTrade({
      ...t,
      gatewayName: this.gatewayName,
      vtOrderid: vtOrderidOf(this.gatewayName, t.orderid),
      vtTradeid: vtTradeidOf(this.gatewayName, t.tradeid),
    });
  }

  private applyPosition(p: PositionData): void {
    this.onPosition({ ...p, gatewayName: this.gatewayName, vtPositionid: vtPositionidOf(this.gatewayName, p.vtSymbol, p.direction) });
  }

  private applyAccount(a: AccountData): void {
    this.onAccount({ ...a, gatewayName: this.gatewayName, vtAccountid: vtAccountidOf(this.gatewayName, a.accountid) });
  }
}

function stringSetting(s: GatewaySetting, key: string): string {
  const v = s[key];
  if (typeof v !== "string") throw new TickwireError("TW_RPC_GATEWAY_BAD_OPTION", `Setting ${key} must be a string.`);
  return v;
}

function numberSetting(s: GatewaySetting, key: string): number {
  const v = s[key];
  if (typeof v !== "number" || !Number.isFinite(v) || v <= 0) throw new TickwireError("TW_RPC_GATEWAY_BAD_OPTION", `Setting ${key} must be a number > 0 (ms).`);
  return v;
}
