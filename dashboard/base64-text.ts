/**
 * base64Text: UTF-8 text as base64, which `btoa` alone cannot make for
 * characters past Latin-1. The server decodes filters and acted-as
 * identities from this form.
 */
export function base64Text(text: string): string {
  return btoa(String.fromCodePoint(...new TextEncoder().encode(text)));
}
