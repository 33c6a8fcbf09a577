import type { BaseApp } from "../../trader/BaseApp.js";
import { RPC_SERVICE_APP_NAME, RpcServiceEngine } from "./RpcServiceEngine.js";

/** `mainEngine.addApp(RpcServiceApp)` then `await engine.start(rep, pub)`. */
export const RpcServiceApp: BaseApp<RpcServiceEngine> = {
  appName: RPC_SERVICE_APP_NAME,
  displayName: "RPC service",
  engineClass: RpcServiceEngine,
  description: "Serves this process's gateways and OMS to RpcGateways in other processes over ZeroMQ.",
};
