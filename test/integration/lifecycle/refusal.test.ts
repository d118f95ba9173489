// A bad desired state is refused before any request reaches the server (checked in its request log).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createMemoryCatalogStore } from '../../../functions/adapters/lifecycle-catalog.ts';
import { createLifecycleCluster } from '../../../functions/adapters/lifecycle-opensearch.ts';
import { parseLifecycleConfig } from '../../../functions/core/lifecycle/config.ts';
import { buildDesiredState } from '../../../functions/core/lifecycle/desired.ts';
import { runLifecycle } from '../../../functions/lifecycle/run.ts';
import { compileSpecValidators } from '../../../infra/opensearch/spec-schemas.ts';
import {
  clearRequests,
  context,
  type LifecycleEnv,
  lifecycleHandler,
  requestsSeen,
  scheduledEvent,
  startLifecycleEnv,
} from './support.ts';

const YAML = `
services:
  - name: api
    alias: logs-api
repository:
  name: sluice-snapshots
  type: s3
  settings: { bucket: sluice-snapshots, region: us-east-1 }
`;

describe('lifecycle: bad desired state is refused before any call', () => {
  let env: LifecycleEnv;
  const validators = compileSpecValidators();

  beforeAll(async () => {
    env = await startLifecycleEnv();
  });
  afterAll(async () => {
    await env?.close();
  });
  beforeEach(async () => {
    await clearRequests(env);
  });

  it('glacier storage class (through the handler)', async () => {
    const handler = await lifecycleHandler(
      env,
      YAML.replace('region: us-east-1', 'region: us-east-1, storage_class: GLACIER'),
      () => Date.now(),
    );
    await expect(handler(scheduledEvent, context)).rejects.toThrow(
      /repository\.settings\.storage_class: storage class glacier is an archive class/,
    );
    expect(await requestsSeen(env)).toEqual([]);
  });

  it('an invalid policy and an unknown repository in the policies (one message names both)', async () => {
    const config = parseLifecycleConfig((await import('yaml')).parse(YAML));
    const desired = buildDesiredState(config);
    const policy = desired.policies['sluice-api']?.policy;
    if (policy === undefined) throw new Error('no policy built');
    policy.default_state = 'lukewarm';
    policy.states[2]?.actions.push({ snapshot: { repository: 'elsewhere', snapshot: 'x' } });
    const error = await runLifecycle({
      config,
      desired,
      validators,
      cluster: createLifecycleCluster(env.client),
      catalog: createMemoryCatalogStore(),
      now: () => Date.now(),
      waitForSnapshots: true,
    }).then(
      () => new Error('the run was not refused'),
      (e: unknown) => e as Error,
    );
    expect(error.name).toBe('LifecycleConfigError');
    expect(error.message).toMatch(
      /policies\.sluice-api\.policy\.default_state: invalid policy: default_state "lukewarm"/,
    );
    expect(error.message).toMatch(/snapshot\.repository: unknown repository "elsewhere"/);
    expect(await requestsSeen(env)).toEqual([]);
  });

  it('a rollover without conditions (YAML shape) fails the build', async () => {
    const handler = await lifecycleHandler(env, `${YAML}\ndefaults:\n  rollover: {}\n`, () => Date.now());
    await expect(handler(scheduledEvent, context)).rejects.toThrow(/defaults\.rollover: has no condition/);
    expect(await requestsSeen(env)).toEqual([]);
  });

  it('control: a request the function would send does show in the log', async () => {
    await createLifecycleCluster(env.client).listSnapshots('sluice-snapshots');
    expect((await requestsSeen(env)).map((r) => r.path)).toEqual(['/_snapshot/sluice-snapshots/_all']);
  });
});
