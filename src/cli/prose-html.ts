/**
 * The prose of the protocol document (descriptions, summaries) as HTML, for
 * the protocol page.
 *
 * It understands only what the document writes: paragraphs separated by a
 * blank line, `- ` bullet lists (an item's indented lines continue it) and
 * `code` spans. It is not a Markdown renderer: every other character,
 * asterisks and brackets included, is shown as written, escaped. Build time
 * only.
 */

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text that reads as itself inside an element or a quoted attribute. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}

/** One line of prose: escaped, with `code` spans; an unpaired backtick stays a backtick. */
export function inlineHtml(text: string): string {
  return escapeHtml(text).replace(/`([^`]+)`/g, '<code>$1</code>');
}

interface Block {
  kind: 'paragraph' | 'item';
  lines: string[];
}

/** Paragraphs and bullet lists; nothing at all for empty prose. */
export function proseHtml(text: string): string {
  const out: string[] = [];
  let list: string[] = [];
  const closeList = () => {
    if (list.length > 0) out.push(`<ul>\n${list.join('\n')}\n</ul>`);
    list = [];
  };
  for (const chunk of text.trim().split(/\n[ \t]*\n/)) {
    for (const block of blocksOf(chunk)) {
      const line = inlineHtml(block.lines.join(' '));
      if (block.kind === 'item') {
        list.push(`<li>${line}</li>`);
      } else {
        closeList();
        out.push(`<p>${line}</p>`);
      }
    }
    closeList();
  }
  return out.join('\n');
}

/** The lines of one chunk (no blank line inside) grouped into paragraphs and list items. */
function blocksOf(chunk: string): Block[] {
  const blocks: Block[] = [];
  let current: Block | undefined;
  for (const raw of chunk.split('\n')) {
    if (raw.trim() === '') continue;
    const item = /^\s*- +(.*)$/.exec(raw);
    if (item) {
      current = { kind: 'item', lines: [item[1]?.trim() ?? ''] };
      blocks.push(current);
    } else if (current?.kind === 'item' && /^\s/.test(raw)) {
      current.lines.push(raw.trim());
    } else if (current?.kind === 'paragraph') {
      current.lines.push(raw.trim());
    } else {
      current = { kind: 'paragraph', lines: [raw.trim()] };
      blocks.push(current);
    }
  }
  return blocks;
}
