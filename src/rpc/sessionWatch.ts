import type { Dealer, Subscriber } from "zeromq";

/**
 * How long after a "disconnect" the socket has to announce its reconnection before the session
 * counts as ended. libzmq emits "connect:retry" in the same step as "disconnect" (same
 * millisecond when measured); the margin covers a busy event loop reading the monitor late.
 */
const RETRY_GRACE_MS = 100;

/**
 * Tells when libzmq has ended a connecting socket's session for good. After a protocol error (a
 * message over the socket's maxMessageSize, or a malformed frame) libzmq closes the connection
 * and never reconnects it: the socket then emits "disconnect" with no "connect:retry", whereas a
 * lost or refused connection always retries. Calls `onEnded` once per such loss; returns a
 * function that stops watching (call it before closing the socket).
 *
 * A failed handshake (the server refused our CURVE key) ends the session the same way; that one is
 * left alone, as before: a new socket with the same key would be refused again.
 */
export function watchSession(socket: Dealer | Subscriber, onEnded: () => void): () => void {
  let stopped = false;
  let retried = true;
  let handshakeFailed = false;
  let timer: NodeJS.Timeout | undefined;
  const cancel = (): void => {
    if (timer) clearTimeout(timer);
    timer = undefined;
  };
  const onDisconnect = (): void => {
    if (handshakeFailed) return;
    retried = false;
    cancel();
    // The timer, then one more turn of the loop (setImmediate runs after the poll phase), so a
    // "connect:retry" already waiting on the monitor socket is read first.
    timer = setTimeout(() => {
      timer = undefined;
      setImmediate(() => {
        if (!stopped && !retried) onEnded();
      });
    }, RETRY_GRACE_MS);
  };
  const onRetry = (): void => {
    retried = true;
    cancel();
  };
  const onHandshake = (): void => {
    handshakeFailed = false;
  };
  const onHandshakeError = (): void => {
    handshakeFailed = true;
    onRetry();
  };
  const events = socket.events;
  events.on("disconnect", onDisconnect);
  events.on("connect:retry", onRetry);
  events.on("connect", onRetry);
  events.on("handshake", onHandshake);
  const errors = ["handshake:error:auth", "handshake:error:protocol", "handshake:error:other"] as const;
  for (const type of errors) events.on(type, onHandshakeError);
  return () => {
    stopped = true;
    cancel();
    events.off("disconnect", onDisconnect);
    events.off("connect:retry", onRetry);
    events.off("connect", onRetry);
    events.off("handshake", onHandshake);
    for (const type of errors) events.off(type, onHandshakeError);
  };
}
