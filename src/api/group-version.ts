// The API group and version of every certhost resource (architecture section 2).

export const group = 'certhost.io';
export const version = 'v1alpha1';
export const apiVersion = 'certhost.io/v1alpha1';
export type ApiVersion = typeof apiVersion;

/** The category all three kinds share: `kubectl get certhost` lists them together. */
export const category = 'certhost';
