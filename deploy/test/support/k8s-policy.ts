/**
 * The deployment rules (docs/deploy.md, "What the manifests take care of"), checked on rendered manifests. Each
 * function returns human-readable problems; an empty list means the rule holds.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { isObj, type Obj, type Resource } from './kustomize';
import { WORKLOADS, at, find, matches, podLabels, podSpec, type Container } from './k8s-shape';
import { egressProblems, postgresProblems, tokenProblems } from './k8s-privilege';

const LB_RANGES = ['130.211.0.0/22', '35.191.0.0/16'];
const REPO = path.resolve(import.meta.dirname, '../../..');

function json(value: string | undefined): Obj | null {
  try {
    const v = JSON.parse(value ?? '') as unknown;
    return isObj(v) ? v : null;
  } catch {
    return null;
  }
}

/** The port a probe or Service targets, resolved against the container's declared ports. */
function portNumber(c: Container, port: unknown): number | null {
  if (typeof port === 'number') return (c.ports ?? []).some((p) => p.containerPort === port) ? port : null;
  return (c.ports ?? []).find((p) => p.name === port)?.containerPort ?? null;
}

function workloadProblems(r: Resource): string[] {
  const problems: string[] = [];
  const spec = podSpec(r);
  const podSc = spec.securityContext ?? {};
  const all = [...spec.containers.map((c) => ({ c, init: false })), ...(spec.initContainers ?? []).map((c) => ({ c, init: true }))];
  for (const { c, init } of all) {
    const where = `${at(r)} container ${c.name}`;
    const res = c.resources as { requests?: Obj; limits?: Obj } | undefined;
    if (!res?.requests?.cpu || !res.requests.memory) problems.push(`${where}: resources.requests cpu and memory`);
    if (!res?.limits?.memory) problems.push(`${where}: resources.limits.memory`);
    const sc = (c.securityContext ?? {}) as Obj;
    const runAsNonRoot = sc.runAsNonRoot ?? podSc.runAsNonRoot;
    const runAsUser = sc.runAsUser ?? podSc.runAsUser;
    if (runAsNonRoot !== true) problems.push(`${where}: runAsNonRoot`);
    if (typeof runAsUser !== 'number' || runAsUser === 0) problems.push(`${where}: a numeric non-root runAsUser`);
    if (sc.allowPrivilegeEscalation !== false) problems.push(`${where}: allowPrivilegeEscalation false`);
    if (sc.readOnlyRootFilesystem !== true) problems.push(`${where}: readOnlyRootFilesystem`);
    const drop = (sc.capabilities as { drop?: string[] } | undefined)?.drop ?? [];
    if (!drop.includes('ALL')) problems.push(`${where}: capabilities.drop ALL`);
    if (typeof c.image !== 'string' || !/:[\w.-]+$/.test(c.image) || c.image.endsWith(':latest')) problems.push(`${where}: a pinned image tag (${String(c.image)})`);
    const sidecar = init && c.restartPolicy === 'Always';
    if (!init || sidecar) {
      if (!c.livenessProbe) problems.push(`${where}: livenessProbe`);
      if (!init && !c.readinessProbe) problems.push(`${where}: readinessProbe`);
    }
    for (const probe of ['startupProbe', 'livenessProbe', 'readinessProbe']) {
      const get = (c[probe] as { httpGet?: { port: unknown } } | undefined)?.httpGet;
      if (get && portNumber(c, get.port) === null) problems.push(`${where}: ${probe} port ${String(get.port)} is not a container port`);
    }
  }
  if (r.kind === 'Deployment' && !(spec.containers[0]?.lifecycle as { preStop?: unknown } | undefined)?.preStop) problems.push(`${at(r)}: a preStop delay`);
  return problems;
}

function serverProblems(rs: Resource[]): string[] {
  const problems: string[] = [];
  const server = find(rs, 'Deployment', 'meshtalk-server');
  if (!server) return ['Deployment/meshtalk-server is missing'];
  const spec = (server as unknown as { spec: { replicas?: number; strategy?: { type?: string } } }).spec;
  if (spec.replicas !== 1) problems.push('server: replicas must be 1 while the room lives in memory');
  if (spec.strategy?.type !== 'Recreate') problems.push('server: strategy must be Recreate (two pods would be two rooms)');
  const pod = podSpec(server);
  const c = pod.containers.find((x) => x.name === 'server')!;
  const path = (probe: string) => (c[probe] as { httpGet?: { path?: string } } | undefined)?.httpGet?.path;
  if (path('livenessProbe') !== '/healthz') problems.push('server: livenessProbe on /healthz');
  if (path('startupProbe') !== '/readyz') problems.push('server: startupProbe on /readyz (store reachable, migrations applied)');
  if (!path('readinessProbe')) problems.push('server: an HTTP readinessProbe');
  const preStop = (c.lifecycle as { preStop?: { sleep?: { seconds?: number } } } | undefined)?.preStop?.sleep?.seconds ?? 0;
  if (preStop < 5) problems.push('server: preStop sleep of at least 5 s');
  const cm = rs.find((r) => r.kind === 'ConfigMap' && r.metadata.name === 'meshtalk-config') as unknown as { data?: Record<string, string> } | undefined;
  const shutdownSec = Number(cm?.data?.SHUTDOWN_TIMEOUT_MS ?? 10_000) / 1000;
  const grace = (pod as { terminationGracePeriodSeconds?: number }).terminationGracePeriodSeconds ?? 30;
  if (grace <= preStop + shutdownSec) problems.push(`server: terminationGracePeriodSeconds ${grace} must exceed preStop ${preStop} s + shutdown ${shutdownSec} s`);
  if (!(Number(cm?.data?.KEEP_ALIVE_TIMEOUT_MS) > 600_000)) problems.push('server: KEEP_ALIVE_TIMEOUT_MS above the load balancer\'s 600 s');
  const pdb = rs.find((r) => r.kind === 'PodDisruptionBudget' && matches((r as unknown as { spec: { selector: { matchLabels: Record<string, string> } } }).spec.selector.matchLabels, podLabels(server)));
  if (!pdb) problems.push('server: a PodDisruptionBudget');
  return problems;
}

function referenceProblems(rs: Resource[], secret: Resource): string[] {
  const problems: string[] = [];
  const secretKeys = Object.keys((secret as unknown as { stringData: Obj }).stringData);
  for (const r of rs.filter((x) => WORKLOADS.has(x.kind))) {
    const spec = podSpec(r);
    for (const c of [...spec.containers, ...(spec.initContainers ?? [])]) {
      for (const from of (c.envFrom as Array<{ configMapRef?: { name: string } }> | undefined) ?? []) {
        if (from.configMapRef && !find(rs, 'ConfigMap', from.configMapRef.name)) problems.push(`${at(r)}: ConfigMap ${from.configMapRef.name} is missing`);
      }
      for (const env of (c.env as Array<{ name: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }> | undefined) ?? []) {
        const ref = env.valueFrom?.secretKeyRef;
        if (ref && (ref.name !== secret.metadata.name || !secretKeys.includes(ref.key))) problems.push(`${at(r)}: secret ${ref.name}/${ref.key} is not in secret.example.yaml`);
      }
    }
    const sa = spec.serviceAccountName as string | undefined;
    if (sa && !find(rs, 'ServiceAccount', sa)) problems.push(`${at(r)}: ServiceAccount ${sa} is missing`);
  }
  for (const r of rs.filter((x) => x.kind === 'Service' || x.kind === 'PodDisruptionBudget' || x.kind === 'NetworkPolicy')) {
    const s = (r as unknown as { spec: { selector?: Record<string, string> | { matchLabels: Record<string, string> }; podSelector?: { matchLabels: Record<string, string> } } }).spec;
    const selector = r.kind === 'Service' ? (s.selector as Record<string, string>) : r.kind === 'NetworkPolicy' ? s.podSelector?.matchLabels : (s.selector as { matchLabels: Record<string, string> }).matchLabels;
    if (!rs.some((w) => WORKLOADS.has(w.kind) && matches(selector, podLabels(w)))) problems.push(`${at(r)}: its selector matches no pod`);
  }
  const namespaces = new Set(rs.filter((r) => r.kind === 'Namespace').map((r) => r.metadata.name));
  for (const r of rs.filter((x) => x.kind !== 'Namespace')) {
    if (!r.metadata.namespace || !namespaces.has(r.metadata.namespace)) problems.push(`${at(r)}: in a Namespace this build creates`);
  }
  return problems;
}

function ingressProblems(rs: Resource[]): string[] {
  const problems: string[] = [];
  const ingresses = rs.filter((r) => r.kind === 'Ingress');
  if (ingresses.length !== 1) return [`exactly one Ingress expected, found ${ingresses.length}`];
  const ing = ingresses[0]!;
  const a = ing.metadata.annotations ?? {};
  const spec = (ing as unknown as { spec: Obj }).spec;
  if (a['kubernetes.io/ingress.class'] !== 'gce') problems.push('Ingress: annotation kubernetes.io/ingress.class: gce');
  if ('ingressClassName' in spec) problems.push('Ingress: no spec.ingressClassName (GKE reads the annotation)');
  const certs = (a['networking.gke.io/managed-certificates'] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (certs.length === 0) problems.push('Ingress: a managed certificate');
  for (const name of certs) if (!find(rs, 'ManagedCertificate', name)) problems.push(`Ingress: ManagedCertificate ${name} is missing`);
  const fc = find(rs, 'FrontendConfig', a['networking.gke.io/v1beta1.FrontendConfig'] ?? '');
  if (!fc) problems.push('Ingress: its FrontendConfig is missing');
  else if ((fc as unknown as { spec: { redirectToHttps?: { enabled?: boolean } } }).spec.redirectToHttps?.enabled !== true) problems.push('FrontendConfig: redirectToHttps');
  const hosts = new Set<string>();
  type Backend = { service: { name: string; port: { number?: number; name?: string } } };
  const backends: Array<{ path: string; backend: Backend }> = [];
  if (spec.defaultBackend) backends.push({ path: '(default)', backend: spec.defaultBackend as Backend });
  for (const rule of (spec.rules as Array<{ host?: string; http: { paths: Array<{ path: string; pathType: string; backend: Backend }> } }>) ?? []) {
    if (rule.host) hosts.add(rule.host);
    for (const p of rule.http.paths) backends.push({ path: p.path, backend: p.backend });
  }
  for (const cert of certs) {
    const domains = ((find(rs, 'ManagedCertificate', cert) as unknown as { spec?: { domains?: string[] } } | undefined)?.spec?.domains) ?? [];
    for (const h of hosts) if (!domains.includes(h)) problems.push(`ManagedCertificate ${cert}: covers ${h}`);
  }
  const sio = backends.find((b) => b.path === '/socket.io' || b.path === '/socket.io/');
  if (sio?.backend.service.name !== 'meshtalk-server') problems.push('Ingress: /socket.io straight to the server Service');
  for (const { path: p, backend } of backends) {
    const svc = find(rs, 'Service', backend.service.name);
    if (!svc) {
      problems.push(`Ingress ${p}: Service ${backend.service.name} is missing`);
      continue;
    }
    const ports = (svc as unknown as { spec: { ports: Array<{ port: number; name?: string }> } }).spec.ports;
    if (!ports.some((x) => x.port === backend.service.port.number || (x.name && x.name === backend.service.port.name))) problems.push(`Ingress ${p}: port of Service ${svc.metadata.name}`);
    problems.push(...serviceBackendProblems(rs, svc));
  }
  return [...new Set(problems)];
}

/** A Service behind the Ingress: NEG, a BackendConfig fit for WebSockets, and a reachable pod. */
function serviceBackendProblems(rs: Resource[], svc: Resource): string[] {
  const problems: string[] = [];
  const a = svc.metadata.annotations ?? {};
  if (json(a['cloud.google.com/neg'])?.ingress !== true) problems.push(`${at(svc)}: annotation cloud.google.com/neg {"ingress": true}`);
  const bc = json(a['cloud.google.com/backend-config']);
  const names = bc ? [bc.default, ...Object.values((bc.ports as Obj | undefined) ?? {})].filter((x): x is string => typeof x === 'string') : [];
  if (names.length === 0) problems.push(`${at(svc)}: annotation cloud.google.com/backend-config`);
  const selector = (svc as unknown as { spec: { selector: Record<string, string> } }).spec.selector;
  const workload = rs.find((w) => WORKLOADS.has(w.kind) && matches(selector, podLabels(w)));
  const container = workload ? podSpec(workload).containers[0] : undefined;
  for (const name of names) {
    const config = find(rs, 'BackendConfig', name);
    if (!config) {
      problems.push(`${at(svc)}: BackendConfig ${name} is missing`);
      continue;
    }
    const spec = (config as unknown as { spec: { timeoutSec?: number; healthCheck?: { requestPath?: string; port?: number; type?: string }; sessionAffinity?: { affinityType?: string } } }).spec;
    if (!(Number(spec.timeoutSec) >= 3600)) problems.push(`BackendConfig ${name}: timeoutSec >= 3600 (the default 30 s ends every WebSocket)`);
    const hc = spec.healthCheck;
    if (!hc?.requestPath || !hc.port || !hc.type) problems.push(`BackendConfig ${name}: an explicit healthCheck (type, requestPath, port)`);
    if (!spec.sessionAffinity?.affinityType || spec.sessionAffinity.affinityType === 'NONE') problems.push(`BackendConfig ${name}: session affinity`);
    if (container && hc?.port && portNumber(container, hc.port) === null) problems.push(`BackendConfig ${name}: health-check port ${hc.port} is not a port of ${container.name}`);
    if (container && hc?.requestPath) {
      const probed = ['livenessProbe', 'readinessProbe', 'startupProbe'].map((p) => (container[p] as { httpGet?: { path?: string } } | undefined)?.httpGet?.path);
      if (!probed.includes(hc.requestPath)) problems.push(`BackendConfig ${name}: health-check path ${hc.requestPath} is not one the pod's probes use`);
    }
  }
  if (workload && container) problems.push(...lbAdmittedProblems(rs, workload, container));
  return problems;
}

/** Some NetworkPolicy selecting the pod admits both Google load-balancer ranges on its port. */
function lbAdmittedProblems(rs: Resource[], workload: Resource, container: Container): string[] {
  const labels = podLabels(workload);
  const policies = rs.filter((r) => r.kind === 'NetworkPolicy' && matches((r as unknown as { spec: { podSelector: { matchLabels: Record<string, string> } } }).spec.podSelector.matchLabels, labels));
  if (policies.length === 0) return [`${at(workload)}: a NetworkPolicy`];
  const port = container.ports?.[0]?.containerPort;
  const admitted = new Set<string>();
  for (const p of policies) {
    for (const rule of (p as unknown as { spec: { ingress?: Array<{ from?: Array<{ ipBlock?: { cidr: string } }>; ports?: Array<{ port: number | string }> }> } }).spec.ingress ?? []) {
      if (rule.ports && !rule.ports.some((x) => x.port === port || x.port === container.ports?.[0]?.name)) continue;
      for (const f of rule.from ?? []) if (f.ipBlock) admitted.add(f.ipBlock.cidr);
    }
  }
  return LB_RANGES.filter((r) => !admitted.has(r)).map((r) => `${at(workload)}: NetworkPolicy admits ${r} on port ${port}`);
}

/** The client pod's health path exists in nginx.conf. */
function nginxProblems(rs: Resource[]): string[] {
  const client = find(rs, 'Deployment', 'meshtalk-client');
  if (!client) return ['Deployment/meshtalk-client is missing'];
  const conf = readFileSync(path.join(REPO, 'nginx.conf'), 'utf8');
  const c = podSpec(client).containers[0]!;
  const paths = ['livenessProbe', 'readinessProbe'].map((p) => (c[p] as { httpGet?: { path?: string } } | undefined)?.httpGet?.path);
  return paths.filter((p) => !p || !conf.includes(`location = ${p} `)).map((p) => `client: probe path ${p} is not a location in nginx.conf`);
}

export function policyProblems(rs: Resource[], secret: Resource): string[] {
  return [
    ...rs.filter((r) => WORKLOADS.has(r.kind)).flatMap(workloadProblems),
    ...serverProblems(rs),
    ...referenceProblems(rs, secret),
    ...ingressProblems(rs),
    ...nginxProblems(rs),
    ...egressProblems(rs),
    ...tokenProblems(rs),
    ...postgresProblems(rs),
  ];
}
