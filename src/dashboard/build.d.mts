/** Builds dist/dashboard/ (component, page script, index.html); resolves to the output folder. */
export function buildDashboard(options?: { outdir?: string; minify?: boolean }): Promise<string>;
