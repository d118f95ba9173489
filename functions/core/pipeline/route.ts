// Where a document goes: an index (or data stream) name rendered from the document, or the
// pipeline's fallback when the data cannot produce a safe name.

import type { BulkAction } from '../bulk/types.ts';
import type { Fields } from './fields.ts';
import { renderTemplate, renderTemplateFrom, type Template } from './index-name.ts';

export const RouteKinds = { index: 'index', dataStream: 'data_stream' } as const;
export type RouteKind = (typeof RouteKinds)[keyof typeof RouteKinds];

export interface CompiledRoute {
  kind: RouteKind;
  template: Template;
  /** A valid, constant name used when the template cannot be rendered for a document. */
  fallback: string;
  /** Data streams accept only `create`. */
  action: BulkAction;
}

export interface RouteCounters {
  routedToFallback: number;
}

/** The target name for one document (after ops and document building). */
export function routeDocument(
  route: CompiledRoute,
  doc: Fields,
  timestampMs: number,
  counters: RouteCounters,
): string {
  const name = renderTemplate(route.template, doc, timestampMs);
  if (name !== undefined) return name;
  counters.routedToFallback++;
  return route.fallback;
}

/** routeDocument with field values read by `read(source, path)`, for a document not yet built. */
export function routeFrom<S>(
  route: CompiledRoute,
  source: S,
  read: (source: S, path: string) => unknown,
  timestampMs: number,
  counters: RouteCounters,
): string {
  const name = renderTemplateFrom(route.template, source, read, timestampMs);
  if (name !== undefined) return name;
  counters.routedToFallback++;
  return route.fallback;
}
