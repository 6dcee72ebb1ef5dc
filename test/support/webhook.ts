// A receiver for pgkeep's notification webhook on a free local port: every POST body is parsed as
// JSON and handed to the caller, who decides where it goes (a test's own list, usually).
import http from 'node:http';

export interface Webhook {
  server: http.Server;
  /** The URL to put in `notify.webhook_url`. */
  url: string;
  close(): Promise<void>;
}

export async function startWebhook<T>(onPost: (body: T) => void): Promise<Webhook> {
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      onPost(JSON.parse(body) as T);
      res.end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    server,
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}/hook`,
    // Kept-alive connections would hold close() open until they time out.
    close: () => new Promise<void>((r) => { server.close(() => r()); server.closeAllConnections(); }),
  };
}
