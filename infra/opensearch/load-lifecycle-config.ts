// Reads infra/opensearch/lifecycle.yaml into a checked LifecycleConfig. File access lives here,
// outside the pure core.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import type { LifecycleConfig } from '../../functions/core/lifecycle/config.ts';
import { parseLifecycleConfig } from '../../functions/core/lifecycle/config.ts';
import { LifecycleConfigError } from '../../functions/core/lifecycle/errors.ts';
import { validateConfig } from '../../functions/core/lifecycle/validate.ts';

export const DEFAULT_LIFECYCLE_FILE = path.resolve(import.meta.dirname, 'lifecycle.yaml');

export function parseLifecycleYaml(text: string): LifecycleConfig {
  const config = parseLifecycleConfig(parse(text));
  const issues = validateConfig(config);
  if (issues.length > 0) throw new LifecycleConfigError(issues);
  return config;
}

export function loadLifecycleConfig(file: string = DEFAULT_LIFECYCLE_FILE): LifecycleConfig {
  return parseLifecycleYaml(readFileSync(file, 'utf8'));
}
