/**
 * Read-only access to Azure Resource Manager for live mode, through @azure/arm-resources and
 * @azure/arm-authorization. The SDKs (and @azure/identity) load only when live mode runs, so a plain scan
 * starts as fast as before. Every call goes through the SDK pipeline: bearer token, retries with back-off,
 * and `Retry-After` on throttling (429).
 */
import { readFileSync } from 'node:fs';

/** Api versions of the resources live mode reads (all GA, all return the properties the rules read). */
export const API_VERSIONS = {
  vault: '2023-07-01',
  key: '2023-07-01',
  identity: '2023-01-31',
  diagnosticSettings: '2021-05-01-preview',
} as const;

export interface LiveSettings {
  /** Subscription to search when only a name is known (`--subscription-id` or config). */
  subscriptionId?: string;
  /** `--arm-endpoint`: ARM of a sovereign cloud, Azure Stack Hub or a test server. */
  endpoint?: string;
  /** `CMKGUARD_ARM_TOKEN`: a bearer token used instead of DefaultAzureCredential. */
  token?: string;
  /** PEM file of extra CA certificates to trust for the endpoint (`--arm-ca`). */
  caFile?: string;
  /** Parallel requests at most (default 4). */
  concurrency?: number;
  /** Retries of throttled or failed requests (default 3). */
  maxRetries?: number;
}

/** A failed ARM call, reduced to what a user needs to act on it. */
export class ArmError extends Error {
  constructor(
    message: string,
    readonly status: number | undefined,
    readonly code: string | undefined,
  ) {
    super(message);
    this.name = 'ArmError';
  }
}

export type ArmObject = Record<string, unknown>;

/** What live mode asks ARM. Tests may substitute their own; the real one is `connectArm`. */
export interface ArmReader {
  getById(id: string, apiVersion: string): Promise<ArmObject>;
  /** Resources of `type` named `name` in the subscription (ids only matter). */
  findByName(type: string, name: string): Promise<ArmObject[]>;
  /** Role assignments that apply at `scope` (assigned there or above). */
  roleAssignmentsAt(scope: string): Promise<ArmObject[]>;
  /** Diagnostic settings of a resource. */
  diagnosticSettingsOf(resourceId: string): Promise<ArmObject[]>;
  /** A soft-deleted Key Vault (`Microsoft.KeyVault/locations/{location}/deletedVaults/{name}`); 404 when there is none. */
  deletedVault(subscriptionId: string, location: string, name: string): Promise<ArmObject>;
  /** ARM's prediction of a deployment to a resource group (`--what-if`). */
  whatIf(resourceGroup: string, deploymentName: string, template: unknown, parameters: Record<string, unknown>): Promise<ArmObject[]>;
}

interface TokenCredentialLike {
  getToken(scopes: string | string[]): Promise<{ token: string; expiresOnTimestamp: number } | null>;
}

const DEFAULT_ENDPOINT = 'https://management.azure.com';

function staticToken(token: string): TokenCredentialLike {
  return { getToken: async () => ({ token, expiresOnTimestamp: Date.now() + 60 * 60 * 1000 }) };
}

/** Turns whatever the SDK threw into an ArmError naming the status, the ARM error code and its message. */
export function toArmError(err: unknown, what: string): ArmError {
  const e = err as { name?: string; statusCode?: number; code?: string; message?: string; details?: { error?: { code?: string; message?: string } } };
  const status = typeof e?.statusCode === 'number' ? e.statusCode : undefined;
  const inner = e?.details?.error;
  const credential = typeof e?.name === 'string' && /AuthenticationError|CredentialUnavailableError/.test(e.name) ? e.name : undefined;
  const code = inner?.code ?? (typeof e?.code === 'string' ? e.code : credential);
  const text = (inner?.message ?? e?.message ?? String(err)).replace(/\s+/g, ' ').trim().replace(/\.+$/, '');
  const head = status ? `ARM answered ${status}${code ? ` (${code})` : ''}` : `the request failed${code ? ` (${code})` : ''}`;
  return new ArmError(`${what}: ${head}: ${text.slice(0, 300)}`, status, code);
}

/** Connects to ARM with the token from the environment or DefaultAzureCredential. */
export async function connectArm(settings: LiveSettings): Promise<ArmReader> {
  const endpoint = (settings.endpoint ?? DEFAULT_ENDPOINT).replace(/\/+$/, '');
  const credential: TokenCredentialLike = settings.token
    ? staticToken(settings.token)
    : new (await import('@azure/identity')).DefaultAzureCredential();
  const [{ ResourceManagementClient }, { AuthorizationManagementClient }, { createPipelineRequest }] = await Promise.all([
    import('@azure/arm-resources'),
    import('@azure/arm-authorization'),
    import('@azure/core-rest-pipeline'),
  ]);
  // Subscription id is only part of the SDK clients' URLs for calls live mode does not make by id.
  const subscription = settings.subscriptionId ?? '00000000-0000-0000-0000-000000000000';
  const options = {
    endpoint,
    credentialScopes: [`${endpoint}/.default`],
    retryOptions: { maxRetries: settings.maxRetries ?? 3, retryDelayInMs: 250, maxRetryDelayInMs: 8000 },
    tlsOptions: settings.caFile ? { ca: readFileSync(settings.caFile, 'utf8') } : undefined,
    userAgentOptions: { userAgentPrefix: 'cmkguard-live' },
  };
  const resources = new ResourceManagementClient(credential, subscription, options);
  const authorization = new AuthorizationManagementClient(credential, subscription, options);

  const getJson = async (pathAndQuery: string): Promise<ArmObject> => {
    const response = await resources.sendRequest(createPipelineRequest({ url: `${endpoint}${pathAndQuery}`, method: 'GET' }));
    const body = response.bodyAsText ? (JSON.parse(response.bodyAsText) as ArmObject) : {};
    if (response.status >= 400) {
      const error = (body['error'] ?? {}) as { code?: string; message?: string };
      throw Object.assign(new Error(error.message ?? `HTTP ${response.status}`), { statusCode: response.status, code: error.code });
    }
    return body;
  };

  return {
    async getById(id, apiVersion) {
      return (await resources.resources.getById(id, apiVersion)) as unknown as ArmObject;
    },
    async findByName(type, name) {
      const out: ArmObject[] = [];
      const filter = `resourceType eq '${type.replace(/'/g, "''")}' and name eq '${name.replace(/'/g, "''")}'`;
      for await (const r of resources.resources.list({ filter })) out.push(r as unknown as ArmObject);
      return out;
    },
    async roleAssignmentsAt(scope) {
      const out: ArmObject[] = [];
      for await (const r of authorization.roleAssignments.listForScope(scope, { filter: 'atScope()' })) out.push(r as unknown as ArmObject);
      return out;
    },
    async diagnosticSettingsOf(resourceId) {
      const body = await getJson(`${resourceId}/providers/Microsoft.Insights/diagnosticSettings?api-version=${API_VERSIONS.diagnosticSettings}`);
      return Array.isArray(body['value']) ? (body['value'] as ArmObject[]) : [];
    },
    async deletedVault(subscriptionId, location, name) {
      const at = [subscriptionId, location, name].map(encodeURIComponent);
      return getJson(`/subscriptions/${at[0]}/providers/Microsoft.KeyVault/locations/${at[1]}/deletedVaults/${at[2]}?api-version=${API_VERSIONS.vault}`);
    },
    async whatIf(resourceGroup, deploymentName, template, parameters) {
      const result = await resources.deployments.beginWhatIfAndWait(resourceGroup, deploymentName, {
        properties: {
          mode: 'Incremental',
          template: template as Record<string, unknown>,
          parameters: parameters as Record<string, { value?: unknown }>,
          whatIfSettings: { resultFormat: 'FullResourcePayloads' },
        },
      });
      if (result.error) throw Object.assign(new Error(result.error.message ?? 'what-if failed'), { code: result.error.code });
      return (result.changes ?? []) as unknown as ArmObject[];
    },
  };
}
