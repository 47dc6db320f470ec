/**
 * The subset of `kustomize build` our manifests use: resources (files and directories),
 * namespace, patches (strategic merge, matched by kind and name) and images. Any other field
 * fails loudly, so the manifests cannot drift into features this renderer does not know.
 * Where kubectl is installed, the tests compare this output with `kubectl kustomize`.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';

export type Obj = Record<string, unknown>;
export interface Resource extends Obj {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; annotations?: Record<string, string>; labels?: Record<string, string> };
}

const KNOWN_FIELDS = new Set(['apiVersion', 'kind', 'namespace', 'resources', 'patches', 'images']);
const CLUSTER_SCOPED = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'StorageClass', 'PriorityClass']);

export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Every YAML document of a file; throws on any syntax error. */
export function readDocs(file: string): Obj[] {
  return parseAllDocuments(readFileSync(file, 'utf8')).flatMap((doc) => {
    if (doc.errors.length) throw new Error(`${file}: ${doc.errors[0]!.message}`);
    const value = doc.toJS() as unknown;
    return value === null || value === undefined ? [] : [value as Obj];
  });
}

export function readKustomization(dir: string): Obj {
  const [k] = readDocs(path.join(dir, 'kustomization.yaml'));
  if (!k) throw new Error(`${dir}: empty kustomization.yaml`);
  for (const key of Object.keys(k)) if (!KNOWN_FIELDS.has(key)) throw new Error(`${dir}: kustomization field "${key}" is not supported here`);
  return k;
}

/** Strategic merge as kubectl applies it to our fields: maps merge, lists of named items merge by name. */
export function strategicMerge(base: unknown, patch: unknown): unknown {
  if (isObj(base) && isObj(patch)) {
    const out: Obj = { ...base };
    for (const [k, v] of Object.entries(patch)) out[k] = v === null ? undefined : k in base ? strategicMerge(base[k], v) : v;
    for (const k of Object.keys(out)) if (out[k] === undefined) delete out[k];
    return out;
  }
  const named = (xs: unknown) => Array.isArray(xs) && xs.length > 0 && xs.every((x) => isObj(x) && typeof x.name === 'string');
  if (Array.isArray(base) && Array.isArray(patch) && named(patch) && (base.length === 0 || named(base))) {
    const out = base.map((x) => x as Obj);
    for (const item of patch as Obj[]) {
      const at = out.findIndex((x) => x.name === item.name);
      if (at >= 0) out[at] = strategicMerge(out[at], item) as Obj;
      else out.push(item);
    }
    return out;
  }
  return patch;
}

const key = (r: Obj) => `${String(r.kind)}/${String((r.metadata as Obj | undefined)?.name)}`;

function setImages(value: unknown, images: Array<{ name: string; newName?: string; newTag?: string }>): unknown {
  if (Array.isArray(value)) return value.map((v) => setImages(v, images));
  if (!isObj(value)) return value;
  const out: Obj = {};
  for (const [k, v] of Object.entries(value)) {
    if (k === 'image' && typeof v === 'string') {
      const [name, tag] = v.split(':');
      const rule = images.find((i) => i.name === name);
      out[k] = rule ? `${rule.newName ?? name}${rule.newTag ?? tag ? `:${rule.newTag ?? tag}` : ''}` : v;
    } else out[k] = setImages(v, images);
  }
  return out;
}

/** Renders a kustomization directory into its resources. */
export function build(dir: string): Resource[] {
  const k = readKustomization(dir);
  let out: Resource[] = [];
  for (const entry of (k.resources as string[] | undefined) ?? []) {
    const target = path.resolve(dir, entry);
    if (!existsSync(target)) throw new Error(`${dir}: resource ${entry} does not exist`);
    out.push(...(statSync(target).isDirectory() ? build(target) : (readDocs(target) as Resource[])));
  }
  const seen = new Set<string>();
  for (const r of out) {
    if (seen.has(key(r))) throw new Error(`${dir}: ${key(r)} defined twice`);
    seen.add(key(r));
  }
  for (const p of (k.patches as Array<{ path?: string; target?: unknown; patch?: string }> | undefined) ?? []) {
    if (!p.path || p.target || p.patch) throw new Error(`${dir}: only file patches matched by kind and name are supported`);
    for (const patch of readDocs(path.resolve(dir, p.path))) {
      const at = out.findIndex((r) => key(r) === key(patch));
      if (at < 0) throw new Error(`${dir}: patch ${p.path} targets ${key(patch)}, which does not exist`);
      out[at] = strategicMerge(out[at], patch) as Resource;
    }
  }
  if (typeof k.namespace === 'string') {
    out = out.map((r) => (CLUSTER_SCOPED.has(r.kind) ? r : { ...r, metadata: { ...r.metadata, namespace: k.namespace as string } }));
  }
  if (k.images) out = setImages(out, k.images as Array<{ name: string; newName?: string; newTag?: string }>) as Resource[];
  return out;
}
