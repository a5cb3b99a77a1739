/**
 * element: the one way the dashboard makes DOM, `element('button', {onclick},
 * 'Save')`. Attributes are set as attributes (so `data-testid`, `aria-*` and
 * `for` work as written), `on…` keys become event listeners, a boolean sets
 * or leaves out its attribute, and children are nodes or text (never HTML:
 * a document's strings are shown, not parsed).
 *
 * Not a framework: views build their DOM and replace the parts that change.
 */
export type Child = Node | string | number | null | undefined | false;

export type Attributes = Record<
  string,
  string | number | boolean | ((event: Event) => void) | undefined
>;

export function element<Tag extends keyof HTMLElementTagNameMap>(
  tag: Tag,
  attributes: Attributes = {},
  ...children: Child[]
): HTMLElementTagNameMap[Tag] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    if (typeof value === 'function') {
      node.addEventListener(name.slice(2), value);
    } else if (value === true) {
      node.setAttribute(name, '');
    } else {
      node.setAttribute(name, String(value));
    }
  }
  node.append(...childNodes(children));
  return node;
}

/** Replaces what `parent` holds with `children`. */
export function replaceChildren(parent: Element, ...children: Child[]): void {
  parent.replaceChildren(...childNodes(children));
}

function childNodes(children: Child[]): (Node | string)[] {
  const nodes: (Node | string)[] = [];
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    nodes.push(typeof child === 'number' ? String(child) : child);
  }
  return nodes;
}
