/**
 * The document panel: a document's fields as editable Convex JSON, saved
 * with `_system/frontend/replaceDocument` or, for a new document,
 * `addDocument`, and deleted with `deleteDocuments`. The server checks what
 * is saved against the schema and answers Convex's message when it does not
 * fit; that message is shown here and nothing is written.
 *
 * The panel shows the document as it was opened: a change made meanwhile
 * by someone else shows in the table, and saving replaces it.
 */
import type { ConvexClient } from 'convex/browser';
import { element } from './element.ts';
import { errorText } from './error-text.ts';
import {
  type Document,
  type EditResult,
  addDocument,
  deleteDocuments,
  replaceDocument,
} from './system-api.ts';
import { editableText, parseFields } from './value-text.ts';

export function documentEditor(options: {
  client: ConvexClient;
  table: string;
  /** The document to edit, or null to add one. */
  document: Document | null;
  onClose: () => void;
}): HTMLElement {
  const { client, table, document } = options;
  const {
    _id: _ignoredId,
    _creationTime: _ignoredTime,
    ...fields
  } = document ?? {};
  const text = element('textarea', {
    id: 'document-json',
    spellcheck: 'false',
    rows: 14,
  });
  text.value = editableText(fields);
  const problem = element('p', { class: 'error', role: 'alert' });
  const run = async (edit: () => Promise<EditResult>) => {
    problem.textContent = '';
    try {
      const result = await edit();
      if (result.success) options.onClose();
      else problem.textContent = result.error;
    } catch (error) {
      problem.textContent = errorText(error);
    }
  };
  const save = () => {
    const parsed = parseFields(text.value);
    if (!parsed.ok) {
      problem.textContent = parsed.message;
      return;
    }
    void run(() =>
      document === null
        ? client.mutation(addDocument, { table, documents: [parsed.fields] })
        : client.mutation(replaceDocument, {
            table,
            id: document._id,
            document: parsed.fields,
          }),
    );
  };
  const remove = () => {
    if (document === null) return;
    void run(() =>
      client.mutation(deleteDocuments, {
        toDelete: [{ id: document._id, tableName: table }],
      }),
    );
  };
  return element(
    'section',
    { class: 'editor', 'aria-label': 'Document' },
    element(
      'h3',
      {},
      document === null ? `New document in ${table}` : document._id,
    ),
    document === null
      ? null
      : element(
          'p',
          { class: 'muted' },
          `created ${new Date(document._creationTime).toISOString()}`,
        ),
    text,
    problem,
    element(
      'div',
      { class: 'actions' },
      element(
        'button',
        { type: 'button', class: 'primary', onclick: save },
        document === null ? 'Insert' : 'Save',
      ),
      document === null
        ? null
        : element(
            'button',
            { type: 'button', class: 'danger', onclick: remove },
            'Delete',
          ),
      element('button', { type: 'button', onclick: options.onClose }, 'Close'),
    ),
  );
}
