import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** Loopback webhook endpoints: one answers 200 at once and notes when each event arrived, one never answers. */
export interface Receivers {
  healthyUrl: string;
  hangingUrl: string;
  /** Arrival time of each `movement.created` at the healthy endpoint, by movement group id. */
  arrivals: Map<string, number>;
  /** Every request the healthy endpoint received, in arrival order, repeats included (`pnpm bench scale` counts them). */
  received: Array<{ eventId: string; type: string; groupId: string | null; at: number }>;
  /** Requests the hanging endpoint has received (and is holding open). */
  hanging: () => number;
  close(): Promise<void>;
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
}

export async function startReceivers(): Promise<Receivers> {
  const arrivals = new Map<string, number>();
  const received: Receivers['received'] = [];
  const healthy = createServer((req, res) => {
    let raw = '';
    req.on('data', (d) => (raw += d));
    req.on('end', () => {
      const at = Date.now();
      try {
        const event = JSON.parse(raw);
        const groupId = event?.data?.groupId;
        received.push({
          eventId: String(event?.id),
          type: String(event?.type),
          groupId: groupId ?? null,
          at,
        });
        if (event?.type === 'movement.created' && typeof groupId === 'string' && !arrivals.has(groupId))
          arrivals.set(groupId, at);
      } catch {}
      res.writeHead(200).end('ok');
    });
  });
  let held = 0;
  const sockets = new Set<Socket>();
  const hanging = createServer(() => {
    held++; // read nothing, answer nothing: the sender's timeout is all that ends it
  });
  hanging.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  const [healthyUrl, hangingUrl] = await Promise.all([listen(healthy), listen(hanging)]);
  return {
    healthyUrl,
    hangingUrl,
    arrivals,
    received,
    hanging: () => held,
    async close() {
      for (const s of sockets) s.destroy();
      healthy.closeAllConnections();
      await Promise.all([new Promise((r) => healthy.close(r)), new Promise((r) => hanging.close(r))]);
    },
  };
}
