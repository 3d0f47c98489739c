/** `/api/v1/x/:id` with params → `/api/v1/x/abc` */
export function routePath(url: string, params: Record<string, string> | undefined): string {
  // `::` is a literal colon (the KServe `name:predict`), not a parameter; `(…)` after a
  // parameter is the pattern the router matches it with
  return url.replace(/::|:([A-Za-z]+)(?:\([^)]*\))?/g, (_match, key: string | undefined) => {
    if (key === undefined) return ':';
    const value = params?.[key];
    if (value === undefined) throw new Error(`missing path parameter "${key}" for ${url}`);
    return encodeURIComponent(value);
  });
}
