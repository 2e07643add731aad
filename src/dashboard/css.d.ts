// esbuild bundles .css imports as text (loader "text"), injected into the shadow roots.
declare module '*.css' {
  const text: string;
  export default text;
}
