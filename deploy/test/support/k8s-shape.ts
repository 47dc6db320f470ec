/** How the policy checks read rendered manifests: workloads, their pod spec and labels, selectors. */
import type { Obj, Resource } from './kustomize';

export const WORKLOADS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'Job']);

export type Container = Obj & { name: string; ports?: Array<{ name?: string; containerPort: number }> };
export interface PodSpec extends Obj {
  containers: Container[];
  initContainers?: Container[];
  securityContext?: Obj;
}

export const at = (r: Resource) => `${r.kind}/${r.metadata.name}`;
export const podSpec = (r: Resource) => (r as unknown as { spec: { template: { spec: PodSpec } } }).spec.template.spec;
export const podLabels = (r: Resource) => (r as unknown as { spec: { template: { metadata?: { labels?: Record<string, string> } } } }).spec.template.metadata?.labels ?? {};
export const matches = (selector: Record<string, string> | undefined, labels: Record<string, string>) =>
  !!selector && Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels[k] === v);
export const find = (rs: Resource[], kind: string, name: string) => rs.find((r) => r.kind === kind && r.metadata.name === name);
