import type { CancelRequest, OrderRequest } from "./objects.js";

/**
 * Why a pre-trade check refused a request. MainEngine turns it into the TickwireError the caller
 * gets (`code`, `message`, details `{ rule, limit, value }`) and, for an order, into an order event
 * with status REJECTED and `message` as its statusMsg.
 */
export interface PreTradeRefusal {
  /** A stable error code, `TW_RISK_<RULE>` by convention (TW_RISK_ORDER_SIZE, ...). */
  readonly code: string;
  /** The name of the rule that refused, e.g. "orderSizeLimit". */
  readonly rule: string;
  /** The rule's limit (a number, a state name, ...). */
  readonly limit: unknown;
  /** The value the request had or would have made. */
  readonly value: unknown;
  /** What happened and what to do, for people: it becomes the error message and the statusMsg. */
  readonly message: string;
}

/**
 * A check every `MainEngine.sendOrder` and `cancelOrder` runs through before the gateway sees the
 * request (`mainEngine.addPreTradeCheck(check)`). Checks run synchronously, in the order added;
 * the first refusal wins and the request never reaches the gateway.
 */
export interface PreTradeCheck {
  /** Returns undefined to let the order through, or why not. */
  checkOrder(req: OrderRequest, gatewayName: string): PreTradeRefusal | undefined;
  /** Returns undefined to let the cancel through, or why not. Absent: cancels pass. */
  checkCancel?(req: CancelRequest, gatewayName: string): PreTradeRefusal | undefined;
  /**
   * An order passed every check and went to the gateway, which gave it `vtOrderid`, or failed to
   * take it (`null`: it threw or its promise rejected). Called once per order that passed.
   */
  afterSend?(req: OrderRequest, gatewayName: string, vtOrderid: string | null): void;
}
