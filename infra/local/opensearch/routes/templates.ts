// `_index_template` and `_component_template` CRUD, plus `_simulate_index`.
import { setOwn } from '../../../../functions/core/pipeline/fields.ts';
import { illegalArgument, resourceNotFound } from '../errors.ts';
import { wildcardMatch } from '../index-name.ts';
import { validateMappings } from '../mapping.ts';
import { boolParam, json, type Router } from '../router.ts';
import { flattenSettings, nestSettings } from '../settings.ts';
import {
  type ComponentTemplate,
  composeTemplate,
  findTemplate,
  type IndexTemplate,
  normaliseIndexTemplate,
  type TemplateParts,
} from '../templates.ts';
import { isObject, type RouteContext } from './context.ts';

/** Checks template parts and stores settings as OpenSearch does: `index.`-prefixed strings. */
function checkParts(parts: unknown): TemplateParts | undefined {
  if (parts === undefined) return undefined;
  if (!isObject(parts)) throw illegalArgument('[template] must be an object');
  for (const key of Object.keys(parts)) {
    if (!['settings', 'mappings', 'aliases'].includes(key))
      throw illegalArgument(`[template] unknown field [${key}]`);
  }
  const out: TemplateParts = { ...(parts as TemplateParts) };
  if (parts.mappings !== undefined) out.mappings = validateMappings(parts.mappings);
  if (parts.settings !== undefined) {
    const flat = flattenSettings(parts.settings);
    out.settings = nestSettings(
      Object.fromEntries(Object.entries(flat).filter((e): e is [string, string | string[]] => e[1] !== null)),
    );
  }
  return out;
}

function names(expr: string | undefined): string[] | undefined {
  return expr === undefined || expr === '*' || expr === '_all' ? undefined : expr.split(',');
}

export function registerTemplateRoutes(router: Router, ctx: RouteContext): void {
  const { state } = ctx.node;

  // ------------------------------------------------------------ component templates
  router.add(['PUT', 'POST'], '/_component_template/{name}', (req) => {
    const name = req.params.name ?? '';
    const body = req.json();
    if (!isObject(body) || body.template === undefined) throw illegalArgument('[template] is required');
    if (boolParam(req.query, 'create') && state.components.has(name)) {
      throw illegalArgument(`component template [${name}] already exists`);
    }
    const component = { ...body, template: checkParts(body.template) ?? {} } as ComponentTemplate;
    ctx.node.commit({ t: 'component.put', name, template: component });
    return json(200, { acknowledged: true });
  });
  const getComponents = (expr: string | undefined) => {
    const wanted = names(expr);
    const list = [...state.components].filter(([n]) => !wanted || wanted.some((p) => wildcardMatch(p, n)));
    if (list.length === 0 && wanted)
      throw resourceNotFound(`component template matching [${expr}] not found`);
    return json(200, {
      component_templates: list.map(([name, component_template]) => ({ name, component_template })),
    });
  };
  router.add('GET', '/_component_template', () => getComponents(undefined));
  router.add('GET', '/_component_template/{name}', (req) => getComponents(req.params.name));
  router.add('HEAD', '/_component_template/{name}', (req) => ({
    status: state.components.has(req.params.name ?? '') ? 200 : 404,
  }));
  router.add('DELETE', '/_component_template/{name}', (req) => {
    const wanted = names(req.params.name) ?? ['*'];
    const matched = [...state.components.keys()].filter((n) => wanted.some((p) => wildcardMatch(p, n)));
    if (matched.length === 0) throw resourceNotFound(`${req.params.name}`);
    for (const name of matched) {
      const users = [...state.templates]
        .filter(([, t]) => (t.composed_of ?? []).includes(name))
        .map(([n]) => n);
      if (users.length > 0) {
        throw illegalArgument(
          `component templates [${name}] cannot be removed as they are still in use by index templates [${users.join(', ')}]`,
        );
      }
    }
    for (const name of matched) ctx.node.commit({ t: 'component.delete', name });
    return json(200, { acknowledged: true });
  });

  // ------------------------------------------------------------ index templates
  router.add(['PUT', 'POST'], '/_index_template/{name}', (req) => {
    const name = req.params.name ?? '';
    if (boolParam(req.query, 'create') && state.templates.has(name)) {
      throw illegalArgument(`index template [${name}] already exists`);
    }
    const template = normaliseIndexTemplate(name, req.json(), state.templates);
    const parts = checkParts(template.template);
    if (parts) template.template = parts;
    const missing = (template.composed_of ?? []).filter((c) => !state.components.has(c));
    if (missing.length > 0) {
      throw illegalArgument(
        `index template [${name}] specifies component templates [${missing.join(', ')}] that do not exist`,
      );
    }
    composeTemplate(name, template, state.components); // the composition must merge cleanly
    ctx.node.commit({ t: 'template.put', name, template });
    return json(200, { acknowledged: true });
  });
  const getTemplates = (expr: string | undefined) => {
    const wanted = names(expr);
    const list = [...state.templates].filter(([n]) => !wanted || wanted.some((p) => wildcardMatch(p, n)));
    if (list.length === 0 && wanted) throw resourceNotFound(`index template matching [${expr}] not found`);
    return json(200, { index_templates: list.map(([name, index_template]) => ({ name, index_template })) });
  };
  router.add('GET', '/_index_template', () => getTemplates(undefined));
  router.add('GET', '/_index_template/{name}', (req) => getTemplates(req.params.name));
  router.add('HEAD', '/_index_template/{name}', (req) => ({
    status: state.templates.has(req.params.name ?? '') ? 200 : 404,
  }));
  router.add('DELETE', '/_index_template/{name}', (req) => {
    const wanted = names(req.params.name) ?? ['*'];
    const matched = [...state.templates.keys()].filter((n) => wanted.some((p) => wildcardMatch(p, n)));
    if (matched.length === 0) throw resourceNotFound(`index_template [${req.params.name}] missing`);
    for (const name of matched) {
      const streams = [...state.dataStreams.values()].filter((s) => s.template === name).map((s) => s.name);
      if (streams.length > 0) {
        throw illegalArgument(
          `unable to remove composable templates [${name}] as they are in use by a data streams [${streams.join(', ')}]`,
        );
      }
    }
    for (const name of matched) ctx.node.commit({ t: 'template.delete', name });
    return json(200, { acknowledged: true });
  });

  router.add('POST', '/_index_template/_simulate_index/{name}', (req) => {
    const name = req.params.name ?? '';
    const found = findTemplate(name, state.templates);
    if (!found) return json(200, {});
    const resolved = composeTemplate(found.name, found.template, state.components);
    const overlapping = [...state.templates]
      .filter(([n, t]) => n !== found.name && t.index_patterns.some((p) => wildcardMatch(p, name)))
      .map(([n, t]) => ({ name: n, index_patterns: t.index_patterns }));
    return json(200, {
      template: {
        settings: nestSettings(flattenSettings(resolved.settings) as Record<string, string>),
        mappings: resolved.mappings,
        aliases: resolved.aliases,
      },
      overlapping,
    });
  });

  router.add('POST', ['/_index_template/_simulate', '/_index_template/_simulate/{name}'], (req) => {
    const body = req.json();
    let template: IndexTemplate | undefined;
    if (body !== undefined) {
      template = normaliseIndexTemplate(req.params.name ?? '_simulate', body, new Map());
      const parts = checkParts(template.template);
      if (parts) template.template = parts;
    } else {
      template = state.templates.get(req.params.name ?? '');
    }
    if (!template)
      throw resourceNotFound(`unable to simulate template [${req.params.name}] that does not exist`);
    const resolved = composeTemplate(req.params.name ?? '', template, state.components);
    const out: Record<string, unknown> = {};
    setOwn(out, 'template', {
      settings: nestSettings(flattenSettings(resolved.settings) as Record<string, string>),
      mappings: resolved.mappings,
      aliases: resolved.aliases,
    });
    return json(200, { ...out, overlapping: [] });
  });
}
