import type { ErrorCatalogue } from "../../errorCodes.js";

/** The error codes of tickwire/gateways/rpc (the client side of the rpc service). See docs/errors.md. */
export const RPC_GATEWAY_ERRORS = {
  TW_RPC_GATEWAY_BAD_OPTION: {
    meaning: "A connect setting of the RpcGateway is invalid (an address not a string, a timeout not > 0, a bad CURVE key set).",
    fix: "Fix the setting named in the message; CURVE needs serverKey, publicKey and secretKey together, from `tickwire keygen`.",
  },
  TW_RPC_GATEWAY_NOT_CONNECTED: {
    meaning: "The gateway was used before connect().",
    fix: "Call connect() first.",
  },
  TW_RPC_GATEWAY_UNKNOWN_SYMBOL: {
    meaning: "The rpc server has no contract of that vtSymbol (yet).",
    fix: "Wait for whenSynced(), or check the symbol.",
  },
} as const satisfies ErrorCatalogue<"TW_RPC_GATEWAY_">;
