/**
 * The environment variables, live (`_system/cli/queryEnvironmentVariables`,
 * which `npx convex env list` reads too), each editable and removable, and
 * a form to add one; changes go through `POST
 * /api/update_environment_variables`, the route `npx convex env set` uses,
 * and show here (and in every function) once applied.
 */
import type { ConvexClient } from 'convex/browser';
import { element, replaceChildren } from './element.ts';
import { errorText } from './error-text.ts';
import { environmentVariables } from './system-api.ts';

export function environmentPanel(options: {
  client: ConvexClient;
  origin: string;
  adminKey: string;
}): { node: HTMLElement; dispose: () => void } {
  const rows = element('tbody', {});
  const problem = element('p', { class: 'error', role: 'alert' });
  const change = async (name: string, value: string | null) => {
    problem.textContent = '';
    try {
      const response = await fetch(
        `${options.origin}/api/update_environment_variables`,
        {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            authorization: `Convex ${options.adminKey}`,
          },
          body: JSON.stringify({ changes: [{ name, value }] }),
        },
      );
      if (!response.ok) {
        const body = (await response.json()) as { message?: string };
        problem.textContent = body.message ?? `${response.status}`;
      }
    } catch (error) {
      problem.textContent = String(error);
    }
  };
  const newName = element('input', {
    id: 'env-name',
    placeholder: 'NAME',
    'aria-label': 'New variable name',
  });
  const newValue = element('input', {
    id: 'env-value',
    placeholder: 'value',
    'aria-label': 'New variable value',
  });
  const unsubscribe = options.client.onUpdate(
    environmentVariables,
    {},
    (variables) => {
      replaceChildren(
        rows,
        ...variables.map(({ name, value }) => {
          const input = element('input', {
            value,
            'aria-label': `Value of ${name}`,
          });
          return element(
            'tr',
            { 'data-name': name },
            element('td', {}, name),
            element('td', {}, input),
            element(
              'td',
              {},
              element(
                'button',
                {
                  type: 'button',
                  onclick: () => void change(name, input.value),
                },
                'Save',
              ),
              element(
                'button',
                {
                  type: 'button',
                  class: 'danger',
                  onclick: () => void change(name, null),
                },
                'Remove',
              ),
            ),
          );
        }),
      );
    },
    (error) => {
      problem.textContent = errorText(error);
    },
  );
  const node = element(
    'section',
    { class: 'environment', 'aria-label': 'Environment variables' },
    element('h2', {}, 'Environment variables'),
    element(
      'table',
      { class: 'env-table' },
      element(
        'thead',
        {},
        element(
          'tr',
          {},
          element('th', {}, 'name'),
          element('th', {}, 'value'),
          element('th', {}, ''),
        ),
      ),
      rows,
    ),
    element(
      'form',
      {
        class: 'toolbar',
        onsubmit: (event) => {
          event.preventDefault();
          void change(newName.value.trim(), newValue.value).then(() => {
            if (problem.textContent === '') {
              newName.value = '';
              newValue.value = '';
            }
          });
        },
      },
      newName,
      newValue,
      element('button', { type: 'submit' }, 'Add'),
    ),
    problem,
  );
  return { node, dispose: unsubscribe };
}
