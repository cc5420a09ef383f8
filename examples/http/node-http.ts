/**
 * Rate limiting a plain `node:http` server: every response carries the RateLimit fields, and a
 * refused request gets 429 with Retry-After. Run it with `npx tsx examples/http/node-http.ts`.
 */
import { createServer, type Server } from "node:http";
import { fileURLToPath } from "node:url";
import { type ApiLimiter, createApiLimiter, decide, requestKey } from "./api-limit.js";

export function createApp(limiter: ApiLimiter = createApiLimiter()): Server {
  return createServer(async (request, response) => {
    try {
      const key = requestKey(request.headers["x-organisation"], request.socket.remoteAddress);
      const { allowed, headers } = await decide(limiter, key);
      for (const [name, value] of Object.entries(headers)) response.setHeader(name, value);
      response.setHeader("Content-Type", "application/json");
      if (!allowed) {
        response.statusCode = 429;
        response.end(JSON.stringify({ error: "too many requests", key }));
        return;
      }
      response.end(JSON.stringify({ hello: key }));
    } catch (error) {
      // The limiter failed (a shared store down, without createResilientStore): not the caller's fault.
      console.error(error);
      response.statusCode = 500;
      response.end();
    }
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const port = Number(process.env["PORT"] ?? 3000);
  createApp().listen(port, "127.0.0.1", () => console.log(`listening on http://127.0.0.1:${port}`));
}
