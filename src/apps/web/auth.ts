import { createHmac, randomBytes, scryptSync, timingSafeEqual } from "node:crypto";

/** Name of the session cookie the token (or a password) is traded for. */
export const SESSION_COOKIE = "tw_session";
/**
 * The header every state-changing request must carry. A cross-site HTML form cannot set headers,
 * and a cross-site fetch with one needs a CORS preflight that this server never grants.
 */
export const CSRF_HEADER = "x-tickwire";

/** A salted scrypt hash of a password, as kept in a config file: "scrypt:<salt hex>:<hash hex>". */
export function hashPassword(password: string, salt: Buffer = randomBytes(16)): string {
  return `scrypt:${salt.toString("hex")}:${scryptSync(password, salt, 32).toString("hex")}`;
}

/** True when `password` matches a hash made by hashPassword. */
export function verifyPassword(password: string, stored: string): boolean {
  const [scheme, saltHex, hashHex] = stored.split(":");
  if (scheme !== "scrypt" || !saltHex || !hashHex) return false;
  const expected = Buffer.from(hashHex, "hex");
  const actual = scryptSync(password, Buffer.from(saltHex, "hex"), expected.length);
  return timingSafeEqual(actual, expected);
}

/** Compares secrets in constant time (a plain === leaks how many leading characters matched). */
export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function newSecret(): string {
  return randomBytes(24).toString("base64url");
}

/**
 * Sessions made at login, as signed cookies: `<expiry>.<nonce>.<HMAC of both keyed by the token>`.
 * Nothing is stored, so a restart with the same token keeps browsers logged in, and a new
 * token logs everyone out.
 */
export class SessionStore {
  constructor(
    private readonly secret: string,
    private readonly ttlMs: number,
  ) {}

  create(now = Date.now()): string {
    const body = `${now + this.ttlMs}.${randomBytes(12).toString("base64url")}`;
    return `${body}.${this.sign(body)}`;
  }

  valid(cookie: string | undefined, now = Date.now()): boolean {
    if (cookie === undefined) return false;
    const cut = cookie.lastIndexOf(".");
    if (cut <= 0) return false;
    const body = cookie.slice(0, cut);
    if (!sameSecret(cookie.slice(cut + 1), this.sign(body))) return false;
    return Number(body.slice(0, body.indexOf("."))) > now;
  }

  private sign(body: string): string {
    return createHmac("sha256", this.secret).update(body).digest("base64url");
  }
}

/** Fixed-window limit of login attempts per client address. */
export class LoginLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();
  constructor(
    private readonly max: number,
    private readonly windowMs: number,
  ) {}

  /** Counts one attempt; false when the address has used up its attempts for this window. */
  allow(key: string, now = Date.now()): boolean {
    let w = this.windows.get(key);
    if (!w || now - w.start >= this.windowMs) {
      w = { start: now, count: 0 };
      this.windows.set(key, w);
    }
    w.count++;
    return w.count <= this.max;
  }

  retryAfterSeconds(key: string, now = Date.now()): number {
    const w = this.windows.get(key);
    return w ? Math.max(1, Math.ceil((w.start + this.windowMs - now) / 1000)) : 1;
  }
}

/** True for addresses only this machine can reach. */
export function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || host === "[::1]" || /^127\.\d+\.\d+\.\d+$/.test(host);
}
