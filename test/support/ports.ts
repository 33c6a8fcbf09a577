import { createServer, type AddressInfo } from "node:net";

/**
 * Loopback TCP ports free right now, from the kernel (port 0), without spawning anything. All are
 * held until every one is known, so the ports differ. Another process may take one before the
 * caller binds it; the kernel hands out ephemeral ports in turn, which makes that rare.
 */
export async function freePorts(n: number, host = "127.0.0.1"): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
          const s = createServer();
          s.once("error", reject);
          s.listen(0, host, () => resolve(s));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

export async function freePort(host = "127.0.0.1"): Promise<number> {
  return (await freePorts(1, host))[0];
}
