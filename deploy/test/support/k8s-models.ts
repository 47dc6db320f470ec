/**
 * Schema validation for manifests: kubernetes-models (the Kubernetes OpenAPI schemas) and
 * @kubernetes-models/gke (GKE's CRDs: BackendConfig, FrontendConfig, ManagedCertificate).
 *
 * The models' validators ignore fields they do not know, so a typo such as `timeoutSecs`
 * would pass. `unknownFields` closes that gap: it runs the same compiled validator over a
 * Proxy of the manifest and records every property the validator looks up. The validator
 * looks up each property its schema declares and enumerates the keys of free-form maps
 * (labels, data), so any key it neither looked up nor enumerated is unknown to the schema.
 */
import type { Obj } from './kustomize';

interface ModelClass {
  new (data: Obj): { validate(): void };
  prototype: { validate(this: unknown): void };
}

async function importModule(specifier: string): Promise<Record<string, unknown> | null> {
  try {
    return (await import(specifier)) as Record<string, unknown>;
  } catch {
    return null;
  }
}

/** The model class for an apiVersion and kind, from the Kubernetes or the GKE package. */
export async function modelFor(apiVersion: string, kind: string): Promise<ModelClass | null> {
  const candidates = [`kubernetes-models/${apiVersion}`, `@kubernetes-models/gke/${apiVersion}`];
  for (const specifier of candidates) {
    const mod = await importModule(specifier);
    const model = mod?.[kind];
    if (typeof model === 'function') return model as ModelClass;
  }
  return null;
}

/** Paths (like `spec.template.spec.containers[0].bogus`) of fields the schema does not define. */
export function unknownFields(model: ModelClass, data: Obj): string[] {
  const looked = new WeakMap<object, Set<string>>();
  const enumerated = new WeakSet<object>();
  const wrap = (value: unknown): unknown => {
    if (typeof value !== 'object' || value === null) return value;
    const target = value as object;
    if (!looked.has(target)) looked.set(target, new Set());
    return new Proxy(target, {
      get(t, k, r) {
        if (typeof k === 'string') looked.get(t)!.add(k);
        return wrap(Reflect.get(t, k, r));
      },
      has(t, k) {
        if (typeof k === 'string') looked.get(t)!.add(k);
        return Reflect.has(t, k);
      },
      ownKeys(t) {
        enumerated.add(t);
        return Reflect.ownKeys(t);
      },
    });
  };
  try {
    model.prototype.validate.call(wrap(data));
  } catch {
    // Schema errors are reported by the model's own validate(); here only lookups matter.
  }
  const unknown: string[] = [];
  const walk = (value: unknown, at: string) => {
    if (Array.isArray(value)) {
      value.forEach((v, i) => walk(v, `${at}[${i}]`));
      return;
    }
    if (typeof value !== 'object' || value === null) return;
    if (enumerated.has(value)) return;
    const seen = looked.get(value) ?? new Set<string>();
    for (const [k, v] of Object.entries(value)) {
      const here = at ? `${at}.${k}` : k;
      if (!seen.has(k)) unknown.push(here);
      else walk(v, here);
    }
  };
  walk(data, '');
  return unknown;
}
