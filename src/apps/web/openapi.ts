/**
 * Summaries of the /api routes for the OpenAPI document (GET /docs/json), keyed "METHOD url" as
 * Fastify names the route. The request schemas come from the routes themselves (schemas.ts).
 */
export const ROUTE_DOCS: Record<string, { summary: string; tags: string[]; description?: string }> = {
  "GET /api/contracts": { summary: "All contracts", tags: ["market"] },
  "GET /api/ticks": { summary: "The latest tick of every subscribed contract", tags: ["market"] },
  "GET /api/bars": {
    summary: "Finished bars up to the latest tick (the store first, then the gateway's history)",
    tags: ["market"],
    description: "`count` bars (default 300) of `interval` ending where the forming bar begins.",
  },
  "POST /api/subscribe": { summary: "Subscribe to a contract's market data", tags: ["market"] },
  "GET /api/orders": { summary: "All orders, or only the active ones with ?active=true", tags: ["trading"] },
  "POST /api/orders": { summary: "Send an order (vnpy_webtrader's fields, tickwire/trader enum codes); 201 { vtOrderid }", tags: ["trading"] },
  "DELETE /api/orders": { summary: "Cancel every active order", tags: ["trading"] },
  "DELETE /api/orders/:vtOrderid": { summary: "Cancel an active order; 409 TW_WEB_ORDER_NOT_ACTIVE if it has ended", tags: ["trading"] },
  "GET /api/trades": { summary: "All trades", tags: ["trading"] },
  "GET /api/positions": { summary: "All positions", tags: ["trading"] },
  "GET /api/accounts": { summary: "All accounts", tags: ["trading"] },
  "GET /api/logs": { summary: "The last log lines", tags: ["engine"] },
  "GET /api/stats": { summary: "Engine health: event engine stats, events/s, gateway states, web clients", tags: ["engine"] },
  "GET /api/strategies": { summary: "The strategies of the process's strategy engine, with parameters and variables", tags: ["strategies"] },
  "POST /api/strategies/:name/:action": { summary: "init, start or stop a strategy; 404 TW_WEB_NO_STRATEGY_ENGINE without an engine", tags: ["strategies"] },
};
