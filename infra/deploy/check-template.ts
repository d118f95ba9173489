import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { esmLogicalId } from './event-sources.ts';
import type { DeployParams } from './params.ts';

// Checks on the CloudFormation template `serverless package` writes, before anything reaches AWS:
// every resource type and property exists in the CloudFormation resource schemas, the event source
// mappings say what the parameters say, IAM has no wildcard resources beyond the listed ones, and
// every bucket is encrypted, private and TLS-only. Each check returns problems; none means pass.

type Json = Record<string, unknown>;

/** The parts of the CloudFormation resource schemas the checks read (see cfn-spec.ts). */
export type SpecType =
  | { type: 'string'; allowedValues?: string[] }
  | { type: 'number' | 'integer' | 'boolean' | 'json' | 'tag' | 'date-time' | 'null' }
  | { type: 'ref'; reference: { $ref: string } }
  | { type: 'array' | 'map'; element: SpecType }
  | { type: 'union'; types: SpecType[] };
export interface SpecProperty {
  type: SpecType;
  required?: boolean;
}
export interface SpecLookup {
  resource(cfnType: string): Record<string, SpecProperty> | undefined;
  typeDefinition(id: string): Record<string, SpecProperty> | undefined;
}

export interface Template {
  Resources: Record<string, { Type: string; Properties?: Json; Condition?: string; [key: string]: unknown }>;
  Conditions?: Json;
  [key: string]: unknown;
}

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** `{ Ref }` or `{ "Fn::...": ... }`: a value CloudFormation computes, not checkable here. */
function intrinsic(value: unknown): { name: string; args: unknown } | undefined {
  if (!isObject(value)) return undefined;
  const keys = Object.keys(value);
  const name = keys[0];
  if (keys.length !== 1 || name === undefined || !(name === 'Ref' || name.startsWith('Fn::')))
    return undefined;
  return { name, args: value[name] };
}

const isNoValue = (value: unknown) => isObject(value) && value.Ref === 'AWS::NoValue';

/** Calls `visit` on each value a (possibly `Fn::If`-wrapped) value can take, skipping AWS::NoValue. */
function eachBranch(value: unknown, visit: (value: unknown) => void): void {
  const fn = intrinsic(value);
  if (fn?.name === 'Fn::If' && Array.isArray(fn.args)) {
    for (const branch of fn.args.slice(1)) eachBranch(branch, visit);
    return;
  }
  if (!isNoValue(value)) visit(value);
}

function checkValue(
  spec: SpecLookup,
  value: unknown,
  type: SpecType,
  where: string,
  problems: string[],
): void {
  const fn = intrinsic(value);
  if (fn) {
    if (fn.name === 'Fn::If') eachBranch(value, (branch) => checkValue(spec, branch, type, where, problems));
    return;
  }
  switch (type.type) {
    case 'json':
      return;
    case 'string':
      if (typeof value === 'string') {
        if (type.allowedValues && !type.allowedValues.includes(value)) {
          problems.push(`${where}: ${JSON.stringify(value)} is not one of ${type.allowedValues.join(', ')}`);
        }
      } else if (typeof value !== 'number' && typeof value !== 'boolean') {
        problems.push(`${where}: expected a string`);
      }
      return;
    case 'number':
    case 'integer':
      if (typeof value === 'string' ? Number.isNaN(Number(value)) : typeof value !== 'number') {
        problems.push(`${where}: expected a number`);
      } else if (type.type === 'integer' && !Number.isInteger(Number(value))) {
        problems.push(`${where}: expected a whole number`);
      }
      return;
    case 'boolean':
      if (typeof value !== 'boolean' && value !== 'true' && value !== 'false')
        problems.push(`${where}: expected true or false`);
      return;
    case 'tag':
      if (!isObject(value) || !('Key' in value) || !('Value' in value))
        problems.push(`${where}: expected { Key, Value }`);
      return;
    case 'array':
      if (!Array.isArray(value)) {
        problems.push(`${where}: expected a list`);
        return;
      }
      value.forEach((item, i) => {
        if (!isNoValue(item)) checkValue(spec, item, type.element, `${where}[${i}]`, problems);
      });
      return;
    case 'map':
      if (!isObject(value)) {
        problems.push(`${where}: expected a map`);
        return;
      }
      for (const [key, item] of Object.entries(value))
        checkValue(spec, item, type.element, `${where}.${key}`, problems);
      return;
    case 'union': {
      const attempts = type.types.map((option) => {
        const found: string[] = [];
        checkValue(spec, value, option, where, found);
        return found;
      });
      if (!attempts.some((found) => found.length === 0))
        problems.push(...(attempts[0] ?? [`${where}: no type matches`]));
      return;
    }
    case 'ref': {
      const properties = spec.typeDefinition(type.reference.$ref);
      if (!properties) return;
      if (!isObject(value)) {
        problems.push(`${where}: expected an object`);
        return;
      }
      checkProperties(spec, value, properties, where, problems);
      return;
    }
    default:
      return;
  }
}

function checkProperties(
  spec: SpecLookup,
  value: Json,
  properties: Record<string, SpecProperty>,
  where: string,
  problems: string[],
): void {
  for (const [key, item] of Object.entries(value)) {
    const property = properties[key];
    if (!property) {
      problems.push(`${where}.${key}: no such property`);
      continue;
    }
    if (!isNoValue(item)) checkValue(spec, item, property.type, `${where}.${key}`, problems);
  }
  for (const [key, property] of Object.entries(properties)) {
    if (property.required && !(key in value)) problems.push(`${where}.${key}: required property missing`);
  }
}

/** Every resource type and property exists in the CloudFormation resource schemas. */
export function checkSchema(template: Template, spec: SpecLookup): string[] {
  const problems: string[] = [];
  for (const [id, resource] of Object.entries(template.Resources)) {
    if (resource.Type.startsWith('Custom::') || resource.Type === 'AWS::CloudFormation::CustomResource')
      continue;
    const properties = spec.resource(resource.Type);
    if (!properties) {
      problems.push(`${id}: unknown resource type ${resource.Type}`);
      continue;
    }
    checkProperties(spec, resource.Properties ?? {}, properties, `${id}.Properties`, problems);
  }
  return problems;
}

/**
 * Actions AWS only grants on `Resource: "*"`, each with its reason. Anything else with a wildcard
 * resource fails the check.
 */
export const WildcardActions: Record<string, string> = {
  'ec2:CreateNetworkInterface': 'Lambda VPC and ESM pollers: the ENI does not exist yet',
  'ec2:DeleteNetworkInterface': 'Lambda VPC and ESM pollers: ENI ids are not known in advance',
  'ec2:DescribeNetworkInterfaces': 'Describe* actions have no resource-level permissions',
  'ec2:DescribeVpcs': 'Describe* actions have no resource-level permissions',
  'ec2:DescribeSubnets': 'Describe* actions have no resource-level permissions',
  'ec2:DescribeSecurityGroups': 'Describe* actions have no resource-level permissions',
  'ec2:AssignPrivateIpAddresses': 'Lambda VPC: ENI ids are not known in advance',
  'ec2:UnassignPrivateIpAddresses': 'Lambda VPC: ENI ids are not known in advance',
  'cloudwatch:GetMetricStatistics': 'CloudWatch metric reads have no resource-level permissions',
};

interface Statement {
  where: string;
  statement: Json;
}

function policyStatements(template: Template): Statement[] {
  const found: Statement[] = [];
  const collect = (document: unknown, where: string) => {
    eachBranch(document, (doc) => {
      if (!isObject(doc)) return;
      const statements = doc.Statement;
      const list = Array.isArray(statements) ? statements : [statements];
      list.forEach((item, i) => {
        eachBranch(item, (statement) => {
          if (isObject(statement)) found.push({ where: `${where}.Statement[${i}]`, statement });
        });
      });
    });
  };
  for (const [id, resource] of Object.entries(template.Resources)) {
    const props = resource.Properties ?? {};
    if (resource.Type === 'AWS::IAM::Role') {
      const policies = Array.isArray(props.Policies) ? props.Policies : [];
      policies.forEach((policy, i) => {
        eachBranch(policy, (p) => {
          if (isObject(p)) collect(p.PolicyDocument, `${id}.Policies[${i}]`);
        });
      });
    }
    if (resource.Type === 'AWS::IAM::Policy' || resource.Type === 'AWS::IAM::ManagedPolicy') {
      collect(props.PolicyDocument, id);
    }
  }
  return found;
}

const asList = (value: unknown): unknown[] =>
  Array.isArray(value) ? value : value === undefined ? [] : [value];

/** No Allow statement has a wildcard resource unless every action is in WildcardActions. */
export function checkIamWildcards(
  template: Template,
  allowed: Record<string, string> = WildcardActions,
): string[] {
  const problems: string[] = [];
  if (template.Resources.IamRoleLambdaExecution) {
    problems.push('IamRoleLambdaExecution: the shared osls role exists; every function needs its own role');
  }
  for (const { where, statement } of policyStatements(template)) {
    if (statement.Effect !== 'Allow') continue;
    if ('NotResource' in statement || 'NotAction' in statement) {
      problems.push(`${where}: NotResource/NotAction grant more than they name`);
      continue;
    }
    const resources = asList(statement.Resource);
    const wildcard = resources.some(
      (r) => typeof r === 'string' && (r === '*' || /:\*$|^arn:[^:]*:[^:]*:\*/.test(r)),
    );
    if (!wildcard) continue;
    const actions = asList(statement.Action).map(String);
    const unlisted = actions.filter((action) => !(action in allowed));
    if (unlisted.length > 0) problems.push(`${where}: wildcard resource for ${unlisted.join(', ')}`);
  }
  return problems;
}

function refersTo(value: unknown, id: string): boolean {
  return JSON.stringify(value).includes(`"${id}"`) || JSON.stringify(value).includes(`\${${id}`);
}

/** Every bucket is encrypted, blocks public access, and has a policy denying plain HTTP. */
export function checkBuckets(template: Template): string[] {
  const problems: string[] = [];
  const policies = Object.values(template.Resources).filter((r) => r.Type === 'AWS::S3::BucketPolicy');
  for (const [id, resource] of Object.entries(template.Resources)) {
    if (resource.Type !== 'AWS::S3::Bucket') continue;
    const props = resource.Properties ?? {};
    const encryption = props.BucketEncryption as Json | undefined;
    const rules = asList(encryption?.ServerSideEncryptionConfiguration) as Json[];
    if (!rules.some((rule) => isObject(rule.ServerSideEncryptionByDefault)))
      problems.push(`${id}: not encrypted`);
    const block = props.PublicAccessBlockConfiguration as Json | undefined;
    for (const key of ['BlockPublicAcls', 'BlockPublicPolicy', 'IgnorePublicAcls', 'RestrictPublicBuckets']) {
      if (block?.[key] !== true) problems.push(`${id}: PublicAccessBlockConfiguration.${key} is not true`);
    }
    const tlsOnly = policies.some((policy) => {
      const p = policy.Properties ?? {};
      if (!isObject(p.Bucket) || !refersTo(p.Bucket, id)) return false;
      const statements = asList((p.PolicyDocument as Json | undefined)?.Statement) as Json[];
      return statements.some((s) => {
        const condition = JSON.stringify(s.Condition ?? {});
        return (
          s.Effect === 'Deny' &&
          /"aws:SecureTransport":(false|"false")/.test(condition) &&
          asList(s.Action).includes('s3:*')
        );
      });
    });
    if (!tlsOnly) problems.push(`${id}: no bucket policy denies requests without TLS`);
  }
  return problems;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** One event source mapping per topic, each carrying the configured settings; no others. */
export function checkEventSourceMappings(template: Template, params: DeployParams): string[] {
  const problems: string[] = [];
  const mappings = Object.entries(template.Resources).filter(
    ([, r]) => r.Type === 'AWS::Lambda::EventSourceMapping',
  );
  const expected = params.kafkaSource === 'none' ? [] : params.topics;
  if (mappings.length !== expected.length) {
    problems.push(`expected ${expected.length} event source mappings, found ${mappings.length}`);
  }
  for (const topic of expected) {
    const id = esmLogicalId(params, topic);
    const props = template.Resources[id]?.Properties;
    if (!props) {
      problems.push(`${id}: missing (topic ${topic})`);
      continue;
    }
    const want: Json = {
      Topics: [topic],
      BatchSize: params.batchSize,
      StartingPosition: params.startingPosition,
      ProvisionedPollerConfig: { MinimumPollers: params.minPollers, MaximumPollers: params.maxPollers },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: params.maxRetryAttempts,
      MaximumRecordAgeInSeconds: params.maxRecordAgeSeconds,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': ['DeadLetterBucket', 'Arn'] } } },
      MetricsConfig: { Metrics: ['EventCount', 'ErrorCount', 'KafkaMetrics'] },
      ...(params.batchingWindowSeconds > 0
        ? { MaximumBatchingWindowInSeconds: params.batchingWindowSeconds }
        : {}),
      ...(params.filterPatterns.length > 0
        ? { FilterCriteria: { Filters: params.filterPatterns.map((p) => ({ Pattern: JSON.stringify(p) })) } }
        : {}),
    };
    if (params.kafkaSource === 'msk') {
      want.EventSourceArn = params.msk.clusterArn;
      want.AmazonManagedKafkaEventSourceConfig = { ConsumerGroupId: params.consumerGroupId };
    } else {
      want.SelfManagedEventSource = { Endpoints: { KafkaBootstrapServers: params.kafka.bootstrapServers } };
      want.SelfManagedKafkaEventSourceConfig = { ConsumerGroupId: params.consumerGroupId };
    }
    for (const [key, value] of Object.entries(want)) {
      if (!same(props[key], value))
        problems.push(`${id}.${key}: ${JSON.stringify(props[key])}, expected ${JSON.stringify(value)}`);
    }
  }
  return problems;
}

export function checkTemplate(
  template: Template,
  options: { spec: SpecLookup; params?: DeployParams },
): string[] {
  return [
    ...checkSchema(template, options.spec),
    ...checkIamWildcards(template),
    ...checkBuckets(template),
    ...(options.params ? checkEventSourceMappings(template, options.params) : []),
  ];
}

async function main(): Promise<void> {
  const { loadCfnSpec } = await import('./cfn-spec.ts');
  const file = process.argv[2] ?? path.join('.serverless', 'cloudformation-template-update-stack.json');
  const template = JSON.parse(await readFile(file, 'utf8')) as Template;
  const problems = checkTemplate(template, { spec: await loadCfnSpec() });
  for (const problem of problems) console.error(`✗ ${problem}`);
  console.log(
    problems.length === 0 ? `✓ ${file}: all checks pass` : `${problems.length} problem(s) in ${file}`,
  );
  process.exitCode = problems.length === 0 ? 0 : 1;
}

if (import.meta.main) await main();
