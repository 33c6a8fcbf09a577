import { RpcClient, RpcServer, type RpcClientOptions, type RpcServerOptions } from "../../src/rpc/index.js";

export { once, sleep } from "../support/wait.js";

/** A server on free loopback ports plus a started client that has seen its first heartbeat. */
export async function startPair(
  serverOptions: RpcServerOptions = {},
  clientOptions: RpcClientOptions = {},
  setup?: (server: RpcServer) => void,
): Promise<{ server: RpcServer; client: RpcClient; stop: () => Promise<void> }> {
  const server = new RpcServer({ heartbeatInterval: 100, ...serverOptions });
  setup?.(server);
  await server.start("tcp://127.0.0.1:*", "tcp://127.0.0.1:*");
  const client = new RpcClient({ heartbeatTolerance: 1000, ...clientOptions });
  client.start(server.repEndpoint, server.pubEndpoint);
  await client.waitForConnection(10_000);
  return {
    server,
    client,
    stop: async () => {
      await client.stop();
      await server.stop();
    },
  };
}
