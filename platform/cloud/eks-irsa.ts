/**
 * IAM roles for service accounts (IRSA) on EKS: roles that only one Kubernetes ServiceAccount may assume, through
 * the cluster's OIDC provider.
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';

/** The OIDC identity of an EKS cluster that IRSA roles trust. */
export interface IrsaIssuer {
  /** ARN of the cluster's IAM OIDC provider. */
  readonly providerArn: pulumi.Input<string>;
  /** The issuer URL without `https://` (the prefix of the `sub` and `aud` condition keys). */
  readonly host: pulumi.Output<string>;
}

/** The `sub` claim of a Kubernetes ServiceAccount's token: `system:serviceaccount:<namespace>:<name>`. */
export function serviceAccountSubject(namespace: string, name: string): string {
  return `system:serviceaccount:${namespace}:${name}`;
}

/**
 * The trust policy of an IRSA role: only the given Kubernetes service account (`system:serviceaccount:<ns>:<name>`),
 * through the cluster's OIDC provider and only for STS, may assume the role.
 */
export function irsaTrustPolicy(issuer: IrsaIssuer, serviceAccount: string): pulumi.Output<string> {
  return pulumi.jsonStringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Federated: issuer.providerArn },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: {
          StringEquals: issuer.host.apply((host) => ({
            [`${host}:sub`]: serviceAccount,
            [`${host}:aud`]: 'sts.amazonaws.com',
          })),
        },
      },
    ],
  });
}

/**
 * An IRSA role for one app ServiceAccount with the given policies attached, parented to `parent`.
 * @returns the role
 */
export function irsaRole(
  name: string,
  args: { issuer: IrsaIssuer; subject: string; policyArns: readonly string[]; tags: Record<string, string> },
  parent: pulumi.Resource,
): aws.iam.Role {
  const role = new aws.iam.Role(
    name,
    { assumeRolePolicy: irsaTrustPolicy(args.issuer, args.subject), tags: args.tags },
    { parent },
  );
  args.policyArns.forEach(
    (policyArn, i) => new aws.iam.RolePolicyAttachment(`${name}-${i}`, { role: role.name, policyArn }, { parent }),
  );
  return role;
}
