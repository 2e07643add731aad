// Tiny DOM helpers shared by the elements.

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

/** Writes text only when it changed: untouched nodes cost no style or layout work. */
export function setText(node: Node, text: string): void {
  if (node.textContent !== text) node.textContent = text;
}
