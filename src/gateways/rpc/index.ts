export { RpcGateway, type RemoteTraderApi, type RemoteSnapshot, type RpcGatewaySetting } from "./RpcGateway.js";
