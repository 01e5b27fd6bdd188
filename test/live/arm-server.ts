/**
 * A loopback HTTPS server that answers the Azure Resource Manager calls of live mode with JSON shaped like
 * ARM's (vault, key, identity, role assignments, diagnostic settings, resource search, what-if). Tests give it
 * resources by id and scripted failures; it records every request. It never forwards anything anywhere.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

const TLS = path.join(import.meta.dirname, 'tls');
export const TEST_CA_FILE = path.join(TLS, 'localhost-test-only.crt');
export const TEST_TOKEN = 'test-token-not-a-secret';

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  authorization: string | undefined;
}

export class FakeArm {
  /** Resources by lower-case id: what GET of the id returns. */
  readonly resources = new Map<string, Record<string, unknown>>();
  /** Role assignments and diagnostic settings by lower-case scope id. */
  readonly roleAssignments = new Map<string, Record<string, unknown>[]>();
  readonly diagnosticSettings = new Map<string, Record<string, unknown>[]>();
  /** Scripted replies by lower-case path, used (and removed) before the normal answer: a 429, a 403... */
  readonly scripted = new Map<string, Reply[]>();
  /** what-if: the changes to answer for any deployment. */
  whatIfChanges: Record<string, unknown>[] = [];
  readonly requests: RecordedRequest[] = [];
  private server?: Server;
  endpoint = '';

  add(resource: Record<string, unknown>): this {
    this.resources.set(String(resource['id']).toLowerCase(), resource);
    return this;
  }

  script(resourcePath: string, ...replies: Reply[]): this {
    this.scripted.set(resourcePath.toLowerCase(), replies);
    return this;
  }

  async start(): Promise<this> {
    this.server = createServer({ key: readFileSync(path.join(TLS, 'localhost-test-only.key')), cert: readFileSync(TEST_CA_FILE) }, (req, res) => {
      // The SDK writes `getById` URLs as `/{resourceId}`, so paths start with `//subscriptions`; ARM accepts that.
      const raw = req.url ?? '/';
      const q = raw.indexOf('?');
      const url = { pathname: (q < 0 ? raw : raw.slice(0, q)).replace(/\/{2,}/g, '/'), searchParams: new URLSearchParams(q < 0 ? '' : raw.slice(q + 1)) };
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        this.requests.push({ method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, authorization: req.headers.authorization });
        const reply = this.answer(req.method ?? 'GET', url, body);
        res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
        res.end(reply.body === undefined ? '' : JSON.stringify(reply.body));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.endpoint = `https://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  private answer(method: string, url: { pathname: string; searchParams: URLSearchParams }, _body: string): Reply {
    if (!url.searchParams.get('api-version')) return error(400, 'MissingApiVersionParameter', 'The api-version query parameter is required.');
    if (!this.requests.at(-1)!.authorization?.startsWith(`Bearer ${TEST_TOKEN}`)) return error(401, 'AuthenticationFailed', 'No valid bearer token.');
    const p = decodeURIComponent(url.pathname).replace(/\/+$/, '');
    const lower = p.toLowerCase();
    const queued = this.scripted.get(lower);
    if (queued?.length) return queued.shift()!;
    if (method === 'POST' && lower.endsWith('/whatif')) {
      return { status: 200, body: { status: 'Succeeded', properties: { changes: this.whatIfChanges } } };
    }
    if (method !== 'GET') return error(405, 'MethodNotAllowed', `${method} is not served`);
    if (/^\/subscriptions\/[^/]+\/resources$/.test(lower)) {
      const filter = url.searchParams.get('$filter') ?? '';
      const type = /resourceType eq '([^']+)'/i.exec(filter)?.[1]?.toLowerCase();
      const name = /name eq '([^']+)'/i.exec(filter)?.[1]?.toLowerCase();
      const value = [...this.resources.values()]
        .filter((r) => String(r['type']).toLowerCase() === type && String(r['name']).toLowerCase() === name)
        .map((r) => ({ id: r['id'], name: r['name'], type: r['type'], location: r['location'] }));
      return { status: 200, body: { value } };
    }
    if (lower.endsWith('/providers/microsoft.authorization/roleassignments')) {
      const scope = lower.slice(0, -'/providers/microsoft.authorization/roleassignments'.length);
      // atScope(): assignments at the scope and at its ancestors.
      const value = [...this.roleAssignments.entries()].filter(([s]) => scope === s || scope.startsWith(`${s}/`)).flatMap(([, list]) => list);
      return { status: 200, body: { value } };
    }
    if (lower.endsWith('/providers/microsoft.insights/diagnosticsettings')) {
      const scope = lower.slice(0, -'/providers/microsoft.insights/diagnosticsettings'.length);
      return { status: 200, body: { value: this.diagnosticSettings.get(scope) ?? [] } };
    }
    const resource = this.resources.get(lower);
    if (resource) return { status: 200, body: resource };
    return error(404, 'ResourceNotFound', `The Resource '${p}' was not found.`);
  }
}

export function error(status: number, code: string, message: string): Reply {
  return { status, body: { error: { code, message } } };
}
