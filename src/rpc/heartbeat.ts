/** The topic heartbeats are published under; clients subscribe to it by themselves. */
export const HEARTBEAT_TOPIC = "\u0000tw.heartbeat";

/** What a heartbeat carries. */
export interface HeartbeatData {
  /** Changes on every server start: a new id means the server restarted (its state may be new). */
  serverId: string;
  /** Server wall clock, epoch ms. */
  time: number;
  /** Sequence number of the server's last publication. */
  seq: number;
  /** Milliseconds until the next heartbeat. */
  interval: number;
}
