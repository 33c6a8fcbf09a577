export * from "./WebServer.js";
export * from "./source.js";
export { hashPassword, verifyPassword, CSRF_HEADER, SESSION_COOKIE } from "./auth.js";
export { LiveFeed, CLOSE_TOO_SLOW, ORDERED_TOPICS, type OrderedTopic, type LiveFeedOptions } from "./LiveFeed.js";
export { TickwireError, isTickwireError, type TickwireErrorCode, type AnyErrorCode } from "../../event/errors.js";
export { WEB_ERRORS } from "./errorCodes.js";
