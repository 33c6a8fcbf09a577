import type { ErrorCatalogue } from "../errorCodes.js";

/**
 * The error codes of tickwire/rpc (RpcServer, RpcClient, CURVE keys). See docs/errors.md.
 * `RpcErrorCode` in errors.ts names the same codes by short key (RpcErrorCode.TIMEOUT).
 */
export const RPC_ERRORS = {
  TW_RPC_TIMEOUT: {
    meaning: "No reply (or no heartbeat) within the call's timeout; the client stays usable.",
    fix: "Check that the server runs and the addresses and CURVE keys match; raise the timeout if the call is slow.",
  },
  TW_RPC_UNKNOWN_FUNCTION: {
    meaning: "The server has no function registered under that name.",
    fix: "Call a registered name (check the spelling and that server and client are the same version).",
  },
  TW_RPC_BAD_REQUEST: {
    meaning: "The server could not read the request (bad header, undecodable arguments, arguments not an array).",
    fix: "Call through RpcClient of the same tickwire version as the server.",
  },
  TW_RPC_OVERSIZE: {
    meaning: "A request or reply is over maxMessageSize, or a sliced reply object has over 65,535 fields.",
    fix: "Send or ask for less per call, or raise maxMessageSize on both sides.",
  },
  TW_RPC_STOPPED: {
    meaning: "The client or server was stopped (or never started) while the call was pending.",
    fix: "Call start() first; calls made before stop() resolved are lost.",
  },
  TW_RPC_REMOTE: {
    meaning: "The remote function threw or rejected: the error is a RemoteError with the remote name, message and code.",
    fix: "Read remoteCode and remoteMessage: the remote side's own error says what to do.",
  },
  TW_RPC_ENCODE: {
    meaning: "Arguments, a result or published data cannot be encoded as msgpack (a cycle, a class instance with state).",
    fix: "Pass plain data.",
  },
  TW_RPC_BAD_REPLY: {
    meaning: "A reply could not be decoded.",
    fix: "Run client and server from the same tickwire version.",
  },
  TW_RPC_BAD_MESSAGE: {
    meaning: "A publications frame could not be read; it was dropped and counted in the client's stats.",
    fix: "Run client and server from the same tickwire version.",
  },
  TW_RPC_BAD_ARGUMENT: {
    meaning: "A function name, topic, key name or argument list is invalid on the calling side.",
    fix: "Follow the message: names of 1 to 249 bytes, arguments as an array, no reserved topic.",
  },
  TW_RPC_INSECURE_BIND: {
    meaning: "The server would bind beyond loopback without CURVE encryption.",
    fix: "Give CURVE keys (tickwire keygen), or pass insecure: true on a trusted network.",
  },
  TW_RPC_SOCKET: {
    meaning: "Binding or connecting a socket failed (address in use, bad endpoint).",
    fix: "Check the address; stop the other server bound there.",
  },
  TW_RPC_AUTH: {
    meaning: "The server refused this client's CURVE key.",
    fix: "Add the client's public key to the server's allowed clients.",
  },
  TW_RPC_KEY_FILE: {
    meaning: "A key file could not be read or holds no valid Z85 CURVE key.",
    fix: "Create it with `tickwire keygen`.",
  },
} as const satisfies ErrorCatalogue<"TW_RPC_">;
