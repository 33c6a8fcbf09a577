import { TickwireError } from "../event/errors.js";
import type { TickwireErrorCode } from "../errorCodes.js";

/** Stable error codes of the rpc layer: part of the API, never renamed. */
export const RpcErrorCode = {
  /** No reply within the call's timeout. The socket stays usable; the next call works. */
  TIMEOUT: "TW_RPC_TIMEOUT",
  /** The server has no function registered under that name. */
  UNKNOWN_FUNCTION: "TW_RPC_UNKNOWN_FUNCTION",
  /** The request could not be read (bad header, undecodable args, args not an array). */
  BAD_REQUEST: "TW_RPC_BAD_REQUEST",
  /** A request or reply is larger than the configured `maxMessageSize`. */
  OVERSIZE: "TW_RPC_OVERSIZE",
  /** The client or server was stopped (or never started) while the call was pending. */
  STOPPED: "TW_RPC_STOPPED",
  /** The remote function threw or rejected: see `RemoteError`. */
  REMOTE: "TW_RPC_REMOTE",
  /** The value could not be encoded with msgpack (a cycle, a BigInt too large, ...). */
  ENCODE: "TW_RPC_ENCODE",
  /** A reply could not be read (not msgpack, wrong header). */
  BAD_REPLY: "TW_RPC_BAD_REPLY",
  /** A publications frame could not be read (dropped and counted in the client's `badMessages`). */
  BAD_MESSAGE: "TW_RPC_BAD_MESSAGE",
  /** A function name or argument is invalid on the calling side (empty name, bad topic, ...). */
  BAD_ARGUMENT: "TW_RPC_BAD_ARGUMENT",
  /** Binding beyond loopback without CURVE and without `insecure: true`. */
  INSECURE_BIND: "TW_RPC_INSECURE_BIND",
  /** Binding or connecting a socket failed (address in use, bad endpoint, ...). */
  SOCKET: "TW_RPC_SOCKET",
  /** The server refused this client's CURVE key (ZAP authentication failed). */
  AUTH: "TW_RPC_AUTH",
  /** A key file could not be read or holds no valid Z85 key. */
  KEY_FILE: "TW_RPC_KEY_FILE",
} as const;

export type RpcErrorCodeValue = (typeof RpcErrorCode)[keyof typeof RpcErrorCode];

/** What the server sends back when a call fails. */
export interface RemoteErrorInfo {
  /** `TW_RPC_REMOTE` for an exception thrown by the function, else the rpc code (unknown function, ...). */
  code: string;
  /** The remote error's class name (`Error`, `TypeError`, `TickwireError`, ...). */
  name: string;
  message: string;
  stack?: string;
  /** The `code` of the remote error itself when it had one (e.g. `TW_TRADER_UNKNOWN_GATEWAY`). */
  remoteCode?: string;
}

/**
 * A function on the server threw or rejected. Carries the remote error's name, message, stack and
 * code so a caller can tell a remote `TypeError` from a remote `TickwireError("TW_...")`.
 */
export class RemoteError extends TickwireError {
  readonly remoteName: string;
  readonly remoteMessage: string;
  readonly remoteStack: string | undefined;
  readonly remoteCode: string | undefined;
  readonly functionName: string;

  constructor(functionName: string, info: RemoteErrorInfo) {
    super(
      RpcErrorCode.REMOTE,
      `Remote function "${functionName}" failed with ${info.name}: ${info.message}` + (info.remoteCode ? ` (${info.remoteCode})` : ""),
      { details: { functionName, remoteName: info.name, remoteCode: info.remoteCode } },
    );
    this.name = "RemoteError";
    this.functionName = functionName;
    this.remoteName = info.name;
    this.remoteMessage = info.message;
    this.remoteStack = info.stack;
    this.remoteCode = info.remoteCode;
  }
}

/** Turns the server's error reply into the error the caller sees. */
export function errorFromReply(functionName: string, info: RemoteErrorInfo): TickwireError {
  if (info.code === RpcErrorCode.REMOTE) return new RemoteError(functionName, info);
  // The server is tickwire too: its codes are catalogued ones.
  return new TickwireError(info.code as TickwireErrorCode, info.message, { details: { functionName } });
}

/** Describes any thrown value as a RemoteErrorInfo for the wire. */
export function describeError(err: unknown, includeStack: boolean): RemoteErrorInfo {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    const info: RemoteErrorInfo = { code: RpcErrorCode.REMOTE, name: err.name, message: err.message };
    if (includeStack && err.stack) info.stack = err.stack;
    if (typeof code === "string") info.remoteCode = code;
    return info;
  }
  return { code: RpcErrorCode.REMOTE, name: typeof err, message: String(err) };
}
