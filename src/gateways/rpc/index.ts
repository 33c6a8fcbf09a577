export { RpcGateway, type RemoteTraderApi, type RemoteSnapshot } from "./RpcGateway.js";
