/**
 * The login page: one field for the admin key, checked with the deployment
 * before anything else loads. A wrong key is told so and nothing is kept.
 */
import { checkAdminKey } from './admin-session.ts';
import { element } from './element.ts';

export function loginView(options: {
  origin: string;
  onLogin: (key: string) => void;
}): HTMLElement {
  const key = element('input', {
    id: 'admin-key',
    type: 'password',
    autocomplete: 'off',
    spellcheck: 'false',
    required: true,
  });
  const problem = element('p', { class: 'error', role: 'alert' });
  const submit = element('button', { type: 'submit' }, 'Log in');
  const form = element(
    'form',
    {
      class: 'login',
      onsubmit: (event) => {
        event.preventDefault();
        submit.disabled = true;
        problem.textContent = '';
        void checkAdminKey(options.origin, key.value).then((checked) => {
          submit.disabled = false;
          if (checked.ok) options.onLogin(key.value);
          else problem.textContent = checked.message;
        });
      },
    },
    element('h1', {}, 'Converge'),
    element('p', { class: 'muted' }, options.origin),
    element('label', { for: 'admin-key' }, 'Admin key'),
    key,
    submit,
    problem,
    element(
      'p',
      { class: 'hint' },
      'The key is printed when the server first starts, kept in the data directory as admin_key, or set with --admin-key or CONVERGE_ADMIN_KEY.',
    ),
  );
  queueMicrotask(() => key.focus());
  return form;
}
