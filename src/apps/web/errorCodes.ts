import type { ErrorCatalogue } from "../../errorCodes.js";

/** The error codes of tickwire/apps/web: the `code` of an HTTP error reply or a WebSocket error message. See docs/errors.md. */
export const WEB_ERRORS = {
  TW_WEB_PUBLIC_WITHOUT_PASSWORD: {
    meaning: "The web server would listen beyond loopback without a password.",
    fix: "Set a password hash (hashPassword(), TICKWIRE_WEB_PASSWORD_HASH for the CLI) or listen on 127.0.0.1.",
  },
  TW_WEB_WEAK_TOKEN: { meaning: "The web token is shorter than 16 characters.", fix: "Give a longer token, or leave it out for a random one." },
  TW_WEB_UNAUTHORIZED: {
    meaning: "401: the request is not logged in.",
    fix: "Open the URL with the ?token=… printed at start, or send Authorization: Bearer <token>.",
  },
  TW_WEB_BAD_LOGIN: { meaning: "401: wrong token, user or password.", fix: "Log in with the right credentials." },
  TW_WEB_TOO_MANY_LOGINS: { meaning: "429: too many login attempts from this address.", fix: "Wait a minute and try again." },
  TW_WEB_CROSS_SITE: {
    meaning: "403: a state-changing request without the CSRF header.",
    fix: "Send the x-tickwire: 1 header (the page does), or use a Bearer token.",
  },
  TW_WEB_BAD_REQUEST: { meaning: "400: the request's body or query does not match the route's schema.", fix: "Fix the field named in the message." },
  TW_WEB_NOT_FOUND: { meaning: "404: no such route.", fix: "Check the method and path." },
  TW_WEB_INTERNAL: { meaning: "500: the server failed on the request.", fix: "Read the server's log." },
  TW_WEB_BAD_MESSAGE: { meaning: "A WebSocket message is not a JSON watch request.", fix: 'Send {"op":"watch","ticks":[…],"topics":[…]}.' },
  TW_WEB_UNKNOWN_CONTRACT: { meaning: "404: no contract of that vtSymbol.", fix: "GET /api/contracts lists them." },
  TW_WEB_UNKNOWN_ORDER: { meaning: "404: no order of that vtOrderid.", fix: "GET /api/orders lists them." },
  TW_WEB_ORDER_NOT_ACTIVE: {
    meaning: "409: the order is no longer active and cannot be cancelled.",
    fix: "Nothing to do: it was filled, cancelled or rejected.",
  },
  TW_WEB_NO_STRATEGY_ENGINE: { meaning: "404: this process runs no strategy engine.", fix: "Start the process with strategies (tickwire run --strategies)." },
  TW_WEB_UNKNOWN_STRATEGY: { meaning: "404: no strategy of that name.", fix: "GET /api/strategies lists them." },
} as const satisfies ErrorCatalogue<"TW_WEB_">;
