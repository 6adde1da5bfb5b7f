// 405 for a known path asked with a method it does not serve (issue 13: it answered 404, which reads as "wrong
// URL"). Express 5 has no built-in for this, so the table of (path pattern, methods) is read from the app's
// router stack the first time it is needed (every router is mounted by then) and kept. Only string route
// paths with `:param` segments, in routers mounted at the root or under a plain path, are understood (every
// route this app declares; a mounted sub-app is not looked into); anything else is left to the 404. Routes that answer their own 405 (the webhook) never reach this handler.
import type { Express, NextFunction, Request, Response } from 'express';
import { sendProblem } from './problem';

interface RouteEntry {
  readonly pattern: RegExp;
  readonly methods: ReadonlySet<string>;
}

/** The parts of router's Layer and Route this reads (router 2.x, Express 5). */
interface StackLayer {
  readonly route?: { readonly path: unknown; readonly methods: Record<string, boolean> };
  readonly handle?: { readonly stack?: unknown };
  readonly rawPath?: unknown;
  readonly slash?: boolean;
}

export function methodNotAllowed(app: Express) {
  let table: readonly RouteEntry[] | undefined;
  return (req: Request, res: Response, next: NextFunction): void => {
    table ??= collectRoutes(app.router.stack as unknown as StackLayer[], '');
    const allowed = new Set<string>();
    for (const entry of table)
      if (entry.pattern.test(req.path)) for (const m of entry.methods) allowed.add(m);
    if (allowed.size === 0 || allowed.has(req.method)) return next();
    const allow = [...allowed].sort().join(', ');
    sendProblem(
      res,
      {
        status: 405,
        code: 'method_not_allowed',
        title: 'Method not allowed',
        detail: `${req.method} is not served at this path; use ${allow}`,
      },
      { Allow: allow },
    );
  };
}

function collectRoutes(stack: readonly StackLayer[], prefix: string): RouteEntry[] {
  const entries: RouteEntry[] = [];
  for (const layer of stack) {
    if (layer.route) {
      const paths = Array.isArray(layer.route.path) ? layer.route.path : [layer.route.path];
      const methods = routeMethods(layer.route.methods);
      for (const path of paths)
        if (typeof path === 'string' && methods.size > 0)
          entries.push({ pattern: pathPattern(prefix + path), methods });
    } else if (Array.isArray(layer.handle?.stack)) {
      // A mounted router: at the root (`slash`), or under a plain string path.
      const mount = layer.slash ? '' : typeof layer.rawPath === 'string' ? layer.rawPath : undefined;
      if (mount !== undefined)
        entries.push(...collectRoutes(layer.handle.stack as StackLayer[], prefix + mount));
    }
  }
  return entries;
}

function routeMethods(methods: Record<string, boolean>): Set<string> {
  // `_all` (router.all) serves every method: nothing to refuse.
  if (methods._all) return new Set();
  const set = new Set(Object.keys(methods).map((m) => m.toUpperCase()));
  // Express answers HEAD with the GET handler.
  if (set.has('GET')) set.add('HEAD');
  return set;
}

function pathPattern(path: string): RegExp {
  const source = path
    .split('/')
    .map((segment) => (segment.startsWith(':') ? '[^/]+' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${source}/?$`);
}
