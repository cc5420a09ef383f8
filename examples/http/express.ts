/**
 * Rate limiting an Express 5 app with a middleware: every response carries the RateLimit fields,
 * and a refused request gets 429 with Retry-After. Express 5 passes a rejected middleware promise
 * to the error handler, so a failing limiter answers 500. Run it with `npx tsx examples/http/express.ts`.
 */
import { fileURLToPath } from "node:url";
import express, { type Express, type RequestHandler } from "express";
import { type ApiLimiter, createApiLimiter, decide, requestKey } from "./api-limit.js";

export function rateLimit(limiter: ApiLimiter): RequestHandler {
  return async (request, response, next) => {
    // `request.ip` is the socket's address unless "trust proxy" is set: set it behind a proxy.
    const key = requestKey(request.get("X-Organisation"), request.ip);
    const { allowed, headers } = await decide(limiter, key);
    response.set(headers);
    if (!allowed) {
      response.status(429).json({ error: "too many requests", key });
      return;
    }
    response.locals["rateLimitKey"] = key;
    next();
  };
}

export function createApp(limiter: ApiLimiter = createApiLimiter()): Express {
  const app = express();
  app.use(rateLimit(limiter));
  app.get("/", (_request, response) => {
    response.json({ hello: response.locals["rateLimitKey"] });
  });
  return app;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const port = Number(process.env["PORT"] ?? 3000);
  createApp().listen(port, "127.0.0.1", () => console.log(`listening on http://127.0.0.1:${port}`));
}
