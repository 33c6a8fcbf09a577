import { errorCode, errorText, type Outcome } from "./DeliveryRunner.js";
import { HEADER } from "./EventCenter.js";

/*
 * The x-tw-* headers a retried or dead-lettered copy of a message carries, written and read the
 * same way by both brokers.
 */

/** Longest error text put in a dead letter's header. */
const MAX_ERROR_TEXT = 1000;

/** Headers of the copy a failed message becomes: sent round again, or to the dead-letter queue. */
export function failureHeaders(
  outcome: Exclude<Outcome, { kind: "ack" }>,
  headers: Readonly<Record<string, unknown>> | undefined,
  route: { exchange: string; routingKey: string; queue: string },
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...headers };
  // The first publish's routing is kept: the copy itself goes through the default exchange.
  out[HEADER.exchange] ??= route.exchange;
  out[HEADER.routingKey] ??= route.routingKey;
  if (outcome.kind === "retry") {
    out[HEADER.attempt] = outcome.attempt - 1;
  } else {
    out[HEADER.attempt] = outcome.attempts;
    out[HEADER.queue] = route.queue;
    out[HEADER.error] = errorText(outcome.error).slice(0, MAX_ERROR_TEXT);
    out[HEADER.errorCode] = errorCode(outcome.error);
  }
  return out;
}

/** 1 on a first delivery; 1 + the failed handler runs recorded in the headers after that. */
export function attemptOf(headers: Readonly<Record<string, unknown>>): number {
  const failed = headers[HEADER.attempt];
  return typeof failed === "number" ? failed + 1 : 1;
}

/** The exchange and routing key the message was first published with. */
export function originalRoute(
  headers: Readonly<Record<string, unknown>>,
  exchange: string,
  routingKey: string,
): { exchange: string; routingKey: string } {
  const ex = headers[HEADER.exchange];
  const key = headers[HEADER.routingKey];
  return {
    exchange: (typeof ex === "string" ? ex : exchange) || "amq.default",
    routingKey: typeof key === "string" ? key : routingKey,
  };
}
