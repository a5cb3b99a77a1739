/**
 * The Functions page: every function of the deployed code, live
 * (`_system/cli/modules:apiSpec`, rerun when new code goes live), grouped
 * by module with its kind, visibility and argument validator; and a runner
 * for the chosen one: arguments as Convex JSON, optionally acting as a user
 * identity, with the result or error, the run's log lines and its time
 * (function-call.ts). HTTP actions are listed with their routes; they run
 * by HTTP request, not from here.
 *
 * The chosen function is part of the address (`#/functions/<module:name>`).
 */
import { element, replaceChildren } from './element.ts';
import { errorText } from './error-text.ts';
import { type FunctionKind, callFunction } from './function-call.ts';
import { type FunctionSpec, apiSpec } from './system-api.ts';
import { validatorText } from './validator-text.ts';
import { parseFields, valueText } from './value-text.ts';
import type { View, ViewContext } from './view.ts';

type RunnableSpec = Extract<FunctionSpec, { identifier: string }>;

const KINDS: Record<RunnableSpec['functionType'], string> = {
  Query: 'query',
  Mutation: 'mutation',
  Action: 'action',
  HttpAction: 'HTTP action',
};

/** Who a run acts as when "act as a user" is ticked and nothing else is typed. */
const DEFAULT_IDENTITY = {
  subject: 'dashboard-user',
  issuer: 'https://converge.dashboard',
};

/** `messages.js:list` → `messages:list`, the path the HTTP API and the CLI take. */
function pathOf(spec: RunnableSpec): string {
  const [file = '', name = 'default'] = spec.identifier.split(':');
  return `${file.replace(/\.js$/, '')}:${name}`;
}

export const functionsView: View = {
  title: 'Functions',
  route: 'functions',
  mount(container, context) {
    const selected =
      context.rest === '' ? null : decodeURIComponent(context.rest);
    const list = element('nav', {
      class: 'function-list',
      'aria-label': 'Functions',
    });
    const detail = element('div', { class: 'function-detail' });
    const problem = element('p', { class: 'error', role: 'alert' });
    replaceChildren(
      container,
      element(
        'div',
        { class: 'functions' },
        element('aside', {}, list, problem),
        detail,
      ),
    );
    let shown: string | null = null;
    const unsubscribe = context.client.onUpdate(
      apiSpec,
      {},
      (specs) => {
        problem.textContent = '';
        const functions = specs.filter(
          (spec): spec is RunnableSpec => 'identifier' in spec,
        );
        const routes = specs.filter(
          (spec): spec is Exclude<FunctionSpec, RunnableSpec> =>
            !('identifier' in spec),
        );
        replaceChildren(list, ...functionList(functions, routes, selected));
        const chosen = functions.find((spec) => pathOf(spec) === selected);
        if (chosen === undefined) {
          shown = null;
          replaceChildren(
            detail,
            element(
              'p',
              { class: 'muted' },
              functions.length === 0
                ? 'No functions are deployed.'
                : 'Choose a function to see its arguments and run it.',
            ),
          );
        } else if (shown !== JSON.stringify(chosen)) {
          // New code may change the function: show it again, not on every rerun.
          shown = JSON.stringify(chosen);
          replaceChildren(detail, functionRunner(chosen, context));
        }
      },
      (error) => {
        problem.textContent = errorText(error);
      },
    );
    return unsubscribe;
  },
};

function functionList(
  functions: RunnableSpec[],
  routes: Exclude<FunctionSpec, RunnableSpec>[],
  selected: string | null,
): HTMLElement[] {
  const modules = new Map<string, RunnableSpec[]>();
  for (const spec of functions) {
    const module = pathOf(spec).split(':')[0] ?? '';
    modules.set(module, [...(modules.get(module) ?? []), spec]);
  }
  const groups = [...modules.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([module, specs]) =>
      element(
        'section',
        {},
        element('h3', {}, module),
        element(
          'ul',
          {},
          ...specs.map((spec) =>
            element(
              'li',
              {},
              element(
                'a',
                {
                  href: `#/functions/${encodeURIComponent(pathOf(spec))}`,
                  'aria-current':
                    pathOf(spec) === selected ? 'page' : undefined,
                },
                element('span', {}, pathOf(spec).split(':')[1] ?? ''),
                element(
                  'span',
                  { class: `badge ${spec.visibility.kind}` },
                  KINDS[spec.functionType],
                  spec.visibility.kind === 'internal' ? ', internal' : '',
                ),
              ),
            ),
          ),
        ),
      ),
    );
  if (routes.length > 0)
    groups.push(
      element(
        'section',
        {},
        element('h3', {}, 'HTTP routes'),
        element(
          'ul',
          {},
          ...routes.map((route) =>
            element('li', { class: 'muted' }, `${route.method} ${route.path}`),
          ),
        ),
      ),
    );
  return groups;
}

function functionRunner(spec: RunnableSpec, context: ViewContext): HTMLElement {
  const path = pathOf(spec);
  const kind = KINDS[spec.functionType];
  const header = element(
    'header',
    {},
    element('h2', {}, path),
    element('span', { class: 'muted' }, `${kind}, ${spec.visibility.kind}`),
  );
  const signature = element(
    'pre',
    { class: 'signature' },
    `args: ${validatorText(spec.args)}\nreturns: ${validatorText(spec.returns)}`,
  );
  if (spec.functionType === 'HttpAction')
    return element(
      'section',
      {},
      header,
      signature,
      element('p', { class: 'muted' }, 'HTTP actions run by HTTP request.'),
    );
  const args = element('textarea', {
    id: 'function-args',
    rows: 6,
    spellcheck: 'false',
    'aria-label': 'Arguments',
  });
  args.value = '{}';
  const identity = element('textarea', {
    id: 'identity',
    rows: 4,
    spellcheck: 'false',
    'aria-label': 'Identity',
    disabled: true,
  });
  const actAs = element('input', {
    id: 'act-as',
    type: 'checkbox',
    onchange: () => {
      identity.disabled = !actAs.checked;
    },
  });
  identity.value = JSON.stringify(DEFAULT_IDENTITY, null, 2);
  const output = element('div', { class: 'run-output', 'aria-live': 'polite' });
  const run = element('button', { type: 'submit', class: 'primary' }, 'Run');
  const form = element(
    'form',
    {
      class: 'runner',
      onsubmit: (event) => {
        event.preventDefault();
        const parsedArgs = parseFields(args.value);
        if (!parsedArgs.ok) {
          replaceChildren(
            output,
            outputError(`Arguments: ${parsedArgs.message}`),
          );
          return;
        }
        let actingAs: Record<string, unknown> | null = null;
        if (actAs.checked) {
          const parsedIdentity = parseFields(identity.value);
          if (!parsedIdentity.ok) {
            replaceChildren(
              output,
              outputError(`Identity: ${parsedIdentity.message}`),
            );
            return;
          }
          actingAs = JSON.parse(identity.value) as Record<string, unknown>;
        }
        run.disabled = true;
        void callFunction({
          origin: context.origin,
          adminKey: context.adminKey,
          kind: kind as FunctionKind,
          path,
          args: parsedArgs.fields,
          actingAs,
        }).then((outcome) => {
          run.disabled = false;
          replaceChildren(
            output,
            element(
              'p',
              { class: outcome.ok ? 'outcome success' : 'outcome failure' },
              outcome.ok ? 'Succeeded' : 'Failed',
              ` in ${outcome.ms.toFixed(1)} ms`,
            ),
            outcome.ok
              ? element(
                  'pre',
                  { class: 'result', 'data-testid': 'result' },
                  valueText(outcome.value),
                )
              : outputError(outcome.message),
            element('h3', {}, `Log lines (${outcome.logLines.length})`),
            element(
              'ol',
              { class: 'log-lines', 'data-testid': 'log-lines' },
              ...outcome.logLines.map((line) => element('li', {}, line)),
            ),
          );
        });
      },
    },
    element('label', { for: 'function-args' }, 'Arguments (Convex JSON)'),
    args,
    element('label', { class: 'inline' }, actAs, ' Act as a user identity'),
    identity,
    run,
  );
  return element('section', {}, header, signature, form, output);
}

function outputError(message: string): HTMLElement {
  return element('pre', { class: 'error', role: 'alert' }, message);
}
