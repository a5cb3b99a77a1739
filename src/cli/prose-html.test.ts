import { expect, test } from 'vitest';
import { escapeHtml, inlineHtml, proseHtml } from './prose-html.ts';

test('escapeHtml() leaves no character that could open a tag, an entity or an attribute', () => {
  expect(escapeHtml(`<a href="x" title='y'>&amp;</a>`)).toBe(
    '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;',
  );
  // Text with none of them is unchanged, arrows and all.
  expect(escapeHtml('Client → server, 0→1')).toBe('Client → server, 0→1');
});

test('inlineHtml() turns `code` spans into <code>, escaping what is inside them too', () => {
  expect(inlineHtml('`a<b>` and `c`')).toBe(
    '<code>a&lt;b&gt;</code> and <code>c</code>',
  );
  // A lone backtick is a backtick; asterisks and brackets are not Markdown here.
  expect(inlineHtml('2` *bold* [x](y)')).toBe('2` *bold* [x](y)');
});

test('proseHtml() makes paragraphs of blank-line-separated text, joining wrapped lines', () => {
  const prose = 'First line\nwrapped.\n\nSecond `one`.\n';
  expect(proseHtml(prose)).toBe(
    '<p>First line wrapped.</p>\n<p>Second <code>one</code>.</p>',
  );
});

test('proseHtml() makes a list of `- ` lines, an indented line continuing its item', () => {
  // As the document's introduction writes it: a lead-in line, then the list, no blank line between.
  const prose = [
    'Encodings:',
    '- timestamps are base64',
    '  of 8 bytes;',
    '- values use `convexToJson`.',
    'After the list.',
  ].join('\n');
  expect(proseHtml(prose)).toBe(
    [
      '<p>Encodings:</p>',
      '<ul>',
      '<li>timestamps are base64 of 8 bytes;</li>',
      '<li>values use <code>convexToJson</code>.</li>',
      '</ul>',
      '<p>After the list.</p>',
    ].join('\n'),
  );
});

test('proseHtml() of nothing is nothing, and of markup is text', () => {
  expect(proseHtml('')).toBe('');
  expect(proseHtml('  \n\n ')).toBe('');
  expect(proseHtml('<script>alert(1)</script>')).toBe(
    '<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>',
  );
});
