import { nameOf, reportCmkUnknown } from '../src/cmk-rules.js';
import type { EvaluatedResource } from '../src/eval/template.js';
import { displayPart, lastSegment } from '../src/eval/ids.js';
import { PartialString, Unknown, describeOrigins, type Value } from '../src/eval/value.js';
import {
  attachedIdentities,
  fullReferenceId,
  identityLabel,
  identityRefOf,
  identityTypeIncludes,
  attachesUserAssigned,
  isAttached,
  isListed,
  looksLikeResourceId,
  type IdentityRef,
} from '../src/identity.js';
import { defineMeta } from '../src/meta.js';
import { display, equalsIgnoreCase, read, type Read, type RuleContext, type Rule, type Verdict } from '../src/rule-api.js';

const meta = defineMeta({
  id: 'ACR005',
  name: 'registry-cmk-identity-match',
  level: 'error',
  shortDescription: 'The registry encryption identity must be the client id of a user-assigned identity attached to the registry.',
  fullDescription:
    "encryption.keyVaultProperties.identity tells ACR which managed identity reads the key. It must be the client id (application id) of a user-assigned identity listed in the registry's identity.userAssignedIdentities, or the literal 'system' when the registry has a system-assigned identity. A principal (object) id, a resource id, or the client id of an identity that is not attached to the registry makes the deployment fail or leaves the registry unable to reach its key.",
  help: [
    "Name the identity by its client id, and attach the same identity to the registry:",
    '```json',
    '"identity": { "type": "UserAssigned", "userAssignedIdentities": { "[variables(\'identityId\')]": {} } },',
    '"properties": { "encryption": { "status": "enabled", "keyVaultProperties": {',
    '  "keyIdentifier": "[reference(variables(\'keyId\'), \'2023-07-01\').keyUri]",',
    '  "identity": "[reference(variables(\'identityId\'), \'2023-01-31\').clientId]"',
    '} } }',
    '```',
    'In Bicep: `identity: uami.properties.clientId`. Grants (access policies, role assignments) name the same identity by its principalId instead.',
  ].join('\n'),
  tags: ['security', 'acr', 'cmk', 'identity'],
  precision: 'high',
  securitySeverity: '5.5',
});

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface Decision {
  verdict: Verdict;
  message: string;
}

/**
 * ", which it lists in identity.userAssignedIdentities, but identity.type 'None' attaches no user-assigned
 * identity" when the type is what keeps a listed identity off the registry; undefined otherwise.
 */
function typeDetaches(registry: EvaluatedResource, id: Value): string | undefined {
  const { attaches, type } = attachesUserAssigned(registry);
  if (attaches !== false || isListed(registry, id) === false) return undefined;
  return `is listed in identity.userAssignedIdentities, but identity.type ${type.state === 'missing' ? 'is not set, so the registry attaches' : `${display(type.value)} attaches`} no user-assigned identity`;
}

function typeFails(name: string, what: string, why: string): Decision {
  return {
    verdict: 'fail',
    message: `Registry '${name}' names ${what}, which it does not attach: ${why}, and ACR can only use attached identities. Set identity.type to 'UserAssigned' (or 'SystemAssigned, UserAssigned').`,
  };
}

function decide(ctx: RuleContext, registry: EvaluatedResource, name: string, identity: Read): Decision {
  const graph = ctx.graph;
  const useClientId = 'use reference(<identity id>).clientId (Bicep: <identity>.properties.clientId) of an identity listed in identity.userAssignedIdentities';
  if (identity.state === 'missing') {
    return {
      verdict: 'fail',
      message: `Registry '${name}' enables a customer-managed key but sets no encryption.keyVaultProperties.identity, so ACR does not know which identity reads the key: ${useClientId}.`,
    };
  }
  const value = identity.value;
  const ref: IdentityRef | undefined = identityRefOf(value);
  if (ref) {
    const who = identityLabel(graph, ref.target);
    if (ref.system) {
      return {
        verdict: 'fail',
        message: `Registry '${name}' names its encryption identity by the system-assigned identity's ${ref.property} of ${who}; ACR expects the client id of a user-assigned identity, or the literal 'system' for the registry's own system-assigned identity: ${useClientId}.`,
      };
    }
    const attached = isAttached(registry, ref.target);
    const off = typeDetaches(registry, ref.target);
    const notAttached = attached === false ? `, and ${off ? `${who} ${off}` : `${who} is not listed in the registry's identity.userAssignedIdentities`}` : '';
    const prop = ref.property.toLowerCase();
    if (prop === 'principalid') {
      return {
        verdict: 'fail',
        message: `Registry '${name}' names its encryption identity by the principalId (object id) of ${who}${notAttached}; ACR needs the identity's clientId: use reference(...).clientId instead of .principalId (Bicep: <identity>.properties.clientId). Principal ids belong in access policies and role assignments.`,
      };
    }
    if (prop !== 'clientid') {
      return {
        verdict: 'fail',
        message: `Registry '${name}' names its encryption identity by the ${ref.property} of ${who}${notAttached}; ACR needs the identity's clientId: use reference(...).clientId.`,
      };
    }
    if (attached === true) return { verdict: 'pass', message: `Registry '${name}' names attached identity ${who} by its client id.` };
    if (off) return typeFails(name, `the client id of identity ${who}`, `${who} ${off}`);
    if (attached === false) {
      return {
        verdict: 'fail',
        message: `Registry '${name}' names the client id of identity ${who}, which is not attached to the registry: ACR can only use identities listed in identity.userAssignedIdentities. Add ${who} there (and keep identity.type UserAssigned).`,
      };
    }
    const uai = read(registry, ['identity', 'userAssignedIdentities']);
    const { attaches, type } = attachesUserAssigned(registry);
    const because =
      attaches === undefined && type.state !== 'missing' && isListed(registry, ref.target) === true
        ? `identity.type is not known before deployment: ${describeOrigins(type.value)}`
        : uai.state === 'unknown'
        ? describeOrigins(uai.value)
        : `the ids in identity.userAssignedIdentities (${attachedIdentities(registry).list.map((a) => displayPart(a.id)).join(', ')}) are not fully known before deployment; give the parameter values`;
    return {
      verdict: 'undetermined',
      message: `Cannot tell whether identity ${who}, named by registry '${name}', is attached to it, because ${because}.`,
    };
  }
  const refId = fullReferenceId(value);
  if (refId !== undefined || looksLikeResourceId(value)) {
    const id = refId ?? value;
    const attached = isAttached(registry, id);
    const who = identityLabel(graph, id);
    return {
      verdict: 'fail',
      message: `Registry '${name}' names its encryption identity by a resource id (of ${who})${attached === false ? `, which is not attached to the registry either` : ''}; ACR needs the identity's client id: ${useClientId}.`,
    };
  }
  if (typeof value === 'string') {
    if (equalsIgnoreCase(value, 'system')) {
      const type = read(registry, ['identity', 'type']);
      const system = type.state === 'missing' ? false : identityTypeIncludes(type.value, 'SystemAssigned');
      if (system === true) return { verdict: 'pass', message: `Registry '${name}' uses its system-assigned identity for the key.` };
      if (system === undefined) {
        return { verdict: 'undetermined', message: `Cannot tell whether registry '${name}' has the system-assigned identity its encryption settings name ('system'), because ${describeOrigins(type.state === 'missing' ? null : type.value)}.` };
      }
      return {
        verdict: 'fail',
        message: `Registry '${name}' names 'system' as its encryption identity but has no system-assigned identity (identity.type ${type.state === 'missing' ? 'is not set' : display(type.value)}): add SystemAssigned to identity.type, or ${useClientId}.`,
      };
    }
    const attached = attachedIdentities(registry);
    if (GUID.test(value)) {
      const byClient = attached.list.find((a) => typeof a.clientId === 'string' && a.clientId.toLowerCase() === value.toLowerCase());
      if (byClient) {
        const who = `'${lastSegment(byClient.id)}'`;
        const off = typeDetaches(registry, byClient.id);
        if (off) return typeFails(name, `the client id of identity ${who}`, `${who} ${off}`);
        const { attaches, type } = attachesUserAssigned(registry);
        if (attaches === undefined) {
          return { verdict: 'undetermined', message: `Cannot tell whether identity ${who}, named by registry '${name}', is attached to it, because identity.type is not known before deployment: ${describeOrigins(type.state === 'missing' ? null : type.value)}.` };
        }
        return { verdict: 'pass', message: `Registry '${name}' names attached identity ${who} by its client id.` };
      }
      const byPrincipal = attached.list.find((a) => typeof a.principalId === 'string' && a.principalId.toLowerCase() === value.toLowerCase());
      if (byPrincipal) {
        return {
          verdict: 'fail',
          message: `Registry '${name}' names its encryption identity by the principal id (object id) of '${lastSegment(byPrincipal.id)}'; ACR needs that identity's clientId${typeof byPrincipal.clientId === 'string' ? ` ('${byPrincipal.clientId}')` : ''}.`,
        };
      }
      return {
        verdict: 'undetermined',
        message: `Cannot tell whether '${value}' is the client id of an identity attached to registry '${name}', because a literal GUID does not say whose client id (or principal id) it is: write reference(<identity id>).clientId instead, so that it can be checked.`,
      };
    }
    const byName = attached.list.find((a) => lastSegment(a.id).toLowerCase() === value.toLowerCase());
    return {
      verdict: 'fail',
      message: `Registry '${name}' sets its encryption identity to '${value}', which is ${byName ? `the name of identity '${lastSegment(byName.id)}'` : 'neither a client id (a GUID) nor \'system\''}: ${useClientId}.`,
    };
  }
  if (value instanceof Unknown || value instanceof PartialString) {
    return { verdict: 'undetermined', message: `Cannot tell whether the encryption identity of registry '${name}' is the client id of an attached identity, because ${describeOrigins(value)}.` };
  }
  return { verdict: 'fail', message: `Registry '${name}' sets its encryption identity to ${display(value)}, which is not a client id: ${useClientId}.` };
}

export const rule: Rule = {
  meta,
  check(ctx) {
    for (const { registry, cmk } of ctx.graph.cmkCandidates()) {
      const name = nameOf(registry);
      const identity = read(registry, ['properties', 'encryption', 'keyVaultProperties', 'identity']);
      const d = decide(ctx, registry, name, identity);
      if (cmk === undefined && d.verdict !== 'pass') {
        // The identity only matters with CMK: a wrong or unknown identity leaves the question open.
        reportCmkUnknown(ctx, registry, `the encryption identity of registry '${name}' must match an attached identity`);
        continue;
      }
      ctx.report({ resource: registry, path: identity.path, verdict: d.verdict, message: d.message });
    }
  },
};
