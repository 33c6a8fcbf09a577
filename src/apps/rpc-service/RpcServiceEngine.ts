import { EVENT_HANDLER_ERROR, EVENT_TIMER, type Event } from "../../event/Event.js";
import { TickwireError } from "../../event/errors.js";
import { RpcServer, type RpcServerOptions } from "../../rpc/RpcServer.js";
import { BaseEngine } from "../../trader/BaseEngine.js";
import { EVENT_ACCOUNT, EVENT_GATEWAY, EVENT_ORDER, EVENT_POSITION, EVENT_TICK, EVENT_TRADE } from "../../trader/events.js";
import { LogLevel } from "../../trader/constants.js";
import type { HistoryRequest } from "../../trader/objects.js";
import type { MainEngine } from "../../trader/MainEngine.js";
import type { TraderEventEngine } from "../../trader/BaseGateway.js";
import { TRADER_RPC_METHODS, type TraderRpcHandlers, type TraderSnapshot } from "../../gateways/rpc/contract.js";
import { historyLimit, queryHistoryPaged } from "./history.js";

export const RPC_SERVICE_APP_NAME = "RpcService";

export interface RpcServiceOptions extends RpcServerOptions {
  /**
   * Most bars one `queryHistory` call may ask for (counted from its start, end and interval before
   * any work); more is refused at once with TW_RPC_SERVICE_HISTORY_TOO_LARGE. Default 50,000, and
   * never more than fit in `maxMessageSize` (256 bytes a bar).
   */
  maxHistoryBars?: number;
}

/**
 * General types whose keyed twin ("eTick.rb2410.SHFE") is put right after them: only the keyed one
 * is published, so each update crosses the wire once and a subscription to "eTick." still gets
 * every tick (prefix match), while "eTick.rb2410.SHFE" gets one instrument.
 */
const PUBLISHED_KEYED_ONLY = new Set<string>([EVENT_TICK, EVENT_TRADE, EVENT_ORDER, EVENT_POSITION, EVENT_ACCOUNT, EVENT_GATEWAY]);
/** Process-local events that never leave the server. */
const NOT_PUBLISHED = new Set<string>([EVENT_TIMER, EVENT_HANDLER_ERROR]);

/**
 * The server side of tickwire's multi-process mode (vnpy's RpcService): exposes MainEngine's
 * trading functions and OMS getters over an RpcServer and publishes every event (but the timer)
 * with topic = event type and a sequence number, so RpcGateways in other processes trade through
 * this process's gateways.
 */
export class RpcServiceEngine extends BaseEngine {
  private server: RpcServer | undefined = undefined;
  private publishErrors = 0;
  private historyBars = 0;

  constructor(mainEngine: MainEngine, eventEngine: TraderEventEngine) {
    super(mainEngine, eventEngine, RPC_SERVICE_APP_NAME);
  }

  /** The running server, if started. */
  get rpcServer(): RpcServer | undefined {
    return this.server;
  }

  /** Starts serving on `repAddress` / `pubAddress` (127.0.0.1:2014 / 127.0.0.1:4102 by default). */
  async start(repAddress = "tcp://127.0.0.1:2014", pubAddress = "tcp://127.0.0.1:4102", options: RpcServiceOptions = {}): Promise<RpcServer> {
    if (this.server) {
      throw new TickwireError("TW_RPC_SERVICE_RUNNING", "The rpc service is already running: stop() it before starting it again.");
    }
    const { maxHistoryBars, ...serverOptions } = options;
    this.historyBars = historyLimit(maxHistoryBars, serverOptions.maxMessageSize ?? 16 * 1024 * 1024);
    const server = new RpcServer(serverOptions);
    this.registerFunctions(server);
    await server.start(repAddress, pubAddress);
    this.server = server;
    this.eventEngine.registerGeneral(this.publishEvent);
    this.mainEngine.writeLog(`RPC service listening: requests ${server.repEndpoint}, publications ${server.pubEndpoint}`, RPC_SERVICE_APP_NAME);
    return server;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    this.eventEngine.unregisterGeneral(this.publishEvent);
    await server.stop();
  }

  override async close(): Promise<void> {
    await this.stop();
  }

  private readonly publishEvent = (event: Event): void => {
    const server = this.server;
    if (!server || NOT_PUBLISHED.has(event.type) || PUBLISHED_KEYED_ONLY.has(event.type)) return;
    try {
      server.publish(event.type, event.data);
    } catch (err) {
      // One unencodable payload must not stop the stream; say so once in a while, not per event.
      if (this.publishErrors++ % 1000 === 0) {
        this.mainEngine.writeLog(`RPC service cannot publish ${event.type}: ${String(err)}`, RPC_SERVICE_APP_NAME, LogLevel.WARNING);
      }
    }
  };

  /** The functions of the contract (gateways/rpc/contract.ts), typed against it: MainEngine's, plus the snapshot. */
  private handlers(): TraderRpcHandlers {
    const m = this.mainEngine;
    return {
      subscribe: (req, gatewayName) => m.subscribe(req, gatewayName),
      sendOrder: (req, gatewayName) => m.sendOrder(req, gatewayName),
      cancelOrder: (req, gatewayName) => m.cancelOrder(req, gatewayName),
      queryHistory: (req: HistoryRequest, gatewayName) => queryHistoryPaged(req, this.historyBars, (page) => m.queryHistory(page, gatewayName)),
      getTick: (vtSymbol) => m.getTick(vtSymbol),
      getOrder: (vtOrderid) => m.getOrder(vtOrderid),
      getTrade: (vtTradeid) => m.getTrade(vtTradeid),
      getPosition: (vtPositionid) => m.getPosition(vtPositionid),
      getAccount: (vtAccountid) => m.getAccount(vtAccountid),
      getContract: (vtSymbol) => m.getContract(vtSymbol),
      getAllTicks: () => m.getAllTicks(),
      getAllOrders: () => m.getAllOrders(),
      getAllTrades: () => m.getAllTrades(),
      getAllPositions: () => m.getAllPositions(),
      getAllAccounts: () => m.getAllAccounts(),
      getAllContracts: () => m.getAllContracts(),
      getAllActiveOrders: (vtSymbol) => m.getAllActiveOrders(vtSymbol),
      getAllGatewayNames: () => m.getAllGatewayNames(),
      snapshot: () => this.snapshot(),
    };
  }

  private registerFunctions(server: RpcServer): void {
    const handlers = this.handlers();
    for (const name of TRADER_RPC_METHODS) server.register(name, handlers[name]);
  }

  /**
   * The OMS state and the sequence number it corresponds to. Run in the event engine's FIFO order,
   * so every event with a smaller or equal sequence number is in it and every later one is not.
   */
  snapshot(): Promise<TraderSnapshot> {
    const m = this.mainEngine;
    return Promise.resolve(
      this.eventEngine.submit(() => ({
        serverId: this.server?.id ?? "",
        seq: this.server?.lastSeq ?? 0,
        gatewayNames: m.getAllGatewayNames(),
        contracts: m.getAllContracts(),
        accounts: m.getAllAccounts(),
        positions: m.getAllPositions(),
        orders: m.getAllOrders(),
        trades: m.getAllTrades(),
        ticks: m.getAllTicks(),
      })),
    );
  }
}
