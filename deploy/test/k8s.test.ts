/**
 * k8s/: every manifest parses and validates against the Kubernetes and GKE schemas (unknown
 * fields included), every overlay renders, and the rendered objects keep the rules that make a
 * WebSocket app work on GKE (docs/deploy.md, "What the manifests take care of").
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../server/src/config';
import { build, isObj, readDocs, readKustomization, type Obj, type Resource } from './support/kustomize';
import { modelFor, unknownFields } from './support/k8s-models';
import { REPO } from './support/nginx';
import { policyProblems } from './support/k8s-policy';

const K8S = path.join(REPO, 'k8s');
const OVERLAYS = ['gke', 'gke-cloudsql', 'gke-postgres'];
/** `kubectl kustomize` output per overlay, recorded so the comparison runs where kubectl is absent too. */
const RECORDED = path.join(REPO, 'deploy', 'test', 'kubectl-kustomize');
const kubectl = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' }).status === 0;

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) return yamlFiles(p);
    return /\.ya?ml$/.test(name) ? [p] : [];
  });
}
const kustomizationDirs = yamlFiles(K8S)
  .filter((f) => path.basename(f) === 'kustomization.yaml')
  .map((f) => path.dirname(f));
const rel = (f: string) => path.relative(REPO, f);
const manifestFiles = yamlFiles(K8S).filter((f) => path.basename(f) !== 'kustomization.yaml');

describe('every manifest file', () => {
  it.each(manifestFiles.map(rel))('%s parses and validates against its schema, with no unknown field', async (file) => {
    const docs = readDocs(path.join(REPO, file));
    expect(docs.length).toBeGreaterThan(0);
    for (const doc of docs) {
      const { apiVersion, kind } = doc as { apiVersion?: string; kind?: string };
      expect(apiVersion && kind, `${file}: apiVersion and kind`).toBeTruthy();
      const model = await modelFor(apiVersion!, kind!);
      expect(model, `${file}: a schema for ${apiVersion} ${kind}`).not.toBeNull();
      // Patches are partial objects: their required fields live in the base.
      const isPatch = kustomizationDirs.some((d) => ((readKustomization(d).patches as Array<{ path: string }> | undefined) ?? []).some((p) => path.resolve(d, p.path) === path.join(REPO, file)));
      if (!isPatch) expect(() => new model!(doc).validate(), `${file}: ${kind}`).not.toThrow();
      expect(unknownFields(model!, doc), `${file}: ${kind} fields unknown to the schema`).toEqual([]);
    }
  });

  it('catches what the schemas alone would let through (the strict walk works)', async () => {
    const deployment = (await modelFor('apps/v1', 'Deployment'))!;
    const typo = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'x', labels: { free: 'form' } },
      spec: { selector: {}, strategy: { type: 'Recreate' }, template: { spec: { containers: [{ name: 'a', image: 'b:1', resource: {} }] } } },
    };
    expect(() => new deployment(typo).validate()).not.toThrow();
    expect(unknownFields(deployment, typo)).toEqual(['spec.template.spec.containers[0].resource']);
    const backend = (await modelFor('cloud.google.com/v1', 'BackendConfig'))!;
    expect(unknownFields(backend, { apiVersion: 'cloud.google.com/v1', kind: 'BackendConfig', metadata: { name: 'x' }, spec: { timeoutSecs: 3600 } })).toEqual(['spec.timeoutSecs']);
    expect(() => new backend({ metadata: { name: 'x' }, spec: { timeoutSec: '3600' } }).validate()).toThrow(/integer/);
  });
});

describe('kustomizations', () => {
  it.each(kustomizationDirs.map(rel))('%s lists existing files, every manifest beside it, and no namePrefix/nameSuffix', (dir) => {
    const abs = path.join(REPO, dir);
    const k = readKustomization(abs);
    expect(k).not.toHaveProperty('namePrefix');
    expect(k).not.toHaveProperty('nameSuffix');
    const listed = new Set([...((k.resources as string[]) ?? []), ...(((k.patches as Array<{ path: string }>) ?? []).map((p) => p.path))].map((r) => path.resolve(abs, r)));
    for (const f of readdirSync(abs).filter((n) => /\.ya?ml$/.test(n) && n !== 'kustomization.yaml' && n !== 'secret.example.yaml')) {
      expect(listed.has(path.join(abs, f)), `${dir}/${f} is listed`).toBe(true);
    }
    expect(() => build(abs)).not.toThrow();
  });

  it('no file under k8s/ sets namePrefix or nameSuffix (they would not rewrite names inside GKE annotations)', () => {
    for (const f of yamlFiles(K8S)) expect(readFileSync(f, 'utf8'), rel(f)).not.toMatch(/^\s*name(Prefix|Suffix):/m);
  });

  it('the Secret is only an example: never applied, and every value a placeholder', () => {
    const file = path.join(K8S, 'base', 'secret.example.yaml');
    for (const dir of kustomizationDirs) expect(JSON.stringify(readKustomization(dir))).not.toContain('secret.example');
    const [secret] = readDocs(file) as Array<{ kind: string; stringData: Record<string, string>; data?: unknown }>;
    expect(secret!.kind).toBe('Secret');
    expect(secret!.data).toBeUndefined();
    for (const [k, v] of Object.entries(secret!.stringData)) expect(v, k).toMatch(/^<[a-z-]+>$/);
  });
});

describe.each(OVERLAYS)('overlays/%s, rendered', (overlay) => {
  const rendered = build(path.join(K8S, 'overlays', overlay));
  const secret = readDocs(path.join(K8S, 'base', 'secret.example.yaml'))[0] as Resource;

  it('renders only objects that validate, with no unknown field', async () => {
    for (const r of rendered) {
      const model = await modelFor(r.apiVersion, r.kind);
      expect(model, `${r.kind}`).not.toBeNull();
      expect(() => new model!(r).validate(), `${r.kind}/${r.metadata.name}`).not.toThrow();
      expect(unknownFields(model!, r), `${r.kind}/${r.metadata.name}`).toEqual([]);
    }
  });

  it('keeps the GKE and security rules (see support/k8s-policy.ts)', () => {
    expect(policyProblems(rendered, secret)).toEqual([]);
  });

  it('gives the server a configuration its own config loader accepts, keep-alive above 600 s', () => {
    const cm = rendered.find((r) => r.kind === 'ConfigMap' && r.metadata.name === 'meshtalk-config') as unknown as { data: Record<string, string> };
    const result = loadConfig({ ...cm.data, DATABASE_URL: 'postgres://u:p@db:5432/meshtalk', ADMIN_TOKEN: 'a'.repeat(32), TURN_SECRET: 't'.repeat(32) });
    expect(result.ok, result.ok ? '' : result.message).toBe(true);
    if (result.ok) {
      expect(result.config.KEEP_ALIVE_TIMEOUT_MS).toBeGreaterThan(600_000);
      expect(result.config.NODE_ENV).toBe('production');
      // [M5] Sockets are accepted only from the public origin: the one the Ingress serves.
      const ingress = rendered.find((r) => r.kind === 'Ingress') as unknown as { spec: { rules: Array<{ host: string }> } };
      expect(ingress.spec.rules.map((r) => `https://${r.host}`)).toContain(result.config.PUBLIC_URL);
    }
  });

  it('renders exactly as `kubectl kustomize` does (its output is recorded in deploy/test/kubectl-kustomize/)', () => {
    const file = path.join(RECORDED, `${overlay}.yaml`);
    const recorded = readFileSync(file, 'utf8');
    if (kubectl) {
      // Where kubectl is installed, the recording must still be what it prints today.
      const r = spawnSync('kubectl', ['kustomize', path.join(K8S, 'overlays', overlay)], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout, `k8s/ changed: record again with \`kubectl kustomize k8s/overlays/${overlay} > ${rel(file)}\``).toBe(recorded);
    }
    const theirs = parseAllDocuments(recorded).map((d) => d.toJS() as Resource);
    const byKey = (xs: Resource[]) => new Map(xs.map((x) => [`${x.kind}/${x.metadata.namespace ?? ''}/${x.metadata.name}`, x]));
    const mine = byKey(rendered);
    expect([...byKey(theirs).keys()].sort()).toEqual([...mine.keys()].sort());
    for (const [k, v] of byKey(theirs)) expect(mine.get(k), k).toEqual(v);
  });
});

describe('variants', () => {
  const containersOf = (r: Resource) => {
    const spec = (r as unknown as { spec: { template: { spec: { containers: Obj[]; initContainers?: Obj[] } } } }).spec.template.spec;
    return { containers: spec.containers, init: spec.initContainers ?? [], pod: spec as unknown as Obj };
  };

  it('Cloud SQL: the Auth Proxy runs as a native sidecar of the server, under a Workload Identity service account', () => {
    const rendered = build(path.join(K8S, 'overlays', 'gke-cloudsql'));
    const server = rendered.find((r) => r.kind === 'Deployment' && r.metadata.name === 'meshtalk-server')!;
    const { init, containers, pod } = containersOf(server);
    const proxy = init.find((c) => c.name === 'cloud-sql-proxy');
    expect(proxy?.restartPolicy).toBe('Always');
    expect(String(proxy?.image)).toMatch(/^gcr\.io\/cloud-sql-connectors\/cloud-sql-proxy:\d+\.\d+\.\d+$/);
    expect(proxy?.args).toContain('--port=5432');
    expect(containers.map((c) => c.name)).toEqual(['server']);
    const sa = rendered.find((r) => r.kind === 'ServiceAccount' && r.metadata.name === pod.serviceAccountName);
    expect(sa?.metadata.annotations?.['iam.gke.io/gcp-service-account']).toMatch(/@.+\.iam\.gserviceaccount\.com$/);
  });

  it('in-cluster PostgreSQL: a StatefulSet on a persistent volume, reachable only from the server', () => {
    const rendered = build(path.join(K8S, 'overlays', 'gke-postgres'));
    const sts = rendered.find((r) => r.kind === 'StatefulSet') as unknown as { spec: { serviceName: string; replicas: number; volumeClaimTemplates: Obj[] } };
    expect(sts.spec.replicas).toBe(1);
    expect(sts.spec.volumeClaimTemplates).toHaveLength(1);
    expect(rendered.find((r) => r.kind === 'Service' && r.metadata.name === sts.spec.serviceName)).toBeDefined();
    const np = rendered.find((r) => r.kind === 'NetworkPolicy' && r.metadata.name === 'meshtalk-postgres') as unknown as { spec: { ingress: Array<{ from: Obj[] }> } };
    expect(np.spec.ingress.flatMap((i) => i.from)).toEqual([{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'meshtalk', 'app.kubernetes.io/component': 'server' } } }]);
    const base = build(path.join(K8S, 'overlays', 'gke'));
    expect(rendered.length).toBeGreaterThan(base.length);
    expect(isObj(rendered.find((r) => r.kind === 'PodDisruptionBudget' && r.metadata.name === 'meshtalk-postgres'))).toBe(true);
  });
});

describe('the policy checks catch each trap they exist for', () => {
  const base = build(path.join(K8S, 'overlays', 'gke'));
  const secret = readDocs(path.join(K8S, 'base', 'secret.example.yaml'))[0] as Resource;
  // Mutations reach deep into plain objects; the checks under test do the typing.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  type Any = Record<string, any>;
  const get = (rs: Resource[], kind: string, name: string) => rs.find((r) => r.kind === kind && r.metadata.name === name) as unknown as Any;
  const cases: Array<[string, (rs: Resource[]) => void, RegExp]> = [
    ['ingressClassName set', (rs) => void (get(rs, 'Ingress', 'meshtalk').spec.ingressClassName = 'gce'), /ingressClassName/],
    ['class annotation missing', (rs) => void delete get(rs, 'Ingress', 'meshtalk').metadata.annotations['kubernetes.io/ingress.class'], /ingress\.class/],
    ['default 30 s backend timeout', (rs) => void (get(rs, 'BackendConfig', 'meshtalk-server').spec.timeoutSec = 30), /timeoutSec >= 3600/],
    ['no health check', (rs) => void delete get(rs, 'BackendConfig', 'meshtalk-server').spec.healthCheck, /explicit healthCheck/],
    ['no session affinity', (rs) => void delete get(rs, 'BackendConfig', 'meshtalk-client').spec.sessionAffinity, /session affinity/],
    ['BackendConfig name dangling', (rs) => void (get(rs, 'Service', 'meshtalk-server').metadata.annotations['cloud.google.com/backend-config'] = '{"default": "meshtalk-srv"}'), /BackendConfig meshtalk-srv is missing/],
    ['certificate name dangling', (rs) => void (get(rs, 'Ingress', 'meshtalk').metadata.annotations['networking.gke.io/managed-certificates'] = 'other'), /ManagedCertificate other is missing/],
    ['FrontendConfig name dangling', (rs) => void (get(rs, 'Ingress', 'meshtalk').metadata.annotations['networking.gke.io/v1beta1.FrontendConfig'] = 'x'), /FrontendConfig is missing/],
    ['Service named by the Ingress missing', (rs) => void (get(rs, 'Ingress', 'meshtalk').spec.rules[0].http.paths[0].backend.service.name = 'nope'), /Service nope is missing/],
    ['/socket.io through nginx', (rs) => void (get(rs, 'Ingress', 'meshtalk').spec.rules[0].http.paths[0].backend.service = { name: 'meshtalk-client', port: { number: 80 } }), /socket\.io straight/],
    ['two server replicas', (rs) => void (get(rs, 'Deployment', 'meshtalk-server').spec.replicas = 2), /replicas must be 1/],
    ['rolling server update', (rs) => void (get(rs, 'Deployment', 'meshtalk-server').spec.strategy = { type: 'RollingUpdate' }), /Recreate/],
    ['a container without resources', (rs) => void delete get(rs, 'Deployment', 'meshtalk-client').spec.template.spec.containers[0].resources, /resources\.requests/],
    ['root user', (rs) => void (get(rs, 'Deployment', 'meshtalk-server').spec.template.spec.securityContext.runAsUser = 0), /numeric non-root/],
    ['writable root filesystem', (rs) => void (get(rs, 'Deployment', 'meshtalk-server').spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem = false), /readOnlyRootFilesystem/],
    ['no readiness probe', (rs) => void delete get(rs, 'Deployment', 'meshtalk-client').spec.template.spec.containers[0].readinessProbe, /readinessProbe/],
    ['short keep-alive', (rs) => void (get(rs, 'ConfigMap', 'meshtalk-config').data.KEEP_ALIVE_TIMEOUT_MS = '5000'), /KEEP_ALIVE_TIMEOUT_MS/],
    ['no preStop', (rs) => void delete get(rs, 'Deployment', 'meshtalk-server').spec.template.spec.containers[0].lifecycle, /preStop/],
    ['health-check ranges not admitted', (rs) => void get(rs, 'NetworkPolicy', 'meshtalk-server').spec.ingress[0].from.splice(1, 1), /admits 35\.191\.0\.0\/16/],
    ['unpinned image', (rs) => void (get(rs, 'Deployment', 'meshtalk-client').spec.template.spec.containers[0].image = 'nginx:latest'), /pinned image/],
    ['a secret key not in the example', (rs) => void (get(rs, 'Deployment', 'meshtalk-server').spec.template.spec.containers[0].env[0].valueFrom.secretKeyRef.key = 'DB'), /secret meshtalk-secrets\/DB/],
    ['service account token mounted', (rs) => void (get(rs, 'Deployment', 'meshtalk-server').spec.template.spec.automountServiceAccountToken = true), /meshtalk-server: automountServiceAccountToken: false/],
    ['token automount left to the default', (rs) => void delete get(rs, 'Deployment', 'meshtalk-client').spec.template.spec.automountServiceAccountToken, /meshtalk-client: automountServiceAccountToken: false/],
    ['server egress open (no egress policy)', (rs) => void rs.splice(rs.indexOf(get(rs, 'NetworkPolicy', 'meshtalk-server-egress') as unknown as Resource), 1), /meshtalk-server: an egress NetworkPolicy/],
    ['an egress rule to every port', (rs) => void get(rs, 'NetworkPolicy', 'meshtalk-client-egress').spec.egress.push({ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }), /egress rule to every port/],
    ['server egress to HTTPS without the Cloud SQL proxy', (rs) => void get(rs, 'NetworkPolicy', 'meshtalk-server-egress').spec.egress.push({ ports: [{ port: 443, protocol: 'TCP' }] }), /egress port 443 is not one Deployment\/meshtalk-server needs/],
    ['server without DNS', (rs) => void get(rs, 'NetworkPolicy', 'meshtalk-server-egress').spec.egress.shift(), /egress to DNS/],
  ];
  it.each(cases)('%s', (_name, mutate, expected) => {
    const copy = structuredClone(base);
    expect(policyProblems(copy, secret)).toEqual([]);
    mutate(copy);
    expect(policyProblems(copy, secret).join('\n')).toMatch(expected);
  });

  const postgres = build(path.join(K8S, 'overlays', 'gke-postgres'));
  const cloudsql = build(path.join(K8S, 'overlays', 'gke-cloudsql'));
  const container = (rs: Resource[], kind: string, name: string) => get(rs, kind, name).spec.template.spec.containers[0] as Any;
  const overlayCases: Array<[string, Resource[], (rs: Resource[]) => void, RegExp]> = [
    ['in-cluster PostgreSQL: the server connects as the superuser', postgres, (rs) => void (container(rs, 'StatefulSet', 'meshtalk-postgres').env.find((e: Any) => e.name === 'POSTGRES_USER').value = 'meshtalk'), /role meshtalk is the superuser/],
    ['in-cluster PostgreSQL: no init script for the role', postgres, (rs) => void (container(rs, 'StatefulSet', 'meshtalk-postgres').volumeMounts = container(rs, 'StatefulSet', 'meshtalk-postgres').volumeMounts.filter((m: Any) => m.name !== 'init')), /init script/],
    ['in-cluster PostgreSQL: a role that may create roles', postgres, (rs) => void (get(rs, 'ConfigMap', 'meshtalk-postgres-init').data['init-app-role.sh'] = get(rs, 'ConfigMap', 'meshtalk-postgres-init').data['init-app-role.sh'].replace('NOCREATEROLE', 'CREATEROLE')), /created NOCREATEROLE/],
    ['in-cluster PostgreSQL: the database pod may reach out', postgres, (rs) => void (get(rs, 'NetworkPolicy', 'meshtalk-postgres-egress').spec.egress = [{ ports: [{ port: 443, protocol: 'TCP' }] }]), /egress port 443 is not one StatefulSet\/meshtalk-postgres needs/],
    ['Cloud SQL: the token mounted for the proxy', cloudsql, (rs) => void (get(rs, 'Deployment', 'meshtalk-server').spec.template.spec.automountServiceAccountToken = true), /automountServiceAccountToken: false/],
    ['Cloud SQL: the metadata port open to anywhere', cloudsql, (rs) => void delete get(rs, 'NetworkPolicy', 'meshtalk-server-egress').spec.egress.find((r: Any) => r.ports[0].port === 988).to, /port 988 only to the metadata server 169\.254\.169\.252\/32/],
    ['Cloud SQL: no way to the instance', cloudsql, (rs) => void (get(rs, 'NetworkPolicy', 'meshtalk-server-egress').spec.egress = get(rs, 'NetworkPolicy', 'meshtalk-server-egress').spec.egress.filter((r: Any) => r.ports[0].port !== 3307)), /its database \(port 3307\)/],
  ];
  it.each(overlayCases)('%s', (_name, rendered, mutate, expected) => {
    const copy = structuredClone(rendered);
    expect(policyProblems(copy, secret)).toEqual([]);
    mutate(copy);
    expect(policyProblems(copy, secret).join('\n')).toMatch(expected);
  });
});
