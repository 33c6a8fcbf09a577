import { Direction, Exchange, Offset, OrderType } from "../../trader/constants.js";

/*
 * JSON schemas of the request bodies and queries. Fastify validates against them before a handler
 * runs; with additional properties refused and no type coercion, what reaches a handler is exactly
 * what is declared here.
 */

const name = { type: "string", minLength: 1, maxLength: 64, pattern: "^[A-Za-z0-9_.\\-]+$" } as const;

export const orderBody = {
  type: "object",
  additionalProperties: false,
  required: ["symbol", "exchange", "direction", "type", "volume"],
  properties: {
    symbol: name,
    exchange: { type: "string", enum: Object.values(Exchange) },
    direction: { type: "string", enum: [Direction.LONG, Direction.SHORT, Direction.NET] },
    type: { type: "string", enum: Object.values(OrderType) },
    volume: { type: "number", exclusiveMinimum: 0, maximum: 1e12 },
    price: { type: "number", minimum: 0, maximum: 1e15 },
    offset: { type: "string", enum: Object.values(Offset) },
    reference: { type: "string", maxLength: 64 },
  },
} as const;

export const subscribeBody = {
  type: "object",
  additionalProperties: false,
  required: ["vtSymbol"],
  properties: { vtSymbol: name },
} as const;

export const loginBody = {
  type: "object",
  additionalProperties: false,
  properties: {
    token: { type: "string", maxLength: 256 },
    user: { type: "string", maxLength: 64 },
    password: { type: "string", maxLength: 256 },
  },
} as const;

export const ordersQuery = {
  type: "object",
  additionalProperties: false,
  properties: { active: { type: "string", enum: ["true", "false"] } },
} as const;

export const barsQuery = {
  type: "object",
  additionalProperties: false,
  required: ["vtSymbol", "interval"],
  properties: {
    vtSymbol: name,
    interval: { type: "string", enum: ["1m", "1h", "d"] },
    count: { type: "string", pattern: "^[1-9][0-9]{0,3}$" },
  },
} as const;

export const cancelParams = {
  type: "object",
  required: ["vtOrderid"],
  properties: { vtOrderid: name },
} as const;

export const strategyParams = {
  type: "object",
  required: ["name", "action"],
  properties: { name, action: { type: "string", enum: ["init", "start", "stop"] } },
} as const;
