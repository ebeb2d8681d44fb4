/**
 * Matching a method and path to a route. Patterns are Pleo's paths with
 * `:name` segments; a path that exists with another method is a 405.
 */
import type { Identity } from './auth.js';
import type { Quirks } from './fault-plan.js';
import type { RouteName } from './faults.js';
import type { ApiResponse } from './http-io.js';
import type { ResolvedOptions } from './options.js';
import type { EmulatorState } from './state.js';

/** What a route handler gets. Handlers are synchronous: see store.ts. */
export interface RouteContext {
  state: EmulatorState;
  options: ResolvedOptions;
  params: Readonly<Record<string, string>>;
  query: URLSearchParams;
  contentType: string;
  rawBody: string | undefined;
  identity: Identity;
  quirks: Quirks;
}

export type RouteHandler = (context: RouteContext) => ApiResponse;

export interface RouteDef {
  /** The name faults and the request log use. */
  name: RouteName;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  pattern: string;
  handler: RouteHandler;
}

/** The least a route needs to be matched. */
export interface RoutePattern {
  method: string;
  pattern: string;
}

export type RouteMatch<R extends RoutePattern> =
  | { kind: 'found'; route: R; params: Record<string, string> }
  | { kind: 'methodNotAllowed'; allow: string[] }
  | { kind: 'notFound' };

export function matchRoute<R extends RoutePattern>(
  routes: readonly R[],
  method: string,
  pathname: string,
): RouteMatch<R> {
  const allow: string[] = [];
  for (const route of routes) {
    const params = matchPattern(route.pattern, pathname);
    if (!params) continue;
    if (route.method === method) return { kind: 'found', route, params };
    allow.push(route.method);
  }
  return allow.length > 0 ? { kind: 'methodNotAllowed', allow } : { kind: 'notFound' };
}

function matchPattern(
  pattern: string,
  pathname: string,
): Record<string, string> | undefined {
  const expected = pattern.split('/');
  const actual = pathname.split('/');
  if (expected.length !== actual.length) return undefined;

  const params: Record<string, string> = {};
  for (const [i, part] of expected.entries()) {
    const value = actual[i] ?? '';
    if (part.startsWith(':')) {
      if (value === '') return undefined;
      params[part.slice(1)] = safeDecode(value);
    } else if (part !== value) {
      return undefined;
    }
  }
  return params;
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    // A broken escape is left as sent; the route then reports a bad id.
    return segment;
  }
}
