import type { AccountData, ContractData, OrderData, PositionData, TickData, TradeData } from "../../trader/objects.js";

/** What the rpc service's `snapshot` function returns: the OMS state as of publication `seq`. */
export interface RpcSnapshot {
  serverId: string;
  /** Every publication with a sequence number <= seq is reflected here; later ones are not. */
  seq: number;
  gatewayNames: string[];
  contracts: ContractData[];
  accounts: AccountData[];
  positions: PositionData[];
  orders: OrderData[];
  trades: TradeData[];
  ticks: TickData[];
}
