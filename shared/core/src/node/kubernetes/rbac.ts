/**
 * The least a Kubernetes target needs in its namespace, as one Role, and the
 * check `ferry targets test` makes of it: one SelfSubjectAccessReview per
 * verb and resource, asked as the user of the kubeconfig, so what is missing
 * is named before a run fails half-way. docs/kubernetes.md prints the Role
 * (`ferryRole`), and a test keeps the two the same.
 */
import type { AuthorizationV1Api, V1PolicyRule, V1Role } from '@kubernetes/client-node';
import type { TargetCheck } from '../../api/contract.js';

/** What each rule is for, so a missing permission can say what stops working. */
interface Need {
  apiGroup: '' | 'batch';
  resource: string;
  verbs: string[];
  why: string;
}

export const FERRY_NEEDS: readonly Need[] = [
  { apiGroup: 'batch', resource: 'jobs', verbs: ['create', 'get', 'list', 'watch', 'patch', 'delete'], why: "create a step's Job, release it when its upstream steps succeeded, watch it, cancel it" },
  { apiGroup: '', resource: 'pods', verbs: ['get', 'list', 'watch'], why: "see a step's pod: where it runs, why it waits or failed" },
  { apiGroup: '', resource: 'pods/log', verbs: ['get'], why: "stream a step's log (and the metrics it prints)" },
  { apiGroup: '', resource: 'configmaps', verbs: ['create', 'get', 'delete'], why: "hand a run's code to its pods" },
  { apiGroup: '', resource: 'persistentvolumeclaims', verbs: ['create', 'get'], why: 'keep the values steps pass to each other on the artifacts volume' },
  { apiGroup: '', resource: 'events', verbs: ['get', 'list', 'watch'], why: 'show why a pod is pending (scheduling, image pulls)' },
];

/** The namespaced Role granting exactly FERRY_NEEDS. */
export function ferryRole(namespace: string, name = 'ferry'): V1Role {
  const byGroup = new Map<string, V1PolicyRule[]>();
  for (const need of FERRY_NEEDS) {
    const rules = byGroup.get(need.apiGroup) ?? [];
    rules.push({ apiGroups: [need.apiGroup], resources: [need.resource], verbs: [...need.verbs] });
    byGroup.set(need.apiGroup, rules);
  }
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata: { name, namespace, labels: { 'app.kubernetes.io/name': 'ferry' } },
    rules: [...byGroup.values()].flat(),
  };
}

export interface MissingPermission {
  verb: string;
  /** `pods/log`, `jobs.batch`: as kubectl names them. */
  resource: string;
  why: string;
}

/** Asks the API server, as the kubeconfig's user, whether each permission is granted (all at once). */
export async function missingPermissions(authorization: AuthorizationV1Api, namespace: string): Promise<MissingPermission[]> {
  const asks = FERRY_NEEDS.flatMap((need) => need.verbs.map((verb) => ({ need, verb })));
  const answers = await Promise.all(
    asks.map(async ({ need, verb }) => {
      const [resource, subresource] = need.resource.split('/');
      const review = await authorization.createSelfSubjectAccessReview({
        body: {
          apiVersion: 'authorization.k8s.io/v1',
          kind: 'SelfSubjectAccessReview',
          spec: { resourceAttributes: { namespace, verb, group: need.apiGroup, resource, subresource } },
        },
      });
      return review.status?.allowed === true;
    }),
  );
  return asks
    .filter((_, index) => !answers[index])
    .map(({ need, verb }) => ({ verb, resource: need.apiGroup ? `${need.resource}.${need.apiGroup}` : need.resource, why: need.why }));
}

/** The `targets test` line for the permissions. */
export async function permissionsCheck(authorization: AuthorizationV1Api, namespace: string, user: string): Promise<TargetCheck> {
  const name = `permissions in namespace ${namespace}`;
  let missing: MissingPermission[];
  try {
    missing = await missingPermissions(authorization, namespace);
  } catch (error) {
    return { name, ok: false, detail: `could not ask the API server (SelfSubjectAccessReview): ${(error as Error).message}`, fix: 'check the kubeconfig, the context and that the API server is reachable' };
  }
  if (missing.length === 0) return { name, ok: true, detail: `${user} may do all Ferry needs` };
  return {
    name,
    ok: false,
    detail: `${user} may not: ${missing.map((m) => `${m.verb} ${m.resource} (to ${m.why})`).join('; ')}`,
    fix: `grant the Role in docs/kubernetes.md ("Permissions") to ${user} in namespace ${namespace}`,
  };
}
