import { Event } from "../event/Event.js";
import { TickwireError } from "../event/errors.js";
import type { TickwireErrorCode } from "../errorCodes.js";
import type { Awaitable, BaseGateway, TraderEventEngine } from "./BaseGateway.js";
import { LogLevel, Status } from "./constants.js";
import { EVENT_ORDER } from "./events.js";
import { MAIN_ENGINE_LOG_SOURCE } from "./mainEngineOptions.js";
import { createOrderData, type CancelRequest, type OrderRequest } from "./objects.js";
import type { PreTradeCheck, PreTradeRefusal } from "./PreTradeCheck.js";

/**
 * MainEngine's pre-trade checks and what it does with their answers: a refused order never
 * reaches the gateway, gets a REJECTED order event and throws the refusal's TickwireError; an
 * order that passed is reported to each check's `afterSend`.
 */
export class PreTradeGate {
  private checks: readonly PreTradeCheck[] = [];
  // Ids of orders refused before any gateway saw them; counted from the start time, so a restarted
  // process does not reuse the ids an earlier one published.
  private refusedSeq = Date.now();

  constructor(
    private readonly eventEngine: TraderEventEngine,
    private readonly writeLog: (msg: string, source: string, level: LogLevel) => void,
  ) {}

  add(check: PreTradeCheck): void {
    if (!this.checks.includes(check)) this.checks = [...this.checks, check];
  }

  remove(check: PreTradeCheck): void {
    this.checks = this.checks.filter((c) => c !== check);
  }

  /** Sends a well-formed order through `gateway` after the checks. */
  sendOrder(gateway: BaseGateway, req: OrderRequest, gatewayName: string): Awaitable<string> {
    const checks = this.checks;
    if (checks.length === 0) return gateway.sendOrder(req);
    for (let i = 0; i < checks.length; i++) {
      const refusal = checks[i].checkOrder(req, gatewayName);
      if (refusal !== undefined) throw this.refuseOrder(req, gatewayName, refusal);
    }
    let sent: Awaitable<string>;
    try {
      sent = gateway.sendOrder(req);
    } catch (error) {
      afterSend(checks, req, gatewayName, null);
      throw error;
    }
    if (typeof sent === "string") {
      afterSend(checks, req, gatewayName, sent);
      return sent;
    }
    return sent.then(
      (vtOrderid) => {
        afterSend(checks, req, gatewayName, vtOrderid);
        return vtOrderid;
      },
      (error: unknown) => {
        afterSend(checks, req, gatewayName, null);
        throw error;
      },
    );
  }

  /** Cancels through `gateway` after the checks (a refusal is logged and thrown). */
  cancelOrder(gateway: BaseGateway, req: CancelRequest, gatewayName: string): Awaitable<void> {
    const checks = this.checks;
    for (let i = 0; i < checks.length; i++) {
      const refusal = checks[i].checkCancel?.(req, gatewayName);
      if (refusal !== undefined) {
        this.writeLog(`Cancel of ${req.orderid} refused: ${refusal.message}`, MAIN_ENGINE_LOG_SOURCE, LogLevel.WARNING);
        throw refusalError(refusal, { vtSymbol: req.vtSymbol, orderid: req.orderid });
      }
    }
    return gateway.cancelOrder(req);
  }

  /** Puts the REJECTED order event of a refused order (as a gateway would) and returns the error to throw. */
  private refuseOrder(req: OrderRequest, gatewayName: string, refusal: PreTradeRefusal): TickwireError {
    let vtOrderid = "";
    try {
      const order = createOrderData(req, `risk-${++this.refusedSeq}`, gatewayName);
      order.status = Status.REJECTED;
      order.statusMsg = refusal.message;
      vtOrderid = order.vtOrderid;
      this.eventEngine.put(new Event(EVENT_ORDER, order));
      this.eventEngine.put(new Event(`${EVENT_ORDER}${vtOrderid}`, order));
    } catch {
      // A request too malformed to make an order of (no symbol): the caller still gets the refusal.
    }
    return refusalError(refusal, { vtSymbol: req.vtSymbol, vtOrderid });
  }
}

function afterSend(checks: readonly PreTradeCheck[], req: OrderRequest, gatewayName: string, vtOrderid: string | null): void {
  for (let i = 0; i < checks.length; i++) checks[i].afterSend?.(req, gatewayName, vtOrderid);
}

function refusalError(refusal: PreTradeRefusal, more: Record<string, unknown>): TickwireError {
  // A custom PreTradeCheck may use its own code: it is passed through as it came.
  return new TickwireError(refusal.code as TickwireErrorCode, refusal.message, {
    details: { rule: refusal.rule, limit: refusal.limit, value: refusal.value, ...more },
  });
}
