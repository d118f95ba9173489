// Index template resolution: the highest-priority composable template whose patterns match a
// new index name, composed from its component templates, then the template's own parts.
import { setOwn } from '../../../functions/core/pipeline/fields.ts';
import { illegalArgument, validationError } from './errors.ts';
import { wildcardMatch } from './index-name.ts';
import { type Mappings, mergeMappings } from './mapping.ts';

export interface TemplateParts {
  settings?: Record<string, unknown>;
  mappings?: Mappings;
  aliases?: Record<string, Record<string, unknown>>;
}

export interface IndexTemplate {
  index_patterns: string[];
  template?: TemplateParts;
  composed_of?: string[];
  priority?: number;
  version?: number;
  _meta?: Record<string, unknown>;
  data_stream?: { timestamp_field?: { name?: string } };
}

export interface ComponentTemplate {
  template: TemplateParts;
  version?: number;
  _meta?: Record<string, unknown>;
}

export interface ResolvedTemplate {
  name: string;
  template: IndexTemplate;
  settings: Record<string, unknown>;
  mappings: Mappings;
  aliases: Record<string, Record<string, unknown>>;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Flattens settings objects so later layers override earlier ones key by key. */
function flatten(input: unknown, prefix = '', out: Record<string, unknown> = {}): Record<string, unknown> {
  if (!isObject(input)) return out;
  for (const [k, v] of Object.entries(input)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (isObject(v)) flatten(v, key, out);
    else setOwn(out, key.startsWith('index.') ? key : `index.${key}`, v);
  }
  return out;
}

export function findTemplate(
  indexName: string,
  templates: ReadonlyMap<string, IndexTemplate>,
): { name: string; template: IndexTemplate } | undefined {
  let best: { name: string; template: IndexTemplate } | undefined;
  for (const [name, template] of templates) {
    if (!template.index_patterns.some((p) => wildcardMatch(p, indexName))) continue;
    // Hidden/system names only match patterns that are not a bare `*`, as in OpenSearch.
    if (indexName.startsWith('.') && template.index_patterns.every((p) => p === '*')) continue;
    if (!best || (template.priority ?? 0) > (best.template.priority ?? 0)) best = { name, template };
  }
  return best;
}

export function composeTemplate(
  name: string,
  template: IndexTemplate,
  components: ReadonlyMap<string, ComponentTemplate>,
): ResolvedTemplate {
  const layers: TemplateParts[] = [];
  for (const componentName of template.composed_of ?? []) {
    const component = components.get(componentName);
    if (!component)
      throw illegalArgument(
        `index template [${name}] specifies component templates [${componentName}] that do not exist`,
      );
    layers.push(component.template ?? {});
  }
  layers.push(template.template ?? {});
  let settings: Record<string, unknown> = {};
  let mappings: Mappings = {};
  const aliases: Record<string, Record<string, unknown>> = {};
  for (const layer of layers) {
    settings = { ...settings, ...flatten(layer.settings) };
    if (layer.mappings) mappings = mergeMappings(mappings, layer.mappings);
    for (const [alias, def] of Object.entries(layer.aliases ?? {})) setOwn(aliases, alias, def);
  }
  return { name, template, settings, mappings, aliases };
}

export function resolveTemplate(
  indexName: string,
  templates: ReadonlyMap<string, IndexTemplate>,
  components: ReadonlyMap<string, ComponentTemplate>,
): ResolvedTemplate | undefined {
  const found = findTemplate(indexName, templates);
  return found ? composeTemplate(found.name, found.template, components) : undefined;
}

/** Checks a template body on PUT; returns it normalised (patterns always a list). */
export function normaliseIndexTemplate(
  name: string,
  body: unknown,
  existing: ReadonlyMap<string, IndexTemplate>,
): IndexTemplate {
  if (!isObject(body)) throw illegalArgument('index template body is required');
  const patterns = body.index_patterns;
  const list =
    typeof patterns === 'string'
      ? patterns.split(',')
      : Array.isArray(patterns)
        ? patterns.map(String)
        : undefined;
  if (!list || list.length === 0) {
    throw validationError('index patterns are missing');
  }
  const template: IndexTemplate = { ...(body as object), index_patterns: list } as IndexTemplate;
  const priority = template.priority ?? 0;
  for (const [otherName, other] of existing) {
    if (otherName === name || (other.priority ?? 0) !== priority) continue;
    const overlap = list.filter((p) =>
      other.index_patterns.some((q) => wildcardMatch(p, q) || wildcardMatch(q, p)),
    );
    if (overlap.length > 0) {
      throw illegalArgument(
        `index template [${name}] has index patterns [${list.join(', ')}] matching patterns from existing templates [${otherName}] with patterns (${otherName} => [${other.index_patterns.join(', ')}]) that have the same priority [${priority}], multiple index templates may not match during index creation, please use a different priority`,
      );
    }
  }
  return template;
}
