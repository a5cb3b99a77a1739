/**
 * View: one page of the dashboard, reached at `#/<route>/<rest>`. `mount`
 * fills the container and returns what undoes it (its subscriptions
 * dropped), which the shell calls before it mounts another view.
 */
import type { ConvexClient } from 'convex/browser';

export interface ViewContext {
  client: ConvexClient;
  /** The deployment's origin, which also serves this page. */
  origin: string;
  /** The admin key the session logged in with, for the HTTP calls views make. */
  adminKey: string;
  /** What follows `#/<route>/` in the address, still URI-encoded. */
  rest: string;
}

export interface View {
  title: string;
  route: string;
  mount(container: HTMLElement, context: ViewContext): () => void;
}
