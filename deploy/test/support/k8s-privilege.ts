/**
 * Least privilege, checked on rendered manifests (issue L5): egress closed but for what each pod
 * needs, no service account tokens, and an in-cluster PostgreSQL whose server role is not the
 * superuser. Each function returns human-readable problems; an empty list means the rule holds.
 */
import type { Resource } from './kustomize';
import { WORKLOADS, at, find, matches, podLabels, podSpec, type PodSpec } from './k8s-shape';

/** The GKE metadata server, per port: Workload Identity tokens (80) and GKE's own endpoint on Dataplane V2 (988). */
const METADATA: Record<number, string> = { 80: '169.254.169.254/32', 988: '169.254.169.252/32' };

type EgressRule = { to?: Array<{ ipBlock?: { cidr: string } }>; ports?: Array<{ port?: number | string; endPort?: number; protocol?: string }> };

/** The ports a pod may reach: DNS for all; the server its database; nginx the server. */
function allowedEgress(component: string | undefined, cloudSqlProxy: boolean): Set<number> {
  if (component === 'server') return new Set([53, 5432, ...(cloudSqlProxy ? [3307, 443, 80, 988] : [])]);
  if (component === 'client') return new Set([53, 3000]);
  return new Set([53]);
}

/** Egress is closed by default: every pod has an egress policy, and each rule names ports the pod needs. */
export function egressProblems(rs: Resource[]): string[] {
  const problems: string[] = [];
  const policies = rs.filter((r) => r.kind === 'NetworkPolicy' && ((r as unknown as { spec: { policyTypes?: string[] } }).spec.policyTypes ?? []).includes('Egress'));
  for (const w of rs.filter((x) => WORKLOADS.has(x.kind))) {
    const labels = podLabels(w);
    const mine = policies.filter((p) => matches((p as unknown as { spec: { podSelector: { matchLabels: Record<string, string> } } }).spec.podSelector.matchLabels, labels));
    if (mine.length === 0) {
      problems.push(`${at(w)}: an egress NetworkPolicy (without one, egress is open)`);
      continue;
    }
    const spec = podSpec(w);
    const proxy = (spec.initContainers ?? []).some((c) => String(c.image).includes('/cloud-sql-proxy:'));
    const allowed = allowedEgress(labels['app.kubernetes.io/component'], proxy);
    const open = new Set<number>();
    for (const p of mine) {
      for (const rule of ((p as unknown as { spec: { egress?: EgressRule[] } }).spec.egress ?? [])) {
        if (!rule.ports?.length) {
          problems.push(`${at(p)}: an egress rule to every port`);
          continue;
        }
        for (const port of rule.ports) {
          if (typeof port.port !== 'number' || port.endPort !== undefined) {
            problems.push(`${at(p)}: egress to a named port or a range (${String(port.port)}${port.endPort ? `-${port.endPort}` : ''})`);
            continue;
          }
          open.add(port.port);
          if (!allowed.has(port.port)) problems.push(`${at(p)}: egress port ${port.port} is not one ${at(w)} needs`);
          const only = METADATA[port.port];
          if (only && (rule.to?.length !== 1 || rule.to[0]?.ipBlock?.cidr !== only)) problems.push(`${at(p)}: egress port ${port.port} only to the metadata server ${only}`);
        }
      }
    }
    if (labels['app.kubernetes.io/component'] === 'server') {
      if (!open.has(53)) problems.push(`${at(w)}: egress to DNS (port 53)`);
      if (!open.has(proxy ? 3307 : 5432)) problems.push(`${at(w)}: egress to its database (port ${proxy ? 3307 : 5432})`);
    }
  }
  return problems;
}

/** No pod here calls the Kubernetes API, so none gets a service account token (Workload Identity needs none). */
export function tokenProblems(rs: Resource[]): string[] {
  return rs
    .filter((r) => WORKLOADS.has(r.kind) && (podSpec(r) as { automountServiceAccountToken?: boolean }).automountServiceAccountToken !== false)
    .map((r) => `${at(r)}: automountServiceAccountToken: false`);
}

/**
 * An in-cluster PostgreSQL: the server's role is created by an init script as a least-privilege
 * role, and is not the superuser the image makes from POSTGRES_USER.
 */
export function postgresProblems(rs: Resource[]): string[] {
  const problems: string[] = [];
  for (const w of rs.filter((x) => WORKLOADS.has(x.kind))) {
    const spec = podSpec(w) as PodSpec & { volumes?: Array<{ name: string; configMap?: { name: string } }> };
    for (const c of spec.containers.filter((x) => /^postgres:/.test(String(x.image)))) {
      const where = `${at(w)} container ${c.name}`;
      const env = new Map(((c.env as Array<{ name: string; value?: string }> | undefined) ?? []).map((e) => [e.name, e.value]));
      const superuser = env.get('POSTGRES_USER') ?? 'postgres';
      const app = env.get('MESHTALK_DB_USER');
      if (!app) problems.push(`${where}: MESHTALK_DB_USER names the server's own role`);
      else if (app === superuser) problems.push(`${where}: the server's role ${app} is the superuser (POSTGRES_USER)`);
      const mount = ((c.volumeMounts as Array<{ name: string; mountPath: string }> | undefined) ?? []).find((m) => m.mountPath === '/docker-entrypoint-initdb.d');
      const cmName = spec.volumes?.find((v) => v.name === mount?.name)?.configMap?.name;
      const script = Object.values(((find(rs, 'ConfigMap', cmName ?? '') as unknown as { data?: Record<string, string> } | undefined)?.data) ?? {}).join('\n');
      const create = /CREATE ROLE :"app_role"([^;]*);/.exec(script)?.[1] ?? '';
      if (!create) problems.push(`${where}: an init script at /docker-entrypoint-initdb.d that creates the server's role (superuser: no)`);
      for (const word of ['NOSUPERUSER', 'NOCREATEDB', 'NOCREATEROLE', 'NOREPLICATION', 'NOBYPASSRLS']) {
        if (create && !create.includes(word)) problems.push(`${where}: the server's role is created ${word}`);
      }
    }
  }
  return problems;
}
