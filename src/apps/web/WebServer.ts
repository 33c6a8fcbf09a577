import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import fastifyCookie from "@fastify/cookie";
import fastifyStatic from "@fastify/static";
import fastifyWebsocket from "@fastify/websocket";
import fastifySwagger from "@fastify/swagger";
import { TickwireError } from "../../event/errors.js";
import { EVENT_ACCOUNT, EVENT_GATEWAY, EVENT_LOG, EVENT_ORDER, EVENT_POSITION, EVENT_TICK, EVENT_TRADE } from "../../trader/events.js";
import { Interval, type Direction, type Exchange, type Offset, type OrderType } from "../../trader/constants.js";
import {
  createCancelRequest,
  createHistoryRequest,
  createOrderRequest,
  createSubscribeRequest,
  isActive,
  type BarData,
  type LogData,
} from "../../trader/objects.js";
import { CSRF_HEADER, LoginLimiter, SESSION_COOKIE, SessionStore, isLoopback, newSecret, sameSecret, verifyPassword } from "./auth.js";
import { LiveFeed, type OrderedTopic } from "./LiveFeed.js";
import { ROUTE_DOCS } from "./openapi.js";
import { barsQuery, cancelParams, loginBody, orderBody, ordersQuery, strategyParams, subscribeBody } from "./schemas.js";
import { EVENT_STRATEGY, type WebStrategySource, type WebTradingSource } from "./source.js";

export interface WebServerOptions {
  /** Address to listen on. Default 127.0.0.1; anything not loopback needs `passwordHash`. */
  host?: string;
  /** Port; 0 picks a free one. Default 8600. */
  port?: number;
  /** User name for password login. Default "admin". */
  user?: string;
  /** hashPassword()'s output: enables password login (and a non-loopback `host`). */
  passwordHash?: string;
  /** A strategy engine (the CtaEngine's shape) for the strategies panel. */
  strategies?: WebStrategySource;
  /** Bars from a store, tried before the gateway's queryHistory. */
  loadBars?: (vtSymbol: string, interval: Interval, start: number, end: number) => Promise<BarData[]>;
  /** Most ticks per second per symbol per client. Default 10. */
  maxTicksPerSecond?: number;
  /** A client with more unsent bytes than this is dropped. Default 1 MiB. */
  maxBufferedBytes?: number;
  /** Login attempts per client address per minute. Default 10. */
  loginAttemptsPerMinute?: number;
  /** How long a session lasts. Default 12 h. */
  sessionTtlMs?: number;
  /** The access token; default a random one per start. A fixed one keeps sessions across restarts. */
  token?: string;
  /** Log lines kept for GET /api/logs and the page's first view. Default 500. */
  logLines?: number;
}

export interface WebServer {
  readonly app: FastifyInstance;
  /** The access token made at start. */
  readonly token: string;
  /** http://host:port */
  readonly url: string;
  /** The URL with the token: opening it logs the browser in. */
  readonly loginUrl: string;
  readonly port: number;
  close(): Promise<void>;
}

const PUBLIC_DIR = join(dirname(fileURLToPath(import.meta.url)), "public");
const CHARTS_FILE = join(
  dirname(createRequire(import.meta.url).resolve("lightweight-charts/package.json")),
  "dist",
  "lightweight-charts.standalone.production.js",
);

/** No inline script or style, nothing from elsewhere, no framing: an injected string cannot run. */
const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

const PERIOD_MS: Record<string, number> = { "1m": 60_000, "1h": 3_600_000, d: 86_400_000 };

function fail(reply: FastifyReply, status: number, code: string, message: string): FastifyReply {
  return reply.code(status).send({ code, message });
}

/** Starts the web trader on a trading process: REST under /api, live events on /ws, the page on /. */
export async function startWebServer(source: WebTradingSource, options: WebServerOptions = {}): Promise<WebServer> {
  const host = options.host ?? "127.0.0.1";
  if (!isLoopback(host) && options.passwordHash === undefined) {
    throw new TickwireError(
      "TW_WEB_PUBLIC_WITHOUT_PASSWORD",
      `Refusing to listen on ${host} without a password: anyone who reaches the port could trade. Set a password hash (hashPassword() of tickwire/apps/web, as TICKWIRE_WEB_PASSWORD_HASH for the CLI) or listen on 127.0.0.1.`,
    );
  }
  if (options.token !== undefined && options.token.length < 16) {
    throw new TickwireError("TW_WEB_WEAK_TOKEN", "The web token must be at least 16 characters; leave it out for a random one.");
  }
  const token = options.token ?? newSecret();
  const user = options.user ?? "admin";
  const sessions = new SessionStore(token, options.sessionTtlMs ?? 12 * 3_600_000);
  const limiter = new LoginLimiter(options.loginAttemptsPerMinute ?? 10, 60_000);
  const feed = new LiveFeed({ maxTicksPerSecond: options.maxTicksPerSecond ?? 10, maxBufferedBytes: options.maxBufferedBytes ?? 1 << 20 });
  const logLines = options.logLines ?? 500;
  const logs: LogData[] = [];
  const strategies = options.strategies;

  // removeAdditional off and no coercion: a field the schema does not know, or a number sent as a
  // string, is refused rather than silently fixed.
  const app = Fastify({ logger: false, ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: false } } });
  // The OpenAPI document of the /api routes, made from their JSON schemas (GET /docs/json; the
  // page at /docs renders it). Registered first: it records the routes added after it.
  await app.register(fastifySwagger, {
    openapi: {
      info: {
        title: "tickwire web trader",
        version: "1",
        description:
          "REST API of the web trader. Send Authorization: Bearer <token> (the token printed at start) or use the page's session cookie with the header x-tickwire: 1.",
      },
      components: { securitySchemes: { bearer: { type: "http", scheme: "bearer" } } },
      security: [{ bearer: [] }],
    },
    transform: ({ schema, url, route }) => {
      const method = String(Array.isArray(route.method) ? route.method[0] : route.method);
      const doc = ROUTE_DOCS[`${method} ${url}`];
      return { schema: { ...schema, hide: !url.startsWith("/api"), ...(doc ?? {}) }, url };
    },
  });
  await app.register(fastifyCookie);
  await app.register(fastifyWebsocket, { options: { maxPayload: 64 * 1024 } });
  await app.register(fastifyStatic, { root: PUBLIC_DIR, prefix: "/static/", index: false, cacheControl: false });

  const loginHtml = readFileSync(join(PUBLIC_DIR, "login.html"), "utf8");
  const docsHtml = readFileSync(join(PUBLIC_DIR, "docs.html"), "utf8");
  const authenticated = (req: FastifyRequest): boolean => {
    const auth = req.headers.authorization;
    if (auth?.startsWith("Bearer ")) return sameSecret(auth.slice(7), token);
    return sessions.valid(req.cookies[SESSION_COOKIE]);
  };
  const startSession = (reply: FastifyReply) =>
    reply.setCookie(SESSION_COOKIE, sessions.create(), { httpOnly: true, sameSite: "strict", path: "/", secure: false });

  app.addHook("onSend", async (req, reply) => {
    reply.header("content-security-policy", CSP);
    reply.header("x-content-type-options", "nosniff");
    reply.header("x-frame-options", "DENY");
    // The token is in the first URL; never let it leave in a Referer.
    reply.header("referrer-policy", "no-referrer");
    reply.header("cross-origin-opener-policy", "same-origin");
    if (req.url.startsWith("/api")) reply.header("cache-control", "no-store");
  });

  app.addHook("onRequest", async (req, reply) => {
    const path = req.url.split("?")[0];
    const guarded = path.startsWith("/api/") || path === "/api" || path === "/ws" || path === "/docs" || path.startsWith("/docs/");
    const changes = req.method !== "GET" && req.method !== "HEAD";
    if (changes && (guarded || path === "/login" || path === "/logout")) {
      const bearer = req.headers.authorization?.startsWith("Bearer ") === true;
      if (!bearer && req.headers[CSRF_HEADER] !== "1") {
        return fail(reply, 403, "TW_WEB_CROSS_SITE", `A state-changing request needs the header "${CSRF_HEADER}: 1" (or Authorization: Bearer <token>).`);
      }
    }
    if (!guarded) return;
    if (!authenticated(req)) {
      if (path === "/docs") return reply.code(401).type("text/html").send(loginHtml);
      return fail(reply, 401, "TW_WEB_UNAUTHORIZED", "Not logged in: open the URL with ?token=… printed at start, or send Authorization: Bearer <token>.");
    }
    if (path === "/ws") {
      // A browser always sends Origin on a WebSocket: one from another site is refused even with a cookie.
      const origin = req.headers.origin;
      if (origin !== undefined && origin !== `http://${req.headers.host}`) {
        return fail(reply, 403, "TW_WEB_CROSS_SITE", `WebSocket from origin ${origin} refused.`);
      }
    }
  });

  app.setErrorHandler((err: Error & { validation?: unknown; statusCode?: number; code?: string }, _req, reply) => {
    if (err.validation) return fail(reply, 400, "TW_WEB_BAD_REQUEST", `Invalid request: ${err.message}.`);
    if (err instanceof TickwireError) return fail(reply, 422, err.code, err.message);
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    return fail(reply, status, status === 500 ? "TW_WEB_INTERNAL" : "TW_WEB_BAD_REQUEST", err.message);
  });
  app.setNotFoundHandler((req, reply) => fail(reply, 404, "TW_WEB_NOT_FOUND", `No route ${req.method} ${req.url.split("?")[0]}.`));

  // --- the page and login
  const indexHtml = readFileSync(join(PUBLIC_DIR, "index.html"), "utf8");
  app.get("/", async (req, reply) => {
    const q = req.query as { token?: unknown };
    if (typeof q.token === "string") {
      const key = req.ip;
      if (!limiter.allow(key)) {
        reply.header("retry-after", String(limiter.retryAfterSeconds(key)));
        return reply.code(429).type("text/html").send(loginHtml);
      }
      if (sameSecret(q.token, token)) {
        startSession(reply);
        // Drop the token from the address bar (and history) at once.
        return reply.redirect("/", 303);
      }
      return reply.code(401).type("text/html").send(loginHtml);
    }
    if (!authenticated(req)) return reply.code(401).type("text/html").send(loginHtml);
    return reply.type("text/html").send(indexHtml);
  });
  app.get("/vendor/lightweight-charts.js", async (_req, reply) => reply.type("text/javascript").send(readFileSync(CHARTS_FILE)));
  app.post("/login", { schema: { body: loginBody } }, async (req, reply) => {
    const key = req.ip;
    if (!limiter.allow(key)) {
      reply.header("retry-after", String(limiter.retryAfterSeconds(key)));
      return fail(reply, 429, "TW_WEB_TOO_MANY_LOGINS", "Too many login attempts: wait a minute and try again.");
    }
    const body = req.body as { token?: string; user?: string; password?: string };
    const byToken = body.token !== undefined && sameSecret(body.token, token);
    const byPassword =
      options.passwordHash !== undefined && body.user === user && body.password !== undefined && verifyPassword(body.password, options.passwordHash);
    if (!byToken && !byPassword) return fail(reply, 401, "TW_WEB_BAD_LOGIN", "Wrong token, user or password.");
    startSession(reply);
    return reply.code(204).send();
  });
  app.post("/logout", async (_req, reply) => {
    reply.clearCookie(SESSION_COOKIE, { path: "/" });
    return reply.code(204).send();
  });

  // --- the API's documentation (authenticated like /api)
  app.get("/docs", async (_req, reply) => reply.type("text/html").send(docsHtml));
  app.get("/docs/json", async () => app.swagger());

  // --- REST
  app.get("/api/contracts", async () => source.getAllContracts());
  app.get("/api/ticks", async () => source.getAllTicks());
  app.get("/api/orders", { schema: { querystring: ordersQuery } }, async (req) =>
    (req.query as { active?: string }).active === "true" ? source.getAllActiveOrders() : source.getAllOrders(),
  );
  app.get("/api/trades", async () => source.getAllTrades());
  app.get("/api/positions", async () => source.getAllPositions());
  app.get("/api/accounts", async () => source.getAllAccounts());
  app.get("/api/logs", async () => logs);
  app.get("/api/stats", async () => statsNow());
  app.get("/api/bars", { schema: { querystring: barsQuery } }, async (req, reply) => {
    const q = req.query as { vtSymbol: string; interval: Interval; count?: string };
    const contract = source.getContract(q.vtSymbol);
    if (!contract) return fail(reply, 404, "TW_WEB_UNKNOWN_CONTRACT", `No contract ${q.vtSymbol}: GET /api/contracts lists them.`);
    const period = PERIOD_MS[q.interval];
    const count = q.count === undefined ? 300 : Number(q.count);
    const last = source.getAllTicks().find((t) => t.vtSymbol === q.vtSymbol)?.datetime ?? Date.now();
    // The forming bar is built in the page from ticks; history ends where it begins.
    const end = Math.floor(last / period) * period;
    const start = end - count * period;
    if (options.loadBars) {
      const stored = await options.loadBars(q.vtSymbol, q.interval, start, end);
      if (stored.length > 0) return stored;
    }
    return source.queryHistory(
      createHistoryRequest({ symbol: contract.symbol, exchange: contract.exchange, start, end, interval: q.interval }),
      contract.gatewayName,
    );
  });
  app.post("/api/subscribe", { schema: { body: subscribeBody } }, async (req, reply) => {
    const { vtSymbol } = req.body as { vtSymbol: string };
    const contract = source.getContract(vtSymbol);
    if (!contract) return fail(reply, 404, "TW_WEB_UNKNOWN_CONTRACT", `No contract ${vtSymbol}: GET /api/contracts lists them.`);
    await source.subscribe(createSubscribeRequest({ symbol: contract.symbol, exchange: contract.exchange }), contract.gatewayName);
    return { vtSymbol };
  });
  app.post("/api/orders", { schema: { body: orderBody } }, async (req, reply) => {
    const b = req.body as {
      symbol: string;
      exchange: Exchange;
      direction: Direction;
      type: OrderType;
      volume: number;
      price?: number;
      offset?: Offset;
      reference?: string;
    };
    const vtSymbol = `${b.symbol}.${b.exchange}`;
    const contract = source.getContract(vtSymbol);
    if (!contract) return fail(reply, 404, "TW_WEB_UNKNOWN_CONTRACT", `No contract ${vtSymbol}: GET /api/contracts lists them.`);
    const request = createOrderRequest({
      symbol: b.symbol,
      exchange: b.exchange,
      direction: b.direction,
      type: b.type,
      volume: b.volume,
      price: b.price ?? 0,
      offset: b.offset ?? "NONE",
      reference: b.reference ?? "web",
    });
    const vtOrderid = await source.sendOrder(request, contract.gatewayName);
    return reply.code(201).send({ vtOrderid });
  });
  app.delete("/api/orders/:vtOrderid", { schema: { params: cancelParams } }, async (req, reply) => {
    const { vtOrderid } = req.params as { vtOrderid: string };
    const order = source.getOrder(vtOrderid);
    if (!order) return fail(reply, 404, "TW_WEB_UNKNOWN_ORDER", `No order ${vtOrderid}.`);
    if (!isActive(order)) return fail(reply, 409, "TW_WEB_ORDER_NOT_ACTIVE", `Order ${vtOrderid} is ${order.status}: only active orders can be cancelled.`);
    await source.cancelOrder(createCancelRequest({ orderid: order.orderid, symbol: order.symbol, exchange: order.exchange }), order.gatewayName);
    return reply.code(202).send({ vtOrderid });
  });
  app.delete("/api/orders", async () => {
    const active = source.getAllActiveOrders();
    for (const o of active) await source.cancelOrder(createCancelRequest({ orderid: o.orderid, symbol: o.symbol, exchange: o.exchange }), o.gatewayName);
    return { cancelled: active.map((o) => o.vtOrderid) };
  });
  const strategyList = () => (strategies ? strategies.getAllStrategyNames().flatMap((n) => strategies.getStrategy(n)?.getData() ?? []) : []);
  app.get("/api/strategies", async () => strategyList());
  app.post("/api/strategies/:name/:action", { schema: { params: strategyParams } }, async (req, reply) => {
    const { name, action } = req.params as { name: string; action: "init" | "start" | "stop" };
    if (!strategies) return fail(reply, 404, "TW_WEB_NO_STRATEGY_ENGINE", "This process runs no strategy engine.");
    if (!strategies.getStrategy(name)) return fail(reply, 404, "TW_WEB_UNKNOWN_STRATEGY", `No strategy ${name}: GET /api/strategies lists them.`);
    if (action === "init") await strategies.initStrategy(name);
    else if (action === "start") await strategies.startStrategy(name);
    else await strategies.stopStrategy(name);
    return reply.code(202).send({ strategyName: name, action });
  });

  // --- live events
  const gateways = () => source.getAllGatewayNames().flatMap((n) => source.getGatewayStatus(n) ?? []);
  let eventsPerSecond = 0;
  let lastDispatched = source.eventEngine.stats().dispatched;
  const statsNow = () => ({
    engine: source.eventEngine.stats(),
    eventsPerSecond,
    gateways: gateways(),
    web: { clients: feed.clientCount, dropped: feed.dropped, strategyEngine: strategies !== undefined },
  });
  const statsTimer = setInterval(() => {
    const d = source.eventEngine.stats().dispatched;
    eventsPerSecond = d - lastDispatched;
    lastDispatched = d;
    feed.publish("stats", statsNow());
  }, 1000);
  statsTimer.unref();

  const onEvent = (e: { type: string; data: unknown }) => {
    const t = e.type;
    if (t === EVENT_TICK) feed.tick((e.data as { vtSymbol: string }).vtSymbol, e.data);
    else if (t === EVENT_ORDER) feed.publish("orders", e.data);
    else if (t === EVENT_TRADE) feed.publish("trades", e.data);
    else if (t === EVENT_POSITION) feed.publish("positions", e.data);
    else if (t === EVENT_ACCOUNT) feed.publish("accounts", e.data);
    else if (t === EVENT_GATEWAY) feed.publish("gateways", e.data);
    else if (t === EVENT_STRATEGY) feed.publish("strategies", e.data);
    else if (t === EVENT_LOG) {
      logs.push(e.data as LogData);
      if (logs.length > logLines) logs.splice(0, logs.length - logLines);
      feed.publish("logs", e.data);
    }
  };
  source.eventEngine.registerGeneral(onEvent);

  const snapshot = (topics: ReadonlySet<OrderedTopic>): Record<string, unknown> => {
    const s: Record<string, unknown> = {};
    if (topics.has("orders")) s.orders = source.getAllOrders();
    if (topics.has("trades")) s.trades = source.getAllTrades();
    if (topics.has("positions")) s.positions = source.getAllPositions();
    if (topics.has("accounts")) s.accounts = source.getAllAccounts();
    if (topics.has("logs")) s.logs = logs;
    if (topics.has("gateways")) s.gateways = gateways();
    if (topics.has("strategies")) s.strategies = strategyList();
    if (topics.has("stats")) s.stats = statsNow();
    return s;
  };
  app.get("/ws", { websocket: true }, (socket) => {
    feed.add(socket, (topics, send) => send({ type: "snapshot", data: { ...snapshot(topics), ticks: source.getAllTicks() } }));
  });

  await app.listen({ host, port: options.port ?? 8600 });
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : (options.port ?? 8600);
  const shownHost = host.includes(":") ? `[${host}]` : host;
  const url = `http://${shownHost}:${port}`;
  let closed = false;
  return {
    app,
    token,
    url,
    loginUrl: `${url}/?token=${token}`,
    port,
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(statsTimer);
      source.eventEngine.unregisterGeneral(onEvent);
      feed.close();
      await app.close();
    },
  };
}
