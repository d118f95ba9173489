import { loadAwsServiceSpec } from '@aws-cdk/aws-service-spec';
import type { SpecLookup, SpecProperty } from './check-template.ts';

/** The CloudFormation resource schemas from @aws-cdk/aws-service-spec, as the checks read them. */
export async function loadCfnSpec(): Promise<SpecLookup> {
  const db = await loadAwsServiceSpec();
  return {
    resource(cfnType) {
      const found = db.lookup('resource', 'cloudFormationType', 'equals', cfnType);
      const only = found[0];
      return only ? (only.properties as unknown as Record<string, SpecProperty>) : undefined;
    },
    typeDefinition(id) {
      try {
        return db.get('typeDefinition', id).properties as unknown as Record<string, SpecProperty>;
      } catch {
        return undefined;
      }
    },
  };
}
